"""The intervention and team pages: lists with filters, forms with their Dutch messages,
stale edits, the status workflow, the timeline with attachments, the map and the history."""

import csv
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interventions import services, views
from interventions.models import (
    AreaTeam,
    Attachment,
    Intervention,
    NotificationPreference,
    ProgressUpdate,
    TeamMember,
    TeamRole,
    UrgencyAssessment,
)
from interventions.tests.helpers import build_intervention, build_team, kwb_indicator, velsen

pytestmark = pytest.mark.django_db

# Queries of the list page whatever its size: session and user, memberships and grants
# (once per read: core.permissions.rules_remembered), the person's teams, the count, the
# page of interventions, their areas and partners, team choice for the create button.
LIST_QUERY_BOUND = 14


@pytest.fixture
def areas():
    return velsen()


@pytest.fixture
def team(world, areas):
    return build_team(world, areas["wijk"])


@pytest.fixture
def intervention(world, team):
    return build_intervention(world, team)


def pdf(name="verslag.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.7\n" + b"0" * 200, content_type="application/pdf")


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def form_data(world, intervention, **overrides):
    data = {
        "title": intervention.title,
        "description": intervention.description,
        "theme": intervention.theme,
        "areas": [area.pk for area in intervention.areas.all()],
        "lead_organisation": intervention.lead_organisation_id,
        "partner_organisations": [org.pk for org in intervention.partner_organisations.all()],
        "start_date": "2025-03-01",
        "end_date": "2026-06-30",
        "budget": "25000",
        "funder": intervention.funder,
        "version": intervention.version,
    }
    data.update(overrides)
    return data


def bulk_interventions(world, team, n):
    """Many interventions at once, straight into the tables (only for list sizes)."""
    rows = Intervention.objects.bulk_create(
        [
            Intervention(
                team=team,
                title=f"Interventie {i:03d}",
                theme="leefbaarheid",
                lead_organisation=world.corporatie,
                status="idee",
            )
            for i in range(n)
        ]
    )
    Intervention.areas.through.objects.bulk_create(
        [Intervention.areas.through(intervention=row, area=team.area) for row in rows]
    )
    Intervention.partner_organisations.through.objects.bulk_create(
        [
            Intervention.partner_organisations.through(intervention=row, organisation=world.gemeente)
            for row in rows
        ]
    )
    return rows


class TestList:
    def test_filters_and_empty_state(self, client, world, team, intervention):
        build_intervention(world, team, title="Buurtconciërge", theme="veiligheid")
        client.force_login(world.tenant_rep)
        url = reverse("interventions:list")
        page = text(client.get(url))
        assert "Achter de voordeur" in page and "Buurtconciërge" in page
        assert 'role="search"' in page and 'method="get"' in page
        only_safety = text(client.get(url, {"theme": "veiligheid"}))
        assert "Buurtconciërge" in only_safety and "Achter de voordeur" not in only_safety
        by_text = text(client.get(url, {"q": "voordeur"}))
        assert "Achter de voordeur" in by_text and "Buurtconciërge" not in by_text
        by_buurt = text(client.get(url, {"area": "bu04530100"}))
        assert "Achter de voordeur" in by_buurt
        by_org = text(client.get(url, {"organisation": world.gemeente.slug}))
        assert "Achter de voordeur" in by_org
        later = text(client.get(url, {"period_from": "2027-01-01"}))
        assert "Achter de voordeur" not in later
        nothing = text(client.get(url, {"status": "afgerond"}))
        assert "Geen interventies gevonden met deze filters." in nothing
        assert "Filters wissen" in nothing

    def test_outsider_sees_an_empty_list(self, client, world, intervention):
        client.force_login(world.outsider)
        page = text(client.get(reverse("interventions:list")))
        assert "Er zijn nog geen interventies in de teams van uw organisatie." in page
        assert "Nieuwe interventie" not in page

    def test_pages_of_fifty(self, client, world, team):
        bulk_interventions(world, team, 55)
        client.force_login(world.corp_editor)
        first = text(client.get(reverse("interventions:list")))
        assert first.count('data-testid="status"') == 50
        assert "Pagina 1 van 2" in first
        second = text(client.get(reverse("interventions:list"), {"pagina": 2}))
        assert second.count('data-testid="status"') == 5

    @pytest.mark.parametrize("page_size", [10, 50])
    def test_query_bound(self, client, world, team, monkeypatch, page_size, django_assert_max_num_queries):
        bulk_interventions(world, team, 60)
        monkeypatch.setattr(views, "PAGE_SIZE", page_size)
        client.force_login(world.corp_editor)
        client.get(reverse("interventions:list"))  # warm the content-type cache
        with django_assert_max_num_queries(LIST_QUERY_BOUND):
            response = client.get(reverse("interventions:list"), {"theme": "leefbaarheid"})
        assert text(response).count('data-testid="status"') == page_size

    def test_same_number_of_queries_whatever_the_page_size(self, client, world, team, monkeypatch):
        bulk_interventions(world, team, 60)
        client.force_login(world.corp_editor)
        client.get(reverse("interventions:list"))  # warm the content-type cache
        counts = {}
        for size in (10, 50):
            monkeypatch.setattr(views, "PAGE_SIZE", size)
            with CaptureQueriesContext(connection) as queries:
                client.get(reverse("interventions:list"))
            counts[size] = len(queries)
        assert counts[10] == counts[50], counts


