"""Fetching the CBS kerncijfers from CBS StatLine, replayed from recorded answers in
``fixtures/cbs`` (Velsen, table 85984NED of 2024): the same pipeline as a file, paging,
a dry run, and every way the service can fail leaving the stored figures as they were."""

import json
import urllib.error
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from areas.models import AreaKind
from areas.tests.helpers import make_area
from core import fetching
from scores import statline
from scores.models import IndicatorValue, ScoreImport, SourceKind
from scores.services.fetch import cbs_fetch_now, cbs_fetch_start
from scores.tests.helpers import install_catalogue

FIXTURES = Path(__file__).parent / "fixtures" / "cbs"
DONE, FAILED = ScoreImport.Status.DONE, ScoreImport.Status.FAILED


class Replay:
    """A fetch function answering from the recorded files; ``pages`` overrides the file
    per request kind. It keeps the URLs asked for."""

    def __init__(self, **pages):
        self.files = {
            "properties": "dataproperties_85984NED.json",
            "page1": "typeddataset_GM0453_page1.json",
            "page2": "typeddataset_GM0453_page2.json",
            **pages,
        }
        self.urls = []

    def __call__(self, url):
        self.urls.append(url)
        if "DataProperties" in url:
            kind = "properties"
        elif "skiptoken" in url:
            kind = "page2"
        else:
            kind = "page1"
        answer = self.files[kind]
        if isinstance(answer, Exception):
            raise answer
        return (FIXTURES / answer).read_bytes()


@pytest.fixture
def velsen_2024(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    gemeente = make_area(year=2024, kind=AreaKind.GEMEENTE, code="GM0453", name="Velsen")
    wijk = make_area(year=2024, kind=AreaKind.WIJK, code="WK045301", name="IJmuiden-Noord", parent=gemeente)
    for code, name in (("BU04530100", "Lagersbuurt"), ("BU04530101", "Heidebuurt")):
        make_area(year=2024, kind=AreaKind.BUURT, code=code, name=name, parent=wijk)
    world.objects["kwb"] = install_catalogue()[SourceKind.CBS_KWB]
    return world


def stored(key, code):
    row = IndicatorValue.objects.filter(indicator__key=key, area__code=code, year=2024).first()
    return row.value if row else None


def fetch_now(world, replay, **kwargs):
    kwargs.setdefault("gemeenten", ["GM0453"])
    return cbs_fetch_now(actor=world.platform_admin, year=2024, fetch=replay, **kwargs)


def test_fetch_imports_the_mapped_columns_of_both_pages(velsen_2024):
    replay = Replay()
    job = fetch_now(velsen_2024, replay)

    assert job.status == DONE, job.errors
    # Four regions on two pages (the second through odata.nextLink).
    assert job.rows_read == 4
    assert sum("skiptoken" in url for url in replay.urls) == 1
    # Four mapped columns (a_inw, g_wozbag, p_koopw, p_wcorpw) × 4 rows = 16, minus the
    # one value StatLine leaves empty (p_wcorpw of the Lagersbuurt) = 15.
    assert job.values_written == 15
    assert IndicatorValue.objects.filter(year=2024).count() == 15
    assert stored("a_inw", "BU04530100") == 1540
    assert stored("g_wozbag", "BU04530101") == 244.5
    assert stored("p_wcorpw", "WK045301") == 55.2
    assert stored("p_wcorpw", "BU04530100") is None
    # Mannen_6 has no KWB column in Wijkkoers: reported, not guessed.
    assert "Mannen_6" in job.warnings[0]["message"]
    # The fetched table is kept as the job's file, as an upload would be.
    assert job.original_name == "cbs-85984NED-2024-GM0453.csv"
    lines = job.file.read().decode().splitlines()
    assert lines[:2] == [
        "gwb_code_10;recs;a_inw;g_wozbag;p_koopw;p_wcorpw",
        "GM0453;Gemeente;69310;388;57.4;32.1",
    ]
    # The empty value of the Lagersbuurt is written as the KWB files write it: a point.
    assert lines[3] == "BU04530100;Buurt;1540;231;22;."


def test_the_region_filter_asks_for_the_gemeente_its_wijken_and_buurten(velsen_2024):
    replay = Replay()
    fetch_now(velsen_2024, replay)

    first = next(url for url in replay.urls if "TypedDataSet" in url)
    assert first.startswith("https://opendata.cbs.nl/ODataApi/odata/85984NED/TypedDataSet?")
    for prefix in ("GM0453", "WK0453", "BU0453"):
        assert f"startswith(WijkenEnBuurten,'{prefix}')" in first.replace("%20", " ")
    assert "AantalInwoners_5" in first and "Mannen_6" not in first


def test_a_dry_run_stores_nothing(velsen_2024):
    job = fetch_now(velsen_2024, Replay(), dry_run=True)

    assert job.status == DONE and job.dry_run
    assert job.values_written == 15
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    "pages, message",
    [
        ({"page2": "typeddataset_GM0453_page2_cut.json"}, "onvolledig"),
        ({"page1": "typeddataset_GM0453_short.json"}, "Aangekondigd waren 4 rijen, ontvangen 2"),
        ({"page1": urllib.error.URLError("Name or service not known")}, "niet bereikbaar"),
        ({"page2": TimeoutError("timed out")}, "niet bereikbaar"),
        ({"page1": urllib.error.HTTPError("u", 503, "Service Unavailable", {}, None)}, "foutcode 503"),
    ],
    ids=["cut-off JSON", "fewer rows than announced", "unreachable", "timeout", "server error"],
)
def test_a_failed_fetch_changes_nothing(velsen_2024, pages, message):
    first = fetch_now(velsen_2024, Replay(), mode=ScoreImport.Mode.MERGE)
    assert first.status == DONE
    before = sorted(IndicatorValue.objects.values_list("indicator__key", "area__code", "value"))

    job = fetch_now(velsen_2024, Replay(**pages), mode=ScoreImport.Mode.REPLACE)

    assert job.status == FAILED
    assert message in job.errors[0]["message"]
    assert "niets opgeslagen" in job.errors[0]["message"]
    assert sorted(IndicatorValue.objects.values_list("indicator__key", "area__code", "value")) == before


