"""The areas API beyond reading: the code filter (an unknown value finds nothing),
creating a gebied, and boundary imports by upload or fetch, polled as jobs."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from areas.models import Area, AreaKind, BoundaryImport
from areas.tests.helpers import small_gemeente, velsen
from areas.tests.test_fetch import Replay
from core import fetching

URL = "/api/v1/areas/"
VELSEN = Path(__file__).resolve().parents[2] / "data" / "cbs" / "velsen"


def _codes(response):
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


@pytest.fixture
def reader(world, client):
    velsen(2022)
    velsen(2025)
    client.force_login(world.partner_reader)
    return client


def test_code_filter_finds_one_area_per_year(reader):
    assert _codes(reader.get(URL, {"code": "BU04530100"})) == ["BU04530100", "BU04530100"]
    # Padding and lower case as in real files; with a year, one.
    assert _codes(reader.get(URL, {"code": " bu04530100 ", "year": 2025})) == ["BU04530100"]


@pytest.mark.parametrize(
    "params",
    [{"code": "BU99999999"}, {"code": "Velsen"}, {"year": 1900}, {"code": "GM0453", "year": 2023}],
)
def test_an_unknown_filter_value_gives_an_empty_list_not_everything(reader, params):
    assert _codes(reader.get(URL, params)) == []


@pytest.mark.parametrize("params", [{"kind": "provincie"}, {"year": "dit jaar"}])
def test_an_impossible_filter_value_is_a_400_not_everything(reader, params):
    response = reader.get(URL, params)
    assert response.status_code == 400 and set(params) <= set(response.json())


def test_list_by_code_keeps_its_query_count(reader, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        assert len(_codes(reader.get(URL, {"code": "WK045301"}))) == 2


# --- gebieden --------------------------------------------------------------------------


@pytest.fixture
def gemeente(world, client):
    data = small_gemeente(2022)
    client.force_login(world.org_admin)
    return data


def _gebied(world, codes, **extra):
    return {
        "organisation": world.corporatie.slug,
        "year": 2022,
        "name": "Haven en kern",
        "buurten": codes,
        **extra,
    }


def test_a_beheerder_creates_a_gebied(client, world, gemeente):
    codes = [b.code for b in gemeente["buurten"][:2]]

    response = client.post(URL, _gebied(world, codes, description="Focus"), content_type="application/json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["code"], body["name"], body["description"]) == (
        "gebied",
        "GB04530001",
        "Haven en kern",
        "Focus",
    )
    assert body["members"] == sorted(codes) and body["owner_organisation"] == world.corporatie.slug
    gebied = Area.objects.get(kind=AreaKind.GEBIED)
    assert sorted(gebied.members.values_list("code", flat=True)) == sorted(codes)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"buurten": ["BU99999999"]}, "buurten"),
        ({"buurten": ["WK045300"]}, "buurten"),
        ({"buurten": []}, "buurten"),
        ({"name": ""}, "name"),
        ({"organisation": "bestaat-niet"}, "organisation"),
        ({"year": 2025}, "buurten"),
        ({"year": "twee"}, "year"),
    ],
)
def test_a_bad_gebied_is_a_400_with_the_field(client, world, gemeente, change, field):
    data = {**_gebied(world, [gemeente["buurten"][0].code]), **change}

    response = client.post(URL, data, content_type="application/json")

    assert response.status_code == 400 and field in response.json(), response.content
    assert not Area.objects.filter(kind=AreaKind.GEBIED).exists()


def test_a_gebied_for_an_organisation_you_do_not_manage_is_refused(client, world, gemeente):
    client.force_login(world.gemeente_reviewer)

    response = client.post(
        URL, _gebied(world, [gemeente["buurten"][0].code]), content_type="application/json"
    )

    assert response.status_code == 403
    assert not Area.objects.filter(kind=AreaKind.GEBIED).exists()


# --- boundary imports ------------------------------------------------------------------


@pytest.fixture
def admin(world, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(world.platform_admin)
    return client


def test_upload_runs_the_import_and_the_job_is_polled(admin, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("gemeente_2022.geojson", (VELSEN / "gemeente_2022.geojson").read_bytes())

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("boundary-import-list"), {"file": upload, "year": "2022"})

    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    job = admin.get(reverse("boundary-import-detail", args=[job_id])).json()
    assert (job["status"], job["created"], job["url"]) == ("klaar", 1, f"/gebieden/importeren/{job_id}/")
    assert Area.objects.filter(year=2022, code="GM0453").exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"year": "2022"}, "file"),
        ({"file": ("leeg.geojson", b""), "year": "2022"}, "file"),
        ({"file": ("kaart.pdf", b"%PDF-1.7 kaart"), "year": "2022"}, "file"),
        ({"file": ("k.geojson", b"{}"), "year": "1850"}, "year"),
    ],
)
def test_a_bad_upload_is_a_400_and_no_job(admin, data, field):
    if "file" in data:
        name, content = data["file"]
        data = {**data, "file": SimpleUploadedFile(name, content)}

    response = admin.post(reverse("boundary-import-list"), data)

    assert response.status_code == 400 and field in response.json(), response.content
    assert not BoundaryImport.objects.exists()


def test_fetch_from_pdok_through_the_api(admin, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(fetching, "default_fetch", Replay())

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("boundary-import-fetch-pdok"),
            {"year": 2024, "gemeenten": ["GM0453"]},
            content_type="application/json",
        )

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "wachtrij"
    job = admin.get(reverse("boundary-import-detail", args=[response.json()["id"]])).json()
    assert (job["status"], job["created"]) == ("klaar", 4)


def test_fetch_failure_shows_on_the_job(admin, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(fetching, "default_fetch", Replay(gemeenten=ConnectionRefusedError("refused")))

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("boundary-import-fetch-pdok"),
            {"year": 2024, "gemeenten": ["GM0453"]},
            content_type="application/json",
        )

    job = admin.get(reverse("boundary-import-detail", args=[response.json()["id"]])).json()
    assert job["status"] == "mislukt" and "PDOK is niet bereikbaar" in job["errors"][0]["message"]
    assert not Area.objects.filter(year=2024).exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"gemeenten": ["GM0453"]}, "year"),
        ({"year": 2024, "gemeenten": ["Velsen"]}, "gemeenten"),
        ({"year": 1999}, "year"),
    ],
)
def test_a_bad_fetch_is_a_400_and_no_job(admin, body, field):
    response = admin.post(reverse("boundary-import-fetch-pdok"), body, content_type="application/json")

    assert response.status_code == 400 and field in response.json(), response.content
    assert not BoundaryImport.objects.exists()


def test_job_list_keeps_its_query_count(admin, world, django_assert_max_num_queries):
    for year in range(2010, 2030):
        BoundaryImport.objects.create(
            file="x.geojson", original_name=f"{year}.geojson", year=year, started_by=world.platform_admin
        )

    with django_assert_max_num_queries(5):
        response = admin.get(reverse("boundary-import-list"))

    assert response.status_code == 200 and response.json()["count"] == 20