class TestInterventionForms:
    def test_create(self, client, world, team):
        client.force_login(world.gemeente_reviewer)
        url = reverse("interventions:create") + f"?team={team.pk}"
        assert "Nieuwe interventie in Gebiedsteam IJmuiden-Noord" in text(client.get(url))
        response = client.post(
            url,
            {
                "title": "Schoonmaakactie",
                "theme": "leefbaarheid",
                "areas": [team.area.pk],
                "lead_organisation": world.gemeente.pk,
                "start_date": "2025-04-01",
                "end_date": "2025-04-30",
                "budget": "1.500,50",
                "indicators": [kwb_indicator("p_wcorpw").pk, kwb_indicator("a_soz_wb").pk],
            },
        )
        intervention = Intervention.objects.get(title="Schoonmaakactie")
        assert response.status_code == 302
        assert response["Location"] == reverse("interventions:detail", args=[intervention.pk])
        assert str(intervention.budget) == "1500.50"
        assert sorted(intervention.indicators.values_list("key", flat=True)) == ["a_soz_wb", "p_wcorpw"]

    def test_only_team_member_chooses_team(self, client, world, team):
        other = build_team(world, velsen()["other_wijk"], name="Team IJmuiden-Zuid")
        client.force_login(world.corp_editor)
        page = text(client.get(reverse("interventions:create")))
        assert "kies het team" in page
        assert team.name in page and other.name in page

    def test_bad_input_gets_dutch_messages_and_nothing_is_saved(self, client, world, team, areas):
        client.force_login(world.corp_editor)
        response = client.post(
            reverse("interventions:create") + f"?team={team.pk}",
            {
                "title": "Verkeerd",
                "theme": "leefbaarheid",
                "areas": [areas["other_buurt"].pk],
                "lead_organisation": world.huurders.pk,
                "start_date": "2025-05-01",
                "end_date": "2025-04-01",
                "budget": "veel",
            },
        )
        page = text(response)
        assert response.status_code == 200
        assert "De einddatum ligt vóór de begindatum." in page
        assert "budget" in page.lower() and "bedrag" in page
        assert "Selecteer een geldige keuze" in page  # buurt outside the team, meelezer as lead
        assert not Intervention.objects.filter(title="Verkeerd").exists()

    def test_stale_edit_is_refused_and_shows_both(self, client, world, intervention):
        client.force_login(world.corp_editor)
        url = reverse("interventions:edit", args=[intervention.pk])
        assert client.get(url).status_code == 200
        # Meanwhile a colleague of the gemeente saves another title.
        services.intervention_update(
            actor=world.gemeente_reviewer,
            intervention=intervention,
            version=intervention.version,
            title="Achter de voordeur (gemeente)",
            funder="Gemeente Velsen",
        )
        response = client.post(url, form_data(world, intervention, title="Mijn eigen titel"))
        page = text(response)
        assert response.status_code == 409
        assert "Iemand anders heeft dit intussen gewijzigd." in page
        assert "Achter de voordeur (gemeente)" in page  # the other's saved values
        assert world.gemeente_reviewer.get_full_name() in page
        assert 'value="Mijn eigen titel"' in page  # the user's input is kept
        intervention.refresh_from_db()
        assert intervention.title == "Achter de voordeur (gemeente)"
        assert intervention.version == 2
        # Saving again from the conflict page goes through, on purpose.
        again = client.post(url, form_data(world, intervention, title="Mijn eigen titel"))
        assert again.status_code == 302
        intervention.refresh_from_db()
        assert intervention.title == "Mijn eigen titel"

    def test_status_needs_reason_to_stop(self, client, world, intervention):
        client.force_login(world.corp_editor)
        url = reverse("interventions:status", args=[intervention.pk])
        response = client.post(url, {"status": "gestopt", "reason": "", "version": intervention.version})
        assert "Geef een reden waarom de interventie is gestopt." in text(response)
        intervention.refresh_from_db()
        assert intervention.status == "idee"
        response = client.post(
            url, {"status": "gestopt", "reason": "Geen budget meer.", "version": intervention.version}
        )
        assert response.status_code == 302
        intervention.refresh_from_db()
        assert intervention.status == "gestopt"
        assert intervention.stop_reason == "Geen budget meer."
        detail = text(client.get(reverse("interventions:detail", args=[intervention.pk])))
        assert "Status gewijzigd van idee naar gestopt" in detail

    def test_status_workflow_message(self, client, world, intervention):
        client.force_login(world.corp_editor)
        response = client.post(
            reverse("interventions:status", args=[intervention.pk]),
            {"status": "afgerond", "reason": "", "version": intervention.version},
        )
        assert "Van idee kan de status alleen naar gepland of gestopt." in text(response)

    def test_delete_by_beheerder_of_lead(self, client, world, team, intervention):
        client.force_login(world.org_admin)
        response = client.post(reverse("interventions:delete", args=[intervention.pk]))
        assert response["Location"] == reverse("interventions:team", args=[team.pk])
        assert not Intervention.objects.filter(pk=intervention.pk).exists()


