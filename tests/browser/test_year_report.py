"""The year report in the browser: a reader opens the report of Velsen 2025, switches the
year it is compared with through the form (no script needed), and the page passes axe at
a desktop and a phone width."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from reports.tests.helpers import build_report_world
from scores.tests.helpers import install_catalogue
from tests.browser.axe import assert_accessible
from tests.factories import PASSWORD
from tests.personas import build_world

pytestmark = pytest.mark.browser


def test_open_the_report_and_compare_with_another_year(page, sign_in):
    install_catalogue()
    world = build_report_world(build_world())
    sign_in(page, world.gemeente_reviewer.email, PASSWORD)

    page.goto(reverse("reports:report", args=["GM0453", 2025]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Jaarbeeld Velsen 2025")
    for heading in ("1. Scores", "2. Urgentie naast de cijfers", "3. Interventies", "6. Bronnen"):
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    expect(page.get_by_text("vergeleken met de vorige meting van elk model")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Vergelijken met").select_option("2023")
    page.get_by_role("button", name="Toon jaarbeeld").click()
    expect(page).to_have_url(reverse("reports:report", args=["GM0453", 2025]) + "?vergelijk=2023")
    expect(page.get_by_label("Vergelijken met")).to_have_value("2023")
    expect(page.get_by_role("heading", level=3, name="Testindex")).to_contain_text("vergeleken met 2023")
    assert_accessible(page)

    # The PDF of what is on the screen: made at once (tasks run inline), then downloaded.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="PDF downloaden").click()
    download = download_info.value
    assert download.suggested_filename == "jaarbeeld-gm0453-2025-2023.pdf"
    pdf = PdfReader(download.path())
    assert len(pdf.pages) > 0
    assert "Jaarbeeld Velsen 2025" in pdf.pages[0].extract_text()


def test_the_job_page_follows_a_file_being_made(page, sign_in):
    from reports import jobs
    from reports.models import YearReportExport
    from reports.selectors import report_area

    install_catalogue()
    world = build_report_world(build_world())
    user = world.corp_editor
    # A file a worker has not picked up yet.
    job = YearReportExport.objects.create(
        area=report_area(user=user, code="GM0453", year=2025),
        year=2025,
        fmt="pdf",
        original_name="jaarbeeld-gm0453-2025.pdf",
        started_by=user,
    )
    sign_in(page, user.email, PASSWORD)
    page.goto(reverse("reports:export-detail", args=[job.pk]))
    expect(page.get_by_test_id("export-status")).to_contain_text("In de wachtrij")
    assert_accessible(page)

    jobs.export_run(job_id=job.pk)
    # The page asks for its progress every two seconds and shows the download when done.
    expect(page.get_by_test_id("export-download")).to_have_text("PDF downloaden")
    assert_accessible(page)
