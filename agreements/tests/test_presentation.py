"""How the agreement pages look where it matters for reading them: status badges with
enough contrast (WCAG AA, 4.5:1 for text), and numbers in Dutch notation with one minus
sign everywhere."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from agreements import services
from agreements.formatting import format_amount, format_number, format_quantity
from agreements.models import MonitoringReport, Theme
from agreements.tests.test_services import add_commitment, make_agreement, sign_all, to_negotiation
from core.templatetags.wijkkoers import MINUS

CSS = Path(__file__).resolve().parent.parent / "static" / "agreements" / "agreements.css"
NBSP = "\u00a0"


def _luminance(hex_colour: str) -> float:
    """Relative luminance (WCAG 2.x) of a colour written #rrggbb or #rgb."""
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = []
    for i in (0, 2, 4):
        c = int(value[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _badge_rules():
    """{badge class: (background, text colour)} of the agreements' own badge colours."""
    rules = {}
    for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", CSS.read_text()):
        badge = re.search(r"\.(wk-badge--[a-z]+)\s*$", selector.strip())
        background = re.search(r"background-color:\s*(#[0-9a-fA-F]{3,6})", body)
        colour = re.search(r"(?<!-)color:\s*(#[0-9a-fA-F]{3,6})", body)
        if badge and background and colour:
            rules[badge.group(1)] = (background.group(1), colour.group(1))
    return rules


class TestContrast:
    def test_the_formula(self):
        # Black on white is 21:1 by definition; the theme's light green under white text,
        # the colour the "ondertekend" badge had, is below AA.
        assert round(contrast("#000", "#fff"), 1) == 21.0
        assert contrast("#80a659", "#fff") < 4.5

    def test_agreement_badges_reach_aa_and_the_css_says_how_much(self):
        rules = _badge_rules()
        assert {"wk-badge--success", "wk-badge--waiting"} <= set(rules)
        css = CSS.read_text()
        for badge, (background, colour) in rules.items():
            ratio = contrast(background, colour)
            assert ratio >= 4.5, f"{badge}: {ratio:.2f}:1"
            assert f"{ratio:.1f}:1" in css, f"{badge}: the comment should state {ratio:.1f}:1"

    def test_outlined_stands_on_white(self):
        css = CSS.read_text()
        for stand in ("safe", "warning", "danger"):
            colour = re.search(
                rf"wk-badge--stand\.utrecht-status-badge--{stand}\s*\{{\s*color:\s*(#\w+)", css
            )
            assert contrast(colour.group(1), "#fff") >= 4.5, stand

    def test_signed_agreement_and_approved_report_use_the_dark_green(self, client, world):
        agreement = make_agreement(world)
        commitment = add_commitment(world, agreement)
        to_negotiation(world, agreement)
        sign_all(world, agreement)
        report = services.report_save_draft(
            actor=world.corp_editor, commitment=commitment, year=2025, progress="op_koers"
        )
        report = services.report_submit(actor=world.corp_editor, report=report)
        services.report_approve(actor=world.gemeente_reviewer, report=report)
        client.force_login(world.tenant_rep)
        for url in (reverse("agreements:detail", args=[agreement.pk]), reverse("agreements:list")):
            page = client.get(url).content.decode()
            assert '<span class="utrecht-status-badge wk-badge--success">ondertekend</span>' in page
            assert "utrecht-status-badge--success" not in page
        page = client.get(reverse("agreements:commitment", args=[commitment.pk])).content.decode()
        assert '<span class="utrecht-status-badge wk-badge--success">goedgekeurd</span>' in page
        assert MonitoringReport.STATE_BADGES[MonitoringReport.State.APPROVED] == "wk-badge--success"


class TestNumberFormat:
    @pytest.mark.parametrize(
        "value, text",
        [
            (Decimal("45000"), "45.000"),
            (Decimal("45000.00"), "45.000"),
            (Decimal("45000.5"), "45.000,50"),
            (Decimal("1234567.89"), "1.234.567,89"),
            (Decimal("-12.5"), f"{MINUS}12,50"),
            (Decimal("0"), "0"),
            (None, ""),
        ],
    )
    def test_dutch(self, value, text):
        with translation.override("nl"):
            assert format_number(value) == text

    def test_english(self):
        with translation.override("en"):
            assert format_number(Decimal("-45000.5")) == f"{MINUS}45,000.50"

    def test_amounts_of_money(self):
        with translation.override("nl"):
            assert format_quantity(Decimal("45000"), "euro") == f"€{NBSP}45.000"
            assert format_quantity(Decimal("45000.50"), " € ") == f"€{NBSP}45.000,50"
            assert format_quantity(Decimal("150"), "sociale huurwoningen") == "150 sociale huurwoningen"
            assert format_amount(Decimal("150"), "sociale huurwoningen") == "150"
            assert format_amount(Decimal("-2500"), "Euro") == f"€{NBSP}{MINUS}2.500"


class TestNumbersOnThePages:
    @pytest.fixture
    def budget(self, world):
        """A signed agreement with a budget of € 45.000 for 2026, and a report over 2025
        that went 1.250,50 below zero (a refund), waiting for review."""
        agreement = make_agreement(world)
        commitment = add_commitment(
            world,
            agreement,
            theme=Theme.LEEFBAARHEID,
            number="4.1",
            text="Budget voor bewonersinitiatieven",
            target_value=Decimal("45000"),
            target_unit="euro",
            target_year=2026,
        )
        to_negotiation(world, agreement)
        sign_all(world, agreement)
        report = services.report_save_draft(
            actor=world.corp_editor,
            commitment=commitment,
            year=2025,
            realised_value=Decimal("-1250.50"),
            progress="achter",
        )
        services.report_submit(actor=world.corp_editor, report=report)
        return agreement, commitment

    def _page(self, client, url):
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    def test_target_and_realised_in_dutch_notation(self, client, world, budget):
        agreement, commitment = budget
        client.force_login(world.gemeente_reviewer)
        detail = self._page(client, reverse("agreements:detail", args=[agreement.pk]))
        assert f"€{NBSP}45.000 in 2026" in detail
        page = self._page(client, reverse("agreements:commitment", args=[commitment.pk]))
        assert f"€{NBSP}45.000 in 2026" in page
        assert f"€{NBSP}{MINUS}1.250,50" in page
        queue = self._page(client, reverse("agreements:reviewer-queue"))
        assert f"€{NBSP}{MINUS}1.250,50 / €{NBSP}45.000" in queue
        progress = self._page(client, reverse("agreements:progress", args=[agreement.pk]))
        assert f"€{NBSP}45.000</td>" in progress and f"€{NBSP}{MINUS}1.250,50</td>" in progress
        for text in (detail, page, queue, progress):
            assert "45000" not in text
            # One minus sign: never a hyphen before a number in the tables and lists.
            assert not re.search(r"[>\s€;]-\d", text), re.search(r".{30}[>\s€;]-\d.{10}", text)

    def test_pdf_report_in_the_same_notation(self, client, world, budget):
        from agreements import exports, selectors

        agreement, _commitment = budget
        detail = selectors.agreement_detail(user=world.tenant_rep, pk=agreement.pk)
        html = exports.report_html(
            exports.ExportData(
                agreement=detail,
                parties=list(detail.parties.all()),
                commitments=[c for _theme, _label, items in detail.themes for c in items],
                gemeente_name="Velsen",
            )
        )
        assert "gemeente Velsen" in html and "GM0453" not in html
        assert f"€{NBSP}45.000 (2026)" in html
        assert f"€{NBSP}{MINUS}1.250,50 — achter" in html
        assert "(ter beoordeling)" in html
