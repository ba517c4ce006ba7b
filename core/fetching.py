"""Fetching open data at its publisher (CBS StatLine, PDOK) over plain HTTP.

Every request has a timeout and a bounded answer; every way it can go wrong (the service
cannot be reached, answers with an error, breaks off, or answers in a shape Wijkkoers
does not know) ends in a ``FetchError`` with a Dutch message for the job's report. The
callers take a ``fetch`` function (url -> bytes) so that tests replay recorded answers
instead of going to the network.
"""

import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.imports import (
    MB,
    RowIssue,
    job_add_warnings,
    job_attach_file,
    job_finish,
    job_progress,
    megabytes,
)

TIMEOUT = 60  # seconds per request
MAX_RESPONSE_BYTES = 64 * MB  # one answer (one page of features or rows)
USER_AGENT = "Wijkkoers (open data import)"

Fetch = Callable[[str], bytes]

GEMEENTE_CODE = re.compile(r"^GM\d{4}$")


class FetchError(Exception):
    """The source could not give what was asked; ``message`` says so in Dutch."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class ResponseTooLarge(FetchError):
    pass


def http_get(url: str, *, timeout: int = TIMEOUT, max_bytes: int = MAX_RESPONSE_BYTES) -> bytes:
    """The body of a GET request, read up to ``max_bytes`` (``ResponseTooLarge`` beyond).
    Network errors are raised as they come (``OSError`` and its kin)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise ResponseTooLarge(_too_large(max_bytes))
        body = response.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise ResponseTooLarge(_too_large(max_bytes))
    return body


def default_fetch(url: str) -> bytes:
    """The fetch used outside tests (looked up at call time, so tests can replace it)."""
    return http_get(url)


def _too_large(max_bytes: int) -> str:
    return _(
        "Het antwoord is groter dan %(mb)s MB en is niet gelezen. Er is niets opgeslagen; haal de "
        "gegevens per gemeente op."
    ) % {"mb": megabytes(max_bytes)}


def unreachable_message(service: str, reason) -> str:
    return _(
        "%(service)s is niet bereikbaar (%(reason)s). Er is niets opgeslagen; probeer het later opnieuw."
    ) % {"service": service, "reason": str(reason)[:200] or _("geen antwoord")}


def cut_off_message(service: str, detail: str = "") -> str:
    text = _(
        "Het antwoord van %(service)s is onvolledig: de verbinding is mogelijk afgebroken. Er is niets "
        "opgeslagen; probeer het later opnieuw."
    ) % {"service": service}
    return f"{text} {detail}".strip()


def shape_message(service: str, detail: str) -> str:
    return _(
        "Het antwoord van %(service)s heeft een andere vorm dan Wijkkoers verwacht: %(detail)s. Er is "
        "niets opgeslagen. De bron is mogelijk veranderd; meld dit bij de beheerder van Wijkkoers."
    ) % {"service": service, "detail": detail}


def get_json(url: str, *, service: str, fetch: Fetch | None = None) -> dict:
    """The JSON object at ``url``; a ``FetchError`` when it cannot be had whole."""
    fetch = fetch or default_fetch
    try:
        body = fetch(url)
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError(
            _(
                "%(service)s antwoordde met foutcode %(status)s. Er is niets opgeslagen; controleer het "
                "jaar en de gemeenten, of probeer het later opnieuw."
            )
            % {"service": service, "status": exc.code}
        ) from exc
    except urllib.error.URLError as exc:
        raise FetchError(unreachable_message(service, exc.reason)) from exc
    except TimeoutError as exc:
        raise FetchError(unreachable_message(service, _("geen antwoord binnen de wachttijd"))) from exc
    except OSError as exc:
        raise FetchError(unreachable_message(service, exc)) from exc
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FetchError(cut_off_message(service, _("Het is geen volledige JSON."))) from exc
    if not isinstance(data, dict):
        raise FetchError(shape_message(service, _("geen JSON-object")))
    return data


def clean_gemeente_codes(codes: Iterable[str] | None) -> list[str]:
    """Gemeente codes as GM + 4 digits, without doubles, in order (``0453`` and ``gm0453``
    become ``GM0453``); a ``ValidationError`` on ``gemeenten`` names the wrong ones."""
    cleaned, wrong = [], []
    for raw in codes or ():
        for part in re.split(r"[\s,;]+", str(raw or "").strip()):
            if not part:
                continue
            code = part.upper()
            if code.isdigit() and len(code) <= 4:
                code = f"GM{int(code):04d}"
            if not GEMEENTE_CODE.match(code):
                wrong.append(part)
            elif code not in cleaned:
                cleaned.append(code)
    if wrong:
        raise ValidationError(
            {
                "gemeenten": _(
                    "Geen gemeentecode: %(codes)s. Gebruik GM en vier cijfers, bijvoorbeeld GM0453."
                )
                % {"codes": ", ".join(wrong[:10])}
            }
        )
    return cleaned


def job_fetch_run(job, *, started: str, fetch, file_of, run_import, progress_callback=None):
    """Fetch an import job's file from its publisher and import it. The job runs (2 %,
    ``started``) while ``fetch(progress)`` fetches; a ``FetchError`` fails the job with its
    reason and nothing is stored. Else the file (``file_of(fetched)`` gives its name and
    content) is kept on the job, ``run_import(job_id=, progress_callback=)`` imports it
    and the fetch's warnings come first among the job's. A job that has already run (a
    redelivered task) is left as it is."""
    if job.is_finished:
        return job
    cb = progress_callback
    job_progress(job, 2, started, cb, status=job.Status.RUNNING)
    try:
        fetched = fetch(lambda percent, message: job_progress(job, percent, message, cb))
    except FetchError as exc:
        return job_finish(
            job, status=job.Status.FAILED, errors=[RowIssue(None, "", exc.message)], callback=cb
        )
    job_attach_file(job, *file_of(fetched))
    job = run_import(job_id=job.pk, progress_callback=cb)
    job_add_warnings(job, fetched.warnings)
    job.refresh_from_db()
    return job
