"""The API for teams, urgency, interventions, progress and attachments: versioned writes
(409 on a stale version), filters like the list page, paging with a fixed query count,
multipart progress updates and restricted downloads."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interventions.models import AreaTeam, Attachment, Intervention, ProgressUpdate, TeamRole
from interventions.tests.helpers import build_intervention, build_team, velsen
from interventions.tests.test_pages import bulk_interventions

pytestmark = pytest.mark.django_db

INTERVENTIONS = "/api/v1/interventions/"
# Session, user, the person's memberships, grants, teams and agreements (once per read:
# core.permissions.rules_remembered), count, page, and the page's teams, leads, areas,
# partners, indicators and commitments (one query each).
API_QUERY_BOUND = 14


@pytest.fixture
def areas():
    return velsen()


@pytest.fixture
def team(world, areas):
    return build_team(world, areas["wijk"])


@pytest.fixture
def intervention(world, team):
    return build_intervention(world, team)


def _json(client, method, url, data):
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def test_paths():
    assert reverse("intervention-list") == INTERVENTIONS
    assert reverse("team-list") == "/api/v1/teams/"
    assert reverse("urgency-assessment-list") == "/api/v1/urgency-assessments/"
    assert reverse("progress-update-list") == "/api/v1/progress-updates/"
    assert reverse("attachment-list") == "/api/v1/attachments/"


class TestInterventions:
    def test_read(self, client, world, intervention):
        client.force_login(world.tenant_rep)
        data = client.get(reverse("intervention-detail", args=[intervention.pk])).json()
        assert data["title"] == intervention.title
        assert data["lead_organisation"]["slug"] == world.corporatie.slug
        assert [o["slug"] for o in data["partner_organisations"]] == [world.gemeente.slug]
        assert [a["code"] for a in data["areas"]] == ["WK045301"]
        assert data["budget"] == "25000.00"
        assert data["version"] == 1

    def test_create_update_and_conflict(self, client, world, team):
        client.force_login(world.corp_editor)
        response = _json(
            client,
            "post",
            INTERVENTIONS,
            {
                "team": team.pk,
                "title": "Buurtconciërge",
                "theme": "veiligheid",
                "areas": ["bu04530100"],
                "lead_organisation": world.corporatie.slug,
                "partner_organisations": [world.partner.slug],
                "start_date": "2025-01-01",
                "budget": "12.500,00",
            },
        )
        assert response.status_code == 201, response.content
        created = response.json()
        assert created["budget"] == "12500.00"
        url = reverse("intervention-detail", args=[created["id"]])
        missing = _json(client, "patch", url, {"title": "Zonder versie"})
        assert missing.status_code == 400
        assert "version" in missing.json()
        ok = _json(client, "patch", url, {"title": "Conciërge", "version": 1})
        assert ok.status_code == 200, ok.content
        assert ok.json()["version"] == 2
        stale = _json(client, "patch", url, {"title": "Oud", "version": 1})
        assert stale.status_code == 409
        assert stale.json()["code"] == "conflict"
        assert Intervention.objects.get(pk=created["id"]).title == "Conciërge"

    def test_bad_input(self, client, world, team):
        client.force_login(world.corp_editor)
        response = _json(
            client,
            "post",
            INTERVENTIONS,
            {
                "team": team.pk,
                "title": "Fout",
                "theme": "leefbaarheid",
                "areas": ["WK045302"],
                "lead_organisation": world.huurders.slug,
                "start_date": "2025-05-01",
                "end_date": "2025-01-01",
                "budget": "veel",
            },
        )
        assert response.status_code == 400
        errors = response.json()
        assert "ligt niet in het gebied van dit team" in errors["areas"][0]
        assert not Intervention.objects.filter(title="Fout").exists()
        response = _json(
            client,
            "post",
            INTERVENTIONS,
            {
                "team": team.pk,
                "title": "Fout",
                "theme": "leefbaarheid",
                "areas": ["WK045301"],
                "lead_organisation": world.huurders.slug,
                "start_date": "2025-05-01",
                "end_date": "2025-01-01",
                "budget": "veel",
            },
        )
        errors = response.json()
        assert set(errors) >= {"lead_organisation", "end_date", "budget"}
        assert "leest alleen mee" in errors["lead_organisation"][0]

    def test_status_action(self, client, world, intervention):
        client.force_login(world.gemeente_reviewer)
        url = reverse("intervention-change-status", args=[intervention.pk])
        no_reason = _json(client, "post", url, {"status": "gestopt", "version": 1})
        assert no_reason.status_code == 400
        response = _json(client, "post", url, {"status": "gepland", "version": 1})
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "gepland"
        assert _json(client, "post", url, {"status": "in_uitvoering", "version": 1}).status_code == 409
        updates = client.get(reverse("progress-update-list"), {"intervention": intervention.pk}).json()
        assert updates["results"][0]["status_to"] == "gepland"

    def test_status_cannot_change_by_patch(self, client, world, intervention):
        client.force_login(world.corp_editor)
        response = _json(
            client,
            "patch",
            reverse("intervention-detail", args=[intervention.pk]),
            {"status": "afgerond", "version": 1},
        )
        assert response.status_code == 400

    def test_filters_like_the_list_page(self, client, world, team, intervention):
        build_intervention(world, team, title="Buurtconciërge", theme="veiligheid", partner_organisations=[])
        client.force_login(world.partner_reader)

        def titles(**params):
            return {row["title"] for row in client.get(INTERVENTIONS, params).json()["results"]}

        assert titles() == {intervention.title, "Buurtconciërge"}
        assert titles(theme="veiligheid") == {"Buurtconciërge"}
        assert titles(q="voordeur") == {intervention.title}
        assert titles(organisation=world.gemeente.slug) == {intervention.title}
        assert titles(area="BU04530101") == {intervention.title, "Buurtconciërge"}
        assert titles(area="WK045302") == set()
        assert titles(period_to="2024-12-31") == set()
        assert titles(status="idee", team=team.pk) == {intervention.title, "Buurtconciërge"}

    def test_outsider_sees_nothing(self, client, world, intervention):
        client.force_login(world.outsider)
        assert client.get(INTERVENTIONS).json()["count"] == 0
        assert client.get(reverse("intervention-detail", args=[intervention.pk])).status_code == 404

    @pytest.mark.parametrize("page_size", [10, 50])
    def test_query_bound(self, client, world, team, page_size, django_assert_max_num_queries):
        bulk_interventions(world, team, 60)
        client.force_login(world.corp_editor)
        client.get(INTERVENTIONS)  # warm the content-type cache
        with django_assert_max_num_queries(API_QUERY_BOUND):
            response = client.get(INTERVENTIONS, {"page_size": page_size, "theme": "leefbaarheid"})
        assert len(response.json()["results"]) == page_size

    def test_same_number_of_queries_whatever_the_page_size(self, client, world, team):
        bulk_interventions(world, team, 60)
        client.force_login(world.corp_editor)
        client.get(INTERVENTIONS)
        counts = {}
        for size in (10, 50):
            with CaptureQueriesContext(connection) as queries:
                client.get(INTERVENTIONS, {"page_size": size})
            counts[size] = len(queries)
        assert counts[10] == counts[50], counts


class TestTeams:
    def test_create_and_change(self, client, world, areas):
        client.force_login(world.org_admin)
        response = _json(
            client,
            "post",
            "/api/v1/teams/",
            {
                "area_code": "WK045302",
                "year": 2022,
                "name": "Team IJmuiden-Zuid",
                "members": [
                    {"organisation": world.corporatie.slug, "role": "trekker"},
                    {"organisation": world.huurders.slug, "role": "meelezer"},
                ],
            },
        )
        assert response.status_code == 201, response.content
        data = response.json()
        assert {m["organisation"]["slug"]: m["role"] for m in data["members"]} == {
            world.corporatie.slug: "trekker",
            world.huurders.slug: "meelezer",
        }
        url = reverse("team-detail", args=[data["id"]])
        assert _json(client, "patch", url, {"name": "Zuid"}).status_code == 400
        assert _json(client, "patch", url, {"name": "Zuid", "version": 1}).status_code == 200
        assert _json(client, "patch", url, {"name": "Oud", "version": 1}).status_code == 409
        assert AreaTeam.objects.get(pk=data["id"]).name == "Zuid"

    def test_members(self, client, world, team):
        client.force_login(world.org_admin)
        member = team.members.get(organisation=world.partner)
        url = reverse("team-member-detail", args=[member.pk])
        assert _json(client, "patch", url, {"role": "meelezer"}).status_code == 400
        response = _json(client, "patch", url, {"role": "meelezer", "version": member.version})
        assert response.json()["role"] == TeamRole.MEELEZER
        assert client.delete(url).status_code == 204
        trekker = team.members.get(role=TeamRole.TREKKER)
        last = client.delete(reverse("team-member-detail", args=[trekker.pk]))
        assert last.status_code == 400
        assert "trekker" in json.dumps(last.json())

    def test_member_role_as_a_form(self, client, world, team):
        """A client that sends a form instead of JSON is read the same way."""
        from urllib.parse import urlencode

        client.force_login(world.org_admin)
        member = team.members.get(organisation=world.partner)
        url = reverse("team-member-detail", args=[member.pk])
        form = "application/x-www-form-urlencoded"
        refused = client.patch(url, urlencode({"role": "meelezer"}), content_type=form)
        assert refused.status_code == 400 and "versie" in json.dumps(refused.json())
        body = urlencode({"role": "meelezer", "version": member.version})
        response = client.patch(url, body, content_type=form)
        assert response.status_code == 200 and response.json()["role"] == TeamRole.MEELEZER

    def test_urgency(self, client, world, team):
        client.force_login(world.gemeente_reviewer)
        url = reverse("urgency-assessment-list")
        created = _json(
            client, "post", url, {"team": team.pk, "year": 2024, "urgency": "hoog", "rationale": "Ja."}
        )
        assert created.status_code == 201, created.content
        again = _json(
            client, "post", url, {"team": team.pk, "year": 2024, "urgency": "acuut", "rationale": "Nee."}
        )
        assert again.status_code == 409
        detail = reverse("urgency-assessment-detail", args=[created.json()["id"]])
        assert _json(client, "patch", detail, {"urgency": "acuut"}).status_code == 400
        changed = _json(client, "patch", detail, {"urgency": "acuut", "version": 1})
        assert changed.status_code == 200
        assert changed.json()["urgency"] == "acuut"
        assert client.get(url, {"team": team.pk, "year": 2024}).json()["count"] == 1


class TestProgress:
    def test_multipart_update_and_download(self, client, world, intervention):
        client.force_login(world.corp_editor)
        pdf = SimpleUploadedFile("plan.pdf", b"%PDF-1.7\n" + b"1" * 100, content_type="application/pdf")
        csv = SimpleUploadedFile("cijfers.csv", b"wijk;aantal\nWK045301;12\n", content_type="text/csv")
        response = client.post(
            reverse("progress-update-list"),
            {
                "intervention": intervention.pk,
                "date": "2025-04-01",
                "text": "Plan klaar.",
                "progress": 30,
                "files": [pdf, csv],
            },
        )
        assert response.status_code == 201, response.content
        data = response.json()
        assert sorted(a["original_name"] for a in data["attachments"]) == ["cijfers.csv", "plan.pdf"]
        attachment = Attachment.objects.get(original_name="plan.pdf")
        download = reverse("attachment-download", args=[attachment.pk])
        assert {a["download_url"] for a in data["attachments"]} >= {download}
        client.force_login(world.tenant_rep)
        file_response = client.get(download)
        assert file_response.status_code == 200
        assert b"".join(file_response.streaming_content).startswith(b"%PDF-")
        client.force_login(world.outsider)
        assert client.get(download).status_code == 404
        assert client.get(reverse("attachment-list")).json()["count"] == 0

    def test_forbidden_file(self, client, world, intervention):
        client.force_login(world.corp_editor)
        response = client.post(
            reverse("progress-update-list"),
            {
                "intervention": intervention.pk,
                "date": "2025-04-01",
                "text": "Met script.",
                "files": [SimpleUploadedFile("x.html", b"<script>")],
            },
        )
        assert response.status_code == 400
        assert "niet toegestaan" in json.dumps(response.json())
        assert not ProgressUpdate.objects.filter(text="Met script.").exists()


def test_schema_documents_the_endpoints(client, world):
    client.force_login(world.corp_editor)
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()
    for path in (
        "/api/v1/interventions/",
        "/api/v1/interventions/{id}/status/",
        "/api/v1/teams/",
        "/api/v1/team-members/",
        "/api/v1/urgency-assessments/",
        "/api/v1/progress-updates/",
        "/api/v1/attachments/{id}/download/",
    ):
        assert path in schema, path
