"""Scores at national scale: importing one year's KWB file, and recomputing every score
model for ten boundary years.

The set: the synthetic national boundaries of ``bench.synthetic`` (342 gemeenten, 3,300
wijken, 14,500 buurten) for the boundary years 2014–2023, the same shapes copied to every
year with one INSERT … SELECT per year, a hundred gebieden per year, 30 KWB indicators
for every gemeente, wijk and land buurt of every year (about 5.4 million values, drifting
from year to year), and Leefbaarometer classes per buurt every other year.

The set also holds one licensed source: an Aedes veerkrachtkaart of a bench corporation,
shared with a bench gemeente, with its published classes for the latest year imported
through the ordinary import service.

Figures:
- ``scores.import.kwb``: importing one year's national KWB CSV (``score_import_file``,
  the recomputation left to the next figure; target under 10 s);
- ``scores.import.leefbaarometer.national``: importing a national Leefbaarometer buurt
  table of five measurements (2014–2022, every land buurt of each year: about 14,500
  rows a year, 72,500 in all, with lbm, the six deviations and the seven classes) in one
  import, as published (``score_import_file`` without a year, replace), into years that
  hold no Leefbaarometer figures yet (target under 20 s); ``…national_again`` imports
  the same file once more, replacing every value it wrote (no target);
- ``scores.recompute.all``: recomputing all models for all years (target under 30 s);
- ``scores.map.national.*``: the national buurt map of the open veerkracht-index for the
  latest year, through its signed page URL on a real gunicorn server, cold once and warm
  (target under 50 ms), with the ratio to serving the same bytes as a static file
  (target under 2), measured exactly as ``bench.areas`` measures the area maps;
- ``scores.map.national.after_recompute``: the first request for that map after a
  recomputation of its year and model, with the maps built ahead as the recompute job
  does (target under 1000 ms); ``scores.map.built_ahead`` is how long building them took;
- ``scores.map.licensed.*``: the same map of the licensed Aedes model for a person of the
  gemeente it is shared with, through the API view with the session (no fast path; no
  target).

``setup_national_scores()`` builds the set (idempotent: reused when it is there) and
returns what it made, for other figures on the same data (the scored maps). Run on its
own with ``python -m bench.scores``.
"""

import csv
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.report import emit

FIRST_YEAR = 2014
SOURCE_YEAR = 2024  # the year bench.areas imports; copied from when it is there
INDICATORS = 30
GEBIEDEN_PER_YEAR = 100
GEBIED_SIZE = 8
TARGETS = {
    "import": 10.0,
    "import_leefbaarometer": 20.0,
    "recompute": 30.0,
    "map_warm_ms": 50.0,
    "ratio": 2.0,
    "map_after_recompute_ms": 1000.0,
}
OPEN_MODEL = "wijkkoers-veerkracht"
MAP_WARM_REQUESTS = 200
LICENSED_SOURCE = "Bench Aedes veerkrachtkaart"
CORPORATION = "Bench-scores corporatie"
SHARED_WITH = "Bench-scores gemeente"
READER_EMAIL = "bench-lezer@example.nl"
OWNER_EMAIL = "bench-corporatie@example.nl"
SHARED_EMAIL = "bench-gedeeld@example.nl"
PASSWORD = "bench-wachtwoord-niet-in-productie"


@dataclass
class NationalScores:
    years: list[int]
    counts: dict  # areas per year by kind, values, published scores
    indicator_keys: list[str]
    model_keys: list[str]
    licensed_model_key: str


def indicator_keys() -> list[str]:
    """The 30 KWB columns of the set: the inhabitants and dwellings, every component of
    the default models, then the catalogue in order."""
    from scores import catalogue

    keys = ["a_inw", "a_woning"]
    for model in catalogue.DEFAULT_MODELS:
        keys += [key for key, _w, _r in model.components if key not in keys]
    keys += [d.key for d in catalogue.KWB_INDICATORS if d.key not in keys]
    return keys[:INDICATORS]


