"""What an intervention is linked to: the catalogue indicators it must move, the agreement
commitments it delivers on, and its partners (never its own trekker). The same rules hold
in the service, the form, the API and the import; a reader sees only the indicators and
commitments they may see, and what they may not see survives their edits.

The world (see ``helpers``): the team around IJmuiden-Noord in Velsen; the intervention is
led by the corporation with the gemeente as partner. The Velsen agreement's parties are the
gemeente, the corporation and the tenants (not the welzijn partner); Haarlem has an
agreement of its own.
"""

import csv
import importlib
import io
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements import services as agreement_services
from agreements.models import Theme as CommitmentTheme
from interventions import selectors, services
from interventions.exports import HEADERS
from interventions.models import Intervention, InterventionImport
from interventions.tests.helpers import build_intervention, build_team, haarlem, kwb_indicator, velsen
from scores.models import Indicator, Source, SourceKind
from tests import factories

pytestmark = pytest.mark.django_db

INTERVENTIONS = "/api/v1/interventions/"


@pytest.fixture
def team(world):
    areas = velsen()
    haarlem()
    return build_team(world, areas["wijk"])


@pytest.fixture
def intervention(world, team):
    return build_intervention(world, team)


def _agreement(world, *, gemeente, code, title):
    return agreement_services.agreement_create(
        actor=world.platform_admin,
        title=title,
        gemeente_code=code,
        start_year=2025,
        end_year=2028,
        parties=[(gemeente, "gemeente"), (world.corporatie, "corporatie"), (world.huurders, "huurders")],
    )


def _commitment(world, agreement, number, text):
    return agreement_services.commitment_create(
        actor=world.platform_admin,
        agreement=agreement,
        number=number,
        theme=CommitmentTheme.LEEFBAARHEID,
        text=text,
        responsible=world.corporatie,
    )


@pytest.fixture
def commitments(world):
    """Two commitments of the Velsen agreement and one of Haarlem's."""
    velsen_agreement = _agreement(
        world, gemeente=world.gemeente, code="GM0453", title="Prestatieafspraken Velsen 2025–2028"
    )
    haarlem_agreement = _agreement(
        world, gemeente=world.other_gemeente, code="GM0392", title="Prestatieafspraken Haarlem 2025–2028"
    )
    return {
        "beheer": _commitment(world, velsen_agreement, "4.1", "Twee buurtbeheerders in IJmuiden-Noord."),
        "schulden": _commitment(world, velsen_agreement, "2.3", "Huurachterstanden vroeg signaleren."),
        "haarlem": _commitment(world, haarlem_agreement, "1.1", "Honderd woningen in Haarlem-Noord."),
    }


@pytest.fixture
def licensed(world):
    """An indicator from the corporation's own licensed source: only the corporation's
    people may see it."""
    source = Source.objects.create(
        name="Eigen bewonersonderzoek Velserduin",
        kind=SourceKind.GENERIC,
        is_licensed=True,
        owner_organisation=world.corporatie,
    )
    return Indicator.objects.create(source=source, key="tevredenheid", name="Tevredenheid over de buurt")


def _messages(exc_info, field):
    return " ".join(exc_info.value.message_dict[field])


def _json(client, method, url, data):
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def _text(response):
    return re.sub(r"\s+", " ", response.content.decode())


# --- indicators --------------------------------------------------------------------------


