"""Writes for indicator imports: upload a file into a source, check it against the
boundaries of its year, and store its values (and published scores) all-or-nothing.

A file writes the source's values of its year for the indicators in it (and the
published scores of the source's model) for the areas in the file; other years are never
touched. Areas of that source and year that the file leaves out are kept (``merge``),
lose those values (``replace``), or, when no choice was made (``check``), stop the import
so that a partial file never silently wipes the rest.
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


def _check_year(year) -> int:
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
    year: int,
    dry_run: bool = False,
    mode: str = ScoreImport.Mode.MERGE,
) -> ScoreImport:
    """Store an uploaded indicator file and queue its import. ``mode`` says what happens
    to stored areas the file leaves out (``ScoreImport.Mode``).

    Refuses at once what can be seen without reading the file: no right to import into
    the source, a file format that does not fit the source, a year without boundaries, a
    file that is empty, too large or not CSV/Excel. The rest is checked by the import
    task, which records its report on the returned job.
    """
    _check_rights(actor, source)
    file_format = _check_format(source, file_format)
    year = _check_year(year)
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
    year: int,
    dry_run: bool = False,
    recompute: bool = True,
    mode: str = ScoreImport.Mode.CHECK,
    stdout=None,
) -> ScoreImport:
    """Import an indicator file from disk at once (management command, demo), without
    Celery. ``file_format`` defaults to the source's kind. ``recompute=False`` leaves the
    recomputation to the caller, for a batch of files that is computed once at the end.
    ``mode`` defaults to ``check``: a file that leaves out stored areas imports nothing.

    The file is copied into the job's storage like an upload, so every import leaves the
    same record. The import itself is all-or-nothing in ``score_import_run``.
    """
    _check_rights(actor, source)
    file_format = _check_format(source, file_format or source.kind)
    year = _check_year(year)
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
    """Run the import of a queued job: read, check the codes against the boundaries of the
    year, write.

    Any error in the file: nothing is stored and the job is ``mislukt``. A dry run only
    reports what would be stored. After a real import the cached maps get a new data
    version and the scores of the year (and later years) are recomputed in the background.

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
    area_ids, code_errors = _resolve_codes(parsed, job.year)
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
    left_out = len(_areas_left_out(job, parsed, area_ids))
    if left_out and job.mode == ScoreImport.Mode.CHECK:
        return job_finish(
            job,
            status=ScoreImport.Status.FAILED,
            errors=[RowIssue(None, "", _left_out_message(job, parsed, area_ids, left_out))],
            warnings=warnings,
            counts={**counts, "areas_removed": left_out},
            callback=cb,
        )
    if left_out:
        warnings.append(RowIssue(None, "", _left_out_warning(job, left_out)))
    counts["areas_removed"] = left_out if job.mode == ScoreImport.Mode.REPLACE else 0
    counts["values_written"] = parsed.value_count
    counts["scores_written"] = parsed.score_count if parsed.has_scores else 0
    if not job.dry_run:
        job_progress(job, 60, _("%(n)s waarden opslaan") % {"n": parsed.value_count}, cb)
        with transaction.atomic():
            _lock_source(job.source_id)
            # Counted again under the lock: another import may have written meanwhile.
            left_now = (
                set() if job.mode == ScoreImport.Mode.REPLACE else _areas_left_out(job, parsed, area_ids)
            )
            late = len(left_now) if job.mode == ScoreImport.Mode.CHECK else 0
            if not late:
                everything = job.mode == ScoreImport.Mode.REPLACE or not left_now
                warnings += _write(job, parsed, area_ids, everything=everything)
        if late:
            # Areas appeared while the file was read: stopping still means nothing is written.
            return job_finish(
                job,
                status=ScoreImport.Status.FAILED,
                errors=[RowIssue(None, "", _left_out_message(job, parsed, area_ids, late))],
                warnings=warnings,
                counts={**counts, "areas_removed": late},
                callback=cb,
            )
    else:
        warnings += _new_indicator_warnings(job.source, parsed)
    job = job_finish(job, status=ScoreImport.Status.DONE, warnings=warnings, counts=counts, callback=cb)
    if not job.dry_run:
        # After the job's report is saved, so a warning about the recompute is kept.
        transaction.on_commit(lambda: _after_import(job.pk, job.year, recompute=recompute))
    return job


def _left_out_message(job: ScoreImport, parsed: IndicatorFile, area_ids: dict[str, int], n: int) -> str:
    return _(
        "Het bestand bevat %(in_file)s gebieden, maar van deze bron zijn voor %(year)s ook waarden "
        "opgeslagen van %(n)s gebieden die niet in het bestand staan. Er is niets opgeslagen. Kies "
        "aanvullen (--merge) om alleen de gebieden in het bestand bij te werken en de rest te houden, "
        "of vervangen (--replace) als het bestand de hele stand van %(year)s is; dan verliezen die "
        "%(n)s gebieden hun waarden."
    ) % {"in_file": len({area_ids[row.code] for row in parsed.rows}), "year": job.year, "n": n}