class TestTimeline:
    def test_progress_with_attachment_and_download(self, client, world, intervention):
        client.force_login(world.gemeente_reviewer)
        url = reverse("interventions:detail", args=[intervention.pk])
        response = client.post(
            url,
            {"date": "2025-04-01", "text": "Twintig huisbezoeken.", "progress": "20", "files": [pdf()]},
        )
        assert response.status_code == 302
        attachment = Attachment.objects.get()
        client.force_login(world.partner_reader)
        page = text(client.get(url))
        assert "Twintig huisbezoeken." in page
        assert "20% klaar" in page
        download = reverse("interventions:attachment", args=[attachment.pk])
        assert f'href="{download}"' in page
        assert "Voortgang toevoegen" not in page  # a reader does not get the form
        response = client.get(download)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
        assert "verslag.pdf" in response["Content-Disposition"]
        client.force_login(world.outsider)
        assert client.get(download).status_code == 404

    def test_attachment_gone_from_storage_is_a_404(self, client, world, intervention):
        client.force_login(world.gemeente_reviewer)
        url = reverse("interventions:detail", args=[intervention.pk])
        client.post(url, {"date": "2025-04-01", "text": "Verslag.", "progress": "20", "files": [pdf()]})
        attachment = Attachment.objects.get()
        attachment.file.storage.delete(attachment.file.name)
        assert client.get(reverse("interventions:attachment", args=[attachment.pk])).status_code == 404
        response = client.get(reverse("attachment-download", args=[attachment.pk]))
        assert response.status_code == 404
        assert response.json()["detail"] == "Het bestand is niet meer beschikbaar."

    def test_forbidden_attachment_saves_nothing(self, client, world, intervention):
        client.force_login(world.corp_editor)
        script = SimpleUploadedFile("virus.exe", b"MZ" + b"0" * 100)
        response = client.post(
            reverse("interventions:detail", args=[intervention.pk]),
            {"date": "2025-04-01", "text": "Met bijlage.", "files": [script]},
        )
        assert response.status_code == 400
        assert "dit bestandstype is niet toegestaan" in text(response)
        assert not ProgressUpdate.objects.filter(text="Met bijlage.").exists()

    def test_history_on_the_page(self, client, world, intervention):
        services.intervention_update(
            actor=world.corp_editor, intervention=intervention, version=1, title="Nieuwe titel"
        )
        client.force_login(world.tenant_rep)
        page = text(client.get(reverse("interventions:detail", args=[intervention.pk])))
        assert "Geschiedenis" in page
        assert "<del>Achter de voordeur in de Lagersbuurt</del> → <ins>Nieuwe titel</ins>" in page