def run(*, workdir: Path, log) -> list[str]:
    """Build the set, print the figures; return the names of figures over target."""
    from bench.areas import _exclusive

    # The area benchmark deletes and re-imports boundaries in the same database: one at
    # a time.
    with _exclusive():
        data = setup_national_scores(workdir=workdir, log=log)
        failures = []
        seconds = measure_import(workdir=workdir, year=data.years[-1], log=log)
        if seconds is not None:
            emit("scores.import.kwb", seconds, "s", TARGETS["import"])
            if seconds >= TARGETS["import"]:
                failures.append("scores.import.kwb")
        timings = measure_leefbaarometer_import(workdir=workdir, years=data.years[::2][:5], log=log)
        if timings is not None:
            first, again = timings
            target = TARGETS["import_leefbaarometer"]
            emit("scores.import.leefbaarometer.national", first, "s", target)
            emit("scores.import.leefbaarometer.national_again", again, "s")
            if first >= target:
                failures.append("scores.import.leefbaarometer.national")
        seconds, report = measure_recompute(log=log)
        emit("scores.recompute.all", seconds, "s", TARGETS["recompute"])
        emit("scores.recompute.rows", report["scores_written"], "count")
        if seconds >= TARGETS["recompute"]:
            failures.append("scores.recompute.all")
        seconds, _report = measure_recompute(log=log, years=[data.years[-1]])
        emit("scores.recompute.one_year", seconds, "s")
        failures += measure_maps(data=data, log=log)
    if failures:
        log("scores boven de streefwaarde: " + ", ".join(failures))
    return failures


def setup_national_scores(*, years: int = 10, workdir: Path | None = None, log=print) -> NationalScores:
    """The national set for ``years`` boundary years from 2014 (see the module
    docstring); reused when it is complete."""
    from scores.services.catalogue import catalogue_install

    catalogue_install()
    year_list = list(range(FIRST_YEAR, FIRST_YEAR + years))
    _areas(year_list, workdir=workdir, log=log)
    values = _values(year_list, log=log)
    published = _leefbaarometer(year_list, log=log)
    licensed = _licensed_source(year_list[-1], workdir=workdir, log=log)
    from areas.models import Area
    from scores.models import ScoreModel

    counts = {
        "areas_per_year": Area.objects.filter(year=year_list[0]).count(),
        "buurten_per_year": Area.objects.filter(year=year_list[0], kind="buurt").count(),
        "values": values,
        "published_scores": published,
    }
    emit("scores.synthetic.areas_per_year", counts["areas_per_year"], "count")
    emit("scores.synthetic.values", values, "count")
    return NationalScores(
        years=year_list,
        counts=counts,
        indicator_keys=indicator_keys(),
        model_keys=list(ScoreModel.objects.filter(is_active=True).values_list("key", flat=True)),
        licensed_model_key=licensed.key,
    )


