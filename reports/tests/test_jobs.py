"""The export job of the year report: made at once where tasks run inline, with progress,
kept and made again when the data under it changes, served only to the person it was
made for; its pages and API in the access matrix."""

import io
from unittest import mock

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from agreements.models import Agreement
from reports import jobs
from reports.models import YearReportExport
from reports.selectors import report_area
from reports.tests.helpers import build_report_world
from tests.matrix import AccessMatrix, Case

SIGNED_IN = {"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep", "partner_reader", "outsider"}


@pytest.fixture
def report_world(world):
    return build_report_world(world)


def _area(user, code="GM0453", year=2025):
    return report_area(user=user, code=code, year=year)


def _request(user, fmt="xlsx", *, compare=None, capture):
    with capture(execute=True):
        job, new = jobs.export_request(actor=user, area=_area(user), year=2025, compare=compare, fmt=fmt)
    job.refresh_from_db()
    return job, new


def test_the_file_is_made_at_once_when_tasks_run_inline(report_world, django_capture_on_commit_callbacks):
    user = report_world.users["gemeente_reviewer"]
    job, new = _request(user, "pdf", capture=django_capture_on_commit_callbacks)
    assert new
    assert job.status == YearReportExport.Status.DONE
    assert job.progress == 100
    assert job.has_file
    assert job.original_name == "jaarbeeld-gm0453-2025.pdf"
    with job.file.open("rb") as handle:
        pages = PdfReader(io.BytesIO(handle.read())).pages
    assert len(pages) > 0
    assert "Jaarbeeld Velsen 2025" in pages[0].extract_text()
    assert job.size == job.file.size


def test_progress_is_reported_step_by_step(report_world):
    user = report_world.users["corp_editor"]
    job = YearReportExport.objects.create(
        area=_area(user), year=2025, fmt="xlsx", original_name="x.xlsx", started_by=user
    )
    seen = []
    jobs.export_run(job_id=job.pk, progress_callback=lambda percent, message: seen.append(percent))
    # Reading the data, writing the sheets, keeping the file, done.
    assert seen == [5, 40, 90, 100]
    job.refresh_from_db()
    assert job.status == YearReportExport.Status.DONE


def test_the_kept_file_is_given_again_until_the_data_changes(
    report_world, django_capture_on_commit_callbacks
):
    user = report_world.users["gemeente_reviewer"]
    first, new = _request(user, capture=django_capture_on_commit_callbacks)
    assert new and first.has_file
    again, new = _request(user, capture=django_capture_on_commit_callbacks)
    assert (again.pk, new) == (first.pk, False)
    assert jobs.is_current(first, user=user)

    # A new agreement in the gemeente changes the data under the report.
    Agreement.objects.create(title="Nieuwe afspraken", gemeente_code="GM0453", start_year=2025, end_year=2026)
    assert not jobs.is_current(first, user=user)
    second, new = _request(user, capture=django_capture_on_commit_callbacks)
    assert new and second.pk != first.pk and second.has_file
    assert second.data_version != first.data_version
    # The new file replaces the old one.
    first.refresh_from_db()
    assert not first.has_file


def test_new_scores_make_a_new_file(report_world, django_capture_on_commit_callbacks):
    from scores.versions import data_changed

    user = report_world.users["corp_editor"]
    first, _new = _request(user, capture=django_capture_on_commit_callbacks)
    data_changed()
    second, new = _request(user, capture=django_capture_on_commit_callbacks)
    assert new and second.pk != first.pk


def test_other_formats_and_compare_years_are_files_of_their_own(
    report_world, django_capture_on_commit_callbacks
):
    user = report_world.users["corp_editor"]
    xlsx, _ = _request(user, capture=django_capture_on_commit_callbacks)
    compared, new = _request(user, compare=2023, capture=django_capture_on_commit_callbacks)
    assert new and compared.pk != xlsx.pk
    assert compared.original_name == "jaarbeeld-gm0453-2025-2023.xlsx"


def test_a_queued_job_is_not_queued_twice(report_world):
    user = report_world.users["corp_editor"]
    # Without running the commit callbacks the job stays in the queue.
    job, new = jobs.export_request(actor=user, area=_area(user), year=2025, fmt="xlsx")
    again, new_again = jobs.export_request(actor=user, area=_area(user), year=2025, fmt="xlsx")
    assert new and not new_again and again.pk == job.pk
    assert job.status == YearReportExport.Status.QUEUED


