"""Writes for indicator imports: upload a file into a source, check it against the
boundaries of its years, and store its values (and published scores) all-or-nothing.

A file holds one year (the year asked for, in a file without a year column) or several
(its year column; a Leefbaarometer table of 2014–2024 is one import). For every year it
holds, it writes the source's values of the indicators in it (and the published scores
of the source's model) for the areas in the file, each on the boundaries of that year;
years the file does not hold are never touched. Areas of that source and year that the
file leaves out are kept (``merge``), lose those values (``replace``: the file is the
whole truth for each year it holds), or, when no choice was made (``check``), stop the
import so that a partial file never silently wipes the rest. What would be removed is
counted per year.
"""

import io
import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from areas.models import Area, AreaKind
from core.files import local_path
from core.imports import (
    MB,
    ProgressCallback,
    RowIssue,
    existing_file,
    job_finish,
    job_progress,
    job_queue_on_commit,
    job_run_now,
    job_store_file,
)
from core.queueing import queue
from core.services import save_versioned
from scores import catalogue
from scores.importers import (
    KWB_YEAR_NEEDED,
    IndicatorFile,
    IndicatorFileError,
    check_extension,
    indicator_file_too_large_message,
    read_indicator_file,
)
from scores.models import (
    Aggregation,
    Direction,
    Indicator,
    IndicatorValue,
    Score,
    ScoreImport,
    ScoreModel,
    Source,
    SourceKind,
)

logger = logging.getLogger(__name__)

IN_CHUNK = 900  # keeps IN (...) lists under SQLite's parameter limit
BULK_BATCH = 5000
COPY_CHUNK = 1 << 20  # characters sent to COPY per write
AREA_KINDS = (AreaKind.GEMEENTE, AreaKind.WIJK, AreaKind.BUURT)
# First key of the two-key advisory lock: imports into one source run one at a time.
IMPORT_LOCK_KEY = 0x57_4B_53_43  # "WKSC"


# --- quick checks ------------------------------------------------------------------------


def max_upload_bytes() -> int:
    return settings.SCORE_UPLOAD_MAX_MB * MB


def _check_rights(actor, source: Source) -> None:
    if not Source.objects.restrict(actor, "import").filter(pk=source.pk).exists():
        raise PermissionDenied(
            _(
                "U mag niet importeren in de bron %(source)s. Cijfers van een organisatie worden "
                "geïmporteerd door haar bewerkers; open bronnen door platformbeheerders."
            )
            % {"source": source.name}
        )


def _check_format(source: Source, file_format: str) -> str:
    if file_format not in SourceKind.values:
        raise ValidationError({"file_format": _("Kies een bestandsvorm uit de lijst.")})
    if file_format != SourceKind.GENERIC and file_format != source.kind:
        raise ValidationError(
            {
                "file_format": _(
                    "De bron %(source)s krijgt bestanden van de vorm “%(kind)s”, of de algemene vorm "
                    "code;jaar;indicator;waarde. Kies een van die twee of een andere bron."
                )
                % {"source": source.name, "kind": SourceKind(source.kind).label}
            }
        )
    return file_format


def _check_year(year, file_format: str) -> int | None:
    """The year asked for, checked; None (every year in the file's year column) is
    allowed except for CBS kerncijfers, whose files carry no year."""
    if year is None or year == "":
        if file_format == SourceKind.CBS_KWB:
            raise ValidationError({"year": str(KWB_YEAR_NEEDED)})
        return None
    try:
        year = int(year)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"year": _("Vul een jaartal in, bijvoorbeeld 2024.")}) from exc
    if not Area.objects.filter(year=year, kind__in=AREA_KINDS).exists():
        raise ValidationError({"year": _no_boundaries_message(year)})
    return year


def _check_mode(mode: str) -> str:
    if mode not in ScoreImport.Mode.values:
        raise ValidationError(
            _("Onbekende werkwijze %(mode)s; kies aanvullen of vervangen.") % {"mode": mode}
        )
    return mode


def _no_boundaries_message(year: int) -> str:
    return _(
        "Er zijn nog geen grenzen van %(year)s. Cijfers van een jaar horen bij de indeling van dat "
        "jaar: importeer eerst de grenzen van %(year)s (Gebieden → Grenzen importeren)."
    ) % {"year": year}