def _areas(years: list[int], *, workdir: Path | None, log) -> None:
    from django.db import connection, transaction

    from areas.models import Area

    have = {y: Area.objects.filter(year=y, kind="buurt").count() for y in years}
    if all(n >= 14_000 for n in have.values()):
        log("scores: landelijke indeling voor alle jaren staat er al")
        return
    source_year = SOURCE_YEAR
    if Area.objects.filter(year=SOURCE_YEAR, kind="buurt").count() < 14_000:
        source_year = years[0]
        if have[years[0]] < 14_000:
            _import_boundaries(years[0], workdir=workdir, log=log)
    columns = (
        "kind, code, name, gemeente_code, is_water, geometry, shape_land, shape_regio, shape_stad, "
        "area_m2, min_lon, min_lat, max_lon, max_lat, description, created_at, updated_at, version"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for year in years:
            if year == source_year or have[year] >= 14_000:
                continue
            log(f"scores: indeling {source_year} kopiëren naar {year}")
            cursor.execute(
                f"INSERT INTO areas_area (year, {columns}) SELECT %s, {columns} FROM areas_area "
                "WHERE year = %s AND kind IN ('gemeente', 'wijk', 'buurt')",
                [year, source_year],
            )
            cursor.execute(
                "UPDATE areas_area a SET parent_id = np.id FROM areas_area b "
                "JOIN areas_area bp ON bp.id = b.parent_id "
                "JOIN areas_area np ON np.year = %s AND np.code = bp.code "
                "WHERE a.year = %s AND b.year = %s AND b.code = a.code",
                [year, year, source_year],
            )
        for year in years:
            _gebieden(cursor, year)


def _gebieden(cursor, year: int) -> None:
    """A hundred gebieden of eight buurten of one wijk each, when the year has none."""
    cursor.execute("SELECT 1 FROM areas_area WHERE year = %s AND kind = 'gebied' LIMIT 1", [year])
    if cursor.fetchone():
        return
    cursor.execute(
        "SELECT parent_id, array_agg(id ORDER BY id), min(gemeente_code) FROM areas_area "
        "WHERE year = %s AND kind = 'buurt' AND NOT is_water GROUP BY parent_id "
        "HAVING count(*) >= %s ORDER BY parent_id LIMIT %s",
        [year, GEBIED_SIZE, GEBIEDEN_PER_YEAR],
    )
    for number, (_wijk, members, gemeente_code) in enumerate(cursor.fetchall(), start=1):
        cursor.execute(
            "INSERT INTO areas_area (year, kind, code, name, gemeente_code, is_water, shape_land, "
            "shape_regio, shape_stad, description, created_at, updated_at, version) VALUES "
            "(%s, 'gebied', %s, %s, %s, false, '', '', '', '', now(), now(), 1) RETURNING id",
            [year, f"GB{number:06d}", f"Focusgebied {number}", gemeente_code],
        )
        (gebied_id,) = cursor.fetchone()
        cursor.executemany(
            "INSERT INTO areas_area_members (from_area_id, to_area_id) VALUES (%s, %s)",
            [(gebied_id, m) for m in members[:GEBIED_SIZE]],
        )


def _import_boundaries(year: int, *, workdir: Path | None, log) -> None:
    import tempfile

    from django.contrib.auth import get_user_model

    from areas.models import BoundaryImport
    from areas.services import boundary_import_file
    from bench.synthetic import build

    directory = (workdir or Path(tempfile.mkdtemp(prefix="wijkkoers-bench-"))) / "scores-data"
    log("scores: synthetische landelijke indeling maken")
    data = build(directory)
    admin = _admin()
    for path in (data.gemeenten, data.wijken, data.buurten):
        started = time.perf_counter()
        job = boundary_import_file(actor=admin, path=path, year=year)
        if job.status != BoundaryImport.Status.DONE:
            raise SystemExit(f"import van {path.name} mislukt: {job.errors[:5]}")
        log(f"scores: {path.name} geïmporteerd voor {year} in {time.perf_counter() - started:.0f} s")
    del get_user_model


def _admin():
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    return users.filter(email="bench-admin@example.nl").first() or users.create_superuser(
        "bench-admin@example.nl", PASSWORD
    )


def _user(email: str):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    return users.filter(email=email).first() or users.create_user(email, PASSWORD)


def _organisation(name: str, kind: str, member, role: str):
    """A bench organisation with ``member`` in it, made through the ordinary services."""
    from organisations.models import Membership, Organisation
    from organisations.services import membership_add, organisation_create

    admin = _admin()
    organisation = Organisation.objects.filter(name=name).first() or organisation_create(
        actor=admin, name=name, kind=kind
    )
    if not Membership.objects.filter(organisation=organisation, user=member).exists():
        membership_add(actor=admin, organisation=organisation, user=member, role=role)
    return organisation


def _licensed_source(year: int, *, workdir: Path | None, log):
    """The corporation's licensed Aedes veerkrachtkaart, shared with one gemeente, with
    a class for every land buurt of ``year``; returns its score model. Reused when it is
    there."""
    import tempfile

    from django.db import connection

    from organisations.models import Organisation, Role
    from scores import catalogue
    from scores.models import ScoreImport, ScoreModel, Source, SourceKind
    from scores.services.imports import score_import_file
    from scores.services.sources import source_create, source_share

    owner = _user(OWNER_EMAIL)
    corporation = _organisation(CORPORATION, Organisation.Kind.CORPORATIE, owner, Role.BEHEERDER)
    gemeente = _organisation(SHARED_WITH, Organisation.Kind.GEMEENTE, _user(SHARED_EMAIL), Role.LEZER)
    source = Source.objects.filter(name=LICENSED_SOURCE).first() or source_create(
        actor=owner,
        name=LICENSED_SOURCE,
        kind=SourceKind.AEDES_VEERKRACHT,
        licence="Alleen voor de corporatie en de gemeente waarmee zij deelt.",
        is_licensed=True,
        owner_organisation=corporation,
    )
    if not source.shared_with.filter(pk=gemeente.pk).exists():
        source = source_share(actor=owner, source=source, organisations=[gemeente], version=source.version)
    key = catalogue.AEDES_MODEL_KEY.format(source_id=source.pk)
    model = ScoreModel.objects.filter(key=key).first()
    if model is not None and model.scores.filter(year=year, is_aggregated=False).exists():
        return model
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT code FROM areas_area WHERE year = %s AND kind = 'buurt' AND NOT is_water ORDER BY code",
            [year],
        )
        codes = [row[0] for row in cursor.fetchall()]
    rng = np.random.default_rng(5)
    classes = rng.integers(1, 6, len(codes))
    directory = workdir or Path(tempfile.mkdtemp(prefix="wijkkoers-bench-"))
    path = directory / f"aedes-veerkracht-{year}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["code", "jaar", "klasse"])
        writer.writerows([code, year, int(c)] for code, c in zip(codes, classes.tolist(), strict=True))
    # The generated file is the whole truth for its source and year.
    job = score_import_file(
        actor=owner, path=path, source=source, year=year, recompute=False, mode=ScoreImport.Mode.REPLACE
    )
    if job.status != ScoreImport.Status.DONE:
        raise SystemExit(f"import van de veerkrachtkaart mislukt: {job.errors[:5]}")
    log(f"scores: gelicentieerde veerkrachtkaart {year} ({len(codes)} buurten)")
    return ScoreModel.objects.get(key=key)


