"""The rules of area teams, urgency, interventions and their timeline, per persona."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.exceptions import ConflictError
from interventions import services
from interventions.models import (
    AreaTeam,
    Attachment,
    Intervention,
    ProgressUpdate,
    TeamMember,
    TeamRole,
    UrgencyAssessment,
    Wijkgesprek,
    WijkgesprekAction,
)
from interventions.tests.helpers import build_intervention, build_team, gebied, haarlem, velsen
from tests import factories

pytestmark = pytest.mark.django_db

EDITORS = ["corp_editor", "org_admin", "gemeente_reviewer"]
NOT_EDITORS = ["tenant_rep", "partner_reader", "outsider"]


def messages_of(exc_info):
    return " ".join(exc_info.value.messages)


@pytest.fixture
def areas():
    return velsen()


@pytest.fixture
def team(world, areas):
    return build_team(world, areas["wijk"])


@pytest.fixture
def intervention(world, team):
    return build_intervention(world, team)


def pdf(name="verslag.pdf", size=None):
    body = b"%PDF-1.7\n" + b"0" * ((size or 100) - 9)
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def docx(name="plan.docx"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


# --- teams -----------------------------------------------------------------------------


class TestTeamCreate:
    def test_corporation_beheerder_forms_a_team_with_history(self, world, areas):
        team = services.team_create(
            actor=world.org_admin,
            area=areas["wijk"],
            name="Team IJmuiden-Noord",
            members=[(world.corporatie, TeamRole.TREKKER), (world.partner, TeamRole.PARTNER)],
        )
        roles = dict(team.members.values_list("organisation__name", "role"))
        assert roles == {"Woningcorporatie Velserduin": "trekker", "Stichting Welzijn IJmond": "partner"}
        assert team.created_by == world.org_admin
        assert team.history.get().history_user == world.org_admin
        assert TeamMember.history.filter(team_id=team.pk).count() == 2

    def test_trekker_shortcut(self, world, areas):
        team = services.team_create(
            actor=world.org_admin, area=areas["wijk"], name="T", trekker=world.corporatie
        )
        assert list(team.members.values_list("role", flat=True)) == ["trekker"]

    @pytest.mark.parametrize("persona", ["corp_editor", "gemeente_reviewer", "tenant_rep", "partner_reader"])
    def test_only_beheerders_form_teams(self, world, areas, persona):
        with pytest.raises(PermissionDenied):
            services.team_create(
                actor=world.users[persona],
                area=areas["wijk"],
                name="T",
                members=[(world.corporatie, TeamRole.TREKKER)],
            )
        assert not AreaTeam.objects.exists()

    def test_beheerder_of_another_gemeente_may_not(self, world, areas):
        with pytest.raises(PermissionDenied):
            services.team_create(
                actor=world.outsider,
                area=areas["wijk"],
                name="T",
                members=[(world.other_gemeente, TeamRole.TREKKER)],
            )

    def test_outsider_forms_a_team_in_their_own_gemeente(self, world):
        team = services.team_create(
            actor=world.outsider, area=haarlem()["wijk"], name="Centrum", trekker=world.other_gemeente
        )
        assert team.area.gemeente_code == "GM0392"

    def test_member_from_another_gemeente_is_named(self, world, areas):
        with pytest.raises(ValidationError) as exc:
            services.team_create(
                actor=world.platform_admin,
                area=areas["wijk"],
                name="T",
                members=[(world.corporatie, TeamRole.TREKKER), (world.other_gemeente, TeamRole.PARTNER)],
            )
        assert "Gemeente Haarlem werkt niet in de gemeente" in messages_of(exc)
        assert not AreaTeam.objects.exists()

    def test_needs_a_trekker(self, world, areas):
        with pytest.raises(ValidationError) as exc:
            services.team_create(
                actor=world.platform_admin,
                area=areas["wijk"],
                name="T",
                members=[(world.corporatie, TeamRole.PARTNER)],
            )
        assert "ten minste één trekker" in messages_of(exc)

    def test_actor_organisation_must_be_in_the_team(self, world, areas):
        with pytest.raises(ValidationError) as exc:
            services.team_create(actor=world.org_admin, area=areas["wijk"], name="T", trekker=world.gemeente)
        assert "Uw eigen organisatie" in messages_of(exc)

    def test_only_wijk_or_gebied(self, world, areas):
        with pytest.raises(ValidationError) as exc:
            services.team_create(
                actor=world.platform_admin, area=areas["buurten"][0], name="T", trekker=world.corporatie
            )
        assert "wijk of een gebied" in messages_of(exc)

    def test_one_team_per_area(self, world, team, areas):
        with pytest.raises(ValidationError) as exc:
            services.team_create(
                actor=world.platform_admin, area=areas["wijk"], name="Tweede", trekker=world.gemeente
            )
        assert "heeft al een gebiedsteam" in messages_of(exc)

    def test_gebied_team(self, world, areas):
        area = gebied(buurten=areas["buurten"], organisation=world.corporatie)
        team = services.team_create(actor=world.org_admin, area=area, name="Focus", trekker=world.corporatie)
        assert team.area.kind == "gebied"

    def test_double_member_is_refused(self, world, areas):
        with pytest.raises(ValidationError) as exc:
            services.team_create(
                actor=world.platform_admin,
                area=areas["wijk"],
                name="T",
                members=[(world.corporatie, TeamRole.TREKKER), (world.corporatie, TeamRole.PARTNER)],
            )
        assert "twee keer" in messages_of(exc)


class TestTeamMembers:
    def test_trekker_beheerder_updates_the_team(self, world, team):
        team = services.team_update(
            actor=world.org_admin, team=team, version=team.version, name="Nieuwe naam"
        )
        assert team.name == "Nieuwe naam" and team.version == 2

    @pytest.mark.parametrize("persona", ["corp_editor", "gemeente_reviewer", "tenant_rep", "outsider"])
    def test_others_may_not_update(self, world, team, persona):
        with pytest.raises(PermissionDenied):
            services.team_update(actor=world.users[persona], team=team, version=team.version, name="X")

    def test_stale_team_edit(self, world, team):
        services.team_update(actor=world.org_admin, team=team, version=1, name="Eerste")
        with pytest.raises(ConflictError) as exc:
            services.team_update(actor=world.org_admin, team=team, version=1, name="Tweede")
        assert exc.value.current.name == "Eerste"

    def test_add_change_remove(self, world, team):
        extra = factories.organisation(actor=world.platform_admin, name="Politie Velsen", kind="partner")
        member = services.team_member_add(
            actor=world.org_admin, team=team, organisation=extra, role="meelezer"
        )
        member = services.team_member_change_role(
            actor=world.org_admin, member=member, role="partner", version=member.version
        )
        assert member.role == "partner"
        services.team_member_remove(actor=world.org_admin, member=member)
        assert not TeamMember.objects.filter(pk=member.pk).exists()
        assert TeamMember.history.filter(id=member.pk).count() == 3

    def test_add_refuses_organisation_of_other_gemeente(self, world, team):
        with pytest.raises(ValidationError) as exc:
            services.team_member_add(
                actor=world.org_admin, team=team, organisation=world.other_gemeente, role="partner"
            )
        assert "Gemeente Haarlem" in messages_of(exc)

    @pytest.mark.parametrize("persona", ["corp_editor", "gemeente_reviewer", "outsider"])
    def test_members_managed_by_trekker_beheerders_only(self, world, team, persona):
        member = team.members.get(organisation=world.huurders)
        with pytest.raises(PermissionDenied):
            services.team_member_remove(actor=world.users[persona], member=member)
        with pytest.raises(PermissionDenied):
            services.team_member_change_role(
                actor=world.users[persona], member=member, role="partner", version=member.version
            )

    def test_last_trekker_stays(self, world, team):
        trekker = team.members.get(role="trekker")
        with pytest.raises(ValidationError) as exc:
            services.team_member_remove(actor=world.platform_admin, member=trekker)
        assert "ten minste één trekker" in messages_of(exc)
        with pytest.raises(ValidationError):
            services.team_member_change_role(
                actor=world.platform_admin, member=trekker, role="partner", version=trekker.version
            )
        assert team.members.filter(role="trekker").count() == 1

    def test_lead_of_interventions_cannot_leave_or_become_meelezer(self, world, team, intervention):
        gemeente = team.members.get(organisation=world.gemeente)
        with pytest.raises(ValidationError) as exc:
            services.team_member_remove(actor=world.platform_admin, member=gemeente)
        assert "Gemeente Velsen" in messages_of(exc)
        services.team_member_change_role(
            actor=world.platform_admin,
            member=team.members.get(organisation=world.gemeente),
            role="trekker",
            version=gemeente.version,
        )
        corporation = team.members.get(organisation=world.corporatie)
        with pytest.raises(ValidationError) as exc:
            services.team_member_change_role(
                actor=world.platform_admin, member=corporation, role="meelezer", version=corporation.version
            )
        assert "trekker van 1 interventie" in messages_of(exc)

    def test_beheerder_cannot_demote_own_organisation_out_of_reach(self, world, team):
        services.team_member_change_role(
            actor=world.platform_admin,
            member=team.members.get(organisation=world.gemeente),
            role="trekker",
            version=1,
        )
        corporation = team.members.get(organisation=world.corporatie)
        with pytest.raises(PermissionDenied):
            services.team_member_change_role(
                actor=world.org_admin, member=corporation, role="partner", version=corporation.version
            )
        assert team.members.get(organisation=world.corporatie).role == "trekker"


# --- urgency ---------------------------------------------------------------------------


class TestUrgency:
    @pytest.mark.parametrize("persona", ["corp_editor", "org_admin", "gemeente_reviewer", "platform_admin"])
    def test_trekker_and_partner_bewerkers_record(self, world, team, persona):
        assessment = services.urgency_record(
            actor=world.users[persona], team=team, year=2025, urgency="hoog", rationale="Veel overlast."
        )
        assert assessment.assessed_by == world.users[persona]

    @pytest.mark.parametrize("persona", ["tenant_rep", "partner_reader", "outsider"])
    def test_meelezer_lezer_and_outsider_may_not(self, world, team, persona):
        with pytest.raises(PermissionDenied):
            services.urgency_record(
                actor=world.users[persona], team=team, year=2025, urgency="hoog", rationale="x"
            )
        assert not UrgencyAssessment.objects.exists()

    def test_one_per_year_updated_with_version_and_history(self, world, team):
        first = services.urgency_record(
            actor=world.corp_editor, team=team, year=2025, urgency="verhoogd", rationale="Signalen."
        )
        second = services.urgency_record(
            actor=world.gemeente_reviewer,
            team=team,
            year=2025,
            urgency="acuut",
            rationale="Meer incidenten.",
            version=first.version,
        )
        assert second.pk == first.pk and second.version == 2
        assert UrgencyAssessment.objects.filter(team=team).count() == 1
        assert list(second.history.order_by("history_date").values_list("urgency", flat=True)) == [
            "verhoogd",
            "acuut",
        ]
        services.urgency_record(
            actor=world.corp_editor, team=team, year=2024, urgency="laag", rationale="Rustig."
        )
        assert UrgencyAssessment.objects.filter(team=team).count() == 2

    def test_stale_urgency(self, world, team):
        services.urgency_record(actor=world.corp_editor, team=team, year=2025, urgency="laag", rationale="a")
        with pytest.raises(ConflictError) as exc:
            services.urgency_record(
                actor=world.gemeente_reviewer,
                team=team,
                year=2025,
                urgency="hoog",
                rationale="b",
                version=None,
            )
        assert exc.value.current.urgency == "laag"

    @pytest.mark.parametrize(
        ("kwargs", "field", "text"),
        [
            ({"rationale": "  "}, "rationale", "onderbouwing"),
            ({"urgency": "extreem"}, "urgency", "Kies een urgentie"),
            ({"year": 1900}, "year", "jaar"),
        ],
    )
    def test_bad_input(self, world, team, kwargs, field, text):
        data = {"year": 2025, "urgency": "hoog", "rationale": "Reden"} | kwargs
        with pytest.raises(ValidationError) as exc:
            services.urgency_record(actor=world.corp_editor, team=team, **data)
        assert text in " ".join(exc.value.message_dict[field])
        assert not UrgencyAssessment.objects.exists()


# --- interventions ---------------------------------------------------------------------


class TestInterventionCreate:
    def test_create_with_everything(self, world, team, areas):
        intervention = build_intervention(
            world,
            team,
            areas=areas["buurten"],
            partner_organisations=[world.gemeente, world.partner],
            # Keys and names of catalogue indicators, in any case, once each.
            indicators=["p_wmo_t", "P_WMO_T", " a_soz_wb ", "Wmo-cliënten"],
            budget="12.500,50",
        )
        assert intervention.budget == Decimal("12500.50")
        assert sorted(intervention.indicators.values_list("key", flat=True)) == ["a_soz_wb", "p_wmo_t"]
        assert set(intervention.areas.all()) == set(areas["buurten"])
        assert intervention.status == "idee" and intervention.version == 1
        record = intervention.history.get()
        assert record.history_type == "+" and record.history_user == world.corp_editor
        assert {row.organisation_id for row in record.partner_organisations.all()} == {
            world.gemeente.pk,
            world.partner.pk,
        }

    @pytest.mark.parametrize("persona", ["gemeente_reviewer", "org_admin", "platform_admin"])
    def test_other_editors_create(self, world, team, persona):
        assert build_intervention(world, team, actor=world.users[persona]).pk

    @pytest.mark.parametrize("persona", NOT_EDITORS)
    def test_meelezer_lezer_outsider_may_not_create(self, world, team, persona):
        with pytest.raises(PermissionDenied):
            build_intervention(world, team, actor=world.users[persona])
        assert not Intervention.objects.exists()

    def test_gebied_areas(self, world, areas):
        area = gebied(buurten=[areas["buurten"][0]], organisation=world.corporatie)
        team = build_team(world, area)
        build_intervention(world, team, areas=[areas["buurten"][0]])
        with pytest.raises(ValidationError):
            build_intervention(world, team, areas=[areas["buurten"][1]])

    @pytest.mark.parametrize(
        ("overrides", "field", "text"),
        [
            (
                {"start_date": datetime.date(2026, 1, 1), "end_date": datetime.date(2025, 1, 1)},
                "end_date",
                "De einddatum ligt voor de begindatum",
            ),
            ({"budget": "veel geld"}, "budget", "bedrag in euro"),
            ({"budget": "-5"}, "budget", "negatief"),
            ({"title": "  "}, "title", "titel"),
            ({"theme": "sport"}, "theme", "thema"),
            ({"areas": []}, "areas", "ten minste één gebied"),
        ],
    )
    def test_bad_input_changes_nothing(self, world, team, overrides, field, text):
        with pytest.raises(ValidationError) as exc:
            build_intervention(world, team, **overrides)
        assert text in " ".join(exc.value.message_dict[field])
        assert not Intervention.objects.exists()

    def test_lead_outside_the_team(self, world, team):
        outsider_org = factories.organisation(actor=world.platform_admin, name="Sportbedrijf", kind="partner")
        with pytest.raises(ValidationError) as exc:
            build_intervention(world, team, lead_organisation=outsider_org)
        assert "De trekker moet deelnemen aan het gebiedsteam" in messages_of(exc)
        assert not Intervention.objects.exists()

    def test_lead_may_not_be_meelezer(self, world, team):
        with pytest.raises(ValidationError) as exc:
            build_intervention(world, team, lead_organisation=world.huurders, actor=world.platform_admin)
        assert "leest alleen mee" in messages_of(exc)

    def test_partner_outside_the_team(self, world, team):
        with pytest.raises(ValidationError) as exc:
            build_intervention(world, team, partner_organisations=[world.other_gemeente])
        assert "Gemeente Haarlem" in messages_of(exc)

    @pytest.mark.parametrize("which", ["other_buurt", "other_wijk", "gemeente"])
    def test_area_outside_the_team(self, world, team, areas, which):
        with pytest.raises(ValidationError) as exc:
            build_intervention(world, team, areas=[areas[which]])
        assert "ligt niet in het gebied van dit team" in messages_of(exc)
        assert not Intervention.objects.exists()

    def test_area_of_another_year(self, world, team):
        later = velsen(2025)
        with pytest.raises(ValidationError):
            build_intervention(world, team, areas=[later["buurten"][0]])

    def test_own_organisation_must_lead_or_partner(self, world, team):
        with pytest.raises(ValidationError) as exc:
            build_intervention(world, team, actor=world.gemeente_reviewer, partner_organisations=[])
        assert "Uw organisatie moet trekker of partner" in messages_of(exc)

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (1500, "1500.00"),
            ("€ 1.500", "1500.00"),
            ("12,5", "12.50"),
            ("12.500,50", "12500.50"),
            ("12,500.50", "12500.50"),
            (Decimal("99.999"), "100.00"),
            (2.5, "2.50"),
            ("", None),
        ],
    )
    def test_budget_notations(self, world, team, value, expected):
        budget = build_intervention(world, team, budget=value).budget
        assert budget == (Decimal(expected) if expected else None)

    @pytest.mark.parametrize("value", ["1e3", "NaN", "twaalf", "12,50,00", True, "10000000000"])
    def test_budget_that_is_not_an_amount(self, world, team, value):
        with pytest.raises(ValidationError) as exc:
            build_intervention(world, team, budget=value)
        assert "budget" in exc.value.message_dict
        assert not Intervention.objects.exists()


class TestInterventionUpdate:
    @pytest.mark.parametrize("persona", ["corp_editor", "org_admin", "gemeente_reviewer", "platform_admin"])
    def test_lead_and_partner_editors_update(self, world, intervention, persona):
        updated = services.intervention_update(
            actor=world.users[persona], intervention=intervention, version=1, title="Nieuwe titel"
        )
        assert updated.title == "Nieuwe titel" and updated.version == 2
        assert updated.history.latest().history_user == world.users[persona]

    @pytest.mark.parametrize("persona", NOT_EDITORS)
    def test_readers_may_not_update(self, world, intervention, persona):
        with pytest.raises(PermissionDenied):
            services.intervention_update(
                actor=world.users[persona], intervention=intervention, version=1, title="X"
            )
        intervention.refresh_from_db()
        assert intervention.title != "X"

    def test_stale_edit_carries_the_current_data(self, world, intervention):
        services.intervention_update(
            actor=world.gemeente_reviewer, intervention=intervention, version=1, title="Titel van de gemeente"
        )
        with pytest.raises(ConflictError) as exc:
            services.intervention_update(
                actor=world.corp_editor, intervention=intervention, version=1, title="Titel van de corporatie"
            )
        assert exc.value.current.title == "Titel van de gemeente"
        assert "Iemand anders heeft dit intussen gewijzigd" in exc.value.message
        intervention.refresh_from_db()
        assert intervention.title == "Titel van de gemeente" and intervention.version == 2

    def test_update_areas_and_partners_in_one_history_record(self, world, intervention, areas):
        services.intervention_update(
            actor=world.corp_editor,
            intervention=intervention,
            version=1,
            areas=areas["buurten"],
            partner_organisations=[world.gemeente, world.partner],
        )
        assert intervention.history.count() == 2
        latest = intervention.history.latest()
        assert {row.area_id for row in latest.areas.all()} == {b.pk for b in areas["buurten"]}

    def test_bad_update_changes_nothing(self, world, intervention):
        with pytest.raises(ValidationError):
            services.intervention_update(
                actor=world.corp_editor,
                intervention=intervention,
                version=1,
                title="Andere titel",
                end_date=datetime.date(2020, 1, 1),
            )
        intervention.refresh_from_db()
        assert intervention.title == "Achter de voordeur in de Lagersbuurt" and intervention.version == 1

    def test_cannot_move_out_of_own_reach(self, world, intervention):
        with pytest.raises(ValidationError, match="Uw organisatie moet trekker of partner"):
            services.intervention_update(
                actor=world.gemeente_reviewer, intervention=intervention, version=1, partner_organisations=[]
            )
        assert intervention.partner_organisations.filter(pk=world.gemeente.pk).exists()

    def test_status_not_through_update(self, world, intervention):
        with pytest.raises(ValidationError):
            services.intervention_update(
                actor=world.corp_editor, intervention=intervention, version=1, status="afgerond"
            )

    def test_nothing_changed_keeps_version(self, world, intervention):
        same = services.intervention_update(
            actor=world.corp_editor, intervention=intervention, version=1, title=intervention.title
        )
        assert same.version == 1


class TestStatusWorkflow:
    def test_the_whole_way_with_timeline(self, world, intervention):
        version = intervention.version
        for status in ["gepland", "in_uitvoering", "afgerond"]:
            intervention = services.intervention_change_status(
                actor=world.corp_editor, intervention=intervention, to_status=status, version=version
            )
            version = intervention.version
        assert intervention.status == "afgerond"
        texts = list(
            intervention.updates.order_by("created_at").values_list("text", "status_from", "status_to")
        )
        assert texts == [
            ("Status gewijzigd van idee naar gepland", "idee", "gepland"),
            ("Status gewijzigd van gepland naar in uitvoering", "gepland", "in_uitvoering"),
            ("Status gewijzigd van in uitvoering naar afgerond", "in_uitvoering", "afgerond"),
        ]
        assert set(intervention.updates.values_list("author", flat=True)) == {world.corp_editor.pk}

    def test_skipping_a_step_is_refused(self, world, intervention):
        with pytest.raises(ValidationError) as exc:
            services.intervention_change_status(
                actor=world.corp_editor, intervention=intervention, to_status="afgerond", version=1
            )
        assert "Van idee kan de status alleen naar gepland of gestopt" in messages_of(exc)
        assert not intervention.updates.exists()

    def test_stop_needs_a_reason(self, world, intervention):
        with pytest.raises(ValidationError) as exc:
            services.intervention_change_status(
                actor=world.corp_editor, intervention=intervention, to_status="gestopt", version=1
            )
        assert "waarom" in messages_of(exc)
        stopped = services.intervention_change_status(
            actor=world.corp_editor,
            intervention=intervention,
            status="gestopt",
            version=1,
            reason="Geen subsidie gekregen.",
            date=datetime.date(2025, 5, 1),
        )
        assert stopped.stop_reason == "Geen subsidie gekregen."
        entry = stopped.updates.get()
        assert entry.date == datetime.date(2025, 5, 1)
        assert entry.text == "Status gewijzigd van idee naar gestopt. Reden: Geen subsidie gekregen."

    def test_final_states_stay(self, world, intervention):
        services.intervention_change_status(
            actor=world.corp_editor, intervention=intervention, to_status="gestopt", version=1, reason="Stop"
        )
        with pytest.raises(ValidationError) as exc:
            services.intervention_change_status(
                actor=world.corp_editor, intervention=intervention, to_status="gepland", version=2
            )
        assert "kan niet meer veranderen" in messages_of(exc)

    def test_stale_status_change(self, world, intervention):
        services.intervention_update(
            actor=world.gemeente_reviewer, intervention=intervention, version=1, funder="Rijk"
        )
        with pytest.raises(ConflictError):
            services.intervention_change_status(
                actor=world.corp_editor, intervention=intervention, to_status="gepland", version=1
            )
        assert Intervention.objects.get().status == "idee"

    @pytest.mark.parametrize("persona", NOT_EDITORS)
    def test_readers_may_not_change_status(self, world, intervention, persona):
        with pytest.raises(PermissionDenied):
            services.intervention_change_status(
                actor=world.users[persona], intervention=intervention, to_status="gepland", version=1
            )


class TestProgress:
    def test_update_with_attachments(self, world, intervention, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        png = SimpleUploadedFile("foto.png", b"\x89PNG\r\n\x1a\n" + b"0" * 50)
        csv = SimpleUploadedFile("deelnemers.csv", "naam;aantal\nBuurthuis;12\nCafé;3\n".encode())
        update = services.progress_add(
            actor=world.gemeente_reviewer,
            intervention=intervention,
            date=datetime.date(2025, 6, 1),
            text="Eerste bewonersavond gehouden.",
            progress=20,
            files=[pdf(), png, docx(), csv],
        )
        assert update.author == world.gemeente_reviewer and update.progress == 20
        kinds = dict(update.attachments.values_list("original_name", "content_type"))
        assert kinds["foto.png"] == "image/png" and kinds["deelnemers.csv"] == "text/csv"
        assert all((tmp_path / a.file.name).exists() for a in update.attachments.all())

    def test_office_and_photo_types_are_accepted(self, world, intervention, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)

        def zipped(name, entries):
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                for entry, body in entries.items():
                    archive.writestr(entry, body)
            return SimpleUploadedFile(name, buffer.getvalue())

        files = [
            zipped("cijfers.XLSX", {"xl/workbook.xml": "<workbook/>"}),
            zipped(
                "notulen.odt", {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}
            ),
            SimpleUploadedFile("straat.jpeg", b"\xff\xd8\xff\xe0" + b"0" * 20),
            SimpleUploadedFile("lijst.csv", "naam;bedrag\nÉén;12\n".encode("cp1252")),
        ]
        update = services.progress_add(
            actor=world.corp_editor,
            intervention=intervention,
            date=datetime.date(2025, 6, 1),
            text="x",
            files=files,
        )
        assert sorted(update.attachments.values_list("content_type", flat=True)) == [
            "application/vnd.oasis.opendocument.text",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "image/jpeg",
            "text/csv",
        ]

    @pytest.mark.parametrize(
        "upload",
        [
            SimpleUploadedFile("cijfers.xlsx", b"PK\x03\x04 broken zip"),
            SimpleUploadedFile("plan.odt", b"PK\x03\x04 broken zip"),
        ],
    )
    def test_broken_office_files_are_refused(self, world, intervention, upload):
        with pytest.raises(ValidationError, match="past niet bij"):
            services.progress_add(
                actor=world.corp_editor,
                intervention=intervention,
                date=datetime.date(2025, 6, 1),
                text="x",
                files=[upload],
            )

    @pytest.mark.parametrize(
        ("upload", "text"),
        [
            (SimpleUploadedFile("virus.exe", b"MZ\x90\x00"), "bestandstype is niet toegestaan"),
            (SimpleUploadedFile("nep.pdf", b"MZ\x90\x00 not a pdf"), "past niet bij een .pdf"),
            (SimpleUploadedFile("nep.docx", b"%PDF-1.4 hello"), "past niet bij een .docx"),
            (SimpleUploadedFile("foto.jpg", b"\x89PNG\r\n\x1a\n000"), "past niet bij een .jpg"),
            (SimpleUploadedFile("data.csv", b"a,b\x00\x01\x02"), "past niet bij een .csv"),
        ],
    )
    def test_forbidden_type_changes_nothing(self, world, intervention, upload, text, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        with pytest.raises(ValidationError) as exc:
            services.progress_add(
                actor=world.corp_editor,
                intervention=intervention,
                date=datetime.date(2025, 6, 1),
                text="Verslag",
                files=[pdf(), upload],
            )
        assert text in messages_of(exc)
        assert not ProgressUpdate.objects.exists() and not Attachment.objects.exists()
        assert not list(tmp_path.rglob("*.pdf"))

    def test_over_the_size_limit(self, world, intervention, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        settings.INTERVENTION_ATTACHMENT_MAX_MB = 1
        with pytest.raises(ValidationError) as exc:
            services.progress_add(
                actor=world.corp_editor,
                intervention=intervention,
                date=datetime.date(2025, 6, 1),
                text="Verslag",
                files=[pdf(size=1024 * 1024 + 1)],
            )
        assert "groter dan 1 MB" in messages_of(exc)
        assert not ProgressUpdate.objects.exists()

    def test_at_most_five_files(self, world, intervention, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        with pytest.raises(ValidationError) as exc:
            services.progress_add(
                actor=world.corp_editor,
                intervention=intervention,
                date=datetime.date(2025, 6, 1),
                text="Verslag",
                files=[pdf(f"{i}.pdf") for i in range(6)],
            )
        assert "maximaal 5 bestanden" in messages_of(exc)

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"text": " "}, "text"),
            ({"progress": 120}, "progress"),
            ({"date": datetime.date(2999, 1, 1)}, "date"),
            ({"date": None}, "date"),
        ],
    )
    def test_bad_progress(self, world, intervention, kwargs, field):
        data = {"date": datetime.date(2025, 6, 1), "text": "Verslag", "progress": 50} | kwargs
        with pytest.raises(ValidationError) as exc:
            services.progress_add(actor=world.corp_editor, intervention=intervention, **data)
        assert field in exc.value.message_dict
        assert not ProgressUpdate.objects.exists()

    @pytest.mark.parametrize("persona", NOT_EDITORS)
    def test_readers_may_not_add_progress(self, world, intervention, persona):
        with pytest.raises(PermissionDenied):
            services.progress_add(
                actor=world.users[persona],
                intervention=intervention,
                date=datetime.date(2025, 6, 1),
                text="x",
            )

    def test_progress_does_not_bump_the_version(self, world, intervention):
        services.progress_add(
            actor=world.corp_editor, intervention=intervention, date=datetime.date(2025, 6, 1), text="x"
        )
        intervention.refresh_from_db()
        assert intervention.version == 1


class TestDelete:
    def test_lead_beheerder_deletes(
        self, world, intervention, settings, tmp_path, django_capture_on_commit_callbacks
    ):
        settings.MEDIA_ROOT = str(tmp_path)
        update = services.progress_add(
            actor=world.corp_editor,
            intervention=intervention,
            date=datetime.date(2025, 6, 1),
            text="Verslag",
            files=[pdf()],
        )
        path = tmp_path / update.attachments.get().file.name
        assert path.exists()
        with django_capture_on_commit_callbacks(execute=True):
            services.intervention_delete(actor=world.org_admin, intervention=intervention)
        assert not Intervention.objects.exists() and not path.exists()
        assert Intervention.history.filter(history_type="-").get().history_user == world.org_admin

    @pytest.mark.parametrize(
        "persona", ["corp_editor", "gemeente_reviewer", "tenant_rep", "partner_reader", "outsider"]
    )
    def test_others_may_not_delete(self, world, intervention, persona):
        with pytest.raises(PermissionDenied):
            services.intervention_delete(actor=world.users[persona], intervention=intervention)
        assert Intervention.objects.exists()


# --- demo and admin --------------------------------------------------------------------


def _demo_areas():
    from interventions import demo
    from interventions.tests.helpers import area

    gemeente = area(code="GM0453", name="Velsen", kind="gemeente")
    for code in demo.TEAMS:
        wijk = area(code=code, name=f"Wijk {code[-2:]}", kind="wijk", parent=gemeente)
        for item in demo.INTERVENTIONS:
            for buurt in item["buurten"]:
                if buurt[2:8] == code[2:]:
                    area(code=buurt, name=buurt, kind="buurt", parent=wijk)


def test_demo_is_complete_and_idempotent(db):
    from interventions import demo
    from organisations import demo as organisations_demo

    organisations_demo.seed(log=lambda line: None)
    lines = []
    demo.seed(log=lines.append)
    assert "geen Velsense wijken" in lines[-1]
    assert not AreaTeam.objects.exists()

    _demo_areas()
    demo.seed(log=lines.append)
    assert AreaTeam.objects.count() == 3
    assert UrgencyAssessment.objects.filter(year__in=[2024, 2025]).count() == 6
    # 13 interventions with a timeline, and one per team (3) that an action of its
    # wijkgesprek became.
    assert Intervention.objects.count() == 13 + 3
    assert set(Intervention.objects.values_list("status", flat=True)) == set(Intervention.Status.values)
    assert Wijkgesprek.objects.count() == 3
    assert WijkgesprekAction.objects.filter(intervention__isnull=False).count() == 3
    assert ProgressUpdate.objects.count() >= 30
    counts = (AreaTeam.objects.count(), Intervention.objects.count(), ProgressUpdate.objects.count())
    demo.seed(log=lines.append)
    assert counts == (AreaTeam.objects.count(), Intervention.objects.count(), ProgressUpdate.objects.count())
    assert "0 gebiedsteams, 0 urgenties, 0 interventies en 0 wijkgesprekken" in lines[-1]


def test_admin_pages_are_read_only(client, world, team, intervention):
    world.platform_admin.is_staff = True
    world.platform_admin.is_superuser = True
    world.platform_admin.save()
    client.force_login(world.platform_admin)
    from django.urls import reverse

    for url in [
        reverse("admin:interventions_intervention_changelist"),
        reverse("admin:interventions_intervention_change", args=[intervention.pk]),
        reverse("admin:interventions_intervention_history", args=[intervention.pk]),
        reverse("admin:interventions_areateam_changelist"),
        reverse("admin:interventions_areateam_change", args=[team.pk]),
        reverse("admin:interventions_urgencyassessment_changelist"),
        reverse("admin:interventions_attachment_changelist"),
        reverse("admin:interventions_notificationpreference_changelist"),
    ]:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("admin:interventions_intervention_add")).status_code == 403
