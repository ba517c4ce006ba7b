"""Reads: who sees which teams, urgency and interventions; the filters; a fixed number of
queries whatever the number of rows."""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from core.permissions import allowed
from interventions import selectors, services
from interventions.models import Intervention, ProgressUpdate, TeamRole
from interventions.tests.helpers import build_intervention, build_team, haarlem, velsen

pytestmark = pytest.mark.django_db

TEAM_READERS = [
    "corp_editor",
    "org_admin",
    "gemeente_reviewer",
    "tenant_rep",
    "partner_reader",
    "platform_admin",
]


@pytest.fixture
def areas():
    return velsen()


@pytest.fixture
def team(world, areas):
    return build_team(world, areas["wijk"])


@pytest.fixture
def intervention(world, team):
    return build_intervention(world, team)


class TestVisibility:
    @pytest.mark.parametrize("persona", TEAM_READERS)
    def test_team_readers_see_team_and_interventions(self, world, team, intervention, persona):
        user = world.users[persona]
        assert list(selectors.team_list(user=user)) == [team]
        assert list(selectors.intervention_list(user=user)) == [intervention]
        assert selectors.intervention_detail(user=user, pk=intervention.pk) == intervention
        assert selectors.team_detail(user=user, pk=team.pk) == team

    def test_outsider_sees_nothing(self, world, team, intervention):
        services.urgency_record(actor=world.corp_editor, team=team, year=2025, urgency="hoog", rationale="r")
        user = world.outsider
        assert not selectors.team_list(user=user).exists()
        assert not selectors.intervention_list(user=user).exists()
        assert selectors.urgency_map(user=user, gemeente_code="GM0453", year=2025) == {}
        assert selectors.urgency_table(user=user, gemeente_code="GM0453", year=2025) == []
        assert not selectors.urgency_history(team=team, user=user).exists()
        with pytest.raises(Http404):
            selectors.intervention_detail(user=user, pk=intervention.pk)
        with pytest.raises(Http404):
            selectors.team_detail(user=user, pk=team.pk)

    def test_outsider_sees_own_gemeente_team_only(self, world, team, intervention):
        own = services.team_create(
            actor=world.outsider, area=haarlem()["wijk"], name="Haarlem Centrum", trekker=world.other_gemeente
        )
        assert list(selectors.team_list(user=world.outsider)) == [own]
        assert own not in selectors.team_list(user=world.corp_editor)

    def test_meelezer_reads_but_cannot_change(self, world, team, intervention):
        tenant = world.tenant_rep
        assert selectors.intervention_list(user=tenant).get() == intervention
        assert not allowed(tenant, "change", intervention)
        assert not allowed(tenant, "change", team)
        assert allowed(world.corp_editor, "change", intervention)
        assert allowed(world.gemeente_reviewer, "change", intervention)
        assert not allowed(world.partner_reader, "change", intervention)

    def test_anonymous_sees_nothing(self, team, intervention):
        from django.contrib.auth.models import AnonymousUser

        assert not selectors.intervention_list(user=AnonymousUser()).exists()