def _check_size(size: int) -> None:
    if size == 0:
        raise ValidationError({"file": _("Het bestand is leeg. Kies een bestand met cijfers.")})
    if size > max_upload_bytes():
        raise ValidationError({"file": indicator_file_too_large_message(size, max_upload_bytes())})


def _check_name(name: str) -> None:
    try:
        check_extension(name)
    except IndicatorFileError as exc:
        raise ValidationError({"file": exc.message}) from exc


# --- starting ----------------------------------------------------------------------------


@transaction.atomic
def score_import_start(
    *,
    actor,
    source: Source,
    file_format: str,
    uploaded_file,
    year: int | None = None,
    dry_run: bool = False,
    mode: str = ScoreImport.Mode.MERGE,
) -> ScoreImport:
    """Store an uploaded indicator file and queue its import. ``year`` None imports every
    year in the file's year column; a year imports only that year (or, for a file without
    a year column, all its rows as of that year). ``mode`` says what happens to stored
    areas the file leaves out (``ScoreImport.Mode``).

    Refuses at once what can be seen without reading the file: no right to import into
    the source, a file format that does not fit the source, a year without boundaries, no
    year for CBS kerncijfers, a file that is empty, too large or not CSV, Excel or
    GeoJSON. The rest is checked by the import task, which records its report on the
    returned job.
    """
    _check_rights(actor, source)
    file_format = _check_format(source, file_format)
    year = _check_year(year, file_format)
    name = Path(uploaded_file.name or "cijfers.csv").name
    _check_name(name)
    _check_size(uploaded_file.size or 0)
    uploaded_file.seek(0)
    job = ScoreImport(
        source=source,
        file_format=file_format,
        file=uploaded_file,
        original_name=name[:255],
        year=year,
        dry_run=dry_run,
        mode=_check_mode(mode),
        started_by=actor,
        status=ScoreImport.Status.QUEUED,
    )
    save_versioned(job, actor=actor)
    job_queue_on_commit(job, "scores.tasks.score_import_run")
    return job


def score_import_file(
    *,
    actor,
    path,
    source: Source,
    file_format: str | None = None,
    year: int | None = None,
    dry_run: bool = False,
    recompute: bool = True,
    mode: str = ScoreImport.Mode.CHECK,
    stdout=None,
) -> ScoreImport:
    """Import an indicator file from disk at once (management command, demo), without
    Celery. ``file_format`` defaults to the source's kind; ``year`` as for
    ``score_import_start``. ``recompute=False`` leaves the recomputation to the caller,
    for a batch of files that is computed once at the end. ``mode`` defaults to
    ``check``: a file that leaves out stored areas imports nothing.

    The file is copied into the job's storage like an upload, so every import leaves the
    same record. The import itself is all-or-nothing in ``score_import_run``.
    """
    _check_rights(actor, source)
    file_format = _check_format(source, file_format or source.kind)
    year = _check_year(year, file_format)
    path = existing_file(path)
    _check_name(path.name)
    _check_size(path.stat().st_size)
    job = ScoreImport(
        source=source,
        file_format=file_format,
        year=year,
        dry_run=dry_run,
        mode=_check_mode(mode),
        started_by=actor,
    )
    job_store_file(job, path, actor=actor)

    return job_run_now(
        job,
        lambda progress_callback: score_import_run(
            job_id=job.pk, progress_callback=progress_callback, recompute=recompute
        ),
        stdout=stdout,
    )


# --- running -----------------------------------------------------------------------------


