"""The REST API for organisations and memberships: authentication, paging, filters,
versioned writes, the OpenAPI schema and its documentation page."""

import json
import re

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from organisations import services
from organisations.models import Membership, Organisation, Role
from tests import factories
from tests.factories import membership_of

ORGANISATIONS = "/api/v1/organisations/"
MEMBERSHIPS = "/api/v1/memberships/"


def _patch(client, url, data, **extra):
    return client.patch(url, data=json.dumps(data), content_type="application/json", **extra)


def test_api_paths():
    assert reverse("organisation-list") == ORGANISATIONS
    assert reverse("membership-list") == MEMBERSHIPS


class TestAuthentication:
    def test_token_authentication(self, client, world):
        token = Token.objects.create(user=world.corp_editor)
        response = client.get(MEMBERSHIPS, headers={"Authorization": f"Token {token.key}"})
        assert response.status_code == 200
        emails = {m["user"]["email"] for m in response.json()["results"]}
        assert emails == {world.corp_editor.email, world.org_admin.email}

    def test_token_writes_without_csrf(self, client, world):
        token = Token.objects.create(user=world.org_admin)
        response = _patch(
            client,
            reverse("organisation-detail", args=[world.corporatie.slug]),
            {"description": "Via de API", "version": 1},
            headers={"Authorization": f"Token {token.key}"},
        )
        assert response.status_code == 200, response.content
        assert response.json()["version"] == 2

    def test_wrong_token_is_refused(self, client, world):
        Token.objects.create(user=world.corp_editor)
        response = client.get(MEMBERSHIPS, headers={"Authorization": "Token " + "0" * 40})
        assert response.status_code in (401, 403)
        assert "results" not in response.json()

    def test_token_of_an_inactive_user_is_refused(self, client, world):
        token = Token.objects.create(user=world.corp_editor)
        world.corp_editor.is_active = False
        world.corp_editor.save()
        response = client.get(MEMBERSHIPS, headers={"Authorization": f"Token {token.key}"})
        assert response.status_code in (401, 403)

    def test_anonymous_is_refused(self, client, world):
        for url in (ORGANISATIONS, MEMBERSHIPS):
            response = client.get(url)
            assert response.status_code in (401, 403)
            assert "results" not in response.json()

    def test_session_write_needs_csrf(self, world):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(world.org_admin)
        response = _patch(
            client,
            reverse("organisation-detail", args=[world.corporatie.slug]),
            {"description": "Zonder CSRF", "version": 1},
        )
        assert response.status_code == 403
        world.corporatie.refresh_from_db()
        assert world.corporatie.description == ""


class TestListing:
    def test_pagination_shape_and_page_size(self, client, world):
        client.force_login(world.platform_admin)
        total = Membership.objects.count()
        assert total >= 3
        response = client.get(MEMBERSHIPS, {"page_size": 2})
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert body["count"] == total
        assert len(body["results"]) == 2
        assert body["previous"] is None
        assert "page=2" in body["next"] and "page_size=2" in body["next"]

        second = client.get(body["next"]).json()
        assert second["previous"] is not None
        ids = [m["id"] for m in body["results"]] + [m["id"] for m in second["results"]]
        assert len(set(ids)) == len(ids)

        everything = client.get(MEMBERSHIPS).json()
        assert everything["next"] is None
        assert len(everything["results"]) == total

    def test_page_size_is_capped(self, client, world):
        from core.api.pagination import StandardPagination

        client.force_login(world.platform_admin)
        for _ in range(3):
            factories.member(world.partner)
        response = client.get(MEMBERSHIPS, {"page_size": 100000})
        assert response.status_code == 200
        assert len(response.json()["results"]) == min(
            Membership.objects.count(), StandardPagination.max_page_size
        )

    def test_default_page_size(self, client, world):
        from core.api.pagination import StandardPagination

        client.force_login(world.platform_admin)
        needed = StandardPagination.page_size + 1 - Membership.objects.count()
        for _ in range(needed):
            factories.member(world.partner)
        body = client.get(MEMBERSHIPS).json()
        assert body["count"] == StandardPagination.page_size + 1
        assert len(body["results"]) == StandardPagination.page_size
        assert body["next"]

    def test_membership_shape(self, client, world):
        client.force_login(world.corp_editor)
        mine = membership_of(world.corp_editor, world.corporatie)
        body = client.get(reverse("membership-detail", args=[mine.pk])).json()
        assert body["organisation"] == world.corporatie.slug
        assert body["role"] == "bewerker"
        assert body["version"] == 1
        assert body["user"]["email"] == world.corp_editor.email
        assert "password" not in json.dumps(body)

    def test_filter_memberships_by_organisation_and_role(self, client, world):
        client.force_login(world.platform_admin)
        body = client.get(MEMBERSHIPS, {"organisation": world.corporatie.slug}).json()
        assert body["count"] == 2
        assert {m["organisation"] for m in body["results"]} == {world.corporatie.slug}

        body = client.get(MEMBERSHIPS, {"organisation": world.corporatie.slug, "role": "beheerder"}).json()
        assert [m["user"]["email"] for m in body["results"]] == [world.org_admin.email]

        body = client.get(MEMBERSHIPS, {"role": "lezer"}).json()
        assert [m["user"]["email"] for m in body["results"]] == [world.partner_reader.email]

        assert client.get(MEMBERSHIPS, {"role": "eigenaar"}).status_code == 400

    def test_filter_does_not_widen_what_is_visible(self, client, world):
        client.force_login(world.outsider)
        body = client.get(MEMBERSHIPS, {"organisation": world.corporatie.slug}).json()
        assert body["count"] == 0

    def test_organisations_search_and_kind_filter(self, client, world):
        client.force_login(world.partner_reader)
        body = client.get(ORGANISATIONS, {"search": "velsen"}).json()
        assert sorted(o["name"] for o in body["results"]) == ["Gemeente Velsen", "Huurdersvereniging Velsen"]

        body = client.get(ORGANISATIONS, {"kind": "gemeente"}).json()
        assert sorted(o["name"] for o in body["results"]) == ["Gemeente Haarlem", "Gemeente Velsen"]

        body = client.get(ORGANISATIONS, {"search": "VELSEN", "kind": "gemeente"}).json()
        assert [o["name"] for o in body["results"]] == ["Gemeente Velsen"]

        body = client.get(ORGANISATIONS, {"gemeente_code": "GM0392"}).json()
        assert [o["name"] for o in body["results"]] == ["Gemeente Haarlem"]

    def test_ordering(self, client, world):
        client.force_login(world.partner_reader)
        names = [o["name"] for o in client.get(ORGANISATIONS, {"ordering": "-name"}).json()["results"]]
        assert names == sorted(names, reverse=True)

    @pytest.mark.parametrize("url", [ORGANISATIONS, MEMBERSHIPS])
    def test_list_query_count_does_not_grow(self, client, world, url, django_assert_max_num_queries):
        client.force_login(world.platform_admin)
        client.get(url)
        for _ in range(2):
            factories.member(world.partner)
        with django_assert_max_num_queries(6) as few:
            assert client.get(url).status_code == 200
        for n in range(30):
            organisation = factories.organisation(actor=world.platform_admin, name=f"Extra {n}")
            factories.member(organisation)
        with django_assert_max_num_queries(6) as many:
            body = client.get(url).json()
        assert body["count"] > 30
        assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