class TestFilters:
    @pytest.fixture
    def three(self, world, team, areas):
        a = build_intervention(
            world,
            team,
            title="Buurtkamer in de Lagersbuurt",
            theme="sociale_cohesie",
            areas=[areas["buurten"][0]],
            start_date=datetime.date(2024, 1, 1),
            end_date=datetime.date(2024, 12, 31),
        )
        b = build_intervention(
            world,
            team,
            title="Schoon, heel en veilig",
            theme="veiligheid",
            areas=[areas["buurten"][1]],
            partner_organisations=[world.partner],
            start_date=datetime.date(2025, 6, 1),
            end_date=None,
            funder="Provincie Noord-Holland",
        )
        c = build_intervention(
            world,
            team,
            title="Wijkaanpak",
            areas=[team.area],
            start_date=None,
            end_date=None,
            lead_organisation=world.gemeente,
            partner_organisations=[],
            actor=world.gemeente_reviewer,
        )
        services.intervention_change_status(
            actor=world.corp_editor, intervention=a, to_status="gepland", version=1
        )
        return a, b, c

    def titles(self, world, **filters):
        return sorted(i.title for i in selectors.intervention_list(user=world.corp_editor, **filters))

    def test_theme_status_q(self, world, three):
        assert self.titles(world, theme="veiligheid") == ["Schoon, heel en veilig"]
        assert self.titles(world, theme=["veiligheid", "sociale_cohesie"]) == [
            "Buurtkamer in de Lagersbuurt",
            "Schoon, heel en veilig",
        ]
        assert self.titles(world, status="gepland") == ["Buurtkamer in de Lagersbuurt"]
        assert self.titles(world, q="noord-holland") == ["Schoon, heel en veilig"]
        assert self.titles(world, q="buurtkamer lagersbuurt") == ["Buurtkamer in de Lagersbuurt"]
        assert self.titles(world, q="buurtkamer heidebuurt") == []

    def test_organisation(self, world, three):
        assert self.titles(world, organisation=world.partner) == ["Schoon, heel en veilig"]
        assert self.titles(world, organisation=world.gemeente) == [
            "Buurtkamer in de Lagersbuurt",
            "Wijkaanpak",
        ]
        assert self.titles(world, organisation=world.huurders) == []

    def test_period(self, world, three):
        assert self.titles(world, period_from=datetime.date(2025, 1, 1)) == [
            "Schoon, heel en veilig",
            "Wijkaanpak",
        ]
        assert self.titles(world, period_to=datetime.date(2024, 6, 1)) == [
            "Buurtkamer in de Lagersbuurt",
            "Wijkaanpak",
        ]

    def test_area(self, world, three, areas):
        everything = ["Buurtkamer in de Lagersbuurt", "Schoon, heel en veilig", "Wijkaanpak"]
        assert self.titles(world, area="WK045301") == everything
        assert self.titles(world, area=areas["wijk"]) == everything
        assert self.titles(world, area=areas["gemeente"]) == everything
        assert self.titles(world, area="bu04530100") == ["Buurtkamer in de Lagersbuurt", "Wijkaanpak"]
        assert self.titles(world, area=areas["other_wijk"].pk) == []
        assert self.titles(world, area="XX999") == []

    def test_team(self, world, three):
        assert len(self.titles(world, team=three[0].team)) == 3

    def test_annotations(self, world, three):
        a = three[0]
        services.progress_add(
            actor=world.corp_editor, intervention=a, date=datetime.date(2025, 2, 1), text="Start", progress=10
        )
        services.progress_add(
            actor=world.corp_editor,
            intervention=a,
            date=datetime.date(2025, 3, 1),
            text="Verder",
            progress=None,
        )
        row = selectors.intervention_list(user=world.corp_editor, q="Buurtkamer").get()
        assert row.last_update_on == timezone.localdate()  # the status change of today
        assert row.latest_progress == 10


def _many(world, team, areas, n):
    """``n`` interventions with areas, partners and updates, written in bulk."""
    rows = Intervention.objects.bulk_create(
        Intervention(
            team=team,
            title=f"Interventie {i}",
            theme="leefbaarheid",
            lead_organisation=world.corporatie,
            status="gepland",
        )
        for i in range(n)
    )
    Intervention.areas.through.objects.bulk_create(
        Intervention.areas.through(intervention=row, area=area) for row in rows for area in areas["buurten"]
    )
    Intervention.partner_organisations.through.objects.bulk_create(
        Intervention.partner_organisations.through(intervention=row, organisation=org)
        for row in rows
        for org in (world.gemeente, world.partner)
    )
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(intervention=row, date=datetime.date(2025, 1, 1), text="x", progress=30)
        for row in rows
    )
    return rows


@pytest.mark.parametrize("count", [5, 60])
def test_intervention_list_query_count_is_fixed(world, team, areas, count, django_assert_max_num_queries):
    _many(world, team, areas, count)
    selectors.intervention_list(user=world.tenant_rep).count()  # warm the content type cache
    # Teams and shares of the user, the page, its teams with areas, leads, areas and partners.
    with django_assert_max_num_queries(6):
        rows = list(selectors.intervention_list(user=world.tenant_rep))
        for row in rows:
            assert row.team.area.code == "WK045301"
            assert row.lead_organisation.name
            assert [a.code for a in row.areas.all()] == ["BU04530100", "BU04530101"]
            assert len(row.partner_organisations.all()) == 2
            assert row.latest_progress == 30
    assert len(rows) == count


@pytest.mark.parametrize("count", [1, 20])
def test_intervention_detail_query_count_is_fixed(
    world, team, intervention, count, django_assert_max_num_queries
):
    for i in range(count):
        services.progress_add(
            actor=world.corp_editor,
            intervention=intervention,
            date=datetime.date(2025, 1, 1),
            text=f"Stap {i}",
        )
    selectors.intervention_detail(user=world.tenant_rep, pk=intervention.pk)
    with django_assert_max_num_queries(8):
        detail = selectors.intervention_detail(user=world.tenant_rep, pk=intervention.pk)
        for update in detail.updates.all():
            assert update.author.email
            list(update.attachments.all())
        assert {m.organisation.name for m in detail.team.members.all()}
    assert len(detail.updates.all()) == count


def test_team_list_query_count_and_annotations(world, areas, django_assert_max_num_queries):
    teams = [build_team(world, areas["wijk"]), build_team(world, areas["other_wijk"], name="Team Zuid")]
    build_intervention(world, teams[0])
    services.urgency_record(actor=world.corp_editor, team=teams[0], year=2024, urgency="laag", rationale="r")
    services.urgency_record(actor=world.corp_editor, team=teams[0], year=2025, urgency="hoog", rationale="r")
    with django_assert_max_num_queries(2):
        rows = {t.name: t for t in selectors.team_list(user=world.tenant_rep)}
        assert {m.role for t in rows.values() for m in t.members.all()} == set(TeamRole.values)
    first = rows["Gebiedsteam IJmuiden-Noord"]
    assert (first.intervention_count, first.latest_urgency, first.latest_urgency_year) == (1, "hoog", 2025)
    assert (rows["Team Zuid"].intervention_count, rows["Team Zuid"].latest_urgency) == (0, None)