def score_import_run(
    *, job_id: int, progress_callback: ProgressCallback = None, recompute: bool = True
) -> ScoreImport:
    """Run the import of a queued job: read, check the codes of every year against the
    boundaries of that year, write.

    Any error in the file: nothing is stored and the job is ``mislukt``. A dry run only
    reports what would be stored. After a real import the cached maps get a new data
    version and the scores of the file's years (and later years) are recomputed in the
    background.

    Deliberately not one ``@transaction.atomic`` as a whole: the progress updates must be
    visible while it runs, so only the data writes share one transaction.
    """
    job = ScoreImport.objects.select_related("source", "started_by").get(pk=job_id)
    if job.is_finished:
        return job  # a redelivered task: the job has already run
    cb = progress_callback
    job_progress(job, 5, _("bestand lezen"), cb, status=ScoreImport.Status.RUNNING)
    try:
        with local_path(job.file) as path:
            parsed = read_indicator_file(
                path,
                file_format=job.file_format,
                year=job.year,
                name=job.original_name,
                max_bytes=max_upload_bytes(),
            )
    except IndicatorFileError as exc:
        return job_finish(
            job, status=ScoreImport.Status.FAILED, errors=[RowIssue(None, "", exc.message)], callback=cb
        )
    counts = {"rows_read": parsed.rows_read, "rows_skipped": parsed.rows_skipped}
    if parsed.errors:
        return job_finish(
            job,
            status=ScoreImport.Status.FAILED,
            errors=parsed.errors,
            warnings=parsed.warnings,
            counts=counts,
            callback=cb,
        )
    job_progress(job, 40, _("%(n)s rijen gelezen; codes controleren") % {"n": len(parsed.rows)}, cb)
    area_ids, code_errors = _resolve_codes(parsed)
    if code_errors:
        return job_finish(
            job,
            status=ScoreImport.Status.FAILED,
            errors=code_errors,
            warnings=parsed.warnings,
            counts=counts,
            callback=cb,
        )
    warnings = list(parsed.warnings)
    left_out = {year: len(ids) for year, ids in _areas_left_out(job, parsed, area_ids).items()}
    replacing = job.mode == ScoreImport.Mode.REPLACE
    counts["per_year"] = _per_year(parsed, area_ids, left_out if job.mode != ScoreImport.Mode.MERGE else {})
    if any(left_out.values()) and job.mode == ScoreImport.Mode.CHECK:
        return job_finish(
            job,
            status=ScoreImport.Status.FAILED,
            errors=[RowIssue(None, "", _left_out_message(parsed, area_ids, left_out))],
            warnings=warnings,
            counts={**counts, "areas_removed": sum(left_out.values())},
            callback=cb,
        )
    warnings += [RowIssue(None, "", _left_out_warning(job, n, year)) for year, n in left_out.items() if n]
    counts["areas_removed"] = sum(left_out.values()) if replacing else 0
    counts["values_written"] = parsed.value_count
    counts["scores_written"] = parsed.score_count if parsed.has_scores else 0
    if not job.dry_run:
        job_progress(job, 60, _("%(n)s waarden opslaan") % {"n": parsed.value_count}, cb)
        with transaction.atomic():
            _lock_source(job.source_id)
            # Counted again under the lock: another import may have written meanwhile.
            left_now = {} if replacing else _areas_left_out(job, parsed, area_ids)
            late = (
                {year: len(ids) for year, ids in left_now.items()}
                if job.mode == ScoreImport.Mode.CHECK
                else {}
            )
            if not any(late.values()):
                # A year the file replaces, or leaves nothing of, is deleted as a whole.
                everything = {year: replacing or not left_now.get(year) for year in parsed.years}
                warnings += _write(job, parsed, area_ids, everything=everything)
        if any(late.values()):
            # Areas appeared while the file was read: stopping still means nothing is written.
            return job_finish(
                job,
                status=ScoreImport.Status.FAILED,
                errors=[RowIssue(None, "", _left_out_message(parsed, area_ids, late))],
                warnings=warnings,
                counts={
                    **counts,
                    "areas_removed": sum(late.values()),
                    "per_year": _per_year(parsed, area_ids, late),
                },
                callback=cb,
            )
    else:
        warnings += _new_indicator_warnings(job.source, parsed)
    job = job_finish(job, status=ScoreImport.Status.DONE, warnings=warnings, counts=counts, callback=cb)
    if not job.dry_run:
        # After the job's report is saved, so a warning about the recompute is kept.
        first = parsed.years[0]
        transaction.on_commit(lambda: _after_import(job.pk, first, recompute=recompute))
    return job


