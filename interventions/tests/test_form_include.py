"""The shared form include (templates/includes/form.html) on the intervention pages: radio
and checkbox groups are a fieldset with a legend and one field per choice, nothing reads as
invalid before the form is sent, and every other widget renders as it always did.

The last tests load the rendered pages into headless Chromium with the real style sheets
and scripts (no live server: the page is set as content), to check what a person sees and
clicks."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from playwright.sync_api import sync_playwright

from interventions.tests.helpers import build_intervention, build_team, kwb_indicator, velsen

pytestmark = pytest.mark.django_db

STYLE_SHEETS = (
    "vendor/utrecht-tokens/index.css",
    "vendor/utrecht/index.css",
    "css/wijkkoers.css",
    "interventions/interventions.css",
)
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def team(world):
    return build_team(world, velsen()["wijk"])


def _text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def _urgency_url(team):
    return reverse("interventions:urgency", args=[team.pk])


class TestMarkup:
    def test_radio_group_is_a_fieldset_with_a_field_per_choice(self, client, world, team):
        client.force_login(world.corp_editor)
        page = _text(client.get(_urgency_url(team)))
        group = re.search(
            r'<fieldset class="utrecht-form-fieldset[^"]*" id="id_urgency".*?</fieldset>', page
        ).group(0)
        assert re.search(
            r'<legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend">'
            r'<span class="utrecht-form-label">Urgentie</span></legend>',
            group,
        )
        fields = re.findall(
            r'<div class="utrecht-form-field utrecht-form-field--radio" data-choice-value="(\w+)"> '
            r'<div class="utrecht-form-field__label"><label class="utrecht-form-label utrecht-form-label--radio" '
            r'for="(id_urgency_\d)">(\w+)</label></div> <div class="utrecht-form-field__input"><input type="radio"'
            r' name="urgency" value="\w+" class="utrecht-radio-button utrecht-radio-button--html-input"[^>]* '
            r'id="(id_urgency_\d)"',
            group,
        )
        assert [(value, label) for value, _for, label, _id in fields] == [
            ("laag", "laag"),
            ("verhoogd", "verhoogd"),
            ("hoog", "hoog"),
            ("acuut", "acuut"),
        ]
        assert all(label_for == input_id for _v, label_for, _l, input_id in fields)
        # Nothing is invalid before the form is sent.
        assert "aria-invalid" not in page and "utrecht-form-field--invalid" not in page

    def test_errors_mark_the_group_and_only_the_group(self, client, world, team):
        client.force_login(world.corp_editor)
        page = _text(client.post(_urgency_url(team), {"year": "2025", "rationale": "Veel signalen."}))
        assert (
            '<div class="utrecht-form-field-error-message" id="id_urgency_error">Kies een urgentie: laag, verhoogd, hoog of acuut.</div>'
            in page
        )
        assert 'id="id_urgency" aria-describedby="id_urgency_error"' in page
        assert len(re.findall(r'<input type="radio" name="urgency"[^>]*aria-invalid="true"', page)) == 4
        # The year and the rationale were fine.
        assert not re.search(r'name="year"[^>]*aria-invalid', page)
        assert not re.search(r"<textarea[^>]*aria-invalid", page)

    def test_other_widgets_render_as_before_and_point_to_their_help(self, client, world, team):
        client.force_login(world.corp_editor)
        page = _text(client.get(_urgency_url(team)))
        assert (
            '<div class="utrecht-form-field "> <div class="utrecht-form-field__label"> '
            '<label class="utrecht-form-label" for="id_year">Jaar</label> </div>'
        ) in page
        # The help text has the id the widget's aria-describedby names.
        assert re.search(r'<textarea name="rationale"[^>]*aria-describedby="id_rationale_helptext"', page)
        assert (
            '<div class="utrecht-form-field-description" id="id_rationale_helptext">Waarom deze urgentie'
            in page
        )

    def test_checkbox_group_is_a_fieldset_too(self, client, world, team):
        client.force_login(world.corp_editor)
        page = _text(client.get(reverse("interventions:create") + f"?team={team.pk}"))
        group = re.search(r'data-choice-group="partner_organisations">.*?</fieldset>', page).group(0)
        assert (
            '<span class="utrecht-form-label">Partners <span class="wk-muted">(niet verplicht)</span></span>'
            in group
        )
        assert 'aria-describedby="id_partner_organisations_helptext"' in group
        assert group.count("utrecht-form-field--checkbox") == 4
        assert group.count('class="utrecht-form-label utrecht-form-label--checkbox"') == 4


# --- in the browser ---------------------------------------------------------------------------


def _in_browser(html, check, *, width=1280, scripts=()):
    """Run ``check(page)`` on ``html`` in headless Chromium with the product's style sheets
    (and ``scripts``). Playwright runs in a thread of its own: its event loop must not be
    the test thread's, whose database connection holds the test's data."""

    def run():
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.set_content(html)
                for name in STYLE_SHEETS:
                    page.add_style_tag(path=finders.find(name))
                for name in scripts:
                    page.add_script_tag(path=finders.find(name))
                return check(page)
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _border(page, selector):
    return page.locator(selector).evaluate("element => getComputedStyle(element).borderTopColor")


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_urgency_choices_sit_inside_their_field_and_are_clickable(client, world, team, width):
    client.force_login(world.corp_editor)
    html = client.get(_urgency_url(team)).content.decode()

    def check(page):
        fieldset = page.locator("fieldset#id_urgency").bounding_box()
        rationale = page.locator("textarea[name=rationale]").bounding_box()
        for index in range(4):
            box = page.locator(f"#id_urgency_{index}").bounding_box()
            label = page.locator(f"label[for=id_urgency_{index}]").bounding_box()
            assert (
                fieldset["y"] <= box["y"] and box["y"] + box["height"] <= fieldset["y"] + fieldset["height"]
            )
            # The label stands beside its control, on the same line.
            assert label["x"] > box["x"] + box["width"] and abs(label["y"] - box["y"]) < box["height"]
        assert fieldset["y"] + fieldset["height"] < rationale["y"]
        page.locator("label[for=id_urgency_3]").click()  # acuut, by its label
        assert page.locator("#id_urgency_3").is_checked()
        page.locator("#id_urgency_2").click()  # hoog, on the control itself
        assert page.locator("#id_urgency_2").is_checked()

    _in_browser(html, check, width=width)


@pytest.mark.browser
def test_required_choices_look_invalid_only_after_sending(client, world, team):
    client.force_login(world.corp_editor)
    fresh = client.get(_urgency_url(team)).content.decode()
    sent = client.post(_urgency_url(team), {"year": "2025", "rationale": "R"}).content.decode()

    def borders(page):
        return {
            "radio": _border(page, "#id_urgency_0"),
            "textarea": _border(page, "textarea[name=rationale]"),
            "invalid": page.evaluate(
                """() => {
                    const probe = document.createElement("div");
                    probe.style.borderTop = "2px solid var(--utrecht-form-control-invalid-border-color)";
                    document.body.appendChild(probe);
                    return getComputedStyle(probe).borderTopColor;
                }"""
            ),
        }

    before, after = _in_browser(fresh, borders), _in_browser(sent, borders)
    # Before sending, the radio has the border of an untouched control (like the empty but
    # required text area); after sending without a choice, the theme's invalid border.
    assert before["radio"] == before["textarea"] != before["invalid"]
    assert after["radio"] == after["invalid"]


@pytest.mark.browser
def test_trekker_is_not_offered_as_partner_and_the_indicator_list_filters(client, world, team):
    intervention = build_intervention(world, team)
    wmo = str(kwb_indicator("p_wmo_t").pk)
    corporation, gemeente_pk = world.corporatie.pk, world.gemeente.pk
    client.force_login(world.corp_editor)
    html = client.get(reverse("interventions:edit", args=[intervention.pk])).content.decode()

    def check(page):
        partners = '[data-choice-group="partner_organisations"]'
        lead = page.locator(f'{partners} [data-choice-value="{corporation}"]')
        gemeente = page.locator(f'{partners} [data-choice-value="{gemeente_pk}"]')
        # The corporation leads: it is not among the partner choices.
        assert not lead.is_visible() and gemeente.is_visible()
        # The gemeente becomes trekker: its (ticked) partner box goes, the corporation's comes.
        page.select_option("select[name=lead_organisation]", value=str(gemeente_pk))
        assert not gemeente.is_visible() and lead.is_visible()
        assert not gemeente.locator("input").is_checked()
        # Back again: the gemeente is a partner as it was.
        page.select_option("select[name=lead_organisation]", value=str(corporation))
        assert gemeente.is_visible() and gemeente.locator("input").is_checked()

        visible = "s => [...s.options].filter(o => !o.hidden).map(o => o.text)"
        page.locator("#id_indicators-filter").fill("wmo")
        assert page.eval_on_selector("#id_indicators", visible) == ["Wmo-cliënten (p_wmo_t)"]
        groups = page.eval_on_selector(
            "#id_indicators", "s => [...s.querySelectorAll('optgroup')].map(g => g.hidden)"
        )
        assert groups == [False, True]  # the Leefbaarometer has no match
        page.select_option("#id_indicators", value=wmo)
        page.locator("#id_indicators-filter").fill("leefbaarheid")
        shown = page.eval_on_selector("#id_indicators", visible)
        # What is chosen stays in view while filtering.
        assert "Wmo-cliënten (p_wmo_t)" in shown and "Leefbaarheid totaal (afwijking) (lbm_afw)" in shown
        assert (
            page.locator("#id_indicators ~ .wk-choice-summary").inner_text()
            == "Gekozen (1): Wmo-cliënten (p_wmo_t)"
        )
        # Enter in the filter box does not send the form.
        page.locator("#id_indicators-filter").press("Enter")
        assert page.locator("#id_indicators-filter").is_visible()

    _in_browser(html, check, scripts=("interventions/choice-filter.js", "interventions/intervention-form.js"))
