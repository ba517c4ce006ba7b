"""Wrong requests get a 4xx, never a server error: what the fuzzer (``tests/test_fuzz.py``)
found, pinned down one by one. An id that is no id at all is an object that does not
exist (404); a body of the wrong shape is a 400 with field errors."""

import json

import pytest
from django.urls import reverse

from interventions import services as intervention_services
from interventions.models import UrgencyAssessment
from interventions.tests.helpers import build_team, velsen

NOT_IDS = ["AAA", "null", "true", "%C3%A9%E2%82%AC", "1.5", "-"]

# (method, path with {id}) of every custom action named in the report, and a detail route.
ACTIONS = [
    ("get", "/api/v1/interventions/{id}/"),
    ("get", "/api/v1/interventions/{id}/evaluation/"),
    ("post", "/api/v1/interventions/{id}/status/"),
    ("post", "/api/v1/agreements/{id}/sign/"),
    ("post", "/api/v1/agreements/{id}/transition/"),
    ("post", "/api/v1/boden/{id}/submit/"),
    ("post", "/api/v1/commitments/{id}/adopt/"),
    ("post", "/api/v1/commitments/{id}/dispute/"),
    ("post", "/api/v1/commitments/{id}/resolve/"),
    ("post", "/api/v1/monitoring-reports/{id}/submit/"),
    ("post", "/api/v1/monitoring-reports/{id}/approve/"),
    ("post", "/api/v1/monitoring-reports/{id}/return/"),
    ("get", "/api/v1/monitoring-reports/{id}/comments/"),
    ("post", "/api/v1/score-sources/{id}/share/"),
    ("post", "/api/v1/invitations/{id}/revoke/"),
    ("patch", "/api/v1/urgency-assessments/{id}/"),
    ("delete", "/api/v1/team-members/{id}/"),
]


def _send(client, method, url):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, data="{}", content_type="application/json")


@pytest.mark.parametrize(("method", "path"), ACTIONS, ids=[f"{m} {p}" for m, p in ACTIONS])
def test_an_id_that_is_no_id_is_not_found(client, world, method, path):
    client.force_login(world.corp_editor)
    for not_an_id in NOT_IDS:
        url = path.format(id=not_an_id)
        response = _send(client, method, url)
        assert response.status_code == 404, f"{method} {url}: {response.status_code}"


def test_an_unknown_id_is_not_found(client, world):
    client.force_login(world.corp_editor)
    for method, path in ACTIONS:
        url = path.format(id=987654321)
        response = _send(client, method, url)
        assert response.status_code == 404, f"{method} {url}: {response.status_code}"


def test_an_invitation_without_a_role_is_a_field_error(client, world):
    client.force_login(world.org_admin)
    response = client.post(
        "/api/v1/invitations/",
        data=json.dumps({"organisation": world.corporatie.slug, "email": "nieuw@example.nl"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"role"}


@pytest.mark.parametrize("body", ["[]", '"urgent"', "12", "null", '[{"version": 1}]'])
def test_an_urgency_change_whose_body_is_no_object_is_a_400(client, world, body):
    team = build_team(world, velsen()["wijk"])
    assessment = intervention_services.urgency_record(
        actor=world.corp_editor, team=team, year=2025, urgency="hoog", rationale="Veel overlast."
    )
    client.force_login(world.corp_editor)
    url = reverse("urgency-assessment-detail", args=[assessment.pk])
    response = client.patch(url, data=body, content_type="application/json")
    assert response.status_code == 400, response.content
    assessment.refresh_from_db()
    assert assessment.urgency == "hoog"
    assert UrgencyAssessment.objects.filter(team=team).count() == 1


def test_text_with_a_nul_character_is_a_400(client, world):
    client.force_login(world.platform_admin)
    velsen()
    response = client.post(
        "/api/v1/teams/",
        data=json.dumps(
            {
                "name": "Gebiedsteam",
                "area_code": "WK045301",
                "year": 2022,
                "members": [{"organisation": "woning\u0000corporatie", "role": "trekker"}],
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    # And in a URL: an organisation's short name with a NUL in it.
    assert client.get("/api/v1/organisations/a%00b/").status_code in (400, 404)


@pytest.mark.parametrize(
    "url",
    [
        "/gebieden/zoeken/?q=Vel%00sen",
        "/interventies/?q=buurt%00conci%C3%ABrge",
        "/organisaties/?search=a%00b",
        "/api/v1/organisations/?search=a%00b",
        "/api/v1/interventions/?search=a%00b",
    ],
)
def test_a_nul_character_in_a_search_is_no_server_error(client, world, url):
    client.force_login(world.corp_editor)
    response = client.get(url)
    assert response.status_code in (200, 400), response.status_code
    assert b"Traceback" not in response.content