def test_a_failing_task_marks_the_job_failed(report_world, django_capture_on_commit_callbacks):
    user = report_world.users["corp_editor"]
    with mock.patch("reports.exports.workbook_bytes", side_effect=RuntimeError("boom")):
        job, _new = _request(user, capture=django_capture_on_commit_callbacks)
    assert job.status == YearReportExport.Status.FAILED
    assert not job.has_file
    assert job.errors[0]["message"].startswith(
        "Het bestand kon niet worden gemaakt door een onverwachte fout."
    )
    # Asking again starts afresh.
    retry, new = _request(user, capture=django_capture_on_commit_callbacks)
    assert new and retry.status == YearReportExport.Status.DONE


def test_bad_requests_are_refused_with_field_errors(report_world):
    user = report_world.users["corp_editor"]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        jobs.export_request(actor=user, area=_area(user), year=2025, compare=2025, fmt="docx")
    assert set(caught.value.message_dict) == {"format", "compare"}
    with pytest.raises(ValidationError) as caught:
        jobs.export_request(actor=user, area=_area(user), year=2020, fmt="pdf")
    assert set(caught.value.message_dict) == {"year"}


# --- pages -------------------------------------------------------------------------------------


def test_report_page_has_the_download_buttons(report_world, client):
    client.force_login(report_world.users["tenant_rep"])
    body = client.get(reverse("reports:report", args=["GM0453", 2025]) + "?vergelijk=2023").content.decode()
    assert reverse("reports:export-request", args=["GM0453", 2025]) in body
    assert "PDF downloaden" in body and "Excel downloaden" in body
    assert 'name="vergelijk" value="2023"' in body


def test_the_job_page_polls_until_the_file_is_there(report_world, client, django_capture_on_commit_callbacks):
    user = report_world.users["corp_editor"]
    client.force_login(user)
    url = reverse("reports:export-request", args=["GM0453", 2025])
    # The task has not run yet (a real worker would pick it up): on to the job page.
    response = client.post(url, {"formaat": "pdf"})
    job = YearReportExport.objects.get()
    assert response["Location"] == reverse("reports:export-detail", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert reverse("reports:export-status", args=[job.pk]) in page
    assert 'hx-trigger="every 2s"' in page
    assert "In de wachtrij" in page

    jobs.export_run(job_id=job.pk)
    status = client.get(reverse("reports:export-status", args=[job.pk])).content.decode()
    assert "hx-trigger" not in status
    assert reverse("reports:export-download", args=[job.pk]) in status
    assert "PDF downloaden" in status


def test_the_job_page_says_when_the_data_changed(report_world, client, django_capture_on_commit_callbacks):
    user = report_world.users["gemeente_reviewer"]
    client.force_login(user)
    job, _new = _request(user, capture=django_capture_on_commit_callbacks)
    url = reverse("reports:export-detail", args=[job.pk])
    assert "De gegevens zijn gewijzigd" not in client.get(url).content.decode()
    Agreement.objects.create(title="Nieuwe afspraken", gemeente_code="GM0453", start_year=2025, end_year=2026)
    assert "De gegevens zijn gewijzigd" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"formaat": "docx"}, "formaat"),
        ({"formaat": "pdf", "vergelijk": "2031"}, "vergelijk"),
        ({}, "formaat"),
    ],
)
def test_bad_page_requests_answer_400(report_world, client, data, field):
    client.force_login(report_world.users["corp_editor"])
    response = client.post(reverse("reports:export-request", args=["GM0453", 2025]), data)
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert not YearReportExport.objects.exists()


def test_unknown_area_or_job_is_404(report_world, client):
    client.force_login(report_world.users["corp_editor"])
    assert (
        client.post(reverse("reports:export-request", args=["XX0000", 2025]), {"formaat": "pdf"}).status_code
        == 404
    )
    assert client.get(reverse("reports:export-detail", args=[999999])).status_code == 404
    assert client.get(reverse("reports:export-download", args=[999999])).status_code == 404
    assert client.get("/jaarbeeld/bestanden/abc/").status_code == 404


def test_a_file_is_served_only_to_the_person_it_was_made_for(
    report_world, client, django_capture_on_commit_callbacks
):
    owner = report_world.users["corp_editor"]
    job, _new = _request(owner, capture=django_capture_on_commit_callbacks)
    # A colleague of the same organisation, the gemeente and the platform admin: 404.
    for persona in ("org_admin", "gemeente_reviewer", "platform_admin"):
        client.force_login(report_world.users[persona])
        for name in ("export-detail", "export-status", "export-download"):
            assert client.get(reverse(f"reports:{name}", args=[job.pk])).status_code == 404, (persona, name)
        assert client.get(reverse("year-report-export-file", args=[job.pk])).status_code == 404
        assert client.get(reverse("year-report-export-detail", args=[job.pk])).status_code == 404
    client.force_login(owner)
    assert client.get(reverse("reports:export-download", args=[job.pk])).status_code == 200