def _value_areas(cursor, year: int) -> tuple[np.ndarray, np.ndarray]:
    cursor.execute(
        "SELECT id, kind FROM areas_area WHERE year = %s AND kind IN ('gemeente', 'wijk', 'buurt') "
        "AND NOT is_water ORDER BY code",
        [year],
    )
    rows = cursor.fetchall()
    return np.array([r[0] for r in rows], dtype=np.int64), np.array([r[1] for r in rows])


def _synthetic_values(keys: list[str], years: list[int], n: int, rng) -> dict:
    """Values per (year, key): a base level per area that drifts a little every year."""
    out = {}
    for j, key in enumerate(keys):
        scale = {"a_inw": 1500.0, "a_woning": 700.0, "g_wozbag": 280.0}.get(key, 10.0 + j)
        base = np.abs(rng.normal(scale, scale * 0.4, n)) + 1
        for year in years:
            base = np.abs(base * (1 + rng.normal(0, 0.05, n)))
            values = np.round(base, 1)
            # About 3 % secret or missing, as in the real files.
            values[rng.random(n) < 0.03] = np.nan
            out[(year, key)] = values
    return out


def _values(years: list[int], *, log) -> int:
    from django.db import connection, transaction

    from scores.models import Indicator, IndicatorValue
    from scores.services.catalogue import catalogue_install

    cbs = catalogue_install()["cbs-kwb"]
    keys = indicator_keys()
    ids = dict(Indicator.objects.filter(source=cbs, key__in=keys).values_list("key", "pk"))
    expected_years = [
        y for y in years if not IndicatorValue.objects.filter(indicator_id=ids["a_inw"], year=y).exists()
    ]
    total = 0
    rng = np.random.default_rng(2014)
    with transaction.atomic(), connection.cursor() as cursor:
        for year in expected_years:
            started = time.perf_counter()
            area_ids, _kinds = _value_areas(cursor, year)
            values = _synthetic_values(keys, [year], len(area_ids), rng)
            cursor.execute(
                "DELETE FROM scores_indicatorvalue WHERE year = %s AND indicator_id = ANY(%s)",
                [year, list(ids.values())],
            )
            with cursor.cursor.copy(
                "COPY scores_indicatorvalue (indicator_id, area_id, year, value) FROM STDIN"
            ) as copy:
                for key in keys:
                    column = values[(year, key)]
                    ok = ~np.isnan(column)
                    copy.write(
                        "".join(
                            f"{ids[key]}\t{a}\t{year}\t{v!r}\n"
                            for a, v in zip(area_ids[ok].tolist(), column[ok].tolist(), strict=True)
                        )
                    )
            log(f"scores: indicatorwaarden {year} in {time.perf_counter() - started:.1f} s")
    del rng
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM scores_indicatorvalue WHERE year = ANY(%s) AND indicator_id = ANY(%s)",
            [years, list(ids.values())],
        )
        total = cursor.fetchone()[0]
    return total