class TestIndicators:
    def test_unknown_value_is_a_dutch_error_and_nothing_is_saved(self, world, team):
        with pytest.raises(ValidationError) as exc:
            build_intervention(world, team, indicators=["p_wcorpw", "veerkracht"])
        message = _messages(exc, "indicators")
        assert "‘veerkracht’ staat niet in de indicatorencatalogus" in message
        assert "p_wcorpw" in message  # the example of what to write
        assert not Intervention.objects.exists()

    def test_unknown_id_is_refused(self, world, team):
        with pytest.raises(ValidationError) as exc:
            build_intervention(world, team, indicators=[999_999])
        assert "999999 staat niet in de indicatorencatalogus" in _messages(exc, "indicators")

    def test_licensed_indicator_only_for_those_who_see_its_source(self, world, team, licensed):
        with pytest.raises(ValidationError) as exc:
            build_intervention(world, team, actor=world.gemeente_reviewer, indicators=[licensed])
        assert "staat niet in de indicatorencatalogus" in _messages(exc, "indicators")
        intervention = build_intervention(world, team, indicators=[licensed, "p_wcorpw"])
        assert set(intervention.indicators.all()) == {licensed, kwb_indicator("p_wcorpw")}

    def test_an_indicator_the_editor_may_not_see_stays_linked(self, world, team, licensed):
        intervention = build_intervention(world, team, indicators=[licensed, "p_wcorpw"])
        # The gemeente's editor is offered only the open catalogue and sends what she sees.
        services.intervention_update(
            actor=world.gemeente_reviewer,
            intervention=intervention,
            version=intervention.version,
            indicators=[kwb_indicator("a_soz_wb")],
        )
        assert set(intervention.indicators.all()) == {licensed, kwb_indicator("a_soz_wb")}

    def test_the_corporation_may_remove_its_own_licensed_indicator(self, world, team, licensed):
        intervention = build_intervention(world, team, indicators=[licensed])
        services.intervention_update(
            actor=world.corp_editor, intervention=intervention, version=intervention.version, indicators=[]
        )
        assert not intervention.indicators.exists()

    def test_form_offers_the_catalogue_by_source_with_a_filter(self, client, world, team, licensed):
        client.force_login(world.gemeente_reviewer)
        page = _text(client.get(reverse("interventions:create") + f"?team={team.pk}"))
        select = re.search(r'<select name="indicators"[^>]*>(.*?)</select>', page).group(0)
        assert "multiple" in select and 'data-choice-filter="Zoek een indicator op naam of sleutel"' in select
        groups = re.findall(r'<optgroup label="([^"]+)">', select)
        assert groups == ["CBS kerncijfers wijken en buurten", "Leefbaarometer 3.0"]
        assert (
            f'value="{kwb_indicator("p_wcorpw").pk}">Huurwoningen in bezit van woningcorporaties (p_wcorpw)'
            in select
        )
        # The corporation's licensed indicator is not offered to the gemeente.
        assert "tevredenheid" not in select
        assert "interventions/choice-filter.js" in page
        client.force_login(world.corp_editor)
        page = _text(client.get(reverse("interventions:create") + f"?team={team.pk}"))
        assert '<optgroup label="Eigen bewonersonderzoek Velserduin">' in page

    def test_detail_names_what_the_reader_sees_and_counts_the_rest(self, client, world, team, licensed):
        intervention = build_intervention(world, team, indicators=[licensed, "p_wcorpw"])
        url = reverse("interventions:detail", args=[intervention.pk])
        client.force_login(world.corp_editor)
        section = re.search(r'id="indicatoren">(.*?)</dd>', _text(client.get(url))).group(1)
        assert (
            "Tevredenheid over de buurt" in section
            and "Huurwoningen in bezit van woningcorporaties" in section
        )
        client.force_login(world.tenant_rep)
        section = re.search(r'id="indicatoren">(.*?)</dd>', _text(client.get(url))).group(1)
        assert "Tevredenheid" not in section
        assert "Huurwoningen in bezit van woningcorporaties" in section
        assert "1 indicator uit een bron die u niet kunt inzien" in section

    def test_api_writes_keys_and_names_and_reads_objects(self, client, world, team, licensed):
        client.force_login(world.corp_editor)
        payload = {
            "team": team.pk,
            "title": "Buurtconciërge",
            "theme": "leefbaarheid",
            "areas": ["WK045301"],
            "lead_organisation": world.corporatie.slug,
            "indicators": ["p_wcorpw", "wmo-cliënten", licensed.pk],
        }
        response = _json(client, "post", INTERVENTIONS, payload)
        assert response.status_code == 201, response.content
        keys = sorted(row["key"] for row in response.json()["indicators"])
        assert keys == ["p_wcorpw", "p_wmo_t", "tevredenheid"]
        row = next(row for row in response.json()["indicators"] if row["key"] == "p_wcorpw")
        assert row == {
            "id": kwb_indicator("p_wcorpw").pk,
            "key": "p_wcorpw",
            "name": "Huurwoningen in bezit van woningcorporaties",
            "source": "CBS kerncijfers wijken en buurten",
        }
        created = response.json()["id"]
        # The tenants read the open indicators only.
        client.force_login(world.tenant_rep)
        read = client.get(reverse("intervention-detail", args=[created])).json()
        assert sorted(row["key"] for row in read["indicators"]) == ["p_wcorpw", "p_wmo_t"]

    def test_api_refuses_unknown_keys_in_dutch(self, client, world, team, intervention):
        client.force_login(world.corp_editor)
        url = reverse("intervention-detail", args=[intervention.pk])
        response = _json(
            client, "patch", url, {"indicators": ["veerkracht"], "version": intervention.version}
        )
        assert response.status_code == 400
        assert "‘veerkracht’ staat niet in de indicatorencatalogus" in response.json()["indicators"][0]
        bad = _json(
            client, "patch", url, {"indicators": [{"key": "p_wcorpw"}], "version": intervention.version}
        )
        assert bad.status_code == 400
        assert "Geef de sleutel, de naam of het id van een indicator." in json.dumps(
            bad.json(), ensure_ascii=False
        )
        intervention.refresh_from_db()
        assert intervention.version == 1 and not intervention.indicators.exists()

    def test_import_refuses_unknown_keys_and_reads_back_its_export(
        self, client, world, team, django_capture_on_commit_callbacks
    ):
        intervention = build_intervention(world, team, indicators=["p_wcorpw", "a_soz_wb"])
        client.force_login(world.corp_editor)
        export = client.get(reverse("interventions:export", args=["csv"])).content.decode("utf-8")
        rows = list(csv.reader(io.StringIO(export.lstrip("\ufeff"))))
        row = dict(zip(HEADERS, rows[1], strict=True))
        assert row["Indicatoren"] == "a_soz_wb, p_wcorpw"

        def upload(values):
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(HEADERS)
            writer.writerow([values[header] for header in HEADERS])
            return SimpleUploadedFile("interventies.csv", buffer.getvalue().encode(), content_type="text/csv")

        def post_import(values):
            # The job runs (eagerly) once the upload commits; the page of the job.
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(reverse("interventions:import"), {"file": upload(values)})
            assert response.status_code == 302, _text(response)
            job = InterventionImport.objects.latest("pk")
            assert response["Location"] == reverse("interventions:import-detail", args=[job.pk])
            return job, client.get(response["Location"])

        job, _page = post_import(row)
        assert job.status == InterventionImport.Status.DONE, job.errors
        intervention.refresh_from_db()
        assert intervention.version == 1  # the same indicators: nothing changed

        job, response = post_import(row | {"Indicatoren": "p_wcorpw, veerkracht"})
        assert job.status == InterventionImport.Status.FAILED
        page = _text(response)
        assert "Indicatoren" in page and "‘veerkracht’ staat niet in de indicatorencatalogus" in page
        assert sorted(intervention.indicators.values_list("key", flat=True)) == ["a_soz_wb", "p_wcorpw"]