def test_a_changed_shape_is_named(velsen_2024, tmp_path):
    properties = json.loads((FIXTURES / "dataproperties_85984NED.json").read_text())
    properties["value"] = [p for p in properties["value"] if not p["Key"].startswith("Codering")]
    changed = tmp_path / "properties.json"
    changed.write_text(json.dumps(properties))
    replay = Replay()
    replay.files["properties"] = str(changed)  # an absolute path wins over FIXTURES

    job = fetch_now(velsen_2024, replay)

    assert job.status == FAILED
    assert "andere vorm" in job.errors[0]["message"] and "Codering" in job.errors[0]["message"]
    assert not IndicatorValue.objects.exists()


def test_the_command_reports_and_fails_without_storing(velsen_2024, monkeypatch, capsys):
    monkeypatch.setattr(fetching, "default_fetch", Replay(page1=urllib.error.URLError("refused")))

    with pytest.raises(CommandError):
        call_command("fetch_cbs", "--year", "2024", "--gemeente", "GM0453", "--merge")

    assert "CBS StatLine is niet bereikbaar" in capsys.readouterr().out
    assert not IndicatorValue.objects.exists()


def test_the_command_imports(velsen_2024, monkeypatch, capsys):
    monkeypatch.setattr(fetching, "default_fetch", Replay())

    call_command("fetch_cbs", "--year", "2024", "--gemeente", "0453", "--as", "platform@example.nl")

    assert "klaar" in capsys.readouterr().out
    assert stored("a_inw", "GM0453") == 69310


def test_queued_fetch_runs_as_a_job(velsen_2024, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(fetching, "default_fetch", Replay())

    with django_capture_on_commit_callbacks(execute=True):
        job = cbs_fetch_start(actor=velsen_2024.platform_admin, year=2024, gemeenten=["GM0453"])

    job.refresh_from_db()
    assert job.status == DONE and job.values_written == 15


def test_only_platform_admins_fetch(velsen_2024):
    with pytest.raises(PermissionDenied):
        cbs_fetch_start(actor=velsen_2024.corp_editor, year=2024, gemeenten=["GM0453"])
    assert not ScoreImport.objects.exists()


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"year": 2024, "gemeenten": ["Velsen"]}, "gemeenten"),
        ({"year": 2019}, "year"),
        ({"year": 2031}, "year"),
    ],
)
def test_bad_requests_are_refused_before_a_job(velsen_2024, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        cbs_fetch_start(actor=velsen_2024.platform_admin, **kwargs)
    assert field in exc.value.message_dict
    assert not ScoreImport.objects.exists()


def test_columns_are_matched_without_their_position():
    assert statline.base_key("AantalInwoners_5") == "AantalInwoners"
    assert statline.base_key("k_40PersonenMetLaagsteInkomen_79") == "k_40PersonenMetLaagsteInkomen"
    # 1.234 could be read as 1234 with a thousands point: written with four decimals.
    assert [statline.number_text(v) for v in (None, 5.0, 12, 1.25, 1.234)] == [
        ".",
        "5",
        "12",
        "1.25",
        "1.2340",
    ]
