"""The HTTP side of fetching from a source: a timeout on every request, a bounded
answer, and Dutch messages for each way it goes wrong. No network: ``urlopen`` is
replaced by a stand-in."""

import io
import urllib.error

import pytest
from django.core.exceptions import ValidationError

from core import fetching

# No test here touches the database; the suite's session fixtures (the catalogue) do.
pytestmark = pytest.mark.django_db


class FakeResponse(io.BytesIO):
    def __init__(self, body, length=None):
        super().__init__(body)
        self.headers = {"Content-Length": str(length)} if length is not None else {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def opened(monkeypatch):
    calls = []

    def install(response):
        def urlopen(request, timeout):
            calls.append((request.full_url, timeout, request.get_header("Accept")))
            if isinstance(response, Exception):
                raise response
            return response

        monkeypatch.setattr(fetching.urllib.request, "urlopen", urlopen)
        return calls

    return install


def test_every_request_has_a_timeout(opened):
    calls = opened(FakeResponse(b'{"value": []}'))

    assert fetching.get_json("https://example.test/a", service="CBS StatLine", fetch=fetching.http_get) == {
        "value": []
    }
    assert calls == [("https://example.test/a", fetching.TIMEOUT, "application/json")]


def test_an_announced_answer_over_the_bound_is_not_read(opened):
    opened(FakeResponse(b"{}", length=11))

    with pytest.raises(fetching.ResponseTooLarge):
        fetching.http_get("https://example.test/a", max_bytes=10)


def test_an_unannounced_answer_over_the_bound_is_cut_and_refused(opened):
    opened(FakeResponse(b"x" * 11))

    with pytest.raises(fetching.ResponseTooLarge):
        fetching.http_get("https://example.test/a", max_bytes=10)


@pytest.mark.parametrize(
    "error, message",
    [
        (
            urllib.error.URLError("Name or service not known"),
            "PDOK is niet bereikbaar (Name or service not known)",
        ),
        (TimeoutError("timed out"), "PDOK is niet bereikbaar (geen antwoord binnen de wachttijd)"),
        (urllib.error.HTTPError("u", 500, "Server Error", {}, None), "PDOK antwoordde met foutcode 500"),
    ],
)
def test_network_errors_become_dutch_messages(opened, error, message):
    opened(error)

    with pytest.raises(fetching.FetchError) as exc:
        fetching.get_json("https://example.test/a", service="PDOK", fetch=fetching.http_get)
    assert message in exc.value.message and "niets opgeslagen" in exc.value.message


@pytest.mark.parametrize(
    "body, message", [(b'{"value": [', "onvolledig"), (b"[1, 2]", "andere vorm"), (b"\xff\xfe", "onvolledig")]
)
def test_a_broken_or_strange_answer_is_named(body, message):
    with pytest.raises(fetching.FetchError) as exc:
        fetching.get_json("https://example.test/a", service="PDOK", fetch=lambda url: body)
    assert message in exc.value.message


def test_gemeente_codes_are_cleaned():
    assert fetching.clean_gemeente_codes(["gm0453, 392", "GM0453", " 0034 "]) == [
        "GM0453",
        "GM0392",
        "GM0034",
    ]
    assert fetching.clean_gemeente_codes([""]) == []
    with pytest.raises(ValidationError) as exc:
        fetching.clean_gemeente_codes(["GM0453 Velsen WK045301"])
    assert "Velsen, WK045301" in exc.value.message_dict["gemeenten"][0]
