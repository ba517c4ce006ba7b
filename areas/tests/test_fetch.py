"""Fetching a year of CBS boundaries from PDOK's OGC API Features, replayed from recorded
answers in ``fixtures/pdok`` (Velsen, 2024): the same pipeline as a file, paging through
``next`` links, a dry run, and every way the service can fail leaving the stored areas as
they were."""

import urllib.error
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from areas.models import Area, AreaKind, BoundaryImport
from areas.services import boundary_fetch_now, boundary_fetch_start
from core import fetching

FIXTURES = Path(__file__).parent / "fixtures" / "pdok"
DONE, FAILED = BoundaryImport.Status.DONE, BoundaryImport.Status.FAILED
CODES = ["BU04530100", "BU04530101", "GM0453", "WK045301"]


class Replay:
    """A fetch function answering from the recorded files, keeping the URLs asked for."""

    def __init__(self, **pages):
        self.files = {
            "gemeenten": "gemeenten_GM0453.json",
            "wijken": "wijken_GM0453.json",
            "buurten": "buurten_GM0453_page1.json",
            "buurten_next": "buurten_GM0453_page2.json",
            **pages,
        }
        self.urls = []

    def __call__(self, url):
        self.urls.append(url)
        collection = url.split("/collections/")[1].split("/")[0]
        kind = f"{collection}_next" if "cursor=" in url else collection
        answer = self.files[kind]
        if isinstance(answer, Exception):
            raise answer
        return (FIXTURES / answer).read_bytes()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def fetch_now(world, replay, **kwargs):
    return boundary_fetch_now(
        actor=world.platform_admin, year=2024, gemeenten=["GM0453"], fetch=replay, **kwargs
    )


def codes(year=2024):
    return sorted(Area.objects.filter(year=year).values_list("code", flat=True))


def test_fetch_imports_gemeente_wijk_and_buurten_of_both_pages(world, media):
    replay = Replay()
    job = fetch_now(world, replay)

    assert job.status == DONE, job.errors
    # One gemeente, one wijk and two buurten, the second buurt on the next page.
    assert (job.created, job.changed, job.unchanged) == (4, 0, 0)
    assert codes() == CODES
    assert sum("cursor=" in url for url in replay.urls) == 1
    assert all("gemeentecode=GM0453" in url for url in replay.urls if "cursor=" not in url)
    buurt = Area.objects.get(year=2024, code="BU04530100")
    assert (buurt.name, buurt.kind, buurt.parent.code, buurt.is_water) == (
        "Lagersbuurt",
        AreaKind.BUURT,
        "WK045301",
        False,
    )
    assert buurt.geometry is not None and buurt.min_lon == pytest.approx(4.6, abs=0.05)
    # The fetched features are kept as the job's GeoJSON, as an upload would be.
    assert job.original_name == "pdok-wijken-en-buurten-2024-GM0453.geojson"


def test_fetching_again_changes_nothing(world, media):
    fetch_now(world, Replay())
    job = fetch_now(world, Replay())

    assert (job.created, job.changed, job.unchanged) == (0, 0, 4)


def test_a_dry_run_stores_nothing(world, media):
    job = fetch_now(world, Replay(), dry_run=True)

    assert job.status == DONE and job.dry_run and job.created == 4
    assert codes() == []


@pytest.mark.parametrize(
    "pages, message",
    [
        ({"buurten_next": "buurten_GM0453_page2_cut.json"}, "onvolledig"),
        ({"buurten": "buurten_GM0453_short.json"}, "aangekondigd, ontvangen 2"),
        ({"wijken": urllib.error.URLError("Name or service not known")}, "PDOK is niet bereikbaar"),
        ({"buurten": ConnectionResetError("reset by peer")}, "PDOK is niet bereikbaar"),
        ({"buurten": "buurten_GM0453_renamed.json"}, "buurtcode ontbreekt"),
    ],
    ids=["cut-off JSON", "fewer than numberMatched", "unreachable", "connection reset", "changed shape"],
)
def test_a_failed_fetch_changes_nothing(world, media, pages, message):
    assert fetch_now(world, Replay()).status == DONE
    before = list(Area.objects.filter(year=2024).order_by("code").values_list("code", "name", "version"))

    job = fetch_now(world, Replay(**pages))

    assert job.status == FAILED
    assert message in job.errors[0]["message"]
    assert "niets opgeslagen" in job.errors[0]["message"]
    assert (
        list(Area.objects.filter(year=2024).order_by("code").values_list("code", "name", "version")) == before
    )