class TestTeams:
    def test_team_page(self, client, world, team, intervention):
        services.urgency_record(
            actor=world.corp_editor, team=team, year=2024, urgency="hoog", rationale="Overlast stijgt."
        )
        client.force_login(world.partner_reader)
        page = text(client.get(reverse("interventions:team", args=[team.pk])))
        assert "Woningcorporatie Velserduin" in page and "trekker" in page
        assert "Overlast stijgt." in page and "hoog" in page
        assert intervention.title in page
        assert "Urgentie vastleggen" not in page  # a lezer of a partner only reads

    def test_team_create_edit_and_members(self, client, world, areas):
        client.force_login(world.org_admin)
        response = client.post(
            reverse("interventions:team-create"),
            {
                "area_code": "wk045302",
                "year": "2022",
                "name": "Team IJmuiden-Zuid",
                "description": "",
                "trekker": world.corporatie.pk,
            },
        )
        team = AreaTeam.objects.get(name="Team IJmuiden-Zuid")
        assert response["Location"] == reverse("interventions:team", args=[team.pk])
        assert team.members.get().role == TeamRole.TREKKER
        members_url = reverse("interventions:team-members", args=[team.pk])
        response = client.post(members_url, {"organisation": world.gemeente.pk, "role": "partner"})
        assert response.status_code == 302
        member = TeamMember.objects.get(team=team, organisation=world.gemeente)
        client.post(
            reverse("interventions:team-member-role", args=[member.pk]),
            {"role": "meelezer", "version": member.version},
        )
        member.refresh_from_db()
        assert member.role == TeamRole.MEELEZER
        client.post(reverse("interventions:team-member-remove", args=[member.pk]))
        assert not TeamMember.objects.filter(pk=member.pk).exists()
        # The last trekker cannot leave.
        trekker = team.members.get()
        client.post(reverse("interventions:team-member-remove", args=[trekker.pk]))
        page = text(client.get(members_url))
        assert "ten minste één trekker" in page

    def test_team_for_unknown_area(self, client, world, areas):
        client.force_login(world.org_admin)
        response = client.post(
            reverse("interventions:team-create"),
            {"area_code": "WK999999", "year": "2022", "name": "X", "trekker": world.corporatie.pk},
        )
        assert "Er is geen wijk of gebied met code WK999999 in de indeling van 2022." in text(response)

    def test_member_outside_gemeente_is_refused(self, client, world, team):
        client.force_login(world.org_admin)
        response = client.post(
            reverse("interventions:team-members", args=[team.pk]),
            {"organisation": world.other_gemeente.pk, "role": "partner"},
        )
        assert response.status_code == 400
        assert "werkt niet in de gemeente" in text(response)

    def test_urgency_twice_in_a_year_is_a_conflict(self, client, world, team):
        client.force_login(world.corp_editor)
        url = reverse("interventions:urgency", args=[team.pk])
        client.post(url, {"year": "2024", "urgency": "verhoogd", "rationale": "Eerste blik."})
        services.urgency_record(
            actor=world.gemeente_reviewer,
            team=team,
            year=2024,
            urgency="hoog",
            rationale="Na overleg.",
            version=1,
        )
        response = client.post(
            url, {"year": "2024", "urgency": "acuut", "rationale": "Mijn blik.", "version": "1"}
        )
        page = text(response)
        assert "Iemand anders heeft dit intussen gewijzigd." in page
        assert "Na overleg." in page and "Mijn blik." in page
        assert UrgencyAssessment.objects.get(team=team, year=2024).urgency == "hoog"

    def test_history(self, client, world, team):
        client.force_login(world.tenant_rep)
        page = text(client.get(reverse("interventions:team-history", args=[team.pk])))
        assert "Gebiedsteam IJmuiden-Noord" in page and "aangemaakt" in page


