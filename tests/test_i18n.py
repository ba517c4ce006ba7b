"""Dutch is the interface language; English is the second locale, chosen with set_language."""

import gettext
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD

LOCALE_EN = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


def _choose_english(client, next_url):
    response = client.post(reverse("set_language"), {"language": "en", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url
    return client


def test_sign_in_page_is_dutch_by_default(client):
    # Even for a browser that prefers English: English is a choice, not a guess.
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()

    assert '<html lang="nl"' in html
    assert "Inloggen bij Wijkkoers" in html
    assert "Naar de inhoud" in html
    assert "Sign in to Wijkkoers" not in html


def test_home_page_is_dutch_by_default(client, world):
    client.force_login(world.corp_editor)

    html = client.get(reverse("home")).content.decode()

    assert '<html lang="nl"' in html
    assert "Mijn organisaties" in html
    assert "woningcorporatie" in html
    assert 'data-testid="role">bewerker<' in html


def test_sign_in_page_in_english(client, db):
    _choose_english(client, reverse("login"))

    html = client.get(reverse("login")).content.decode()

    assert '<html lang="en"' in html
    assert "Sign in to Wijkkoers" in html
    assert "Email address" in html
    assert "Forgotten your password?" in html
    assert "Skip to content" in html
    assert "Inloggen bij Wijkkoers" not in html


def test_wrong_password_message_in_english(client, world):
    _choose_english(client, reverse("login"))

    response = client.post(
        reverse("login"), {"username": world.corp_editor.email, "password": "niet-het-goede"}
    )

    assert "We do not recognise this combination of email address and password." in response.content.decode()


def test_home_page_in_english_after_signing_in(client, world):
    _choose_english(client, reverse("login"))
    response = client.post(reverse("login"), {"username": world.corp_editor.email, "password": PASSWORD})
    assert response.status_code == 302

    html = client.get(reverse("home")).content.decode()

    assert '<html lang="en"' in html
    assert f"Welcome, {world.corp_editor.get_short_name()}" in html
    assert "My organisations" in html
    assert "housing corporation" in html
    assert 'data-testid="role">editor<' in html
    assert "Sign out" in html
    assert "Mijn organisaties" not in html


def test_back_to_dutch(client, world):
    client.force_login(world.corp_editor)
    _choose_english(client, reverse("home"))
    assert "My organisations" in client.get(reverse("home")).content.decode()

    client.post(reverse("set_language"), {"language": "nl", "next": reverse("home")})

    assert "Mijn organisaties" in client.get(reverse("home")).content.decode()


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$')
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(text):
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def _po_entries(path):
    """The entries of a .po file as dicts of their fields (msgid, msgid_plural, msgstr,
    msgstr[0], ...), the header left out."""
    entries, current, field = [], {}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        match = _KEYWORD.match(line)
        if match:
            field = match.group(1)
            current[field] = _unescape(match.group(2))
        elif line.startswith('"') and field:
            current[field] += _unescape(line[1:-1])
        elif line.startswith("#"):
            field = None
        elif not line.strip():
            if current.get("msgid"):
                entries.append(current)
            current, field = {}, None
    return entries


def test_english_catalogue_is_complete_and_compiled():
    text = (LOCALE_EN / "django.po").read_text(encoding="utf-8")
    entries = _po_entries(LOCALE_EN / "django.po")
    assert len(entries) > 100
    assert not re.search(r"^#,.*\bfuzzy\b", text, re.M), "fuzzy translations: check and fix them"
    untranslated = [e["msgid"] for e in entries if not all(v for k, v in e.items() if k.startswith("msgstr"))]
    assert untranslated == []

    # The committed .mo matches the .po, so a machine without gettext gets every string.
    with (LOCALE_EN / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for entry in entries:
        if "msgctxt" in entry:
            continue
        if "msgid_plural" in entry:
            one = compiled.ngettext(entry["msgid"], entry["msgid_plural"], 1)
            many = compiled.ngettext(entry["msgid"], entry["msgid_plural"], 2)
            assert (one, many) == (entry["msgstr[0]"], entry["msgstr[1]"]), entry["msgid"]
        else:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]
