"""Reading the audit trail: who, when, what changed from what to what."""

from core.audit import history_entries
from organisations import services
from organisations.models import Membership, Organisation, Role
from organisations.selectors import organisation_history
from tests import factories
from tests.factories import membership_of


def _change_role(actor, user, organisation, role):
    membership = membership_of(user, organisation)
    return services.membership_change_role(
        actor=actor, membership=membership, role=role, version=membership.version
    )


def _changes(entry):
    return [(c.field, None if c.old is None else str(c.old), str(c.new)) for c in entry.changes]


def test_creation_lists_the_fields_without_bookkeeping(world):
    [entry] = history_entries(Organisation.history.filter(id=world.corporatie.pk))
    assert entry.kind == "+"
    assert str(entry.label) == "aangemaakt"
    assert entry.who == world.platform_admin
    fields = {field: new for field, old, new in _changes(entry)}
    assert fields["naam"] == "Woningcorporatie Velserduin"
    assert fields["soort"] == "woningcorporatie"  # the display value, not the stored code
    assert all(old is None for _, old, _ in _changes(entry))
    assert not {"versie", "gewijzigd op", "aangemaakt op", "id"} & set(fields)


def test_change_shows_only_what_changed_before_and_after(world):
    organisation = world.corporatie
    services.organisation_update(
        actor=world.org_admin, organisation=organisation, version=1, description="Eerste tekst"
    )
    services.organisation_update(
        actor=world.platform_admin,
        organisation=organisation,
        version=2,
        description="Tweede tekst",
        kind=Organisation.Kind.PARTNER,
    )
    newest, middle, created = history_entries(Organisation.history.filter(id=organisation.pk))
    assert created.kind == "+"
    assert (middle.who, _changes(middle)) == (world.org_admin, [("omschrijving", "", "Eerste tekst")])
    assert newest.who == world.platform_admin
    assert sorted(_changes(newest)) == [
        ("omschrijving", "Eerste tekst", "Tweede tekst"),
        ("soort", "woningcorporatie", "maatschappelijke partner"),
    ]
    assert newest.when >= middle.when >= created.when


def test_booleans_read_as_yes_and_no(world):
    services.organisation_update(
        actor=world.platform_admin, organisation=world.partner, version=1, is_active=False
    )
    newest = history_entries(Organisation.history.filter(id=world.partner.pk))[0]
    assert _changes(newest) == [("actief", "ja", "nee")]


def test_each_object_is_compared_with_its_own_previous_version(world):
    """In a set of records (all memberships of an organisation) a change is compared with
    the same membership's previous record, not with a neighbour's."""
    second = factories.member(world.corporatie, role=Role.LEZER)
    _change_role(world.org_admin, world.corp_editor, world.corporatie, Role.LEZER)
    _change_role(world.org_admin, second, world.corporatie, Role.BEWERKER)
    _change_role(world.org_admin, world.corp_editor, world.corporatie, Role.BEHEERDER)

    entries = history_entries(Membership.history.filter(organisation_id=world.corporatie.pk))
    changes = [(e.subject.split(" — ")[0], _changes(e)) for e in entries if e.kind == "~"]
    editor, other = str(world.corp_editor), str(second)
    assert changes == [
        (editor, [("rol", "lezer", "beheerder")]),
        (other, [("rol", "lezer", "bewerker")]),
        (editor, [("rol", "bewerker", "lezer")]),
    ]
    assert all(e.reason == "rol gewijzigd" for e in entries if e.kind == "~")


def test_removal_is_an_entry_with_who(world):
    membership = membership_of(world.corp_editor, world.corporatie)
    services.membership_remove(actor=world.org_admin, membership=membership)
    newest = history_entries(Membership.history.filter(organisation_id=world.corporatie.pk))[0]
    assert newest.kind == "-"
    assert str(newest.label) == "verwijderd"
    assert newest.who == world.org_admin


def test_limit_keeps_the_newest(world):
    organisation = world.corporatie
    for version in range(1, 6):
        services.organisation_update(
            actor=world.org_admin, organisation=organisation, version=version, description=f"Tekst {version}"
        )
    entries = history_entries(Organisation.history.filter(id=organisation.pk), limit=2)
    assert len(entries) == 2
    assert _changes(entries[0]) == [("omschrijving", "Tekst 4", "Tekst 5")]
    assert _changes(entries[1]) == [("omschrijving", "Tekst 3", "Tekst 4")]


def test_organisation_history_merges_people_and_invitations_newest_first(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(
            actor=world.org_admin, organisation=world.corporatie, email="nieuw@example.nl", role=Role.LEZER
        )
    _change_role(world.org_admin, world.corp_editor, world.corporatie, Role.LEZER)
    entries = organisation_history(organisation=world.corporatie)
    assert entries[0].reason == "rol gewijzigd"
    assert any("nieuw@example.nl" in e.subject for e in entries)
    assert entries[-1].subject == "Woningcorporatie Velserduin"
    assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)
    # Nothing of another organisation.
    assert not any("Haarlem" in e.subject for e in entries)


def test_years_read_as_years_not_amounts(world):
    from django.template import Context, Template
    from django.utils import translation

    from areas.models import Area, AreaKind
    from areas.tests.helpers import make_area

    area = make_area(year=2023, kind=AreaKind.GEMEENTE, code="GM9999", name="Proefgemeente")
    [entry] = history_entries(Area.history.filter(id=area.pk))
    year = next(change.new for change in entry.changes if change.field == "jaar van de indeling")
    with translation.override("nl"):
        # The history table prints values plainly, where a number gets a separator.
        assert Template("{{ value }}").render(Context({"value": year})) == "2023"