def _per_year(parsed: IndicatorFile, area_ids, removed: dict[int, int]) -> list[dict]:
    """What the file holds per year, oldest first, with the stored areas outside the
    file that lose (or would lose) their values of that year."""
    result = []
    for year in parsed.years:
        rows = parsed.rows_of(year)
        result.append(
            {
                "year": year,
                "areas": len({area_ids[(year, r.code)] for r in rows}),
                "values": sum(len(r.values) for r in rows),
                "scores": sum(1 for r in rows if r.score is not None or r.score_class is not None)
                if parsed.has_scores
                else 0,
                "areas_removed": removed.get(year, 0),
            }
        )
    return result


def _left_out_message(parsed: IndicatorFile, area_ids, left_out: dict[int, int]) -> str:
    years = [year for year in parsed.years if left_out.get(year)]
    if len(years) == 1:
        year = years[0]
        return _(
            "Het bestand bevat %(in_file)s gebieden, maar van deze bron zijn voor %(year)s ook waarden "
            "opgeslagen van %(n)s gebieden die niet in het bestand staan. Er is niets opgeslagen. Kies "
            "aanvullen (--merge) om alleen de gebieden in het bestand bij te werken en de rest te houden, "
            "of vervangen (--replace) als het bestand de hele stand van %(year)s is; dan verliezen die "
            "%(n)s gebieden hun waarden."
        ) % {
            "in_file": len({area_ids[(year, row.code)] for row in parsed.rows_of(year)}),
            "year": year,
            "n": left_out[year],
        }
    per_year = "; ".join(
        _("%(year)s: %(n)s gebieden buiten het bestand, %(in_file)s erin")
        % {
            "year": year,
            "n": left_out[year],
            "in_file": len({area_ids[(year, row.code)] for row in parsed.rows_of(year)}),
        }
        for year in years
    )
    return _(
        "Van deze bron zijn ook waarden opgeslagen van gebieden die niet in het bestand staan, per "
        "jaar: %(per_year)s. Er is niets opgeslagen. Kies aanvullen (--merge) om alleen de gebieden in het bestand bij te werken "
        "en de rest te houden, of vervangen (--replace) als het bestand de hele stand is van elk jaar "
        "dat erin staat; dan verliezen die gebieden hun waarden van dat jaar."
    ) % {"per_year": per_year}


def _left_out_warning(job: ScoreImport, n: int, year: int) -> str:
    if job.mode == ScoreImport.Mode.REPLACE:
        if job.dry_run:
            return _(
                "Vervangen: %(n)s gebieden die niet in het bestand staan, zouden hun waarden van "
                "%(year)s uit deze bron verliezen."
            ) % {"n": n, "year": year}
        return _(
            "Vervangen: %(n)s gebieden die niet in het bestand staan, hebben hun waarden van %(year)s "
            "uit deze bron verloren."
        ) % {"n": n, "year": year}
    return _("Aanvullen: %(n)s gebieden die niet in het bestand staan, houden hun waarden van %(year)s.") % {
        "n": n,
        "year": year,
    }


def _existing_score_model(job: ScoreImport) -> ScoreModel | None:
    """The source's published model as it is now (``_score_model`` creates it)."""
    if job.file_format == SourceKind.AEDES_VEERKRACHT:
        return ScoreModel.objects.filter(
            key=catalogue.AEDES_MODEL_KEY.format(source_id=job.source_id)
        ).first()
    return (
        ScoreModel.objects.filter(source_id=job.source_id, kind=ScoreModel.Kind.PUBLISHED)
        .order_by("pk")
        .first()
    )


def _areas_left_out(job: ScoreImport, parsed: IndicatorFile, area_ids) -> dict[int, set[int]]:
    """Per year of the file: areas with stored values of the file's indicators (or
    published scores of the source's model) in that year that are not in the file."""
    model = _existing_score_model(job) if parsed.has_scores else None
    result = {}
    for year in parsed.years:
        stored = set(
            IndicatorValue.objects.filter(
                indicator__source_id=job.source_id, indicator__key__in=list(parsed.indicators), year=year
            )
            .values_list("area_id", flat=True)
            .distinct()
        )
        if model is not None:
            stored |= set(
                Score.objects.filter(model=model, year=year, is_aggregated=False)
                .values_list("area_id", flat=True)
                .distinct()
            )
        result[year] = stored - {area_ids[(year, row.code)] for row in parsed.rows_of(year)}
    return result


