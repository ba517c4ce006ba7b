"""Importing indicator files into sources: writing, replacing, all-or-nothing, dry runs,
who may import where, the management command, and the recompute that follows."""

from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from areas.models import AreaKind
from areas.tests.helpers import make_area, small_gemeente
from scores import catalogue
from scores.models import Indicator, IndicatorValue, Score, ScoreImport, ScoreModel, Source, SourceKind
from scores.selectors.imports import score_import_list
from scores.services.imports import aedes_classes, score_import_file, score_import_start
from scores.tests.helpers import install_catalogue

FILES = Path(__file__).parent / "files"
DONE, FAILED = ScoreImport.Status.DONE, ScoreImport.Status.FAILED
CHECK, MERGE, REPLACE = ScoreImport.Mode.CHECK, ScoreImport.Mode.MERGE, ScoreImport.Mode.REPLACE


@pytest.fixture
def setup(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    small_gemeente(year=2022)
    # A buurt that only exists in the 2021 indeling.
    make_area(year=2021, kind=AreaKind.BUURT, code="BU04530200", name="Oude buurt", gemeente_code="GM0453")
    sources = install_catalogue()
    world.objects["kwb"] = sources[SourceKind.CBS_KWB]
    world.objects["lbm"] = sources[SourceKind.LEEFBAAROMETER]
    world.objects["aedes"] = Source.objects.create(
        name="Aedes veerkracht Velserduin",
        kind=SourceKind.AEDES_VEERKRACHT,
        is_licensed=True,
        owner_organisation=world.corporatie,
    )
    return world


@pytest.fixture
def recompute():
    with mock.patch("scores.tasks.scores_recompute.delay") as delay:
        yield delay


def run(
    world, name, *, source, actor=None, year=2022, file_format=None, dry_run=False, path=None, mode=CHECK
):
    return score_import_file(
        actor=actor or world.platform_admin,
        path=path or FILES / name,
        source=source,
        file_format=file_format,
        year=year,
        dry_run=dry_run,
        mode=mode,
    )


def values(source, year=2022):
    return {
        (code, key): value
        for code, key, value in IndicatorValue.objects.filter(
            indicator__source=source, year=year
        ).values_list("area__code", "indicator__key", "value")
    }


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_kwb_import_writes_every_level_and_queues_the_recompute(
    setup, recompute, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = run(setup, "kwb_2022_puntkomma_cp1252.csv", source=setup.kwb)
    assert job.status == DONE, job.errors
    stored = values(setup.kwb)
    assert stored[("GM0453", "a_inw")] == 68930
    assert stored[("WK045301", "p_hh_li")] == 6.2
    assert stored[("BU04530100", "p_hh_li")] == 4.75
    assert stored[("BU04539997", "a_inw")] == 0  # water buurten are stored like others
    assert ("BU04530001", "p_wcorpw") not in stored  # "." is no value
    assert job.values_written == len(stored) == 28
    assert (job.rows_read, job.rows_skipped, job.scores_written) == (10, 1, 0)
    assert any("a_man" in w["message"] for w in job.warnings)
    assert job.finished_at is not None and job.progress == 100
    recompute.assert_called_once_with(years=[2022], model_ids=None)


def test_reimport_with_replace_makes_the_file_the_years_truth_for_its_indicators(setup, recompute):
    assert run(setup, "kwb_2022_puntkomma_cp1252.csv", source=setup.kwb).status == DONE
    job = run(setup, "kwb_2022_komma_bom.csv", source=setup.kwb, mode=REPLACE)
    assert job.status == DONE
    # a_inw was stored for the 9 areas of the first file (the Nederland row skipped); the
    # second has 4 of them: 9 - 4 = 5 areas lose their a_inw.
    assert job.areas_removed == 5
    assert any("Vervangen: 5 gebieden" in w["message"] for w in job.warnings)
    stored = values(setup.kwb)
    # a_inw is in the second file: its 2022 values are now the second file's only.
    assert {code for (code, key) in stored if key == "a_inw"} == {
        "GM0453",
        "WK045300",
        "BU04530000",
        "BU04530100",
    }
    assert stored[("BU04530000", "a_inw")] == 1200
    # p_wcorpw is not in the second file: kept.
    assert stored[("GM0453", "p_wcorpw")] == 31
    assert stored[("WK045300", "p_koopw")] == 40.1


def test_a_file_for_one_gemeente_leaves_the_other_gemeenten_of_the_year(setup, recompute, tmp_path):
    make_area(year=2022, kind=AreaKind.GEMEENTE, code="GM0392", name="Haarlem", gemeente_code="GM0392")
    assert (
        run(
            setup,
            "",
            path=write(tmp_path, "haarlem.csv", "gwb_code_10;a_inw\nGM0392;160000\n"),
            source=setup.kwb,
        ).status
        == DONE
    )
    # Haarlem's a_inw is stored and the Velsen file leaves it out: without a choice the
    # import stops and names the 1 area.
    job = run(setup, "kwb_2022_komma_bom.csv", source=setup.kwb)
    assert job.status == FAILED and job.areas_removed == 1
    assert "ook waarden opgeslagen van 1 gebieden die niet in het bestand staan" in job.errors[0]["message"]
    assert run(setup, "kwb_2022_komma_bom.csv", source=setup.kwb, mode=MERGE).status == DONE
    stored = values(setup.kwb)
    assert stored[("GM0392", "a_inw")] == 160000
    assert stored[("BU04530000", "a_inw")] == 1200
    # A new file for Haarlem updates Haarlem only.
    assert (
        run(
            setup,
            "",
            path=write(tmp_path, "haarlem2.csv", "gwb_code_10;a_inw\nGM0392;161000\n"),
            source=setup.kwb,
            mode=MERGE,
        ).status
        == DONE
    )
    stored = values(setup.kwb)
    assert stored[("GM0392", "a_inw")] == 161000
    assert stored[("BU04530000", "a_inw")] == 1200


def test_an_error_anywhere_stores_nothing_and_keeps_the_earlier_import(setup, recompute, tmp_path):
    assert run(setup, "kwb_2022_komma_bom.csv", source=setup.kwb).status == DONE
    before = values(setup.kwb)
    recompute.reset_mock()
    path = write(
        tmp_path,
        "kwb.csv",
        "gwb_code_10;a_inw;p_wcorpw\nGM0453;1;1\nBU04530000;2;2\nBU04530200;3;3\nBU04539999;4;4\n",
    )
    job = run(setup, "", path=path, source=setup.kwb)
    assert job.status == FAILED
    assert values(setup.kwb) == before
    errors = [(e["row"], e["code"], e["message"]) for e in job.errors]
    assert errors[0][:2] == (4, "BU04530200") and "indeling van 2021, niet bij die van 2022" in errors[0][2]
    assert errors[1][:2] == (5, "BU04539999") and "Onbekende code" in errors[1][2]
    assert not Indicator.objects.filter(source=setup.kwb, key="p_wcorpw").filter(values__year=2022).exists()
    recompute.assert_not_called()


def test_a_number_that_reads_two_ways_stores_nothing(setup, recompute, tmp_path):
    assert run(setup, "kwb_2022_komma_bom.csv", source=setup.kwb).status == DONE
    before = values(setup.kwb)
    # Only whole numbers elsewhere, so 68.500 may be 68500 or 68,5.
    path = write(
        tmp_path,
        "kwb.csv",
        "gwb_code_10;regio;recs;a_inw;p_koopw\nGM0453;Velsen;Gemeente;68.500;52\nBU04530000;Dorpskern;Buurt;1200;30\n",
    )
    job = run(setup, "", path=path, source=setup.kwb)
    assert job.status == FAILED
    assert values(setup.kwb) == before
    assert [(e["row"], e["code"]) for e in job.errors] == [(2, "GM0453")]
    assert "Kolom a_inw: 68.500 kan 68500 betekenen" in job.errors[0]["message"]
    # With a decimal comma elsewhere in the file the same value is 68500 (a_inw) and
    # 52,5 is 52.5 (p_koopw).
    path = write(
        tmp_path,
        "kwb.csv",
        "gwb_code_10;regio;recs;a_inw;p_koopw\nGM0453;Velsen;Gemeente;68.500;52,5\nBU04530000;Dorpskern;Buurt;1200;30\n",
    )
    assert run(setup, "", path=path, source=setup.kwb, mode=MERGE).status == DONE
    stored = values(setup.kwb)
    assert stored[("GM0453", "a_inw")] == 68500.0 and stored[("GM0453", "p_koopw")] == 52.5


LBM_ONE_BUURT = (
    "bu_code;jaar;afw;fys;won;vrz;soc;onv;kscore\nBU04530000;2022;-0,07;0,01;-0,02;0,03;-0,04;-0,05;5\n"
)


def published_scores(source):
    return dict(
        Score.objects.filter(model__source=source, year=2022, is_aggregated=False).values_list(
            "area__code", "score_class"
        )
    )


def test_a_partial_file_needs_a_choice_and_never_wipes_silently(setup, recompute, tmp_path):
    assert run(setup, "leefbaarometer_2020_2022.csv", source=setup.lbm).status == DONE
    # 2022: BU04530000, BU04530001, BU04530100, WK045300 and GM0453, each with 6
    # deviations and 6 dimension classes: 5 × 12 = 60 values and 5 published scores.
    before = values(setup.lbm)
    assert len(before) == 60
    assert published_scores(setup.lbm) == {
        "BU04530000": 4,
        "BU04530001": 7,
        "BU04530100": 8,
        "WK045300": 5,
        "GM0453": 6,
    }
    path = write(tmp_path, "lbm.csv", LBM_ONE_BUURT)

    # No choice: 5 stored areas - 1 in the file = 4 would lose their values; nothing written.
    job = run(setup, "", path=path, source=setup.lbm)
    assert job.status == FAILED and job.areas_removed == 4
    assert "Het bestand bevat 1 gebieden" in job.errors[0]["message"]
    assert "van 4 gebieden die niet in het bestand staan" in job.errors[0]["message"]
    assert values(setup.lbm) == before

    # A dry run of replace shows the 4 and writes nothing.
    job = run(setup, "", path=path, source=setup.lbm, mode=REPLACE, dry_run=True)
    assert job.status == DONE and job.areas_removed == 4
    assert any("4 gebieden die niet in het bestand staan, zouden" in w["message"] for w in job.warnings)
    assert values(setup.lbm) == before

    # Merge: BU04530000 gets its new deviations and class, the other 4 areas keep theirs.
    job = run(setup, "", path=path, source=setup.lbm, mode=MERGE)
    assert job.status == DONE and job.areas_removed == 0
    assert any("Aanvullen: 4 gebieden" in w["message"] for w in job.warnings)
    merged = values(setup.lbm)
    assert len(merged) == 60  # 6 deviations of BU04530000 replaced by 6 new ones
    assert merged[("BU04530000", "lbm_afw")] == -0.07
    assert merged[("BU04530000", "lbm_kafw")] == 4.0  # not in the file: kept
    assert merged[("BU04530001", "lbm_afw")] == 0.064 and merged[("GM0453", "lbm_afw")] == 0.02
    assert published_scores(setup.lbm) == {
        "BU04530000": 5,
        "BU04530001": 7,
        "BU04530100": 8,
        "WK045300": 5,
        "GM0453": 6,
    }

    # Replace: the 4 other areas lose the file's 6 deviations and their scores:
    # 60 - 4 × 6 = 36 values left (the class columns are not in the file).
    job = run(setup, "", path=path, source=setup.lbm, mode=REPLACE)
    assert job.status == DONE and job.areas_removed == 4
    replaced = values(setup.lbm)
    assert len(replaced) == 36
    assert ("BU04530001", "lbm_afw") not in replaced and replaced[("BU04530001", "lbm_kafw")] == 7.0
    assert published_scores(setup.lbm) == {"BU04530000": 5}

    # Now the file covers every stored area: no choice needed.
    job = run(setup, "", path=path, source=setup.lbm)
    assert job.status == DONE and job.areas_removed == 0 and job.warnings == []


def test_unknown_mode_is_refused(setup):
    with pytest.raises(ValidationError):
        run(setup, "leefbaarometer_2020_2022.csv", source=setup.lbm, mode="alles")


def test_dry_run_reports_but_writes_nothing(setup, recompute, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = run(
            setup, "aedes_veerkracht_2022.csv", source=setup.aedes, actor=setup.corp_editor, dry_run=True
        )
    assert job.status == DONE and job.dry_run
    assert (job.values_written, job.scores_written) == (4, 5)
    assert not IndicatorValue.objects.exists() and not Score.objects.exists()
    assert not Indicator.objects.filter(source=setup.aedes).exists()
    assert not ScoreModel.objects.filter(source=setup.aedes).exists()
    assert any("aandeel_kwetsbaar" in w["message"] for w in job.warnings)
    recompute.assert_not_called()


def test_leefbaarometer_writes_values_and_published_scores(setup, recompute):
    job = run(setup, "leefbaarometer_2020_2022.csv", source=setup.lbm)
    assert job.status == DONE, job.errors
    assert (job.rows_skipped, job.values_written, job.scores_written) == (2, 60, 5)
    model = ScoreModel.objects.get(key="leefbaarometer")
    score = Score.objects.get(model=model, area__code="BU04530000", year=2022)
    assert (score.value, score.score_class, score.is_aggregated) == (-0.082, 4, False)
    assert Score.objects.get(model=model, area__code="GM0453").score_class == 6
    assert values(setup.lbm)[("BU04530100", "lbm_onv")] == 0.02
    assert values(setup.lbm)[("BU04530000", "lbm_kfys")] == 5


def test_aedes_import_creates_the_sources_model_with_the_files_class_names(setup, recompute, tmp_path):
    job = run(setup, "aedes_veerkracht_2022.csv", source=setup.aedes, actor=setup.corp_editor)
    assert job.status == DONE, job.errors
    model = ScoreModel.objects.get(key=catalogue.AEDES_MODEL_KEY.format(source_id=setup.aedes.pk))
    assert model.source == setup.aedes and model.kind == ScoreModel.Kind.PUBLISHED
    assert [c["label"] for c in model.classes] == ["zeer kwetsbaar", "kwetsbaar", "gemiddeld", "veerkrachtig"]
    assert {c["color"] for c in model.classes} <= set(catalogue.RAMP_5)
    scores = dict(Score.objects.filter(model=model).values_list("area__code", "score_class"))
    assert scores == {"BU04530000": 1, "BU04530001": 3, "BU04530100": 4, "BU04530101": 4, "WK045300": 2}
    indicator = Indicator.objects.get(source=setup.aedes, key="aandeel_kwetsbaar")
    assert values(setup.aedes)[("BU04530000", "aandeel_kwetsbaar")] == 18.5
    assert indicator.direction == "neutraal"
    assert any("aandeel_kwetsbaar" in w["message"] for w in job.warnings)
    # A later file without class names keeps the names; with replace its scores are the year's.
    path = write(tmp_path, "aedes.csv", "code;jaar;klasse\nBU04530000;2022;2\n")
    assert run(setup, "", path=path, source=setup.aedes, actor=setup.corp_editor, mode=REPLACE).status == DONE
    model.refresh_from_db()
    assert model.classes[0]["label"] == "zeer kwetsbaar"
    assert dict(Score.objects.filter(model=model).values_list("area__code", "score_class")) == {
        "BU04530000": 2
    }
    # Nothing of it is visible outside the corporation, platform admins included.
    assert not Score.objects.restrict(setup.platform_admin, "view").filter(model=model).exists()
    assert Score.objects.restrict(setup.org_admin, "view").filter(model=model).exists()
    assert not score_import_list(user=setup.platform_admin).filter(source=setup.aedes).exists()
    assert score_import_list(user=setup.corp_editor).filter(source=setup.aedes).count() == 2


def test_aedes_classes_without_names_and_with_many_classes():
    assert aedes_classes({}, 5) == catalogue.AEDES_DEFAULT_CLASSES
    seven = aedes_classes({7: "top"}, 7)
    assert [c["value"] for c in seven] == list(range(1, 8))
    assert seven[0]["label"] == "klasse 1" and seven[6]["label"] == "top"
    assert seven[0]["color"] == catalogue.RAMP_9[0] and seven[6]["color"] == catalogue.RAMP_9[-1]


def test_generic_file_goes_into_any_source_and_creates_its_indicators(setup, recompute):
    job = run(
        setup,
        "eigen_bron_2022.csv",
        source=setup.aedes,
        actor=setup.corp_editor,
        file_format=SourceKind.GENERIC,
    )
    assert job.status == DONE, job.errors
    stored = values(setup.aedes)
    assert stored == {
        ("BU04530000", "a_inw"): 1250,
        ("BU04530000", "tevredenheid_buurt"): 6.8,
        ("BU04530001", "tevredenheid_buurt"): 7.4,
        ("GM0453", "tevredenheid_buurt"): 7.0,
    }
    assert set(Indicator.objects.filter(source=setup.aedes).values_list("key", flat=True)) == {
        "a_inw",
        "tevredenheid_buurt",
    }
    assert job.scores_written == 0 and job.rows_skipped == 2
    warning = " ".join(w["message"] for w in job.warnings)
    assert "a_inw" in warning and "tevredenheid_buurt" in warning
    # The open CBS a_inw is untouched.
    assert not IndicatorValue.objects.filter(indicator__source=setup.kwb).exists()


@pytest.mark.parametrize(
    "persona, source",
    [
        ("outsider", "aedes"),
        ("partner_reader", "aedes"),
        ("gemeente_reviewer", "aedes"),
        ("platform_admin", "aedes"),  # licensed data stays with its organisation
        ("corp_editor", "kwb"),  # open sources are the platform admins'
    ],
)
def test_who_may_not_import(setup, persona, source):
    name = "aedes_veerkracht_2022.csv" if source == "aedes" else "kwb_2022_komma_bom.csv"
    with pytest.raises(PermissionDenied):
        run(setup, name, source=getattr(setup, source), actor=getattr(setup, persona))
    assert not ScoreImport.objects.exists()


def test_quick_checks_at_start(setup, recompute):
    def start(**kwargs):
        args = {
            "actor": setup.platform_admin,
            "source": setup.kwb,
            "file_format": SourceKind.CBS_KWB,
            "uploaded_file": SimpleUploadedFile("kwb.csv", b"gwb_code_10;a_inw\nGM0453;1\n"),
            "year": 2022,
        }
        return score_import_start(**{**args, **kwargs})

    with pytest.raises(ValidationError) as exc:
        start(file_format=SourceKind.LEEFBAAROMETER)
    assert "file_format" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        start(year=2019)
    assert "importeer eerst de grenzen van 2019" in str(exc.value.error_dict["year"])
    with pytest.raises(ValidationError) as exc:
        start(uploaded_file=SimpleUploadedFile("kwb.pdf", b"%PDF"))
    assert "geen CSV-, Excel- of GeoJSON-bestand" in str(exc.value.error_dict["file"])
    with pytest.raises(ValidationError) as exc:
        start(uploaded_file=SimpleUploadedFile("kwb.csv", b""))
    assert "leeg" in str(exc.value.error_dict["file"])
    with pytest.raises(PermissionDenied):
        start(actor=setup.corp_editor)
    assert not ScoreImport.objects.exists()


def test_start_queues_the_task_which_runs_the_import(setup, recompute, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("kwb.csv", (FILES / "kwb_2022_komma_bom.csv").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        job = score_import_start(
            actor=setup.platform_admin,
            source=setup.kwb,
            file_format="cbs-kwb",
            uploaded_file=upload,
            year=2022,
        )
    job.refresh_from_db()
    assert job.status == DONE and job.values_written == 14 and job.started_by == setup.platform_admin
    assert job.original_name == "kwb.csv"
    recompute.assert_called_once()


def test_a_broker_outage_is_reported_on_the_job(setup, recompute, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("kwb.csv", (FILES / "kwb_2022_komma_bom.csv").read_bytes())
    with (
        mock.patch("scores.tasks.score_import_run.delay", side_effect=ConnectionError),
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = score_import_start(
            actor=setup.platform_admin,
            source=setup.kwb,
            file_format="cbs-kwb",
            uploaded_file=upload,
            year=2022,
        )
    job.refresh_from_db()
    assert job.status == FAILED and "takenwachtrij niet bereikbaar" in job.errors[0]["message"]
    assert not IndicatorValue.objects.exists()


def test_recompute_outage_leaves_the_values_and_says_so(setup, recompute, django_capture_on_commit_callbacks):
    recompute.side_effect = ConnectionError
    with django_capture_on_commit_callbacks(execute=True):
        job = run(setup, "kwb_2022_komma_bom.csv", source=setup.kwb)
    job.refresh_from_db()
    assert job.status == DONE and IndicatorValue.objects.count() == 14
    assert "herberekenen van de scores kon niet worden gestart" in job.warnings[-1]["message"]


def test_recompute_covers_later_years_with_data(setup, recompute, django_capture_on_commit_callbacks):
    later = small_gemeente(year=2024)
    small_gemeente(year=2023)  # boundaries only, no figures
    IndicatorValue.objects.create(
        indicator=setup.kwb.indicators.get(key="a_inw"), area=later["gemeente"], year=2024, value=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        run(setup, "kwb_2022_komma_bom.csv", source=setup.kwb)
    recompute.assert_called_once_with(years=[2022, 2024], model_ids=None)


def test_unexpected_error_marks_the_job_failed(setup, recompute):
    with (
        mock.patch("scores.services.imports._write_values", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        run(setup, "kwb_2022_komma_bom.csv", source=setup.kwb)
    job = ScoreImport.objects.get()
    assert job.status == FAILED and "onverwachte fout" in job.errors[0]["message"]
    assert not IndicatorValue.objects.exists()


# --- management command -------------------------------------------------------------------


def test_command_imports_into_the_open_source(setup, recompute, capsys):
    call_command(
        "import_indicators", str(FILES / "kwb_2022_komma_bom.csv"), "--source", "cbs-kwb", "--year", "2022"
    )
    out = capsys.readouterr().out
    assert "jaar 2022: klaar" in out and "waarden: 14" in out
    assert IndicatorValue.objects.filter(indicator__source=setup.kwb).count() == 14


def test_command_merge_replace_and_refusal(setup, recompute, tmp_path, capsys):
    full = str(FILES / "leefbaarometer_2020_2022.csv")
    call_command("import_indicators", full, "--source", "leefbaarometer", "--year", "2022")
    before = values(setup.lbm)
    partial = str(write(tmp_path, "lbm.csv", LBM_ONE_BUURT))
    capsys.readouterr()
    with pytest.raises(CommandError):
        call_command("import_indicators", partial, "--source", "leefbaarometer", "--year", "2022")
    out = capsys.readouterr().out
    # 5 stored areas of 2022, 1 in the file.
    assert "van 4 gebieden die niet in het bestand staan" in out and "--merge" in out
    assert values(setup.lbm) == before
    with pytest.raises(CommandError):
        call_command(
            "import_indicators",
            partial,
            "--source",
            "leefbaarometer",
            "--year",
            "2022",
            "--merge",
            "--replace",
        )
    call_command(
        "import_indicators", partial, "--source", "leefbaarometer", "--year", "2022", "--dry-run", "--replace"
    )
    assert "gebieden die waarden verliezen: 4" in capsys.readouterr().out
    assert values(setup.lbm) == before
    call_command("import_indicators", partial, "--source", "leefbaarometer", "--year", "2022", "--merge")
    assert values(setup.lbm)[("BU04530000", "lbm_afw")] == -0.07
    assert values(setup.lbm)[("BU04530001", "lbm_afw")] == 0.064


def test_command_into_an_organisation_source_as_its_editor(setup, recompute, capsys):
    call_command(
        "import_indicators",
        str(FILES / "aedes_veerkracht_2022.csv"),
        "--source=aedes-veerkracht",
        "--year=2022",
        "--into",
        "aedes veerkracht velserduin",
        "--as",
        setup.corp_editor.email,
    )
    assert Score.objects.filter(model__source=setup.aedes).count() == 5


def test_command_failures(setup, recompute, tmp_path):
    with pytest.raises(CommandError, match="--into"):
        call_command(
            "import_indicators",
            str(FILES / "aedes_veerkracht_2022.csv"),
            "--source=aedes-veerkracht",
            "--year=2022",
        )
    with pytest.raises(CommandError, match="mag niet importeren"):
        call_command(
            "import_indicators",
            str(FILES / "aedes_veerkracht_2022.csv"),
            "--source=aedes-veerkracht",
            "--year=2022",
            f"--into={setup.aedes.pk}",
        )
    bad = write(tmp_path, "kwb.csv", "gwb_code_10;a_inw\nBU04530200;1\n")
    with pytest.raises(CommandError, match="mislukt"):
        call_command("import_indicators", str(bad), "--source=cbs-kwb", "--year=2022")
    with pytest.raises(CommandError, match="geen bron"):
        call_command("import_indicators", str(bad), "--source=generic", "--year=2022", "--into=Onbekend")