class TestAreaPage:
    def test_the_wijk_table_of_interventions(self, client, world, team):
        import datetime
        from decimal import Decimal

        running = build_intervention(world, team, title="Buurt & <b>bloei</b>", budget=Decimal("1234.5"))
        services.progress_add(
            actor=world.corp_editor,
            intervention=running,
            date=datetime.date(2025, 4, 2),
            text="Half.",
            progress=40,
        )
        build_intervention(world, team, title="Klaar", status="afgerond", budget=None, start_date=None)
        url = reverse("areas:detail", args=[team.area.year, team.area.code])
        report = reverse("interventions:detail", args=[running.pk]) + "#voortgang-toevoegen"

        client.force_login(world.corp_editor)
        page = text(client.get(url))
        table = page[
            page.index('id="wijk-interventies"') : page.index(
                "</table>", page.index('id="wijk-interventies"')
            )
        ]
        rows = re.findall(r'<tr class="utrecht-table__row">(.*?)</tr>', table, re.S)[1:]
        assert len(rows) == 2
        first, closed = rows
        assert "Buurt &amp; &lt;b&gt;bloei&lt;/b&gt;</a>" in first  # escaped, never markup
        assert f'href="{report}"' in first
        assert 'Voortgang melden<span class="wk-visually-hidden"> bij Buurt &amp; &lt;b&gt;bloei' in first
        assert "40%<br>" in first and "bijgewerkt 2 april 2025" in first
        assert "Mrt 2025 – Jun 2026" in first and "€&nbsp;1.234,50" in first
        assert "Klaar</a>" in closed and "voortgang-toevoegen" not in closed  # run its course
        assert ">afgerond<" in closed and "—" in closed and "… – Jun 2026" in closed

        # Someone who may only read gets no link to report progress; in English, English.
        client.force_login(world.partner_reader)
        client.post(reverse("set_language"), {"language": "en", "next": url})
        page = text(client.get(url))
        assert "voortgang-toevoegen" not in page
        assert "updated 2 April 2025" in page and "€&nbsp;1,234.50" in page


class TestMapAndPreferences:
    def test_map_colours_wijken_by_urgency(self, client, world, team, intervention):
        services.urgency_record(
            actor=world.corp_editor, team=team, year=2022, urgency="acuut", rationale="Veel signalen."
        )
        client.force_login(world.tenant_rep)
        page = text(client.get(reverse("interventions:map"), {"gemeente": "GM0453", "year": "2022"}))
        # The wijk gets the stylesheet's class of its urgency (no style in the page).
        assert (
            '<script id="kaart-klassen" type="application/json">{"WK045301": "wk-area--acuut"}</script>'
            in page
        )
        assert 'id="wijken"' in page
        row = re.search(r'<tr class="utrecht-table__row" data-code="WK045301">(.*?)</tr>', page).group(1)
        assert "acuut" in row and ">1</a>" in row
        other = re.search(r'<tr class="utrecht-table__row" data-code="WK045302">(.*?)</tr>', page).group(1)
        assert "—" in other
        assert "data-area-map" in page

    def test_map_opens_on_the_newest_year_with_an_urgency(self, client, world, team):
        # The calendar year has no urgency yet; the map opens on the newest that has one.
        for year, urgency in ((2022, "laag"), (2024, "hoog")):
            services.urgency_record(
                actor=world.corp_editor, team=team, year=year, urgency=urgency, rationale="R"
            )
        client.force_login(world.tenant_rep)  # the tenants' gemeente is Velsen
        page = text(client.get(reverse("interventions:map")))
        assert "Interventies en urgentie per wijk in Velsen, 2024</h1>" in page
        assert (
            "De kaart toont de urgentie van 2024: het laatste jaar waarin een team in Velsen de urgentie vastlegde."
            in page
        )
        assert '<option value="" selected>nieuwste jaar (2024)</option>' in page
        assert '<option value="2022">2022</option>' in page
        assert '{"WK045301": "wk-area--hoog"}' in page
        assert "2.024" not in page and "2.022" not in page  # years are not amounts

    def test_map_has_one_legend(self, client, world, team):
        services.urgency_record(actor=world.corp_editor, team=team, year=2024, urgency="acuut", rationale="R")
        client.force_login(world.tenant_rep)
        page = text(client.get(reverse("interventions:map"), {"gemeente": "GM0453"}))
        assert page.count('class="wk-legend"') == 1 and page.count("wk-map-legend") == 0
        assert 'aria-label="Legenda: urgentie in 2024"' in page
        legend = re.search(r'<ul class="wk-legend"[^>]*>(.*?)</ul>', page).group(1)
        assert re.findall(r"</span> ([^<]+?)</li>", legend) == [
            "laag",
            "verhoogd",
            "hoog",
            "acuut",
            "geen urgentie vastgelegd",
        ]
        # The map's loading status still has its place next to the map.
        assert "data-map-status" in page

    def test_map_of_a_year_without_urgency_points_to_the_newest(self, client, world, team):
        services.urgency_record(actor=world.corp_editor, team=team, year=2024, urgency="hoog", rationale="R")
        client.force_login(world.tenant_rep)
        page = text(client.get(reverse("interventions:map"), {"gemeente": "GM0453", "year": "2023"}))
        assert "Interventies en urgentie per wijk in Velsen, 2023</h1>" in page
        assert "Voor 2023 heeft geen team in Velsen een urgentie vastgelegd." in page
        assert (
            '<a class="utrecht-link" href="/interventies/kaart/?gemeente=GM0453&amp;year=2024">2024</a>'
            in page
        )
        assert '<option value="2023" selected>2023</option>' in page

    def test_map_without_any_urgency_says_so(self, client, world, team):
        client.force_login(world.tenant_rep)
        page = text(client.get(reverse("interventions:map"), {"gemeente": "GM0453"}))
        assert "Er is in Velsen nog geen urgentie vastgelegd door een team dat u kunt zien." in page

    def test_map_for_unknown_gemeente(self, client, world):
        client.force_login(world.corp_editor)
        page = text(client.get(reverse("interventions:map"), {"gemeente": "GM9999"}))
        assert "Gemeente GM9999 is niet bekend." in page

    def test_preference(self, client, world):
        client.force_login(world.tenant_rep)
        url = reverse("interventions:preferences")
        assert re.search(r'value="direct"[^>]*checked', text(client.get(url)))
        client.post(url, {"mode": "geen"})
        assert NotificationPreference.objects.get(user=world.tenant_rep).mode == "geen"


