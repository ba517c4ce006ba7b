"""The export files of the year report where tasks run inline (the demo): asking for one
makes it as the request commits, and the file is downloaded at once. These tests run on
committed data, as a request outside a test transaction does."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import YearReportExport
from reports.tests.helpers import build_report_world
from scores.tests.helpers import install_catalogue


@pytest.fixture
def committed_report_world(committed_world):
    """The report's world committed, so a file is made as the request commits (as in the
    demo, where tasks run inline)."""
    # An earlier test on committed data may have emptied the database, catalogue and all.
    install_catalogue()
    return build_report_world(committed_world)


def test_asking_downloads_the_file_when_it_is_made_at_once(committed_report_world, client):
    client.force_login(committed_report_world.users["gemeente_reviewer"])
    url = reverse("reports:export-request", args=["GM0453", 2025])
    response = client.post(url, {"formaat": "xlsx", "vergelijk": "2024"})
    job = YearReportExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:export-download", args=[job.pk])
    download = client.get(response["Location"])
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="jaarbeeld-gm0453-2025-2024.xlsx"'
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert len(book.sheetnames) == 6


def test_api_request_follow_and_download(committed_report_world, client):
    client.force_login(committed_report_world.users["gemeente_reviewer"])
    url = reverse("year-report-export-list")
    response = client.post(
        url,
        {"code": "gm0453", "year": 2025, "compare": 2024, "format": "pdf"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "klaar" and body["progress"] == 100
    assert body["area_code"] == "GM0453" and body["compare"] == 2024 and body["format"] == "pdf"
    assert body["file_url"] == reverse("year-report-export-file", args=[body["id"]])
    again = client.post(
        url,
        {"code": "GM0453", "year": 2025, "compare": 2024, "format": "pdf"},
        content_type="application/json",
    )
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    detail = client.get(reverse("year-report-export-detail", args=[body["id"]])).json()
    assert detail["status"] == "klaar"
    download = client.get(body["file_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