class TestFreeTextConversion:
    """The data migration from the free-text keys (its matching and its note; the database
    steps around them ran on a copy of the demo database)."""

    migration = importlib.import_module("interventions.migrations.0005_indicator_keys_to_catalogue")

    def test_matches_by_key_or_name_in_any_case_and_keeps_the_rest(self, db):
        by_key, by_name = self.migration._catalogue(Indicator)
        matched, unmatched = self.migration._split(
            ["P_WCORPW", " Wmo-cliënten ", "veerkracht", "p_wcorpw", "", "onv", "veerkracht"], by_key, by_name
        )
        assert [indicator.key for indicator in matched] == ["p_wcorpw", "p_wmo_t"]
        assert unmatched == ["veerkracht", "onv"]
        note = self.migration.NOTE.format(values=", ".join(f"‘{value}’" for value in unmatched))
        assert "‘veerkracht’, ‘onv’" in note and "Indicatoren die het moet bewegen" in note

    def test_an_open_source_wins_over_a_licensed_one_with_the_same_key(self, world, db):
        own = Source.objects.create(
            name="Eigen cijfers",
            kind=SourceKind.GENERIC,
            is_licensed=True,
            owner_organisation=world.corporatie,
        )
        Indicator.objects.create(source=own, key="p_wcorpw", name="Eigen corporatiebezit")
        by_key, by_name = self.migration._catalogue(Indicator)
        matched, _unmatched = self.migration._split(["p_wcorpw"], by_key, by_name)
        assert matched == [kwb_indicator("p_wcorpw")]


# --- commitments -------------------------------------------------------------------------