def test_nav_item(client, world):
    client.force_login(world.corp_editor)
    page = text(client.get(reverse("interventions:list")))
    assert (
        f'<a class="utrecht-link" href="{reverse("interventions:list")}" aria-current="page">Interventies</a>'
        in page
    )


def test_platform_admin_forms_team_for_any_organisation(client, world, areas):
    client.force_login(world.platform_admin)
    response = client.get(reverse("interventions:team-create"))
    assert world.gemeente.name in text(response) and world.other_gemeente.name in text(response)


def test_meelezer_cannot_lead(client, world, team):
    client.force_login(world.corp_editor)
    page = text(client.get(reverse("interventions:create") + f"?team={team.pk}"))
    lead = re.search(r'<select name="lead_organisation".*?</select>', page).group(0)
    assert world.huurders.name not in lead and world.corporatie.name in lead


class TestAmounts:
    """Budgets read the Dutch way on the pages; exports keep plain numbers."""

    def test_budget_on_the_intervention_page(self, client, world, team):
        whole = build_intervention(world, team, budget="45000")
        cents = build_intervention(world, team, title="Met centen", budget="45000.50")
        client.force_login(world.tenant_rep)
        page = text(client.get(reverse("interventions:detail", args=[whole.pk])))
        assert "€&nbsp;45.000 (betaald door Woningcorporatie Velserduin)" in page
        page = text(client.get(reverse("interventions:detail", args=[cents.pk])))
        assert "€&nbsp;45.000,50 (betaald door" in page
        assert "45000" not in page

    def test_budget_in_the_edit_form_reads_back(self, client, world, team):
        intervention = build_intervention(world, team, budget="1234567.5")
        client.force_login(world.corp_editor)
        url = reverse("interventions:edit", args=[intervention.pk])
        assert 'name="budget" value="1.234.567,50"' in text(client.get(url))
        response = client.post(url, form_data(world, intervention, budget="1.234.567,50", title="Anders"))
        assert response.status_code == 302
        intervention.refresh_from_db()
        assert str(intervention.budget) == "1234567.50" and intervention.title == "Anders"

    def test_exports_keep_machine_readable_numbers(self, client, world, team):
        build_intervention(world, team, budget="45000.50")
        client.force_login(world.corp_editor)
        body = client.get(reverse("interventions:export", args=["csv"])).content.decode("utf-8-sig")
        row = dict(zip(*list(csv.reader(io.StringIO(body)))[:2], strict=True))
        assert row["Budget (€)"] == "45000.50"
        sheet = openpyxl.load_workbook(
            io.BytesIO(client.get(reverse("interventions:export", args=["xlsx"])).content)
        ).active
        headers = [cell.value for cell in sheet[1]]
        assert sheet.cell(row=2, column=headers.index("Budget (€)") + 1).value == 45000.5

    def test_years_on_the_urgency_page_are_not_amounts(self, client, world, team):
        services.urgency_record(actor=world.corp_editor, team=team, year=2024, urgency="hoog", rationale="R")
        client.force_login(world.corp_editor)
        page = text(client.get(reverse("interventions:urgency", args=[team.pk])))
        assert '<th class="utrecht-table__header-cell" scope="row">2024</th>' in page
        assert "2.024" not in page
