"""The Leefbaarometer 3.0 as it is published: the long tables per level with or without
classes, the WFS score layers saved as GeoJSON or CSV, several years in one file (merge
and replace per year), the year asked for or taken from the file, bad input, and the
continuous legend of scores without classes.

The files are made here in the published layouts (small, for the test gemeente Velsen);
the numbers are of the size the Leefbaarometer publishes (lbm around 4, deviations of a
few tenths)."""

import json
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from areas.models import Area, AreaKind
from areas.tests.helpers import make_area, small_gemeente
from scores import catalogue
from scores.api import geojson
from scores.models import Indicator, IndicatorValue, Score, ScoreImport, ScoreModel, SourceKind
from scores.selectors import maps
from scores.services.compute import scores_recompute
from scores.services.imports import score_import_file
from scores.tests.helpers import install_catalogue, put_values

DONE, FAILED = ScoreImport.Status.DONE, ScoreImport.Status.FAILED
CHECK, MERGE, REPLACE = ScoreImport.Mode.CHECK, ScoreImport.Mode.MERGE, ScoreImport.Mode.REPLACE
LBM = SourceKind.LEEFBAAROMETER


@pytest.fixture
def setup(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    for year in (2018, 2020, 2022):
        small_gemeente(year=year)
    # A buurt of the 2021 indeling only: another vintage than the file's years.
    make_area(year=2021, kind=AreaKind.BUURT, code="BU04530200", name="Oude buurt", gemeente_code="GM0453")
    world.objects["lbm"] = install_catalogue()[LBM]
    return world


@pytest.fixture(autouse=True)
def recompute():
    with mock.patch("scores.tasks.scores_recompute.delay") as delay:
        yield delay


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(world, path, *, year=None, mode=CHECK, dry_run=False):
    return score_import_file(
        actor=world.platform_admin, path=path, source=world.lbm, year=year, mode=mode, dry_run=dry_run
    )


def stored(source, year):
    return {
        (code, key): value
        for code, key, value in IndicatorValue.objects.filter(
            indicator__source=source, year=year
        ).values_list("area__code", "indicator__key", "value")
    }


def published(year):
    return {
        code: (value, score_class)
        for code, value, score_class in Score.objects.filter(
            model__key=catalogue.LEEFBAAROMETER_MODEL.key, year=year, is_aggregated=False
        ).values_list("area__code", "value", "score_class")
    }


# The open data table per buurt, without class columns, in the Leefbaarometer's own order.
LONG_WITHOUT_CLASSES = (
    "bu_code;jaar;lbm;afw;fys;onv;soc;vrz;won\n"
    "BU04530000;2022;3,912;-0,2;-0,05;-0,08;-0,04;0,01;-0,04\n"
    "BU04530001;2022;4,112;0;0,01;0;-0,01;0,01;-0,01\n"
    "BU04530100;2022;4,212;0,2;0,06;0,05;0,03;0,02;0,04\n"
)


def test_long_table_without_classes_stores_the_score_lbm_and_scores_without_a_class(setup, tmp_path):
    job = run(setup, write(tmp_path, "lbm_buurt_2022.csv", LONG_WITHOUT_CLASSES))
    assert job.status == DONE, job.errors
    assert job.year is None and job.years == [2022] and job.years_label == "2022"
    # 3 buurten × (lbm + 6 deviations) = 21 values; 3 published scores.
    assert (job.rows_read, job.values_written, job.scores_written) == (3, 21, 3)
    values = stored(setup.lbm, 2022)
    assert values[("BU04530000", "lbm")] == 3.912 and values[("BU04530100", "lbm_won")] == 0.04
    # The total deviation is the model's score; there is no class.
    assert published(2022) == {
        "BU04530000": (-0.2, None),
        "BU04530001": (0.0, None),
        "BU04530100": (0.2, None),
    }
    lbm = Indicator.objects.get(source=setup.lbm, key="lbm")
    assert lbm.name == "Leefbaarheid (score)" and "absolute leefbaarheidsscore" in lbm.description
    assert lbm.direction == "hoger-beter"
    messages = " ".join(w["message"] for w in job.warnings)
    assert "geen klassen (kscore)" in messages and "doorlopende schaal" in messages
    assert "niet ingelezen" not in messages


def test_long_table_with_classes_keeps_lbm(setup, tmp_path):
    text = (
        "gm_code;jaar;lbm;afw;fys;onv;soc;vrz;won;kscore;kafw;kfys;konv;ksoc;kvrz;kwon\n"
        "GM0453;2022;4,132;0,02;0,01;0;0;0,01;0;6;6;5;5;5;6;5\n"
    )
    job = run(setup, write(tmp_path, "lbm_gemeente_2022.csv", text))
    assert job.status == DONE, job.errors
    # lbm + 6 deviations + 6 dimension classes = 13 values; the class goes to the score.
    assert job.values_written == 13
    assert stored(setup.lbm, 2022)[("GM0453", "lbm")] == 4.132
    assert stored(setup.lbm, 2022)[("GM0453", "lbm_kfys")] == 5
    assert published(2022) == {"GM0453": (0.02, 6)}
    assert job.warnings == []


def _feature(code, name, year, props, geometry=True):
    shape = {"type": "Polygon", "coordinates": [[[4.6, 52.45], [4.62, 52.45], [4.62, 52.47], [4.6, 52.45]]]}
    return {
        "type": "Feature",
        "id": f"buurtscore24.{code}",
        "geometry": shape if geometry else None,
        "properties": {"id": code, "name": name, "gemeente": "Velsen", "year": year, **props},
    }


WFS_FIELDS = (
    "kscore",
    "kafw",
    "kfys",
    "konv",
    "ksoc",
    "kvrz",
    "kwon",
    "lbm",
    "afw",
    "fys",
    "onv",
    "soc",
    "vrz",
    "won",
)
WFS_ROWS = (
    ("BU04530000", "Dorpskern", (4, 4, 5, 3, 4, 5, 4, 3.952, -0.082, 0.012, -0.052, -0.042, 0.031, -0.021)),
    ("BU04530001", "Zeeheldenbuurt", (7, 7, 6, 6, 6, 5, 6, 4.098, 0.064, 0.021, 0.014, 0.014, 0.003, 0.012)),
)


def test_wfs_layer_saved_as_geojson(setup, tmp_path):
    collection = {
        "type": "FeatureCollection",
        "name": "buurtscore24",
        "features": [
            _feature(code, name, 2022, dict(zip(WFS_FIELDS, numbers, strict=True)), geometry=i == 0)
            for i, (code, name, numbers) in enumerate(WFS_ROWS)
        ],
    }
    path = write(tmp_path, "buurtscore24.geojson", json.dumps(collection))
    job = run(setup, path)
    assert job.status == DONE, job.errors
    # 2 buurten × (lbm + 6 deviations + 6 dimension classes) = 26 values.
    assert (job.rows_read, job.values_written, job.scores_written) == (2, 26, 2)
    assert published(2022) == {"BU04530000": (-0.082, 4), "BU04530001": (0.064, 7)}
    assert stored(setup.lbm, 2022)[("BU04530001", "lbm")] == 4.098
    # id is the code; name and gemeente are read as what they are, not reported.
    assert job.warnings == []


def test_wfs_layer_saved_as_csv(setup, tmp_path):
    header = ",".join(("id", "name", "gemeente", "year", *WFS_FIELDS))
    lines = [
        ",".join((code, name, "Velsen", "2022", *(str(n) for n in numbers)))
        for code, name, numbers in WFS_ROWS
    ]
    job = run(setup, write(tmp_path, "buurtscore24.csv", "\n".join([header, *lines]) + "\n"))
    assert job.status == DONE, job.errors
    assert job.values_written == 26
    assert published(2022) == {"BU04530000": (-0.082, 4), "BU04530001": (0.064, 7)}
    assert stored(setup.lbm, 2022)[("BU04530000", "lbm_onv")] == -0.052


# Several years in one file: lbm and afw per buurt (2 values and a score per row).
MULTI_YEAR = (
    "bu_code;jaar;lbm;afw\n"
    "BU04530000;2020;3,95;-0,10\n"
    "BU04530001;2020;4,05;0,00\n"
    "BU04530100;2020;4,15;0,10\n"
    "BU04530000;2022;3,97;-0,08\n"
    "BU04530001;2022;4,07;0,02\n"
    "BU04530100;2022;4,17;0,12\n"
    "BU04530101;2022;4,27;0,22\n"
)
PARTIAL = "bu_code;jaar;lbm;afw\nBU04530000;2020;3,90;-0,15\nBU04530000;2022;3,91;-0,14\nBU04530001;2022;4,00;-0,05\n"


def test_several_years_in_one_file_merge_and_replace_per_year(setup, tmp_path):
    # 2018 comes from a file of its own and is not in the later files: never touched.
    older = run(setup, write(tmp_path, "lbm2018.csv", "bu_code;jaar;lbm;afw\nBU04530002;2018;4,01;0,01\n"))
    assert older.status == DONE
    job = run(setup, write(tmp_path, "lbm_2020_2022.csv", MULTI_YEAR))
    assert job.status == DONE, job.errors
    assert job.years == [2020, 2022] and job.years_label == "2020, 2022"
    # 2020: 3 buurten × 2 values; 2022: 4 buurten × 2 values.
    assert job.per_year == [
        {"year": 2020, "areas": 3, "values": 6, "scores": 3, "areas_removed": 0},
        {"year": 2022, "areas": 4, "values": 8, "scores": 4, "areas_removed": 0},
    ]
    assert (job.values_written, job.scores_written) == (14, 7)
    assert len(stored(setup.lbm, 2020)) == 6 and len(stored(setup.lbm, 2022)) == 8

    partial = write(tmp_path, "lbm_partial.csv", PARTIAL)
    # Without a choice: 2020 keeps 3 - 1 = 2 areas outside the file, 2022 4 - 2 = 2; nothing written.
    refused = run(setup, partial)
    assert refused.status == FAILED and refused.areas_removed == 4
    message = refused.errors[0]["message"]
    assert (
        "2020: 2 gebieden buiten het bestand, 1 erin; 2022: 2 gebieden buiten het bestand, 2 erin" in message
    )
    assert "--merge" in message
    assert [(y["year"], y["areas_removed"]) for y in refused.per_year] == [(2020, 2), (2022, 2)]
    assert len(stored(setup.lbm, 2020)) == 6 and len(stored(setup.lbm, 2022)) == 8

    # The dry run of replace counts per year what would go, and writes nothing.
    preview = run(setup, partial, mode=REPLACE, dry_run=True)
    assert preview.status == DONE and preview.areas_removed == 4
    assert [(y["year"], y["areas_removed"]) for y in preview.per_year] == [(2020, 2), (2022, 2)]
    warnings = [w["message"] for w in preview.warnings]
    assert any("2 gebieden die niet in het bestand staan, zouden hun waarden van 2020" in w for w in warnings)
    assert any("2 gebieden die niet in het bestand staan, zouden hun waarden van 2022" in w for w in warnings)
    assert len(stored(setup.lbm, 2020)) == 6

    # Merge: the areas in the file get their new values, the rest keep theirs.
    merged = run(setup, partial, mode=MERGE)
    assert merged.status == DONE and merged.areas_removed == 0
    assert len(stored(setup.lbm, 2020)) == 6 and len(stored(setup.lbm, 2022)) == 8
    assert stored(setup.lbm, 2020)[("BU04530000", "lbm")] == 3.9
    assert stored(setup.lbm, 2020)[("BU04530100", "lbm")] == 4.15
    assert published(2022)["BU04530001"] == (-0.05, None) and published(2022)["BU04530101"] == (0.22, None)

    # Replace: the file is the whole truth for 2020 and 2022: 1 × 2 = 2 and 2 × 2 = 4 values.
    replaced = run(setup, partial, mode=REPLACE)
    assert replaced.status == DONE and replaced.areas_removed == 4
    assert stored(setup.lbm, 2020) == {("BU04530000", "lbm"): 3.9, ("BU04530000", "lbm_afw"): -0.15}
    assert set(stored(setup.lbm, 2022)) == {
        ("BU04530000", "lbm"),
        ("BU04530000", "lbm_afw"),
        ("BU04530001", "lbm"),
        ("BU04530001", "lbm_afw"),
    }
    assert published(2020) == {"BU04530000": (-0.15, None)}
    assert set(published(2022)) == {"BU04530000", "BU04530001"}
    # 2018 is not in the file: untouched.
    assert stored(setup.lbm, 2018) == {("BU04530002", "lbm"): 4.01, ("BU04530002", "lbm_afw"): 0.01}
    assert published(2018) == {"BU04530002": (0.01, None)}


def test_a_multi_year_import_recomputes_from_its_first_year(
    setup, tmp_path, recompute, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = run(setup, write(tmp_path, "lbm.csv", MULTI_YEAR))
    assert job.status == DONE
    recompute.assert_called_once_with(years=[2020, 2022], model_ids=None)


def test_the_year_is_asked_only_when_the_file_has_none(setup, tmp_path, capsys):
    path = str(write(tmp_path, "lbm_2020_2022.csv", MULTI_YEAR))
    # Without --year: every year in the file.
    call_command("import_indicators", path, "--source", "leefbaarometer")
    out = capsys.readouterr().out
    assert "jaar 2020, 2022: klaar" in out and "2020: 3 gebieden, 6 waarden" in out
    IndicatorValue.objects.all().delete()
    Score.objects.all().delete()
    # With --year and a year column: only that year, the others skipped and reported.
    call_command("import_indicators", path, "--source", "leefbaarometer", "--year", "2022", "--replace")
    out = capsys.readouterr().out
    assert "jaar 2022: klaar" in out and "overgeslagen: 3" in out
    assert "3 rijen van andere jaren dan 2022 zijn overgeslagen" in out
    assert not IndicatorValue.objects.filter(year=2020).exists()
    assert len(stored(setup.lbm, 2022)) == 8
    # Without a year column the year is needed: given, the rows are of that year.
    no_year = str(write(tmp_path, "lbm_zonder_jaar.csv", "bu_code;lbm;afw\nBU04530002;4,02;0,02\n"))
    with pytest.raises(CommandError, match="mislukt"):
        call_command("import_indicators", no_year, "--source", "leefbaarometer")
    assert "geen kolom jaar (of year), en er is geen jaar opgegeven" in capsys.readouterr().out
    call_command("import_indicators", no_year, "--source", "leefbaarometer", "--year", "2020", "--merge")
    assert stored(setup.lbm, 2020) == {("BU04530002", "lbm"): 4.02, ("BU04530002", "lbm_afw"): 0.02}
    # CBS kerncijfers carry no year: refused before anything is read.
    kwb = str(write(tmp_path, "kwb.csv", "gwb_code_10;a_inw\nGM0453;68930\n"))
    with pytest.raises(CommandError, match="geen jaarkolom"):
        call_command("import_indicators", kwb, "--source", "cbs-kwb")


def test_the_upload_form_takes_every_year_of_the_file(setup, client, django_capture_on_commit_callbacks):
    client.force_login(setup.platform_admin)
    data = {
        "source": setup.lbm.pk,
        "file_format": LBM,
        "year": "",
        "mode": REPLACE,
        "dry_run": "on",
        "file": SimpleUploadedFile("lbm.csv", MULTI_YEAR.encode(), "text/csv"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("scores:import-create"), data)
    job = ScoreImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "scores:import-detail", args=[job.pk]
    )
    assert job.year is None and job.status == DONE
    page = client.get(reverse("scores:import-detail", args=[job.pk])).content.decode()
    assert "Import van lbm.csv (2020, 2022)" in page
    assert 'data-testid="import-per-year"' in page and 'data-testid="areas-removed-2022"' in page
    # A KWB file needs the year: the form says so and nothing is stored.
    data.update(file_format=SourceKind.CBS_KWB, file=SimpleUploadedFile("kwb.csv", b"gwb_code_10;a_inw\n"))
    data["source"] = install_catalogue()[SourceKind.CBS_KWB].pk
    response = client.post(reverse("scores:import-create"), data)
    assert response.status_code == 200 and "geen jaarkolom" in response.content.decode()
    assert ScoreImport.objects.count() == 1


@pytest.mark.parametrize(
    "text, expected",
    [
        # No recognisable code column.
        ("buurt;jaar;lbm\nDorpskern;2022;4,1\n", ["Verplichte kolommen ontbreken: bu_code / wk_code"]),
        # A postcode and a province: not a level Wijkkoers reads.
        (
            "gwb_code;jaar;lbm;afw\nBU04530000;2022;4,1;0,1\n1971;2022;4,0;0,0\nPV27;2022;4,0;0,0\n",
            ["rij 3 1971: Onbekend niveau", "rij 4 PV27: Onbekend niveau"],
        ),
        # A buurt of the 2021 indeling in a row of 2022.
        (
            "bu_code;jaar;lbm;afw\nBU04530000;2022;4,1;0,1\nBU04530200;2022;4,0;0,0\n",
            ["rij 3 BU04530200: Deze code hoort bij de indeling van 2021, niet bij die van 2022"],
        ),
        # A year without boundaries, and a year that is no year.
        (
            "bu_code;jaar;lbm;afw\nBU04530000;2022;4,1;0,1\nBU04530000;2016;4,0;0,0\n",
            ["bestand: Er zijn nog geen grenzen van 2016"],
        ),
        ("bu_code;jaar;lbm;afw\nBU04530000;22;4,1;0,1\n", ["rij 2 BU04530000: Het jaar 22 is geen jaartal"]),
        # No values Wijkkoers knows.
        ("bu_code;jaar;naam\nBU04530000;2022;Dorpskern\n", ["geen kolommen met Leefbaarometercijfers"]),
    ],
)
def test_bad_input_gets_a_row_report_and_writes_nothing(setup, tmp_path, text, expected):
    job = run(setup, write(tmp_path, "lbm.csv", text), mode=MERGE)
    assert job.status == FAILED
    report = [
        f"{'rij ' + str(e['row']) if e['row'] else 'bestand'}{' ' + e['code'] if e['code'] else ''}: {e['message']}"
        for e in job.errors
    ]
    for part in expected:
        assert any(line.startswith(part) or part in line for line in report), report
    assert not IndicatorValue.objects.exists() and not Score.objects.exists()


def test_a_geojson_that_is_no_feature_collection_is_refused(setup, tmp_path):
    job = run(setup, write(tmp_path, "laag.geojson", json.dumps({"type": "Feature", "properties": {}})))
    assert job.status == FAILED and "geen GeoJSON-FeatureCollection" in job.errors[0]["message"]
    job = run(setup, write(tmp_path, "laag.geojson", "{niet af"))
    assert job.status == FAILED and "geen leesbare GeoJSON" in job.errors[0]["message"]


# --- the continuous legend ------------------------------------------------------------------


def test_scores_without_classes_are_shown_on_a_continuous_scale(setup, tmp_path, client):
    text = (
        "bu_code;jaar;lbm;afw\n"
        "BU04530000;2022;3,9;-0,2\n"
        "BU04530001;2022;4,1;0\n"
        "BU04530002;2022;4,2;0,1\n"
        "BU04530100;2022;4,3;0,2\n"
    )
    assert run(setup, write(tmp_path, "lbm.csv", text)).status == DONE
    areas = {a.code: a for a in Area.objects.filter(year=2022)}
    # Inhabitants weight the wijk: WK045300 = (-0.2 × 100 + 0 × 300 + 0.1 × 100) / 500 = -0.02.
    put_values({"a_inw": {areas["BU04530000"]: 100, areas["BU04530001"]: 300, areas["BU04530002"]: 100}})
    scores_recompute(years=[2022])
    model = ScoreModel.objects.get(key=catalogue.LEEFBAAROMETER_MODEL.key)
    wijk = Score.objects.get(model=model, area__code="WK045300")
    assert wijk.is_aggregated and wijk.value == pytest.approx(-0.02) and wijk.score_class is None

    table = maps.score_table(
        user=setup.partner_reader, model=model, year=2022, level="buurt", gemeente="GM0453"
    )
    assert table.scale is not None and (table.scale.low, table.scale.high) == (-0.2, 0.2)
    colors = {row.code: row.color for row in table.rows}
    # From -0.2 (the ramp's first colour) to 0.2 (its last): 0 is halfway, the 5th of 9
    # colours; 0.1 is three quarters, the 7th.
    assert colors["BU04530000"] == catalogue.RAMP_9[0] == "#a50026"
    assert colors["BU04530001"] == catalogue.RAMP_9[4] == "#fee08b"
    assert colors["BU04530002"] == catalogue.RAMP_9[6] == "#a6d96a"
    assert colors["BU04530100"] == catalogue.RAMP_9[8] == "#1a9850"
    # BU04530101 has no score; the water buurt is not on the map.
    assert colors["BU04530101"] == maps.NO_DATA_COLOR
    assert [(e.label, e.count) for e in table.legend] == [("geen gegevens", 1)]

    client.force_login(setup.partner_reader)
    url = reverse("scores:map") + "?kaart=model:leefbaarometer&jaar=2022&niveau=buurt&gemeente=GM0453"
    page = client.get(url).content.decode()
    assert "Geen klassen in het bestand: doorlopende schaal" in page
    assert "data-continuous" in page and "data-scale-bar" in page
    assert "Van −0,20 (rood, laagste score) tot 0,20 (groen, hoogste score); 4 gebieden." in page

    geojson.clear_memory()
    body = client.get(
        f"{reverse('score-geojson')}?model=leefbaarometer&year=2022&level=buurt&gemeente=GM0453",
        HTTP_ACCEPT_ENCODING="",
    )
    assert body.status_code == 200
    features = {f["properties"]["code"]: f["properties"] for f in json.loads(_content(body))["features"]}
    # BU04530002 has no shape, so it is in the table only.
    assert "BU04530002" not in features
    assert features["BU04530001"]["color"] == "#fee08b" and features["BU04530001"]["class"] is None


def test_a_score_between_two_ramp_colours_gets_their_mix():
    scale = maps.ContinuousScale(0.0, 8.0, ["#000000", "#ffffff"], 1, "")
    # Halfway between black and white: 128 = round(255 / 2) per channel.
    assert scale.color(4.0) == "#808080"
    assert scale.color(-1.0) == "#000000" and scale.color(9.0) == "#ffffff"


def test_a_mix_of_classed_and_unclassed_scores_is_shown_on_the_scale_with_a_note(setup, tmp_path):
    text = "bu_code;jaar;afw;kscore\nBU04530000;2022;-0,1;4\nBU04530001;2022;0,1;\n"
    assert run(setup, write(tmp_path, "lbm.csv", text)).status == DONE
    model = ScoreModel.objects.get(key=catalogue.LEEFBAAROMETER_MODEL.key)
    table = maps.score_table(
        user=setup.partner_reader, model=model, year=2022, level="buurt", gemeente="GM0453"
    )
    assert table.scale.note == "Niet elk gebied heeft een klasse in het bestand: doorlopende schaal"
    rows = {row.code: row for row in table.rows}
    assert rows["BU04530000"].label == "zwak" and rows["BU04530000"].color == catalogue.RAMP_9[0]
    assert rows["BU04530001"].label == "geen klasse" and rows["BU04530001"].color == catalogue.RAMP_9[-1]


def _content(response):
    import gzip

    data = b"".join(response.streaming_content) if response.streaming else response.content
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


@pytest.mark.parametrize(
    "year, per_year, label",
    [
        (2022, [], "2022"),
        (None, [], "jaren uit het bestand"),
        (None, [{"year": 2022}], "2022"),
        (None, [{"year": 2020}, {"year": 2021}, {"year": 2022}], "2020–2022"),
        (None, [{"year": 2018}, {"year": 2020}, {"year": 2022}], "2018, 2020, 2022"),
        (None, [{"year": 2020}, {"year": 2021}], "2020, 2021"),
    ],
)
def test_the_years_of_an_import_as_a_person_reads_them(year, per_year, label):
    assert ScoreImport(year=year, per_year=per_year).years_label == label
