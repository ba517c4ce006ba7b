"""Numbers across the product follow the interface language (Dutch: 45.000,25), with a
thousands separator; changes carry a plus or the true minus sign (U+2212); years and
form inputs stay as machines read them."""

import math
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from core.templatetags.wijkkoers import number, signed

MINUS = "\u2212"


@pytest.fixture
def dutch():
    with translation.override("nl"):
        yield


def render(source, **context):
    return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0.5, 2, "+0,50"),
        (-0.4, 2, f"{MINUS}0,40"),
        (Decimal("-45000"), 0, f"{MINUS}45.000"),
        (1234.5, 1, "+1.234,5"),
        # Half up, as by hand: 0.125 → 0.13 and -0.125 → -0.13 (not 0.12, as a binary
        # float or banker's rounding would give).
        (0.125, 2, "+0,13"),
        (-0.125, 2, f"{MINUS}0,13"),
        # A change that rounds to nought has no sign: -0.004 → 0.00.
        (-0.004, 2, "0,00"),
        (0, 2, "0,00"),
        (2, 0, "+2"),
        ("-1.5", 1, f"{MINUS}1,5"),
    ],
)
def test_signed_shows_plus_or_true_minus_in_dutch(dutch, value, decimals, expected):
    assert signed(value, decimals) == expected


def test_signed_leaves_missing_and_non_numbers_alone(dutch):
    assert signed(None, 2) == "" and signed("", 2) == ""
    assert signed("n.v.t.", 2) == "n.v.t."
    assert math.isnan(signed(float("nan"), 2)) and signed(float("inf"), 2) == float("inf")
    assert signed(1.5, "twee") == 1.5


def test_number_has_the_true_minus_and_no_plus(dutch):
    assert number(-0.5, 2) == f"{MINUS}0,50"
    assert number(0.5, 2) == "0,50"
    assert number(45000, 2) == "45.000,00"
    assert number(None) == ""


def test_negative_decimals_show_decimals_only_for_a_value_that_is_not_whole(dutch):
    assert number(45000, -2) == "45.000"
    assert number(Decimal("45000.00"), -2) == "45.000"
    assert number(45000.5, -2) == "45.000,50"
    # 2.004 rounds to 2.00, which is whole: no decimals.
    assert signed(2.004, -2) == "+2"
    assert signed(-12.5, -2) == f"{MINUS}12,50"


def test_signed_in_english_uses_english_separators():
    with translation.override("en"):
        assert signed(-1234.5, 1) == f"{MINUS}1,234.5"
        assert number(45000.25, 2) == "45,000.25"


def test_filters_in_a_template(dutch):
    html = render("{% load wijkkoers %}{{ change|signed:2 }} {{ value|number:1 }}", change=-0.25, value=-3.04)
    assert html == f"{MINUS}0,25 {MINUS}3,0"


def test_amounts_are_grouped_and_ids_and_years_are_not(dutch):
    """Amounts go through ``number``, which groups thousands; a plain value (a year, an
    id in a link or a form) prints as it is, so it never becomes 2.025."""
    assert render("{% load wijkkoers %}€ {{ amount|number:2 }}", amount=Decimal("45000.00")) == "€ 45.000,00"
    assert render("{{ year }} {{ pk }}", year=2025, pk=14215) == "2025 14215"


def test_years_are_printed_unlocalized(dutch):
    assert render("{% load l10n %}{{ year|unlocalize }}", year=2023) == "2023"
    assert render("{% load l10n %}{% localize off %}{{ year }}{% endlocalize %}", year=2023) == "2023"


def test_number_inputs_stay_machine_readable(dutch):
    class Form(forms.Form):
        year = forms.IntegerField(initial=2023)
        amount = forms.DecimalField(initial=Decimal("45000.50"))

    html = str(Form())
    assert 'type="number" name="year" value="2023"' in html
    assert 'type="number" name="amount" value="45000.50"' in html