def _leefbaarometer(years: list[int], *, log) -> int:
    """Published Leefbaarometer classes per land buurt, every other year."""
    from django.db import connection, transaction

    from scores.models import Score, ScoreModel

    model = ScoreModel.objects.get(key="leefbaarometer")
    rng = np.random.default_rng(3)
    with transaction.atomic(), connection.cursor() as cursor:
        for year in years[::2]:
            if Score.objects.filter(model=model, year=year, is_aggregated=False).exists():
                continue
            cursor.execute(
                "SELECT id FROM areas_area WHERE year = %s AND kind = 'buurt' AND NOT is_water", [year]
            )
            area_ids = [r[0] for r in cursor.fetchall()]
            values = rng.normal(0, 0.15, len(area_ids))
            classes = np.clip(np.round(5 + values / 0.05), 1, 9).astype(int)
            with cursor.cursor.copy(
                "COPY scores_score (model_id, area_id, year, value, score_class, is_aggregated, "
                "no_data_reason) FROM STDIN"
            ) as copy:
                copy.write(
                    "".join(
                        f"{model.pk}\t{a}\t{year}\t{v!r}\t{c}\tf\t\n"
                        for a, v, c in zip(area_ids, values.tolist(), classes.tolist(), strict=True)
                    )
                )
            log(f"scores: Leefbaarometer {year} ({len(area_ids)} buurten)")
    return Score.objects.filter(model=model, is_aggregated=False, year__in=years).count()


def write_kwb_csv(path: Path, year: int) -> int:
    """The year's KWB values as a national CSV in the CBS layout (semicolons, ``.`` for a
    missing value). Returns the number of rows."""
    from django.db import connection

    keys = indicator_keys()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.code, a.kind, i.key, v.value FROM scores_indicatorvalue v "
            "JOIN areas_area a ON a.id = v.area_id JOIN scores_indicator i ON i.id = v.indicator_id "
            "WHERE v.year = %s AND i.key = ANY(%s) AND i.source_id = "
            "(SELECT id FROM scores_source WHERE kind = 'cbs-kwb' ORDER BY id LIMIT 1)",
            [year, keys],
        )
        table: dict[str, dict] = {}
        kinds = {}
        for code, kind, key, value in cursor.fetchall():
            table.setdefault(code, {})[key] = value
            kinds[code] = kind
    levels = {"gemeente": "Gemeente", "wijk": "Wijk", "buurt": "Buurt"}
    from scores import catalogue

    # Counts (inhabitants, dwellings) are whole numbers in a CBS file, and the importer
    # refuses anything else; the synthetic values carry a decimal.
    counts = {d.key for d in catalogue.KWB_INDICATORS if d.is_count}

    def cell(key, value):
        if value is None:
            return "."
        return round(value) if key in counts else value

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["gwb_code_10", "recs", *keys])
        for code in sorted(table):
            row = table[code]
            writer.writerow([code, levels[kinds[code]], *(cell(k, row.get(k)) for k in keys)])
    return len(table)


