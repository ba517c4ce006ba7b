"""Uploaded files are never served from /media/, in the demo and in development too:
only through the download views, which check the rights on the object a file belongs to."""

import importlib
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

import config.urls


@pytest.fixture
def urls_with_debug():
    """The URL configuration as it is built with DEBUG on (a development server)."""
    with override_settings(DEBUG=True):
        importlib.reload(config.urls)
        clear_url_caches()
        yield
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.mark.parametrize("persona", ["anonymous", "corp_editor", "platform_admin"])
def test_media_is_not_served_even_with_debug(client, world, settings, urls_with_debug, persona):
    stored = Path(settings.MEDIA_ROOT) / "imports" / "scores" / "2026" / "01" / "aedes-veerkracht.csv"
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_text("buurtcode;score\nBU04530100;0,4\n")
    if persona != "anonymous":
        client.force_login(world.users[persona])
    for path in [
        "/media/imports/scores/2026/01/aedes-veerkracht.csv",
        "/media/",
        "/media/../config/settings.py",
    ]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"BU04530100" not in response.content
