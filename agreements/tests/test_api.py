"""The agreements API: writes through the services, versions and 409 on stale edits,
workflow actions, filters, paging and bounded query counts."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from agreements import services
from agreements.models import Agreement, MonitoringReport, Theme
from agreements.tests.test_access import build_agreement_world, build_bod_world
from agreements.tests.test_services import add_commitment, make_agreement, to_negotiation

AGREEMENTS = "/api/v1/agreements/"
COMMITMENTS = "/api/v1/commitments/"
REPORTS = "/api/v1/monitoring-reports/"
BODEN = "/api/v1/boden/"


def _send(client, method, url, data=None):
    return getattr(client, method)(url, data=json.dumps(data or {}), content_type="application/json")


def test_api_paths():
    assert reverse("agreement-list") == AGREEMENTS
    assert reverse("commitment-list") == COMMITMENTS
    assert reverse("monitoring-report-list") == REPORTS
    assert reverse("bod-list") == BODEN
    assert reverse("agreement-party-list") == "/api/v1/agreement-parties/"


class TestAgreements:
    def test_create_with_parties(self, client, world):
        client.force_login(world.org_admin)
        response = _send(
            client,
            "post",
            AGREEMENTS,
            {
                "title": "Prestatieafspraken Velsen 2026–2029",
                "gemeente_code": "GM0453",
                "start_year": 2026,
                "end_year": 2029,
                "parties": [
                    {"organisation": world.gemeente.slug},
                    {"organisation": world.corporatie.slug},
                    {"organisation": world.huurders.slug, "role": "huurders"},
                ],
            },
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == "concept"
        assert {p["organisation"] for p in body["parties"]} == {
            world.gemeente.slug,
            world.corporatie.slug,
            world.huurders.slug,
        }

    def test_create_without_tenants_is_refused_in_dutch(self, client, world):
        client.force_login(world.org_admin)
        response = _send(
            client,
            "post",
            AGREEMENTS,
            {
                "title": "Zonder huurders",
                "gemeente_code": "GM0453",
                "start_year": 2026,
                "end_year": 2029,
                "parties": [{"organisation": world.gemeente.slug}, {"organisation": world.corporatie.slug}],
            },
        )
        assert response.status_code == 400
        assert "huurdersorganisatie" in response.content.decode()
        assert not Agreement.objects.exists()

    def test_update_needs_version_and_refuses_stale(self, client, world):
        agreement = make_agreement(world)
        url = reverse("agreement-detail", args=[agreement.pk])
        client.force_login(world.corp_editor)
        assert _send(client, "patch", url, {"summary": "Zonder versie"}).status_code == 400
        stale = _send(client, "patch", url, {"summary": "Oud", "version": agreement.version - 1})
        assert stale.status_code == 409
        assert stale.json()["code"] == "conflict"
        ok = _send(client, "patch", url, {"summary": "Samen aan de slag", "version": agreement.version})
        assert ok.status_code == 200, ok.content
        assert ok.json()["summary"] == "Samen aan de slag"
        assert ok.json()["version"] == agreement.version + 1

    def test_tenants_read_but_cannot_change(self, client, world):
        agreement = make_agreement(world)
        client.force_login(world.tenant_rep)
        url = reverse("agreement-detail", args=[agreement.pk])
        assert client.get(url).status_code == 200
        response = _send(client, "patch", url, {"summary": "x", "version": agreement.version})
        assert response.status_code == 403

    def test_transition_and_sign(self, client, world):
        agreement = make_agreement(world, with_partner=False)
        client.force_login(world.org_admin)
        response = _send(
            client,
            "post",
            reverse("agreement-transition", args=[agreement.pk]),
            {"to_status": "onderhandeling", "version": agreement.version},
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "onderhandeling"
        client.force_login(world.tenant_rep)
        sign = reverse("agreement-sign", args=[agreement.pk])
        first = _send(client, "post", sign)
        assert first.status_code == 200, first.content
        assert first.json()["organisation"] == world.huurders.slug
        assert first.json()["signed_at"]
        second = _send(client, "post", sign)
        assert second.status_code == 400
        assert "al getekend" in second.content.decode()

    def test_filters(self, client, world):
        make_agreement(world)
        other = make_agreement(world, title="Prestatieafspraken 2030")
        to_negotiation(world, other)
        client.force_login(world.corp_editor)
        titles = [a["title"] for a in client.get(AGREEMENTS, {"status": "onderhandeling"}).json()["results"]]
        assert titles == ["Prestatieafspraken 2030"]
        assert client.get(AGREEMENTS, {"year": 2031}).json()["count"] == 0
        assert client.get(AGREEMENTS, {"year": 2026}).json()["count"] == 2

    def test_list_queries_do_not_grow(self, client, world, django_assert_max_num_queries):
        for i in range(6):
            make_agreement(world, title=f"Afspraak {i}")
        client.force_login(world.corp_editor)
        with django_assert_max_num_queries(10):
            response = client.get(AGREEMENTS)
        assert response.json()["count"] == 6


class TestCommitments:
    def test_corporation_editor_adds_and_edits(self, client, world):
        agreement = make_agreement(world)
        client.force_login(world.corp_editor)
        response = _send(
            client,
            "post",
            COMMITMENTS,
            {
                "agreement": agreement.pk,
                "theme": "betaalbaarheid",
                "text": "Huurverhoging gematigd",
                "responsible": world.corporatie.slug,
                "target_value": "2.5",
                "target_unit": "procent",
                "target_year": 2026,
            },
        )
        assert response.status_code == 201, response.content
        body = response.json()
        url = reverse("commitment-detail", args=[body["id"]])
        stale = _send(client, "patch", url, {"text": "Anders", "version": body["version"] + 5})
        assert stale.status_code == 409
        ok = _send(client, "patch", url, {"text": "Huurverhoging onder inflatie", "version": body["version"]})
        assert ok.status_code == 200, ok.content
        assert ok.json()["text"] == "Huurverhoging onder inflatie"

    def test_target_without_unit_is_refused(self, client, world):
        agreement = make_agreement(world)
        client.force_login(world.corp_editor)
        response = _send(
            client,
            "post",
            COMMITMENTS,
            {
                "agreement": agreement.pk,
                "theme": "beschikbaarheid",
                "text": "Nieuwbouw",
                "responsible": world.corporatie.slug,
                "target_value": "100",
                "target_year": 2027,
            },
        )
        assert response.status_code == 400
        assert "eenheid" in response.content.decode()

    def test_tenants_cannot_add(self, client, world):
        agreement = make_agreement(world)
        client.force_login(world.tenant_rep)
        response = _send(
            client,
            "post",
            COMMITMENTS,
            {
                "agreement": agreement.pk,
                "theme": "leefbaarheid",
                "text": "x",
                "responsible": world.corporatie.slug,
            },
        )
        assert response.status_code == 403

    def test_outsider_cannot_add_to_an_agreement_they_cannot_see(self, client, world):
        agreement = make_agreement(world)
        client.force_login(world.outsider)
        response = _send(
            client,
            "post",
            COMMITMENTS,
            {
                "agreement": agreement.pk,
                "theme": "leefbaarheid",
                "text": "x",
                "responsible": world.corporatie.slug,
            },
        )
        # An agreement the outsider cannot see reads as one that does not exist.
        assert response.status_code == 400
        assert "agreement" in response.json()
        missing = _send(
            client,
            "post",
            COMMITMENTS,
            {"agreement": 999999, "theme": "leefbaarheid", "text": "x", "responsible": world.corporatie.slug},
        )
        assert missing.status_code == 400
        # The same words for both, but the id.
        assert missing.json()["agreement"] == [
            message.replace(str(agreement.pk), "999999") for message in response.json()["agreement"]
        ]

    def test_disputed_filter(self, client, world):
        build_agreement_world(world)
        client.force_login(world.tenant_rep)
        results = client.get(COMMITMENTS, {"is_disputed": "true"}).json()["results"]
        assert [c["id"] for c in results] == [world.disputed.pk]
        assert results[0]["disputed_by"] == world.gemeente.slug

    def test_list_queries_do_not_grow(self, client, world, django_assert_max_num_queries):
        agreement = make_agreement(world)
        for i in range(12):
            add_commitment(world, agreement, number=f"1.{i}", theme=list(Theme.values)[i % 6])
        client.force_login(world.corp_editor)
        with django_assert_max_num_queries(8):
            response = client.get(COMMITMENTS, {"agreement": agreement.pk})
        assert response.json()["count"] == 12


class TestMonitoring:
    def test_draft_submit_approve(self, client, world):
        build_agreement_world(world)
        commitment = world.commitment
        client.force_login(world.corp_editor)
        created = _send(
            client,
            "post",
            REPORTS,
            {"commitment": commitment.pk, "year": 2026, "realised_value": "55", "progress": "risico"},
        )
        assert created.status_code == 201, created.content
        report = created.json()
        assert report["state"] == "concept"
        url = reverse("monitoring-report-detail", args=[report["id"]])
        stale = _send(client, "patch", url, {"explanation": "Vertraging", "version": report["version"] - 1})
        assert stale.status_code == 409
        updated = _send(client, "patch", url, {"explanation": "Vertraging", "version": report["version"]})
        assert updated.status_code == 200, updated.content
        submitted = _send(client, "post", reverse("monitoring-report-submit", args=[report["id"]]))
        assert submitted.json()["state"] == "ingediend"

        client.force_login(world.gemeente_reviewer)
        waiting = client.get(REPORTS, {"awaiting_my_review": "true"}).json()["results"]
        assert {r["id"] for r in waiting} == {report["id"], world.report.pk}
        approved = _send(client, "post", reverse("monitoring-report-approve", args=[report["id"]]))
        assert approved.status_code == 200, approved.content
        assert approved.json()["state"] == "goedgekeurd"

    def test_not_responsible_cannot_report(self, client, world):
        build_agreement_world(world)
        client.force_login(world.gemeente_reviewer)
        response = _send(
            client, "post", REPORTS, {"commitment": world.commitment.pk, "year": 2026, "progress": "op_koers"}
        )
        assert response.status_code == 403
        assert "verantwoordelijke partij" in response.json()["detail"]

    def test_return_needs_a_comment(self, client, world):
        build_agreement_world(world)
        client.force_login(world.gemeente_reviewer)
        url = reverse("monitoring-report-return", args=[world.report.pk])
        response = _send(client, "post", url, {"comment": ""})
        assert response.status_code == 400
        world.report.refresh_from_db()
        assert world.report.state == MonitoringReport.State.SUBMITTED
        response = _send(client, "post", url, {"comment": "Graag per complex."})
        assert response.json()["state"] == "teruggestuurd"
        assert response.json()["review_comment"] == "Graag per complex."

    def test_tenants_comment_and_read_comments(self, client, world):
        build_agreement_world(world)
        client.force_login(world.tenant_rep)
        url = reverse("monitoring-report-comments", args=[world.report.pk])
        assert _send(client, "post", url, {"text": "Fijn dat het doorgaat."}).status_code == 201
        comments = client.get(url).json()
        assert [c["text"] for c in comments] == ["Fijn dat het doorgaat."]
        assert comments[0]["organisation"] == world.huurders.slug

    def test_list_queries_do_not_grow(self, client, world, django_assert_max_num_queries):
        build_agreement_world(world)
        for year in (2026,):
            services.report_save_draft(
                actor=world.corp_editor,
                commitment=world.disputed,
                year=year,
                realised_value=Decimal(3),
                progress="achter",
            )
        client.force_login(world.gemeente_reviewer)
        with django_assert_max_num_queries(8):
            response = client.get(REPORTS)
        assert response.json()["count"] == 2


class TestBoden:
    def test_create_and_submit(self, client, world):
        client.force_login(world.corp_editor)
        response = _send(
            client,
            "post",
            BODEN,
            {
                "corporation": world.corporatie.slug,
                "gemeente_code": "GM0453",
                "year": 2028,
                "recipients": [world.gemeente.slug, world.huurders.slug],
                "summary": "Ons bod",
            },
        )
        assert response.status_code == 201, response.content
        bod = response.json()
        assert bod["status"] == "concept"
        # Not yet visible to the recipients.
        client.force_login(world.tenant_rep)
        assert client.get(reverse("bod-detail", args=[bod["id"]])).status_code == 404
        client.force_login(world.corp_editor)
        submitted = _send(client, "post", reverse("bod-submit", args=[bod["id"]]))
        assert submitted.status_code == 200, submitted.content
        assert submitted.json()["status"] == "ingediend"
        client.force_login(world.tenant_rep)
        assert client.get(reverse("bod-detail", args=[bod["id"]])).status_code == 200

    def test_adopt_proposal(self, client, world):
        build_bod_world(world)
        agreement = make_agreement(world, title="Nieuwe afspraken")
        client.force_login(world.gemeente_reviewer)
        response = _send(
            client, "post", reverse("commitment-adopt", args=[world.proposal.pk]), {"agreement": agreement.pk}
        )
        assert response.status_code == 201, response.content
        assert response.json()["adopted_from"] == world.proposal.pk
        assert response.json()["agreement"] == agreement.pk


@pytest.mark.parametrize("path", ["/api/v1/schema/"])
def test_schema_describes_agreement_endpoints(client, world, path):
    client.force_login(world.corp_editor)
    response = client.get(path)
    assert response.status_code == 200
    text = response.content.decode()
    for endpoint in ("/api/v1/agreements/{id}/sign/", "/api/v1/monitoring-reports/{id}/approve/"):
        assert endpoint in text
