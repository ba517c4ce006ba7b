"""Indicator imports through the API (multipart upload, fetch from CBS StatLine) and the
fetch page: the same jobs as the upload page, polled until done."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import fetching
from scores.models import IndicatorValue, ScoreImport
from scores.tests.test_fetch import Replay, velsen_2024  # noqa: F401 (fixture)

FILES = Path(__file__).parent / "files"


@pytest.fixture
def admin(velsen_2024, client):  # noqa: F811
    client.force_login(velsen_2024.platform_admin)
    return client


def _kwb_upload():
    return SimpleUploadedFile(
        "kwb_velsen_2024.csv",
        b"gwb_code_10;recs;a_inw\nGM0453;Gemeente;69310\nBU04530100;Buurt;1540\n",
    )


def test_upload_into_the_open_source_runs_as_a_job(admin, velsen_2024, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("score-import-list"),
            {"source": velsen_2024.kwb.pk, "file_format": "cbs-kwb", "file": _kwb_upload(), "year": "2024"},
        )

    assert response.status_code == 201, response.content
    job = admin.get(reverse("score-import-detail", args=[response.json()["id"]])).json()
    assert (job["status"], job["rows_read"], job["values_written"]) == ("klaar", 2, 2)
    assert IndicatorValue.objects.get(area__code="BU04530100", year=2024).value == 1540


@pytest.mark.parametrize(
    "change, field",
    [
        ({"source": 999999}, "source"),
        ({"file_format": "pdf"}, "file_format"),
        ({"file": None}, "file"),
        ({"year": "2019"}, "year"),
        ({"mode": "alles"}, "mode"),
    ],
)
def test_a_bad_upload_is_a_400_and_no_job(admin, velsen_2024, change, field):  # noqa: F811
    data = {
        "source": velsen_2024.kwb.pk,
        "file_format": "cbs-kwb",
        "file": _kwb_upload(),
        "year": "2024",
        **change,
    }
    data = {key: value for key, value in data.items() if value is not None}

    response = admin.post(reverse("score-import-list"), data)

    assert response.status_code == 400 and field in response.json(), response.content
    assert not ScoreImport.objects.exists()


def test_fetch_cbs_through_the_api(admin, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(fetching, "default_fetch", Replay())

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("score-import-fetch-cbs"),
            {"year": 2024, "gemeenten": ["GM0453"], "mode": "replace"},
            content_type="application/json",
        )

    assert response.status_code == 201, response.content
    job = admin.get(reverse("score-import-detail", args=[response.json()["id"]])).json()
    # 4 rows × 4 mapped columns - 1 empty value = 15 (see test_fetch).
    assert (job["status"], job["mode"], job["values_written"]) == ("klaar", "replace", 15)


def test_a_cut_off_fetch_fails_the_job(admin, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(fetching, "default_fetch", Replay(page2="typeddataset_GM0453_page2_cut.json"))

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("score-import-fetch-cbs"),
            {"year": 2024, "gemeenten": ["GM0453"]},
            content_type="application/json",
        )

    job = admin.get(reverse("score-import-detail", args=[response.json()["id"]])).json()
    assert job["status"] == "mislukt" and "onvolledig" in job["errors"][0]["message"]
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"gemeenten": ["GM0453"]}, "year"),
        ({"year": 2024, "gemeenten": ["0453x"]}, "gemeenten"),
        ({"year": 2024, "mode": "check"}, "mode"),
        ({"year": 2023}, "year"),
    ],
)
def test_a_bad_fetch_is_a_400_and_no_job(admin, body, field):
    response = admin.post(reverse("score-import-fetch-cbs"), body, content_type="application/json")

    assert response.status_code == 400 and field in response.json(), response.content
    assert not ScoreImport.objects.exists()


def test_fetch_page_starts_a_job_and_shows_it(admin, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(fetching, "default_fetch", Replay())

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("scores:import-fetch"),
            {"year": "2024", "gemeenten": "GM0453", "mode": "merge", "dry_run": "on"},
        )

    job = ScoreImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "scores:import-detail", args=[job.pk]
    )
    assert job.status == ScoreImport.Status.DONE and job.dry_run
    page = admin.get(response["Location"]).content.decode()
    assert "cbs-85984NED-2024-GM0453.csv" in page and "Mannen_6" in page


def test_fetch_page_shows_a_bad_gemeente_on_the_form(admin):
    response = admin.post(
        reverse("scores:import-fetch"), {"year": "2024", "gemeenten": "Velsen", "mode": "merge"}
    )

    assert response.status_code == 200
    assert "Geen gemeentecode: Velsen" in response.content.decode()
    assert not ScoreImport.objects.exists()


def test_the_imports_page_offers_the_fetch_to_platform_admins_only(admin, client, velsen_2024):  # noqa: F811
    url = reverse("scores:import-fetch")
    assert url in admin.get(reverse("scores:import-list")).content.decode()
    client.force_login(velsen_2024.corp_editor)
    assert url not in client.get(reverse("scores:import-list")).content.decode()