def _chunks(items, size=IN_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _resolve_codes(parsed: IndicatorFile) -> tuple[dict[tuple[int, str], int], list[RowIssue]]:
    """Area ids by (year, code) for the years of the file (one query), and an error for
    every row whose code is not in the boundaries of its year, saying which years it does
    belong to; a year without boundaries at all is one error for the file."""
    years = parsed.years
    area_ids = {
        (year, code): pk
        for year, code, pk in Area.objects.filter(year__in=years, kind__in=AREA_KINDS)
        .values_list("year", "code", "id")
        .iterator(chunk_size=5000)
    }
    with_boundaries = {year for year, _code in area_ids}
    errors = [
        RowIssue(None, "", _no_boundaries_message(year)) for year in years if year not in with_boundaries
    ]
    unknown = [
        row for row in parsed.rows if row.year in with_boundaries and (row.year, row.code) not in area_ids
    ]
    if not unknown:
        return area_ids, errors
    other_years: dict[str, set[int]] = {}
    for chunk in _chunks({row.code for row in unknown}):
        for code, other in (
            Area.objects.filter(code__in=chunk, kind__in=AREA_KINDS).values_list("code", "year").distinct()
        ):
            other_years.setdefault(code, set()).add(other)
    for row in unknown:
        years_of_code = sorted(other_years.get(row.code, ()))
        if years_of_code:
            message = _(
                "Deze code hoort bij de indeling van %(years)s, niet bij die van %(year)s. Cijfers van een "
                "jaar horen op de indeling van dat jaar: gebruik de codes van %(year)s, of kies het jaar van "
                "de indeling waar het bestand bij hoort."
            ) % {"years": ", ".join(str(y) for y in years_of_code), "year": row.year}
        else:
            message = _(
                "Onbekende code: geen gemeente, wijk of buurt in de indeling van %(year)s. Controleer de "
                "code of importeer eerst de grenzen waar hij in staat."
            ) % {"year": row.year}
        errors.append(RowIssue(row.row, row.code, message))
    return area_ids, errors


def _lock_source(source_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK_KEY, source_id])


# --- writing -----------------------------------------------------------------------------


def _catalogue_defs(source: Source) -> dict:
    if source.kind == SourceKind.CBS_KWB:
        return {d.key: d for d in catalogue.KWB_INDICATORS}
    if source.kind == SourceKind.LEEFBAAROMETER:
        return {d.key: d for d in catalogue.LEEFBAAROMETER_INDICATORS}
    return {}


def _new_indicator_warnings(source: Source, parsed: IndicatorFile, created=None) -> list[RowIssue]:
    if created is None:
        existing = set(
            source.indicators.filter(key__in=list(parsed.indicators)).values_list("key", flat=True)
        )
        created = [key for key in parsed.indicators if key not in existing]
    if not created:
        return []
    return [
        RowIssue(
            None,
            "",
            _(
                "Nieuwe indicatoren in de bron %(source)s: %(keys)s. Ze zijn aangemaakt met richting "
                "neutraal; pas naam, eenheid en richting aan bij de bron."
            )
            % {"source": source.name, "keys": ", ".join(created)},
        )
    ]


def _indicators(job: ScoreImport, parsed: IndicatorFile) -> tuple[dict[str, int], list[str]]:
    """The source's indicator ids by key, creating the ones the file brings that the
    source does not have yet (from the catalogue where Wijkkoers knows the column)."""
    source = job.source
    ids = dict(source.indicators.filter(key__in=list(parsed.indicators)).values_list("key", "id"))
    defs = _catalogue_defs(source)
    created = []
    for key, name in parsed.indicators.items():
        if key in ids:
            continue
        known = defs.get(key)
        if known is not None:
            indicator = Indicator(
                source=source,
                key=key,
                name=str(known.name),
                unit=str(known.unit),
                direction=known.direction,
                aggregation=known.aggregation,
                decimals=known.decimals,
                is_key=known.is_key,
                description=str(known.description),
            )
        else:
            indicator = Indicator(
                source=source,
                key=key,
                name=(name or key)[:200],
                direction=Direction.NEUTRAL,
                aggregation=Aggregation.MEAN_INHABITANTS,
            )
            created.append(key)
        save_versioned(indicator, actor=job.started_by, reason=_("aangemaakt door import"))
        ids[key] = indicator.pk
    return ids, created