class TestVersionedWrites:
    def _url(self, world):
        return reverse("organisation-detail", args=[world.corporatie.slug])

    def test_patch_with_version(self, client, world):
        client.force_login(world.org_admin)
        response = _patch(client, self._url(world), {"description": "Nieuw", "version": 1})
        assert response.status_code == 200
        assert response.json()["description"] == "Nieuw"
        assert response.json()["version"] == 2
        world.corporatie.refresh_from_db()
        assert world.corporatie.description == "Nieuw"

    def test_patch_without_version_is_400(self, client, world):
        client.force_login(world.org_admin)
        response = _patch(client, self._url(world), {"description": "Zonder versie"})
        assert response.status_code == 400
        assert "version" in response.json()
        assert "versie" in str(response.json()["version"])
        world.corporatie.refresh_from_db()
        assert world.corporatie.description == ""

    def test_stale_version_is_409_with_dutch_detail(self, client, world):
        services.organisation_update(
            actor=world.platform_admin, organisation=world.corporatie, version=1, description="Eerst"
        )
        client.force_login(world.org_admin)
        response = _patch(client, self._url(world), {"description": "Te laat", "version": 1})
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "conflict"
        assert body["detail"].startswith("Iemand anders heeft dit intussen gewijzigd")
        world.corporatie.refresh_from_db()
        assert (world.corporatie.description, world.corporatie.version) == ("Eerst", 2)

    def test_kind_change_by_beheerder_is_403_with_dutch_detail(self, client, world):
        client.force_login(world.org_admin)
        response = _patch(client, self._url(world), {"kind": "gemeente", "version": 1})
        assert response.status_code == 403
        assert "Alleen platformbeheerders" in response.json()["detail"]
        world.corporatie.refresh_from_db()
        assert world.corporatie.kind == Organisation.Kind.CORPORATIE

    @pytest.mark.parametrize("name", ["Gemeente Velsen", "GEMEENTE velsen"])
    def test_duplicate_name_is_400_with_dutch_message(self, client, world, name):
        client.force_login(world.org_admin)
        response = _patch(client, self._url(world), {"name": name, "version": 1})
        assert response.status_code == 400
        # The exact name is caught by the serializer's unique check, another spelling by
        # the service; both answer in Dutch on the name field.
        [message] = response.json()["name"]
        assert message.startswith("Er bestaat al een organisatie met")
        world.corporatie.refresh_from_db()
        assert (world.corporatie.name, world.corporatie.version) == ("Woningcorporatie Velserduin", 1)

    def test_create_by_platform_admin_only(self, client, world):
        data = {"name": "API Stichting", "kind": "partner", "gemeente_code": "GM0453"}
        client.force_login(world.org_admin)
        response = client.post(ORGANISATIONS, data=json.dumps(data), content_type="application/json")
        assert response.status_code == 403
        assert not Organisation.objects.filter(name="API Stichting").exists()

        client.force_login(world.platform_admin)
        response = client.post(ORGANISATIONS, data=json.dumps(data), content_type="application/json")
        assert response.status_code == 201, response.content
        assert response.json()["slug"] == "api-stichting"
        assert response.json()["version"] == 1

    def test_membership_role_change_and_conflict(self, client, world):
        membership = membership_of(world.corp_editor, world.corporatie)
        url = reverse("membership-detail", args=[membership.pk])
        client.force_login(world.org_admin)

        assert _patch(client, url, {"role": "lezer"}).status_code == 400
        response = _patch(client, url, {"role": "lezer", "version": 1})
        assert response.status_code == 200
        assert (response.json()["role"], response.json()["version"]) == ("lezer", 2)

        response = _patch(client, url, {"role": "beheerder", "version": 1})
        assert response.status_code == 409
        assert "Iemand anders" in response.json()["detail"]
        membership.refresh_from_db()
        assert membership.role == Role.LEZER

    def test_last_beheerder_via_api_is_400_with_dutch_message(self, client, world):
        membership = membership_of(world.org_admin, world.corporatie)
        url = reverse("membership-detail", args=[membership.pk])
        client.force_login(world.org_admin)
        response = _patch(client, url, {"role": "lezer", "version": 1})
        assert response.status_code == 400
        assert "laatste beheerder" in json.dumps(response.json(), ensure_ascii=False)
        response = client.delete(url)
        assert response.status_code == 400
        assert Membership.objects.filter(pk=membership.pk, role=Role.BEHEERDER).exists()

    def test_delete_membership(self, client, world):
        membership = membership_of(world.corp_editor, world.corporatie)
        client.force_login(world.org_admin)
        response = client.delete(reverse("membership-detail", args=[membership.pk]))
        assert response.status_code == 204
        assert not Membership.objects.filter(pk=membership.pk).exists()

    def test_outsider_write_is_404_and_changes_nothing(self, client, world):
        membership = membership_of(world.corp_editor, world.corporatie)
        client.force_login(world.outsider)
        url = reverse("membership-detail", args=[membership.pk])
        assert _patch(client, url, {"role": "beheerder", "version": 1}).status_code == 404
        assert client.delete(url).status_code == 404
        membership.refresh_from_db()
        assert membership.role == Role.BEWERKER