def test_urgency_history_map_and_table(world, team, intervention):
    first = services.urgency_record(
        actor=world.corp_editor, team=team, year=2024, urgency="laag", rationale="a"
    )
    services.urgency_record(
        actor=world.corp_editor,
        team=team,
        year=2024,
        urgency="verhoogd",
        rationale="b",
        version=first.version,
    )
    services.urgency_record(
        actor=world.gemeente_reviewer, team=team, year=2025, urgency="acuut", rationale="c"
    )
    assert [(a.year, a.urgency) for a in selectors.urgency_history(team=team)] == [
        (2025, "acuut"),
        (2024, "verhoogd"),
    ]
    revisions = [(r.year, r.urgency, r.history_user) for r in selectors.urgency_revisions(team=team)]
    assert revisions == [
        (2025, "acuut", world.gemeente_reviewer),
        (2024, "verhoogd", world.corp_editor),
        (2024, "laag", world.corp_editor),
    ]
    assert selectors.urgency_map(user=world.partner_reader, gemeente_code="GM0453", year=2024) == {
        "WK045301": "verhoogd"
    }
    assert selectors.urgency_map(user=world.partner_reader, gemeente_code="GM0453", year=2023) == {}
    table = selectors.urgency_table(user=world.partner_reader, gemeente_code="GM0453", year=2025)
    assert table == [
        {
            "team_id": team.pk,
            "team": team.name,
            "code": "WK045301",
            "name": "Wijk 01 IJmuiden-Noord",
            "kind": "wijk",
            "urgency": "acuut",
            "rationale": "c",
            "interventions": 1,
        }
    ]


def test_shared_intervention_is_listed_for_the_outsider(world, team, intervention):
    from organisations.services import object_share

    other = build_intervention(world, team, title="Niet gedeeld")
    object_share(actor=world.corp_editor, obj=intervention, action="view", organisation=world.other_gemeente)
    assert list(selectors.intervention_list(user=world.outsider)) == [intervention]
    assert selectors.intervention_detail(user=world.outsider, pk=intervention.pk) == intervention
    with pytest.raises(Http404):
        selectors.intervention_detail(user=world.outsider, pk=other.pk)


@pytest.mark.parametrize("persona", [*TEAM_READERS, "outsider"])
def test_a_read_gives_the_same_rights_with_its_rights_read_once(world, areas, team, intervention, persona):
    from guardian.shortcuts import assign_perm

    from agreements.models import Commitment
    from core.permissions import rules_remembered
    from interventions.models import UrgencyAssessment, Wijkgesprek

    user = world.users[persona]
    # Interventions of a team of the corporation alone: one shared with the person, one
    # with the tenants' organisation (through its group).
    own_team = build_team(
        world, areas["other_wijk"], name="Team Zuid", members=[(world.corporatie, TeamRole.TREKKER)]
    )
    shared = build_intervention(
        world, own_team, title="Gedeeld", areas=[areas["other_wijk"]], partner_organisations=[]
    )
    assign_perm("view_intervention", user, shared)
    for_tenants = build_intervention(
        world, own_team, title="Voor de huurders", areas=[areas["other_wijk"]], partner_organisations=[]
    )
    assign_perm("view_intervention", world.huurders.members_group, for_tenants)
    models = (Intervention, ProgressUpdate, UrgencyAssessment, Wijkgesprek, Commitment)
    cases = [(model, action) for model in models for action in ("view", "change")]

    def answers():
        return {
            (model.__name__, action): set(model.objects.restrict(user, action).values_list("pk", flat=True))
            for model, action in cases
        }

    plain = answers()
    with rules_remembered():
        remembered = answers()
        if persona not in ("platform_admin", "outsider"):  # no rule at all; nothing at all
            rule = str(Intervention.objects.restrict(user, "view").query)
            assert rule.count("SELECT") == 1  # teams and grants as ids: no subquery
    assert remembered == plain
    assert shared.pk in plain[("Intervention", "view")]
    assert (for_tenants.pk in plain[("Intervention", "view")]) == (
        persona in ("tenant_rep", "corp_editor", "org_admin", "platform_admin")  # shared, or in the team
    )


@pytest.mark.parametrize("persona", [*TEAM_READERS, "outsider"])
def test_list_is_exactly_the_restricted_set(world, team, intervention, persona):
    build_intervention(world, team, title="Tweede")
    user = world.users[persona]
    expected = set(Intervention.objects.restrict(user, "view").values_list("pk", flat=True))
    assert set(selectors.intervention_list(user=user).values_list("pk", flat=True)) == expected