LBM_DEVIATIONS = ("afw", "fys", "onv", "soc", "vrz", "won")
LBM_CLASSES = ("kscore", "kafw", "kfys", "konv", "ksoc", "kvrz", "kwon")


def write_leefbaarometer_csv(path: Path, years: list[int]) -> int:
    """A national Leefbaarometer buurt table as published (semicolons, decimal comma):
    ``bu_code;jaar;lbm;afw;fys;onv;soc;vrz;won;kscore;kafw;…`` for every land buurt of
    each of ``years``, with scores of the published size (lbm around 4, deviations of a
    few tenths). Returns the number of rows."""
    from django.db import connection

    rng = np.random.default_rng(2024)
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["bu_code", "jaar", "lbm", *LBM_DEVIATIONS, *LBM_CLASSES])
        for year in years:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT code FROM areas_area WHERE year = %s AND kind = 'buurt' AND NOT is_water "
                    "ORDER BY code",
                    [year],
                )
                codes = [r[0] for r in cursor.fetchall()]
            n = len(codes)
            dims = rng.normal(0, 0.06, (n, 5))
            total = dims.sum(axis=1)
            lbm = 4.1 + total
            classes = np.clip(np.round(5 + np.column_stack([total, total, dims]) / 0.05), 1, 9).astype(int)

            def text(value):
                return f"{value:.4f}".replace(".", ",")

            for i, code in enumerate(codes):
                writer.writerow(
                    [
                        code,
                        year,
                        text(lbm[i]),
                        text(total[i]),
                        *(text(v) for v in dims[i]),
                        *classes[i, :7].tolist(),
                    ]
                )
            rows += n
    return rows