class TestSchemaAndDocs:
    def test_schema_is_openapi_3_with_our_paths(self, client, world):
        client.force_login(world.corp_editor)
        response = client.get("/api/v1/schema/", {"format": "json"})
        assert response.status_code == 200
        schema = response.json()
        assert schema["openapi"].startswith("3.")
        assert schema["info"]["title"] == "Wijkkoers API"
        paths = schema["paths"]
        for path in (
            "/api/v1/organisations/",
            "/api/v1/organisations/{slug}/",
            "/api/v1/memberships/",
            "/api/v1/memberships/{id}/",
        ):
            assert path in paths, path
        assert "patch" in paths["/api/v1/memberships/{id}/"]
        parameters = {p["name"] for p in paths["/api/v1/memberships/"]["get"]["parameters"]}
        assert {"organisation", "role", "page", "page_size"} <= parameters
        assert "tokenAuth" in schema["components"]["securitySchemes"]

    def test_schema_default_is_yaml(self, client, world):
        client.force_login(world.corp_editor)
        response = client.get("/api/v1/schema/")
        assert response.status_code == 200
        assert response.content.decode().startswith("openapi: 3.")

    def test_docs_are_pages_of_the_product_without_any_external_url(self, client, world):
        client.force_login(world.corp_editor)
        index = client.get(reverse("api-docs"))
        part = client.get(reverse("api-docs-tag", args=["memberships"]))
        assert index.status_code == part.status_code == 200
        page = index.content.decode()
        assert '<html lang="nl"' in page
        assert "Authorization: Token &lt;sleutel&gt;" in page
        assert reverse("api-token") in page
        # The table of contents: every part, with its operations.
        assert f'href="{reverse("api-docs-tag", args=["memberships"])}#memberships_partial_update"' in page
        # A part's page: each operation with its parameters, body fields and responses.
        page = part.content.decode()
        assert "<code>PATCH /api/v1/memberships/{id}/</code>" in page
        assert "Parameters van GET /api/v1/memberships/" in page
        fields = (
            "Velden van de inhoud van PATCH /api/v1/memberships/{id}/ (application/json, multipart/form-data)"
        )
        assert fields in page
        assert "Antwoorden van DELETE /api/v1/memberships/{id}/" in page
        assert client.get(reverse("api-docs-tag", args=["bestaat-niet"])).status_code == 404
        for html in (index.content.decode(), page):
            assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", html)
            assert "<script>" not in html and "<style" not in html and "style=" not in html
            for asset in re.findall(r"""<(?:script|link)[^>]+(?:src|href)\s*=\s*["']([^"']+)["']""", html):
                assert asset.startswith("/static/"), asset
            assert client.get(asset).status_code == 200, asset