def _left_out_warning(job: ScoreImport, n: int) -> str:
    if job.mode == ScoreImport.Mode.REPLACE:
        if job.dry_run:
            return _(
                "Vervangen: %(n)s gebieden die niet in het bestand staan, zouden hun waarden van "
                "%(year)s uit deze bron verliezen."
            ) % {"n": n, "year": job.year}
        return _(
            "Vervangen: %(n)s gebieden die niet in het bestand staan, hebben hun waarden van %(year)s "
            "uit deze bron verloren."
        ) % {"n": n, "year": job.year}
    return _("Aanvullen: %(n)s gebieden die niet in het bestand staan, houden hun waarden van %(year)s.") % {
        "n": n,
        "year": job.year,
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


def _areas_left_out(job: ScoreImport, parsed: IndicatorFile, area_ids: dict[str, int]) -> set[int]:
    """Areas with stored values of the file's indicators (or published scores of the
    source's model) in the import year that are not in the file."""
    stored = set(
        IndicatorValue.objects.filter(
            indicator__source_id=job.source_id, indicator__key__in=list(parsed.indicators), year=job.year
        )
        .values_list("area_id", flat=True)
        .distinct()
    )
    model = _existing_score_model(job) if parsed.has_scores else None
    if model is not None:
        stored |= set(
            Score.objects.filter(model=model, year=job.year, is_aggregated=False)
            .values_list("area_id", flat=True)
            .distinct()
        )
    return stored - {area_ids[row.code] for row in parsed.rows}


def _chunks(items, size=IN_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _resolve_codes(parsed: IndicatorFile, year: int) -> tuple[dict[str, int], list[RowIssue]]:
    """Area ids of the year by code (one query), and an error for every row whose code is
    not in the year's boundaries, saying which years it does belong to."""
    area_ids = dict(
        Area.objects.filter(year=year, kind__in=AREA_KINDS)
        .values_list("code", "id")
        .iterator(chunk_size=5000)
    )
    if not area_ids:
        return {}, [RowIssue(None, "", _no_boundaries_message(year))]
    unknown = [row for row in parsed.rows if row.code not in area_ids]
    if not unknown:
        return area_ids, []
    other_years: dict[str, set[int]] = {}
    for chunk in _chunks({row.code for row in unknown}):
        for code, other in (
            Area.objects.filter(code__in=chunk, kind__in=AREA_KINDS).values_list("code", "year").distinct()
        ):
            other_years.setdefault(code, set()).add(other)
    errors = []
    for row in unknown:
        years = sorted(other_years.get(row.code, ()))
        if years:
            message = _(
                "Deze code hoort bij de indeling van %(years)s, niet bij die van %(year)s. Kies het jaar van "
                "de indeling waar het bestand bij hoort, of gebruik de codes van %(year)s."
            ) % {"years": ", ".join(str(y) for y in years), "year": year}
        else:
            message = _(
                "Onbekende code: geen gemeente, wijk of buurt in de indeling van %(year)s. Controleer de "
                "code of importeer eerst de grenzen waar hij in staat."
            ) % {"year": year}
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


def _delete_old(queryset, parsed: IndicatorFile, area_ids: dict[str, int], *, everything: bool) -> None:
    """Delete the year's old rows of ``queryset``: all of them when the file replaces
    everything (or covers every stored area), else those of the areas in the file."""
    if everything:
        queryset.delete()
        return
    for chunk in _chunks({area_ids[row.code] for row in parsed.rows}):
        queryset.filter(area_id__in=chunk).delete()


def _write_values(
    parsed: IndicatorFile,
    area_ids: dict[str, int],
    indicator_ids: dict[str, int],
    year: int,
    *,
    everything: bool,
):
    _delete_old(
        IndicatorValue.objects.filter(indicator_id__in=list(indicator_ids.values()), year=year),
        parsed,
        area_ids,
        everything=everything,
    )

    def _value_lines():
        # The id columns as text once per key and per row, not once per value.
        prefixes = {key: str(pk) for key, pk in indicator_ids.items()}
        for row in parsed.rows:
            area = f"\t{area_ids[row.code]}\t{year}\t"
            yield "".join(f"{prefixes[key]}{area}{value!r}\n" for key, value in row.values.items())

    if connection.vendor == "postgresql":
        _copy(IndicatorValue._meta.db_table, "indicator_id, area_id, year, value", _value_lines())
        return
    IndicatorValue.objects.bulk_create(
        (
            IndicatorValue(
                indicator_id=indicator_ids[key], area_id=area_ids[row.code], year=year, value=value
            )
            for row in parsed.rows
            for key, value in row.values.items()
        ),
        batch_size=BULK_BATCH,
    )


def _write_scores(
    parsed: IndicatorFile, area_ids: dict[str, int], model: ScoreModel, year: int, *, everything: bool
):
    # Aggregated scores of the areas kept are rebuilt by the recompute after the import.
    _delete_old(Score.objects.filter(model=model, year=year), parsed, area_ids, everything=everything)
    rows = [r for r in parsed.rows if r.score_class is not None or r.score is not None]
    if connection.vendor == "postgresql":

        def text(value):
            return "\\N" if value is None else repr(value)

        _copy(
            Score._meta.db_table,
            "model_id, area_id, year, value, score_class, is_aggregated, no_data_reason",
            (
                f"{model.pk}\t{area_ids[r.code]}\t{year}\t{text(r.score)}\t{text(r.score_class)}\tf\t\n"
                for r in rows
            ),
        )
        return
    Score.objects.bulk_create(
        (
            Score(
                model=model,
                area_id=area_ids[r.code],
                year=year,
                value=r.score,
                score_class=r.score_class,
                is_aggregated=False,
            )
            for r in rows
        ),
        batch_size=BULK_BATCH,
    )


def _write(
    job: ScoreImport, parsed: IndicatorFile, area_ids: dict[str, int], *, everything: bool
) -> list[RowIssue]:
    """Write the source's values (and published scores) of the year for the areas in the
    file, or, with ``everything``, in place of all the year's; returns warnings about
    indicators it created."""
    indicator_ids, created = _indicators(job, parsed)
    if indicator_ids:
        _write_values(parsed, area_ids, indicator_ids, job.year, everything=everything)
    if parsed.has_scores:
        _write_scores(parsed, area_ids, _score_model(job, parsed), job.year, everything=everything)
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