def test_the_same_request_by_someone_else_makes_their_own_file(
    report_world, django_capture_on_commit_callbacks
):
    corp, tenant = report_world.users["corp_editor"], report_world.users["tenant_rep"]
    mine, _ = _request(corp, capture=django_capture_on_commit_callbacks)
    theirs, new = _request(tenant, capture=django_capture_on_commit_callbacks)
    assert new and theirs.pk != mine.pk and theirs.started_by == tenant


# --- API ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "status", "fields"),
    [
        ({"code": "GM0453", "year": 2025}, 400, {"format"}),
        ({"code": "GM0453", "year": "twee", "format": "pdf"}, 400, {"year"}),
        ({"code": "GM0453", "year": 2025, "format": "docx"}, 400, {"format"}),
        ({"code": "GM0453", "year": 2025, "compare": 2030, "format": "pdf"}, 400, {"compare"}),
        ({"code": "XX0000", "year": 2025, "format": "pdf"}, 404, None),
    ],
)
def test_api_bad_requests(report_world, client, data, status, fields):
    client.force_login(report_world.users["corp_editor"])
    response = client.post(reverse("year-report-export-list"), data, content_type="application/json")
    assert response.status_code == status
    if fields is not None:
        assert set(response.json()) == fields
    assert not YearReportExport.objects.exists()


# --- the access matrix ---------------------------------------------------------------------------


def _made_for_corp_editor(w):
    """An export of the corporation editor's, with its file."""
    build_report_world(w)
    user = w.users["corp_editor"]
    job, _new = jobs.export_request(actor=user, area=_area(user), year=2025, fmt="xlsx")
    jobs.export_run(job_id=job.pk)
    w.objects["export"] = job


def _job_url(name):
    return lambda w: reverse(name, args=[w.objects["export"].pk])


OWNER = {"corp_editor"}


class TestExportPages(AccessMatrix):
    world_setup = staticmethod(_made_for_corp_editor)
    cases = [
        Case(
            "ask for a file",
            method="post",
            url=lambda w: reverse("reports:export-request", args=["GM0453", 2025]),
            data={"formaat": "xlsx"},
            allowed=SIGNED_IN,
        ),
        Case("job page", url=_job_url("reports:export-detail"), allowed=OWNER, admin_allowed=False),
        Case("job progress", url=_job_url("reports:export-status"), allowed=OWNER, admin_allowed=False),
        Case("download", url=_job_url("reports:export-download"), allowed=OWNER, admin_allowed=False),
    ]


class TestExportApi(AccessMatrix):
    world_setup = staticmethod(_made_for_corp_editor)
    cases = [
        Case(
            "ask for a file",
            method="post",
            api=True,
            url=lambda w: reverse("year-report-export-list"),
            data={"code": "GM0453", "year": 2025, "format": "xlsx"},
            allowed=SIGNED_IN,
        ),
        Case(
            "list",
            api=True,
            url=lambda w: reverse("year-report-export-list"),
            allowed=OWNER,
            admin_allowed=False,
            contains=lambda w: f'"id":{w.objects["export"].pk},',
        ),
        Case("job", api=True, url=_job_url("year-report-export-detail"), allowed=OWNER, admin_allowed=False),
        Case("file", api=True, url=_job_url("year-report-export-file"), allowed=OWNER, admin_allowed=False),
    ]


# --- the command -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_the_command_writes_the_file_as_that_person_gets_it(report_world, tmp_path, fmt):
    from django.core.management import call_command

    out = tmp_path / f"jaarbeeld.{fmt}"
    email = report_world.users["tenant_rep"].email
    call_command(
        "year_report", "GM0453", "2025", "--compare", "2023", "--as", email, "--format", fmt, "-o", str(out)
    )
    body = out.read_bytes()
    if fmt == "pdf":
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
        assert "Jaarbeeld Velsen 2025" in text
        # The tenants may not see the corporation's licensed model, and are told parts
        # are left out.
        assert "Veerkracht Velserduin" not in text
        assert "Dit jaarbeeld laat delen weg" in " ".join(text.split())
    else:
        book = load_workbook(io.BytesIO(body))
        assert len(book.sheetnames) == 6


def test_the_api_list_keeps_its_query_count(report_world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = report_world.users["corp_editor"]
    area = _area(user)
    client.force_login(user)
    url = reverse("year-report-export-list")

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.json()

    YearReportExport.objects.create(area=area, year=2025, fmt="pdf", original_name="a.pdf", started_by=user)
    client.get(url)  # warm the session and content types
    few, _body = count()
    for n in range(10):
        YearReportExport.objects.create(
            area=area, year=2025, fmt="xlsx", original_name=f"{n}.xlsx", started_by=user
        )
    many, body = count()
    assert many == few
    rows = body["results"] if isinstance(body, dict) else body
    assert len(rows) == 11