def test_a_cut_off_first_fetch_stores_nothing(world, media):
    job = fetch_now(world, Replay(buurten_next="buurten_GM0453_page2_cut.json"))

    assert job.status == FAILED
    assert codes() == []


def test_the_command_fetches_and_reports(world, media, monkeypatch, capsys):
    monkeypatch.setattr(fetching, "default_fetch", Replay())

    call_command("fetch_boundaries", "--year", "2024", "--gemeente", "GM0453")

    out = capsys.readouterr().out
    assert "nieuw: 4, gewijzigd: 0, ongewijzigd: 0" in out
    assert codes() == CODES


def test_the_command_fails_without_storing(world, media, monkeypatch, capsys):
    monkeypatch.setattr(fetching, "default_fetch", Replay(gemeenten=TimeoutError("timed out")))

    with pytest.raises(CommandError):
        call_command("fetch_boundaries", "--year", "2024", "--gemeente", "GM0453", "--dry-run")

    assert "niet bereikbaar" in capsys.readouterr().out
    assert codes() == []


def test_queued_fetch_runs_as_a_job(world, media, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(fetching, "default_fetch", Replay())

    with django_capture_on_commit_callbacks(execute=True):
        job = boundary_fetch_start(actor=world.platform_admin, year=2024, gemeenten=["gm0453"])

    job.refresh_from_db()
    assert job.status == DONE and job.created == 4


def test_only_platform_admins_fetch(world, media):
    with pytest.raises(PermissionDenied):
        boundary_fetch_start(actor=world.org_admin, year=2024, gemeenten=["GM0453"])
    assert not BoundaryImport.objects.exists()


@pytest.mark.parametrize("year, gemeenten", [(2024, ["Velsen"]), (1999, []), (2099, [])])
def test_bad_requests_are_refused_before_a_job(world, media, year, gemeenten):
    with pytest.raises(ValidationError):
        boundary_fetch_start(actor=world.platform_admin, year=year, gemeenten=gemeenten)
    assert not BoundaryImport.objects.exists()


def test_fetch_page_starts_a_job_and_shows_it(
    client, world, media, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(fetching, "default_fetch", Replay())
    client.force_login(world.platform_admin)
    assert reverse("areas:fetch") in client.get(reverse("areas:import")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("areas:fetch"), {"year": "2024", "gemeenten": "GM0453"})

    job = BoundaryImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "areas:import-detail", args=[job.pk]
    )
    assert job.status == DONE and codes() == CODES
    assert "pdok-wijken-en-buurten-2024-GM0453.geojson" in client.get(response["Location"]).content.decode()


def test_fetch_page_shows_a_bad_year_on_the_form(client, world, media):
    client.force_login(world.platform_admin)

    response = client.post(reverse("areas:fetch"), {"year": "2099", "gemeenten": ""})

    assert response.status_code == 200
    assert "Kies een jaar van 2000 tot en met" in response.content.decode()
    assert not BoundaryImport.objects.exists()


def test_a_year_pdok_does_not_publish_is_named(world, media):
    job = fetch_now(world, Replay(gemeenten=urllib.error.HTTPError("u", 404, "Not Found", {}, None)))

    assert job.status == FAILED
    assert "PDOK antwoordde met foutcode 404" in job.errors[0]["message"]
    assert "controleer het jaar" in job.errors[0]["message"]