def _spread(ramp, n: int) -> list[str]:
    """``n`` colours spread over a ramp from bad to good."""
    if n == 1:
        return [ramp[-1]]
    return [ramp[round(i * (len(ramp) - 1) / (n - 1))] for i in range(n)]


def aedes_classes(class_names: dict[int, str], highest: int) -> list[dict]:
    """Classes of an Aedes veerkracht model: the file's class names with colours from the
    five- or nine-step ramp, or the default five classes when the file names none."""
    if not class_names and highest <= len(catalogue.AEDES_DEFAULT_CLASSES):
        return [dict(item) for item in catalogue.AEDES_DEFAULT_CLASSES]
    n = max([highest, *class_names])
    colours = _spread(catalogue.RAMP_5 if n <= 5 else catalogue.RAMP_9, n)
    return [
        {"value": i, "label": class_names.get(i) or _("klasse %(n)s") % {"n": i}, "color": colours[i - 1]}
        for i in range(1, n + 1)
    ]


def _score_model(job: ScoreImport, parsed: IndicatorFile) -> ScoreModel:
    """The published model of the source; created (or given the file's class names) in the
    import's transaction."""
    source = job.source
    if job.file_format == SourceKind.AEDES_VEERKRACHT:
        key = catalogue.AEDES_MODEL_KEY.format(source_id=source.pk)
        highest = max((r.score_class or 0 for r in parsed.rows), default=0)
        model = ScoreModel.objects.filter(key=key).first()
        if model is None:
            model = ScoreModel(
                key=key,
                name=source.name,
                kind=ScoreModel.Kind.PUBLISHED,
                source=source,
                description=_("De gepubliceerde veerkrachtklasse uit %(source)s.") % {"source": source.name},
                classes=aedes_classes(parsed.class_names, highest),
            )
            save_versioned(model, actor=job.started_by, reason=_("aangemaakt door import"))
        elif parsed.class_names or highest > len(model.classes):
            model.classes = aedes_classes(parsed.class_names, highest)
            save_versioned(model, actor=job.started_by, reason=_("klassen uit import"))
        return model
    model = _existing_score_model(job)
    if model is None:
        defn = catalogue.LEEFBAAROMETER_MODEL
        key = defn.key if not ScoreModel.objects.filter(key=defn.key).exists() else f"{defn.key}-{source.pk}"
        model = ScoreModel(
            key=key,
            name=source.name,
            kind=ScoreModel.Kind.PUBLISHED,
            source=source,
            description=str(defn.description),
            classes=defn.classes,
        )
        save_versioned(model, actor=job.started_by, reason=_("aangemaakt door import"))
    return model


def _copy(table: str, columns: str, lines) -> None:
    """PostgreSQL COPY of text lines (tab-separated, ``\\N`` for NULL), sent in chunks."""
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for line in lines:
            buffer.write(line)
            if buffer.tell() >= COPY_CHUNK:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        if buffer.tell():
            copy.write(buffer.getvalue())


def _delete_old(queryset, parsed: IndicatorFile, area_ids, *, everything: dict[int, bool]) -> None:
    """Delete the old rows of ``queryset`` in the years of the file: all of a year when
    the file replaces it (or covers every stored area of it), else those of the year's
    areas in the file."""
    whole = [year for year in parsed.years if everything.get(year)]
    if whole:
        queryset.filter(year__in=whole).delete()
    for year in parsed.years:
        if everything.get(year):
            continue
        for chunk in _chunks({area_ids[(year, row.code)] for row in parsed.rows_of(year)}):
            queryset.filter(year=year, area_id__in=chunk).delete()


