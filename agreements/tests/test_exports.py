"""The Excel and PDF exports, read back as a spreadsheet program and a PDF viewer would."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from agreements.exports import DISPUTED
from agreements.tests.test_access import build_agreement_world


@pytest.fixture
def agreement_world(world):
    return build_agreement_world(world)


def _workbook(client, agreement):
    response = client.get(reverse("agreements:excel", args=[agreement.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in response["Content-Disposition"]
    return load_workbook(BytesIO(response.content))


def test_excel_has_commitments_monitoring_and_parties(client, agreement_world):
    w = agreement_world
    client.force_login(w.tenant_rep)
    book = _workbook(client, w.agreement)
    assert book.sheetnames == ["Afspraken", "Monitoring", "Partijen"]

    sheet = book["Afspraken"]
    assert sheet.freeze_panes == "A2"
    assert sheet["C1"].value == "Afspraak"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    by_number = {row[0]: row for row in rows}
    assert by_number["1.1"][2] == "Bouw van sociale huurwoningen"
    assert by_number["1.1"][4] == 150  # a number, not text
    assert isinstance(by_number["1.1"][4], int)
    assert by_number["1.1"][7] == 40
    assert not by_number["1.1"][10]
    assert by_number["1.2"][10] == DISPUTED
    assert by_number["1.2"][11] == "De gemeente telt de woningen anders."
    assert sheet.column_dimensions["C"].width >= 40

    monitoring = list(book["Monitoring"].iter_rows(min_row=2, values_only=True))
    assert len(monitoring) == 1
    number, _text, year, target, realised, unit, progress, state, explanation, *_ = monitoring[0]
    assert (number, year, target, realised, unit) == ("1.1", 2025, 150, 40, "sociale huurwoningen")
    assert (progress, state) == ("op koers", "ingediend")
    assert explanation.startswith("Veertig woningen")

    parties = {row[0]: row for row in book["Partijen"].iter_rows(min_row=2, values_only=True)}
    assert set(parties) == {w.gemeente.name, w.corporatie.name, w.huurders.name, w.partner.name}
    assert parties[w.huurders.name][2] is not None  # signed, as a date


def test_excel_text_never_runs_as_a_formula(client, agreement_world):
    from agreements import services

    w = agreement_world
    services.report_save_draft(
        actor=w.corp_editor, commitment=w.disputed, year=2026, progress="risico", explanation="=HYPERLINK(1)"
    )
    client.force_login(w.corp_editor)
    rows = list(_workbook(client, w.agreement)["Monitoring"].iter_rows(min_row=2, values_only=True))
    assert "'=HYPERLINK(1)" in [row[8] for row in rows]


def test_pdf_report(client, agreement_world):
    w = agreement_world
    client.force_login(w.gemeente_reviewer)
    response = client.get(reverse("agreements:pdf", args=[w.agreement.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert w.agreement.title in text
    assert "Partijen en ondertekening" in text
    assert "Afspraken in geschil" in text
    assert "De gemeente telt de woningen anders." in text
    assert "Bouw van sociale huurwoningen" in text
    assert "Pagina 1 van" in text


def test_exports_only_for_parties(client, agreement_world):
    w = agreement_world
    client.force_login(w.outsider)
    assert client.get(reverse("agreements:excel", args=[w.agreement.pk])).status_code == 404
    assert client.get(reverse("agreements:pdf", args=[w.agreement.pk])).status_code == 404
    client.logout()
    response = client.get(reverse("agreements:excel", args=[w.agreement.pk]))
    assert response.status_code == 302


def test_excel_queries_do_not_grow_with_commitments(client, agreement_world, django_assert_max_num_queries):
    w = agreement_world
    client.force_login(w.corp_editor)
    # With the person's memberships, grants and agreements, read once for the request
    # (core.permissions.rules_remembered).
    with django_assert_max_num_queries(13):
        _workbook(client, w.agreement)