class TestCommitments:
    def test_link_commitments_of_the_teams_gemeente(self, world, team, commitments):
        intervention = build_intervention(
            world, team, commitments=[commitments["beheer"], commitments["schulden"].pk]
        )
        assert set(intervention.commitments.all()) == {commitments["beheer"], commitments["schulden"]}
        record = intervention.history.get()
        assert {row.commitment_id for row in record.commitments.all()} == {
            commitments["beheer"].pk,
            commitments["schulden"].pk,
        }

    def test_commitment_of_another_gemeente_is_refused(self, world, team, commitments):
        with pytest.raises(ValidationError) as exc:
            build_intervention(world, team, commitments=[commitments["haarlem"]])
        message = _messages(exc, "commitments")
        assert "hoort bij Prestatieafspraken Haarlem 2025–2028" in message
        assert "gemeente GM0453" in message

    def test_commitment_the_actor_may_not_see_reads_as_unknown(self, world, team, commitments):
        # A bewerker of the welzijn partner, which is no party to the Velsen agreement:
        # an existing commitment she may not see reads like one that does not exist.
        welzijn_editor = factories.member(world.partner, role="bewerker", email="welzijn.bewerker@example.nl")
        for pk in (commitments["beheer"].pk, 999_999):
            with pytest.raises(ValidationError) as exc:
                build_intervention(
                    world,
                    team,
                    actor=welzijn_editor,
                    lead_organisation=world.partner,
                    partner_organisations=[],
                    commitments=[pk],
                )
            assert _messages(exc, "commitments") == f"Afspraak {pk} bestaat niet of u mag haar niet zien."

    def test_only_commitments_of_the_gemeente_the_person_sees_are_offered(self, world, team, commitments):
        assert set(selectors.offered_commitments(user=world.corp_editor, team=team)) == {
            commitments["beheer"],
            commitments["schulden"],
        }
        assert not selectors.offered_commitments(user=world.partner_reader, team=team).exists()

    def test_form_offers_commitments_by_agreement(self, client, world, team, commitments):
        client.force_login(world.gemeente_reviewer)
        page = _text(client.get(reverse("interventions:create") + f"?team={team.pk}"))
        select = re.search(r'<select name="commitments"[^>]*>(.*?)</select>', page).group(0)
        assert re.findall(r'<optgroup label="([^"]+)">', select) == [
            "Prestatieafspraken Velsen 2025–2028 (2025–2028)"
        ]
        assert "4.1 Twee buurtbeheerders in IJmuiden-Noord. (Woningcorporatie Velserduin)" in select
        assert "Haarlem" not in select
        response = client.post(
            reverse("interventions:create") + f"?team={team.pk}",
            {
                "title": "Buurtbeheer",
                "theme": "leefbaarheid",
                "areas": [team.area.pk],
                "lead_organisation": world.gemeente.pk,
                "commitments": [commitments["beheer"].pk],
            },
        )
        assert response.status_code == 302
        assert list(Intervention.objects.get(title="Buurtbeheer").commitments.all()) == [
            commitments["beheer"]
        ]

    def test_reader_who_is_no_party_sees_only_a_count_and_keeps_them(self, client, world, team, commitments):
        intervention = build_intervention(world, team, commitments=[commitments["beheer"]])
        url = reverse("interventions:detail", args=[intervention.pk])
        client.force_login(world.gemeente_reviewer)
        section = re.search(r'id="afspraken">(.*?)</dd>', _text(client.get(url))).group(1)
        assert "Twee buurtbeheerders" in section
        assert reverse("agreements:commitment", args=[commitments["beheer"].pk]) in section
        client.force_login(world.partner_reader)
        section = re.search(r'id="afspraken">(.*?)</dd>', _text(client.get(url))).group(1)
        assert "Twee buurtbeheerders" not in section
        assert "1 afspraak uit prestatieafspraken die u niet kunt inzien" in section

    def test_hidden_commitment_survives_an_edit_by_someone_who_cannot_see_it(self, world, team, commitments):
        partner_editor = factories.member(world.partner, role="bewerker", email="welzijn.bewerker@example.nl")
        intervention = build_intervention(
            world,
            team,
            partner_organisations=[world.gemeente, world.partner],
            commitments=[commitments["beheer"]],
        )
        services.intervention_update(
            actor=partner_editor,
            intervention=intervention,
            version=intervention.version,
            title="Achter de voordeur, met welzijn",
            commitments=[],
        )
        intervention.refresh_from_db()
        assert intervention.title == "Achter de voordeur, met welzijn"
        assert list(intervention.commitments.all()) == [commitments["beheer"]]

    def test_history_names_commitments_for_parties_only(self, world, team, commitments):
        intervention = build_intervention(world, team)
        services.intervention_update(
            actor=world.corp_editor,
            intervention=intervention,
            version=intervention.version,
            commitments=[commitments["beheer"]],
        )
        change = selectors.intervention_history(intervention=intervention, user=world.corp_editor)[0].changes[
            0
        ]
        assert change.field == "afspraken waaraan het bijdraagt"
        assert change.old == "" and change.new == "4.1 Twee buurtbeheerders in IJmuiden-Noord."
        hidden = selectors.intervention_history(intervention=intervention, user=world.partner_reader)[0]
        assert hidden.changes[0].new == "1 die u niet kunt zien"
        # A commitment deleted from its agreement later is still counted in the history.
        commitments["beheer"].delete()
        change = selectors.intervention_history(intervention=intervention, user=world.corp_editor)[0].changes[
            0
        ]
        assert change.new == "1 verwijderd"

    def test_history_names_partners_and_areas(self, world, team, intervention):
        buurt = team.area.children.get(code="BU04530100")
        services.intervention_update(
            actor=world.corp_editor,
            intervention=intervention,
            version=intervention.version,
            partner_organisations=[world.gemeente, world.partner],
            areas=[team.area, buurt],
        )
        changes = {
            change.field: (change.old, change.new)
            for change in selectors.intervention_history(intervention=intervention, user=world.tenant_rep)[
                0
            ].changes
        }
        assert changes["partners"] == ("Gemeente Velsen", "Gemeente Velsen, Stichting Welzijn IJmond")
        assert changes["gebieden"] == (
            "Wijk 01 IJmuiden-Noord (WK045301, 2022)",
            "Lagersbuurt (BU04530100, 2022), Wijk 01 IJmuiden-Noord (WK045301, 2022)",
        )

    def test_api_takes_and_gives_ids(self, client, world, team, intervention, commitments):
        client.force_login(world.corp_editor)
        url = reverse("intervention-detail", args=[intervention.pk])
        response = _json(
            client,
            "patch",
            url,
            {"commitments": [commitments["schulden"].pk], "version": intervention.version},
        )
        assert response.status_code == 200, response.content
        assert response.json()["commitments"] == [commitments["schulden"].pk]
        refused = _json(
            client,
            "patch",
            url,
            {"commitments": [commitments["haarlem"].pk], "version": response.json()["version"]},
        )
        assert refused.status_code == 400
        assert "hoort bij Prestatieafspraken Haarlem" in refused.json()["commitments"][0]
        client.force_login(world.partner_reader)
        assert client.get(url).json()["commitments"] == []