def _write_values(parsed: IndicatorFile, area_ids, indicator_ids: dict[str, int], *, everything):
    _delete_old(
        IndicatorValue.objects.filter(indicator_id__in=list(indicator_ids.values())),
        parsed,
        area_ids,
        everything=everything,
    )

    def _value_lines():
        # The id columns as text once per key and per row, not once per value.
        prefixes = {key: str(pk) for key, pk in indicator_ids.items()}
        for row in parsed.rows:
            area = f"\t{area_ids[(row.year, row.code)]}\t{row.year}\t"
            yield "".join(f"{prefixes[key]}{area}{value!r}\n" for key, value in row.values.items())

    if connection.vendor == "postgresql":
        _copy(IndicatorValue._meta.db_table, "indicator_id, area_id, year, value", _value_lines())
        return
    IndicatorValue.objects.bulk_create(
        (
            IndicatorValue(
                indicator_id=indicator_ids[key],
                area_id=area_ids[(row.year, row.code)],
                year=row.year,
                value=value,
            )
            for row in parsed.rows
            for key, value in row.values.items()
        ),
        batch_size=BULK_BATCH,
    )


def _write_scores(parsed: IndicatorFile, area_ids, model: ScoreModel, *, everything):
    # Aggregated scores of the areas kept are rebuilt by the recompute after the import.
    _delete_old(Score.objects.filter(model=model), parsed, area_ids, everything=everything)
    rows = [r for r in parsed.rows if r.score_class is not None or r.score is not None]
    if connection.vendor == "postgresql":

        def text(value):
            return "\\N" if value is None else repr(value)

        _copy(
            Score._meta.db_table,
            "model_id, area_id, year, value, score_class, is_aggregated, no_data_reason",
            (
                f"{model.pk}\t{area_ids[(r.year, r.code)]}\t{r.year}\t{text(r.score)}\t{text(r.score_class)}\tf\t\n"
                for r in rows
            ),
        )
        return
    Score.objects.bulk_create(
        (
            Score(
                model=model,
                area_id=area_ids[(r.year, r.code)],
                year=r.year,
                value=r.score,
                score_class=r.score_class,
                is_aggregated=False,
            )
            for r in rows
        ),
        batch_size=BULK_BATCH,
    )


def _write(
    job: ScoreImport, parsed: IndicatorFile, area_ids, *, everything: dict[int, bool]
) -> list[RowIssue]:
    """Write the source's values (and published scores) of the file's years for the
    areas in the file, or, for a year with ``everything``, in place of all that year's;
    returns warnings about indicators it created."""
    indicator_ids, created = _indicators(job, parsed)
    if indicator_ids:
        _write_values(parsed, area_ids, indicator_ids, everything=everything)
    if parsed.has_scores:
        _write_scores(parsed, area_ids, _score_model(job, parsed), everything=everything)
    return _new_indicator_warnings(job.source, parsed, created=created)


# --- after the write ---------------------------------------------------------------------


def recompute_years(year: int) -> list[int]:
    """The import year and every later year that has values or scores: their trends and
    aggregates may lean on the year just imported."""
    later = sorted(set(Area.objects.filter(year__gt=year).values_list("year", flat=True).distinct()))
    years = [year]
    for other in later:
        if IndicatorValue.objects.filter(year=other).exists() or Score.objects.filter(year=other).exists():
            years.append(other)
    return years


def _after_import(job_id: int, year: int, *, recompute: bool = True) -> None:
    """Mark the maps stale and queue the recompute of ``year`` (the file's first) and
    every later year with figures."""
    from scores.versions import data_changed

    data_changed()
    if not recompute:
        return
    # Broker unreachable: the figures are stored; say so on the job.
    queue(
        "scores.tasks.scores_recompute",
        years=recompute_years(year),
        model_ids=None,
        what=f"the recompute after score import {job_id}",
        on_failure=lambda: _warn_recompute_not_started(job_id),
    )


def _warn_recompute_not_started(job_id: int) -> None:
    job = ScoreImport.objects.filter(pk=job_id).first()
    if job is not None:
        job.warnings = [
            *job.warnings,
            {
                "row": None,
                "code": "",
                "message": _(
                    "De cijfers zijn opgeslagen, maar het herberekenen van de scores kon niet worden "
                    "gestart. Vraag een platformbeheerder de scores opnieuw te laten berekenen."
                ),
            },
        ]
        job.save(update_fields=["warnings", "updated_at"])