def _clear_leefbaarometer(source, years: list[int], log) -> None:
    """Remove the source's values and published scores of ``years`` and vacuum, so the
    first import measures a table that holds no Leefbaarometer figures of those years."""
    from django.db import connection

    from scores.models import IndicatorValue, Score

    IndicatorValue.objects.filter(indicator__source=source, year__in=years).delete()
    Score.objects.filter(model__source=source, year__in=years).delete()
    with connection.cursor() as cursor:
        for table in ("scores_indicatorvalue", "scores_score"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    log(f"scores: Leefbaarometer {years[0]}–{years[-1]} leeggemaakt")


def measure_leefbaarometer_import(*, workdir: Path, years: list[int], log) -> tuple[float, float] | None:
    """Seconds to import a national Leefbaarometer buurt table of ``years`` in one import
    through ``score_import_file`` (no year asked: every year in the file; replace, so the
    file is the whole truth for its years; the recomputation is left out as for KWB):
    first into years without Leefbaarometer figures, then the same file again."""
    from scores.models import ScoreImport
    from scores.services.catalogue import catalogue_install
    from scores.services.imports import score_import_file

    path = workdir / "leefbaarometer-buurten.csv"
    rows = write_leefbaarometer_csv(path, years)
    emit("scores.import.leefbaarometer.rows", rows, "count")
    source = catalogue_install()["leefbaarometer"]
    _clear_leefbaarometer(source, years, log)
    timings = []
    for run_number in (1, 2):
        log(
            f"scores: Leefbaarometer {years[0]}–{years[-1]} importeren ({rows} rijen over {len(years)} "
            f"jaren, {path.stat().st_size / 1e6:.0f} MB; keer {run_number})"
        )
        started = time.perf_counter()
        job = score_import_file(
            actor=_admin(), path=path, source=source, recompute=False, mode=ScoreImport.Mode.REPLACE
        )
        seconds = time.perf_counter() - started
        if job.status != ScoreImport.Status.DONE:
            log(f"scores: Leefbaarometer-import mislukt: {job.errors[:5]}")
            return None
        log(f"scores: {job.values_written} waarden en {job.scores_written} scores in {seconds:.1f} s")
        timings.append(seconds)
    return timings[0], timings[1]


def measure_import(*, workdir: Path, year: int, log) -> float | None:
    """Seconds to import one year's national KWB CSV through ``score_import_file`` (None
    when that service is not there)."""
    try:
        from scores.services.imports import score_import_file
    except ImportError:
        log("scores: score_import_file ontbreekt; importfiguur overgeslagen")
        return None
    from scores.models import ScoreImport
    from scores.services.catalogue import catalogue_install

    path = workdir / f"kwb-{year}.csv"
    rows = write_kwb_csv(path, year)
    log(f"scores: KWB {year} importeren ({rows} rijen, {path.stat().st_size / 1e6:.0f} MB)")
    source = catalogue_install()["cbs-kwb"]
    started = time.perf_counter()
    # The recomputation that follows an import is the next figure; here it is not queued.
    job = score_import_file(
        actor=_admin(), path=path, source=source, year=year, recompute=False, mode=ScoreImport.Mode.REPLACE
    )
    seconds = time.perf_counter() - started
    if job.status != ScoreImport.Status.DONE:
        log(f"scores: import mislukt: {job.errors[:5]}")
        return None
    log(f"scores: {job.values_written} waarden in {seconds:.1f} s")
    return seconds


def measure_recompute(*, log, years=None) -> tuple[float, dict]:
    from scores.services.compute import scores_recompute

    started = time.perf_counter()
    report = scores_recompute(years=years)
    seconds = time.perf_counter() - started
    log(
        f"scores: herberekend {len(report['models'])} modellen × {len(report['years'])} jaren, "
        f"{report['scores_written']} scores in {seconds:.1f} s"
    )
    return seconds, report


def _map_url(model_key: str, year: int, sig: str | None) -> str:
    """The scored national buurt map as the score map page asks for it (the signature
    only on open maps: a licensed map needs the session)."""
    from urllib.parse import urlencode

    params = {"model": model_key, "year": year, "level": "buurt"}
    if sig:
        params["sig"] = sig
    return f"/api/v1/scores/geojson/?{urlencode(params)}"


def _body(user, url: str):
    """The gzipped map body ``url`` answers with, built in this process through the same
    code as the view (for the static copy of the same bytes)."""
    from urllib.parse import urlparse

    from django.http import QueryDict

    from scores.api import geojson

    params = QueryDict(urlparse(url).query)
    query = geojson.parse_scored_query(params)
    subject = geojson.subject_for(user, query.kind, query.key)
    return geojson.scored_geojson(
        user=user, subject=subject, query=query, version=geojson.scored_version(query)
    )


def measure_maps(*, data: NationalScores, log) -> list[str]:
    """The scored national buurt maps over HTTP from gunicorn, against a static file of
    the same bytes (see ``bench.areas``). Returns the figures over target."""
    import gzip

    from django.test import Client

    from areas.api.views import map_url_signature
    from bench.areas import _Http, _server
    from bench.report import median, percentile
    from scores import versions
    from scores.models import Score, ScoreModel
    from scores.services.compute import scores_recompute

    year = data.years[-1]
    model = ScoreModel.objects.get(key=OPEN_MODEL)
    if not Score.objects.filter(model=model, year=year).exists():
        scores_recompute(years=[year], model_ids=[model.pk])
    reader, shared = _user(READER_EMAIL), _user(SHARED_EMAIL)
    open_url = _map_url(OPEN_MODEL, year, map_url_signature(reader))
    licensed_url = _map_url(data.licensed_model_key, year, None)

    open_body = _body(reader, open_url)
    licensed_body = _body(shared, licensed_url)
    failures = []
    for name, body in (("national", open_body), ("licensed", licensed_body)):
        emit(f"scores.map.{name}.features", body.features, "count")
        emit(f"scores.map.{name}.size_raw", len(gzip.decompress(body.gzipped)) / 1e6, "MB")
        emit(f"scores.map.{name}.size_gzip", len(body.gzipped) / 1e6, "MB")
    static_dir = Path(os.environ["BENCH_STATIC_ROOT"]) / "bench"
    static_dir.mkdir(parents=True, exist_ok=True)
    for name, body in (("scores-national", open_body), ("scores-licensed", licensed_body)):
        (static_dir / f"{name}.geojson").write_bytes(gzip.decompress(body.gzipped))
        (static_dir / f"{name}.geojson.gz").write_bytes(body.gzipped)

    def cookie(user):
        client = Client()
        client.force_login(user)
        return f"sessionid={client.cookies['sessionid'].value}"

    with _server(log) as port:
        http = _Http(port, cookie(reader))
        licensed_http = _Http(port, cookie(shared))
        # Access first: a signed-in person outside the sharing gets no licensed map at all.
        status = http.request(licensed_url)[1].status
        assert status == 404, f"licensed map for an outsider: {status}"

        for name, client, url, body in (
            ("national", http, open_url, open_body),
            ("licensed", licensed_http, licensed_url, licensed_body),
        ):
            # A new scores data version, as after a recomputation: nothing cached anywhere.
            versions.data_changed()
            # The server's workers keep the version this long in memory.
            time.sleep(versions.LOCAL_TTL + 0.2)
            ms, cold_body = client.get(url)
            assert cold_body == body.gzipped, f"cold {name} body differs from the static copy"
            emit(f"scores.map.{name}.cold", ms, "ms")
            if name == "national":
                failures += _measure_after_recompute(client, url, model=model, year=year, log=log)

            warm, static = client.pairs(url, f"/static/bench/scores-{name}.geojson", MAP_WARM_REQUESTS)
            target = TARGETS["map_warm_ms"] if name == "national" else None
            ratio_target = TARGETS["ratio"] if name == "national" else None
            p95 = percentile(warm, 95)
            ratio = median(warm) / median(static)
            emit(f"scores.map.{name}.warm_p50", median(warm), "ms", target)
            emit(f"scores.map.{name}.warm_p95", p95, "ms", target)
            emit(f"scores.map.{name}.static_p50", median(static), "ms")
            emit(f"scores.map.{name}.ratio_to_static", ratio, "x", ratio_target)
            if target is not None and p95 >= target:
                failures.append(f"scores.map.{name}.warm_p95")
            if ratio_target is not None and ratio >= ratio_target:
                failures.append(f"scores.map.{name}.ratio_to_static")
    return failures


def _measure_after_recompute(client, url: str, *, model, year: int, log) -> list[str]:
    """The first request for the national map after a recomputation of its year, done as
    the worker does it: the recompute task, then the maps built ahead
    (``scores.tasks.score_maps_warm``). Returns the figures over target."""
    from scores import tasks, versions
    from scores.services.compute import scores_recompute

    report = scores_recompute(years=[year], model_ids=[model.pk])
    started = time.perf_counter()
    tasks.score_maps_warm(years=report["years"], model_ids=[model.pk])
    emit("scores.map.built_ahead", time.perf_counter() - started, "s")
    # The server's workers keep the version this long in memory.
    time.sleep(versions.LOCAL_TTL + 0.2)
    ms, _body = client.get(url)
    target = TARGETS["map_after_recompute_ms"]
    emit("scores.map.national.after_recompute", ms, "ms", target)
    if ms >= target:
        log(f"scores: eerste kaart na herberekening {ms:.0f} ms")
        return ["scores.map.national.after_recompute"]
    return []


def main() -> int:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wijkkoers_bench")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    os.environ.setdefault("CACHE_KEY_PREFIX", "wijkkoers-bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import tempfile

    from bench.__main__ import ensure_database, log

    workdir = Path(tempfile.mkdtemp(prefix="wijkkoers-bench-"))
    os.environ["BENCH_STATIC_ROOT"] = str(workdir / "static")
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return 1 if run(workdir=workdir, log=log) else 0


if __name__ == "__main__":
    sys.exit(main())