# --- partners ------------------------------------------------------------------------------


class TestPartners:
    def test_the_trekker_cannot_also_be_a_partner(self, world, team):
        with pytest.raises(ValidationError) as exc:
            build_intervention(world, team, partner_organisations=[world.gemeente, world.corporatie])
        assert _messages(exc, "partner_organisations") == (
            "Woningcorporatie Velserduin is de trekker van deze interventie en kan niet ook partner zijn. "
            "Haal Woningcorporatie Velserduin weg bij de partners, of kies een andere trekker."
        )
        assert not Intervention.objects.exists()

    def test_choosing_a_partner_as_trekker_asks_to_untick_it(self, world, intervention):
        with pytest.raises(ValidationError) as exc:
            services.intervention_update(
                actor=world.gemeente_reviewer,
                intervention=intervention,
                version=intervention.version,
                lead_organisation=world.gemeente,
            )
        assert "Gemeente Velsen is de trekker van deze interventie" in _messages(exc, "partner_organisations")

    def test_without_javascript_the_form_explains(self, client, world, team):
        client.force_login(world.corp_editor)
        url = reverse("interventions:create") + f"?team={team.pk}"
        page = _text(client.get(url))
        assert "interventions/intervention-form.js" in page
        assert 'data-choice-group="partner_organisations"' in page
        response = client.post(
            url,
            {
                "title": "Schoonmaakactie",
                "theme": "leefbaarheid",
                "areas": [team.area.pk],
                "lead_organisation": world.corporatie.pk,
                "partner_organisations": [world.corporatie.pk, world.gemeente.pk],
            },
        )
        assert response.status_code == 200  # the form again, with the message
        page = _text(response)
        assert (
            "Woningcorporatie Velserduin is de trekker van deze interventie en kan niet ook partner zijn."
            in page
        )
        assert not Intervention.objects.filter(title="Schoonmaakactie").exists()

    def test_api_refuses_it_too(self, client, world, team):
        client.force_login(world.corp_editor)
        payload = {
            "team": team.pk,
            "title": "Buurtconciërge",
            "theme": "leefbaarheid",
            "areas": ["WK045301"],
            "lead_organisation": world.corporatie.slug,
            "partner_organisations": [world.corporatie.slug],
        }
        response = _json(client, "post", INTERVENTIONS, payload)
        assert response.status_code == 400
        assert "is de trekker van deze interventie" in response.json()["partner_organisations"][0]
