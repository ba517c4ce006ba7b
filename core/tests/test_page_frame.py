"""The frame every page shares (templates/base.html and the site's static files): the
favicon, the main menu that folds on narrow screens, the site script, and select boxes
that look like select boxes wherever a form or template draws one."""

import re
from pathlib import Path
from xml.etree import ElementTree

from django import forms
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from core.forms import StyledForm
from core.models import Notification
from core.services import notify

SELECT_CLASS = "utrecht-select utrecht-select--html-select"


def _page(client, user=None):
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("about"))
    assert response.status_code == 200
    return response.content.decode()


def _element(html, element_id):
    """The element with ``element_id`` up to its matching closing tag (by nesting)."""
    start = html.index(f'id="{element_id}"')
    start = html.rindex("<", 0, start)
    tag = re.match(r"<(\w+)", html[start:]).group(1)
    depth, position = 0, start
    for match in re.finditer(rf"<(/?){tag}\b", html[start:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            position = start + match.end()
            break
    return html[start:position]


# Favicon


def test_every_page_names_an_svg_favicon_that_exists(client):
    html = _page(client)
    href = static("img/favicon.svg")
    assert f'<link rel="icon" href="{href}" type="image/svg+xml">' in html
    path = finders.find("img/favicon.svg")
    assert path, "the favicon is not among the static files"
    root = ElementTree.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox") == "0 0 32 32"


# Main menu


def test_signed_in_pages_have_a_menu_button_for_the_navigation_search_language_and_logout(client, world):
    html = _page(client, world.users["corp_editor"])
    button = re.search(r"<button [^>]*data-menu-button[^>]*>", html).group(0)
    # Without the site script the button stays hidden and the menu open.
    assert 'type="button"' in button and " hidden" in button
    assert 'aria-expanded="true"' in button and 'aria-controls="hoofdmenu"' in button
    menu = _element(html, "hoofdmenu")
    assert '<nav class="wk-nav"' in menu
    assert 'role="search"' in menu and 'name="q"' in menu
    assert 'name="language"' in menu
    assert reverse("logout") in menu
    assert f'src="{static("js/wijkkoers.js")}"' in html


def test_menu_button_carries_the_unread_count_hidden_in_the_folded_menu(client, world):
    user = world.users["corp_editor"]
    Notification.objects.filter(recipient=user).delete()
    html = _page(client, user)
    button = re.search(r"<button [^>]*data-menu-button[^>]*>.*?</button>", html, re.S).group(0)
    assert "ongelezen" not in button
    notify(recipients=[user], kind="interventie", text="Nieuwe interventie")
    notify(recipients=[user], kind="wijkgesprek", text="Wijkgesprek vastgelegd")
    html = _page(client, user)
    button = re.search(r"<button [^>]*data-menu-button[^>]*>.*?</button>", html, re.S).group(0)
    assert '<span class="utrecht-number-badge" aria-hidden="true">2</span>' in button
    assert ", 2 ongelezen meldingen" in button


def test_signed_out_pages_have_no_menu_button_but_the_language_switch(client):
    html = _page(client)
    assert "data-menu-button" not in html
    assert 'name="language"' in _element(html, "hoofdmenu")


def test_menu_folds_only_on_narrow_screens_and_only_once_the_script_ran():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "wijkkoers.css").read_text()
    narrow = css[css.index("@media (max-width: 63.99rem)") :]
    narrow = narrow[: narrow.index("\n}\n")]
    assert (
        '.wk-header--collapsible .wk-menu-button[aria-expanded="false"] + .wk-header__menu { display: none; }'
        in narrow
    )
    assert ".wk-header--collapsible .wk-menu-button { display: inline-flex;" in narrow
    # Outside the narrow screens nothing folds: the button is never shown there.
    wide = css[: css.index("@media (max-width: 63.99rem)")]
    assert ".wk-menu-button { display: none; }" in wide and 'aria-expanded="false"' not in wide


# Select boxes


class ChoiceForm(StyledForm):
    one = forms.ChoiceField(choices=[("a", "A")])
    many = forms.MultipleChoiceField(choices=[("a", "A")])
    maybe = forms.NullBooleanField()
    radio = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)
    boxes = forms.MultipleChoiceField(choices=[("a", "A")], widget=forms.CheckboxSelectMultiple)


def test_styled_forms_give_every_select_the_nl_design_system_select_class():
    form = ChoiceForm()
    for name in ("one", "many", "maybe"):
        assert re.search(rf'<select name="{name}"[^>]*class="{SELECT_CLASS}"', str(form[name])), name
    assert "utrecht-radio-button" in str(form["radio"]) and SELECT_CLASS not in str(form["radio"])
    assert "utrecht-checkbox" in str(form["boxes"]) and SELECT_CLASS not in str(form["boxes"])


def _template_files():
    roots = [Path(settings.BASE_DIR) / "templates"]
    roots += [path for path in Path(settings.BASE_DIR).glob("*/templates") if path.is_dir()]
    for root in roots:
        yield from root.rglob("*.html")


def test_every_hand_written_select_in_the_templates_has_the_select_class():
    unstyled = []
    for path in _template_files():
        for tag in re.findall(r"<select\b[^>]*>", path.read_text()):
            if SELECT_CLASS not in tag:
                unstyled.append(f"{path.relative_to(settings.BASE_DIR)}: {tag}")
    assert not unstyled, "\n".join(unstyled)


def test_selects_get_an_arrow_from_the_products_own_static_file():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "wijkkoers.css").read_text()
    rule = re.search(r"\.utrecht-select--html-select:not\(\[multiple\]\) \{([^}]*)\}", css).group(1)
    image = re.search(r'background-image: url\("\.\./([^"]+)"\)', rule).group(1)
    assert image == "img/select-arrow.svg" and "padding-inline-end" in rule
    root = ElementTree.parse(finders.find(image)).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
