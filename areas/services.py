"""Writes for areas: boundary imports per year, the overlaps between years, gebieden.

Boundary imports are all-or-nothing and only ever touch the rows of the year imported.
Gebieden (named sets of buurten) are made by beheerders of an organisation working in
that gemeente.
"""

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import pdok
from areas.importers import (
    KIND_LABEL,
    LEVEL_ORDER,
    BoundaryFileError,
    BoundaryRecord,
    boundary_file_too_large_message,
    polygonal,
    read_boundary_file,
    shape_fields,
    sniff_head,
)
from areas.models import ZOOM_BANDS, Area, AreaKind, AreaOverlap, BoundaryImport
from core.fetching import clean_gemeente_codes, job_fetch_run
from core.files import local_path
from core.imports import (
    ProgressCallback,
    RowIssue,
    existing_file,
    job_create_pending,
    job_finish,
    job_progress,
    job_queue_on_commit,
    job_run_now,
    job_store_file,
)
from core.permissions import ensure_in_scope, is_platform_admin, require
from core.services import check_version, save_versioned

logger = logging.getLogger(__name__)

NO_IMPORT_RIGHTS = _("Alleen platformbeheerders mogen grenzen importeren.")
FIRST_YEAR = 2000
BATCH_SIZE = 500
IN_CHUNK = 900  # keeps IN (...) lists under SQLite's parameter limit
SAME_SHAPE_DEGREES = 1e-7  # about a centimetre
OVERLAP_MIN_SHARE = 0.001  # slivers below this share of both areas are generalisation noise
# Any constant will do: one lock for all boundary imports, which are rare and may touch
# the overlaps of neighbouring years.
IMPORT_LOCK_KEY = 0x57_4B_41_52  # "WKAR"


# --- boundary imports -------------------------------------------------------------------


def boundary_year_range() -> tuple[int, int]:
    """The years a boundary import may be for: 2000 up to next year."""
    return FIRST_YEAR, timezone.now().year + 1


def _check_year(year) -> int:
    first, last = boundary_year_range()
    try:
        year = int(year)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"year": _("Vul een jaartal in, bijvoorbeeld 2024.")}) from exc
    if not first <= year <= last:
        raise ValidationError(
            {"year": _("Kies een jaar van %(first)s tot en met %(last)s.") % {"first": first, "last": last}}
        )
    return year


def _max_bytes() -> int:
    return settings.BOUNDARY_UPLOAD_MAX_BYTES


@transaction.atomic
def boundary_import_start(*, actor, uploaded_file, year: int, dry_run: bool = False) -> BoundaryImport:
    """Store an uploaded boundary file and queue its import (platform admins only).

    Refuses at once what can be seen without reading the file: no rights, a year out of
    range, a file that is too large, empty or not a GeoPackage / zip / GeoJSON. The rest
    is checked by the import task, which records its report on the returned job.
    """
    if not is_platform_admin(actor):
        raise PermissionDenied(NO_IMPORT_RIGHTS)
    year = _check_year(year)
    size = uploaded_file.size or 0
    if size > _max_bytes():
        raise ValidationError({"file": boundary_file_too_large_message(size, _max_bytes())})
    uploaded_file.seek(0)
    head = uploaded_file.read(64)
    uploaded_file.seek(0)
    try:
        sniff_head(head)
    except BoundaryFileError as exc:
        raise ValidationError({"file": exc.message}) from exc
    job = BoundaryImport(
        file=uploaded_file,
        original_name=Path(uploaded_file.name or "grenzen").name[:255],
        year=year,
        dry_run=dry_run,
        started_by=actor,
        status=BoundaryImport.Status.QUEUED,
    )
    save_versioned(job, actor=actor)
    job_queue_on_commit(job, "areas.tasks.boundary_import_run")
    return job


def boundary_import_file(*, actor, path, year: int, dry_run: bool = False, stdout=None) -> BoundaryImport:
    """Import a boundary file from disk at once (management command, demo), without Celery.

    The file is copied into the job's storage like an upload, so every import leaves the
    same record. Not one transaction as a whole: the import itself is all-or-nothing in
    ``boundary_import_run``.
    """
    if not is_platform_admin(actor):
        raise PermissionDenied(NO_IMPORT_RIGHTS)
    year = _check_year(year)
    path = existing_file(path)
    size = path.stat().st_size
    if size > _max_bytes():
        raise ValidationError(boundary_file_too_large_message(size, _max_bytes()))
    job = job_store_file(BoundaryImport(year=year, dry_run=dry_run, started_by=actor), path, actor=actor)

    return job_run_now(
        job,
        lambda progress_callback: boundary_import_run(job_id=job.pk, progress_callback=progress_callback),
        stdout=stdout,
    )


def boundary_import_run(*, job_id: int, progress_callback: ProgressCallback = None) -> BoundaryImport:
    """Run the import of a queued job: read, check, compare with the stored year, write.

    The report on the job counts created, changed (name, parent, water or shape differ)
    and unchanged areas, with warnings and errors per row. Any error: nothing is stored
    and the job is ``mislukt``. A dry run only reports. Only rows of the job's year are
    written; afterwards the overlaps with the nearest earlier and later year are
    recomputed.

    Deliberately not one ``@transaction.atomic`` as a whole: the progress updates must
    be visible while it runs, so only the data writes share one transaction.
    """
    job = BoundaryImport.objects.select_related("started_by").get(pk=job_id)
    if job.is_finished:
        return job  # a redelivered task: the job has already run
    cb = progress_callback
    job_progress(job, 5, _("bestand lezen"), cb, status=BoundaryImport.Status.RUNNING)
    try:
        with local_path(job.file) as path:
            parsed = read_boundary_file(path, year=job.year, max_bytes=_max_bytes())
    except BoundaryFileError as exc:
        return job_finish(
            job, status=BoundaryImport.Status.FAILED, errors=[RowIssue(None, "", exc.message)], callback=cb
        )
    if parsed.errors:
        return job_finish(
            job,
            status=BoundaryImport.Status.FAILED,
            errors=parsed.errors,
            warnings=parsed.warnings,
            callback=cb,
        )
    job_progress(
        job, 40, _("%(n)s gebieden gelezen; vergelijken en opslaan") % {"n": len(parsed.records)}, cb
    )

    with transaction.atomic():
        _lock_imports()
        plan = _plan(parsed.records, job.year)
        warnings = parsed.warnings + plan.warnings
        if plan.errors:
            return job_finish(
                job, status=BoundaryImport.Status.FAILED, errors=plan.errors, warnings=warnings, callback=cb
            )
        if not job.dry_run:
            _write(plan, year=job.year, actor=job.started_by)
            if cb:
                cb(80, _("overlap met andere jaren berekenen"))
            overlap_count = _overlaps_refresh(year=job.year)
            transaction.on_commit(lambda: _maps_changed(job.year))
            if cb:
                cb(95, _("%(n)s overlappen met andere jaren") % {"n": overlap_count})
    return job_finish(
        job,
        status=BoundaryImport.Status.DONE,
        warnings=warnings,
        counts={"created": len(plan.creates), "changed": len(plan.updates), "unchanged": plan.unchanged},
        callback=cb,
    )


def _maps_changed(year: int) -> None:
    # Cached map GeoJSON of this year is keyed on a data version; start a new one.
    from areas.selectors import map_data_changed

    map_data_changed(year)


def _lock_imports():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])


@dataclass
class _Plan:
    creates: list[BoundaryRecord] = field(default_factory=list)
    updates: list[tuple[BoundaryRecord, int]] = field(default_factory=list)  # (record, area id)
    unchanged: int = 0
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    stored: dict = field(default_factory=dict)  # code -> id of the year's rows read


def _chunks(items, size=IN_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _plan(records: list[BoundaryRecord], year: int) -> _Plan:
    """Compare the file with what is stored for ``year``: what to create, what to update,
    and which parents are unknown. A handful of queries, none per row."""
    plan = _Plan()
    file_codes = {r.code for r in records}
    wanted = file_codes | {r.parent_code for r in records if r.parent_code}
    stored = {}
    for chunk in _chunks(wanted):
        for row in Area.objects.filter(year=year, code__in=chunk).values(
            "id", "code", "name", "parent_id", "is_water", "geometry"
        ):
            stored[row["code"]] = row
    plan.stored = {code: row["id"] for code, row in stored.items()}
    code_of_id = {row["id"]: code for code, row in stored.items()}

    for rec in records:
        if rec.parent_code and rec.parent_code not in file_codes and rec.parent_code not in stored:
            parent_kind = AreaKind.WIJK if rec.kind == AreaKind.BUURT else AreaKind.GEMEENTE
            plan.errors.append(
                RowIssue(
                    rec.row,
                    rec.code,
                    f"{KIND_LABEL[parent_kind]} {rec.parent_code} onbekend in jaar {year}. Importeer eerst de "
                    f"{'wijken' if parent_kind == AreaKind.WIJK else 'gemeenten'} van {year} "
                    "of neem ze op in dit bestand.",
                )
            )
    if plan.errors:
        return plan

    maybe_same_shape = []  # (record, stored row) whose WKB differs: compare as shapes
    for rec in records:
        row = stored.get(rec.code)
        if row is None:
            plan.creates.append(rec)
            continue
        old_geometry = bytes(row["geometry"]) if row["geometry"] is not None else None
        same_attrs = (
            row["name"] == rec.name
            and row["is_water"] == rec.is_water
            and code_of_id.get(row["parent_id"]) == rec.parent_code
        )
        if not same_attrs or (old_geometry is None) != (rec.geometry is None):
            plan.updates.append((rec, row["id"]))
        elif old_geometry == rec.geometry:
            plan.unchanged += 1
        else:
            maybe_same_shape.append((rec, row["id"], old_geometry))
    if maybe_same_shape:
        # The same polygon can be written with its ring starting at another vertex, or
        # come back from RD New a few nanodegrees off: neither is a change.
        new = shapely.from_wkb([m[0].geometry for m in maybe_same_shape])
        old = shapely.from_wkb([m[2] for m in maybe_same_shape])
        equal = shapely.equals_exact(new, old, tolerance=SAME_SHAPE_DEGREES) | shapely.equals(new, old)
        for (rec, area_id, _old), same in zip(maybe_same_shape, equal, strict=True):
            if same:
                plan.unchanged += 1
            else:
                plan.updates.append((rec, area_id))

    # Areas of this year in the same gemeenten and levels that the file leaves out stay
    # as they are; say so, because a national re-import may mean they were dropped.
    levels = {r.kind for r in records}
    gemeenten = {r.gemeente_code for r in records}
    left_out = set()
    for chunk in _chunks(gemeenten):
        left_out.update(
            Area.objects.filter(year=year, kind__in=levels, gemeente_code__in=chunk).values_list(
                "code", flat=True
            )
        )
    missing = sorted(left_out - file_codes)
    if missing:
        plan.warnings.append(
            RowIssue(
                None,
                "",
                f"{len(missing)} gebieden van {year} staan niet in dit bestand en blijven ongewijzigd bewaard "
                f"(bijvoorbeeld {', '.join(missing[:5])}).",
            )
        )
    return plan


def _area_values(rec: BoundaryRecord) -> dict:
    bbox = rec.bbox or (None, None, None, None)
    return {
        "name": rec.name,
        "is_water": rec.is_water,
        "gemeente_code": rec.gemeente_code,
        "geometry": rec.geometry,
        "shape_land": rec.shapes.get("land") or "",
        "shape_regio": rec.shapes.get("regio") or "",
        "shape_stad": rec.shapes.get("stad") or "",
        "area_m2": rec.area_m2,
        "min_lon": bbox[0],
        "min_lat": bbox[1],
        "max_lon": bbox[2],
        "max_lat": bbox[3],
    }


UPDATE_FIELDS = [
    "name",
    "is_water",
    "gemeente_code",
    "geometry",
    "shape_land",
    "shape_regio",
    "shape_stad",
    "area_m2",
    "min_lon",
    "min_lat",
    "max_lon",
    "max_lat",
    "parent",
    "version",
    "updated_at",
]


def _bulk_update(objs: list[Area]) -> None:
    """``bulk_update`` for many rows. Django's version writes one CASE WHEN per field and
    row, which grows quadratically with the batch (minutes for a national re-import); on
    PostgreSQL one UPDATE … FROM UNNEST(arrays) does the same in a fraction of that."""
    if connection.vendor != "postgresql":
        Area.objects.bulk_update(objs, UPDATE_FIELDS, batch_size=100)
        return
    fields = [Area._meta.get_field(name) for name in UPDATE_FIELDS]
    qn = connection.ops.quote_name
    pk = Area._meta.pk
    columns = [pk.column] + [f.column for f in fields]
    types = [pk.db_type(connection)] + [
        (f.target_field if f.is_relation else f).db_type(connection).split("(")[0] for f in fields
    ]
    types = ["bigint" if t == "bigserial" else t for t in types]
    arrays = [[obj.pk for obj in objs]] + [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in objs] for f in fields
    ]
    sql = "UPDATE {table} AS a SET {sets} FROM UNNEST({arrays}) AS v({names}) WHERE a.{pk} = v.{pk}".format(
        table=qn(Area._meta.db_table),
        sets=", ".join(f"{qn(c)} = v.{qn(c)}" for c in columns[1:]),
        arrays=", ".join(f"%s::{t}[]" for t in types),
        names=", ".join(qn(c) for c in columns),
        pk=qn(pk.column),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)


def _write(plan: _Plan, *, year: int, actor) -> None:
    """Create and update the year's areas level by level (parents first), in batches,
    with their history rows. The rows were validated by the importer and ``_plan``;
    ``full_clean`` per row would cost a query each."""
    now = timezone.now()
    reason = _("grensimport %(year)s") % {"year": year}
    code_to_id = dict(plan.stored)
    updates_by_level = {}
    for rec, area_id in plan.updates:
        updates_by_level.setdefault(LEVEL_ORDER[rec.kind], []).append((rec, area_id))
    creates_by_level = {}
    for rec in plan.creates:
        creates_by_level.setdefault(LEVEL_ORDER[rec.kind], []).append(rec)

    for level in sorted(set(creates_by_level) | set(updates_by_level)):
        new = [
            Area(
                year=year,
                kind=rec.kind,
                code=rec.code,
                parent_id=code_to_id.get(rec.parent_code) if rec.parent_code else None,
                version=1,
                **_area_values(rec),
            )
            for rec in creates_by_level.get(level, [])
        ]
        for batch in _chunks(new, BATCH_SIZE):
            Area.objects.bulk_create(batch)
            Area.history.bulk_history_create(
                batch, default_user=actor, default_change_reason=reason, default_date=now
            )
        code_to_id.update({area.code: area.pk for area in new})

        pending = {area_id: rec for rec, area_id in updates_by_level.get(level, [])}
        for ids in _chunks(pending, BATCH_SIZE):
            objs = list(
                Area.objects.filter(pk__in=ids).defer("geometry", "shape_land", "shape_regio", "shape_stad")
            )
            for area in objs:
                rec = pending[area.pk]
                for name, value in _area_values(rec).items():
                    setattr(area, name, value)
                area.parent_id = code_to_id.get(rec.parent_code) if rec.parent_code else None
                area.version += 1
                area.updated_at = now
            _bulk_update(objs)
            Area.history.bulk_history_create(
                objs, update=True, default_user=actor, default_change_reason=reason, default_date=now
            )


# --- fetching boundaries from PDOK -------------------------------------------------------


def _new_fetch_job(*, actor, year, gemeenten, dry_run) -> tuple[BoundaryImport, list[str]]:
    if not is_platform_admin(actor):
        raise PermissionDenied(NO_IMPORT_RIGHTS)
    gemeenten = clean_gemeente_codes(gemeenten)
    year = _check_year(year)
    where = ", ".join(gemeenten) if gemeenten else _("heel Nederland")
    job = BoundaryImport(
        original_name=f"PDOK wijken-en-buurten-{year} ({where})"[:255],
        year=year,
        dry_run=dry_run,
        started_by=actor,
        status=BoundaryImport.Status.QUEUED,
    )
    return job_create_pending(job, actor=actor), gemeenten


@transaction.atomic
def boundary_fetch_start(*, actor, year: int, gemeenten: list[str] | None = None, dry_run: bool = False):
    """Queue a fetch of a year's CBS boundaries from PDOK (all gemeenten or the given ones;
    platform admins). Returns the job to poll; its task fetches and imports."""
    job, gemeenten = _new_fetch_job(actor=actor, year=year, gemeenten=gemeenten, dry_run=dry_run)
    job_queue_on_commit(job, "areas.tasks.boundary_fetch_run", gemeenten=gemeenten)
    return job


def boundary_fetch_now(
    *, actor, year: int, gemeenten: list[str] | None = None, dry_run: bool = False, fetch=None, stdout=None
) -> BoundaryImport:
    """Fetch and import at once (management command), without Celery."""
    job, gemeenten = _new_fetch_job(actor=actor, year=year, gemeenten=gemeenten, dry_run=dry_run)
    return job_run_now(
        job,
        lambda progress_callback: boundary_fetch_run(
            job_id=job.pk, gemeenten=gemeenten, fetch=fetch, progress_callback=progress_callback
        ),
        stdout=stdout,
    )


def boundary_fetch_run(
    *, job_id: int, gemeenten: list[str] | None = None, fetch=None, progress_callback: ProgressCallback = None
) -> BoundaryImport:
    """Fetch the boundaries from PDOK, keep them as the job's GeoJSON file and import that
    file with ``boundary_import_run``. A failed fetch fails the job with its reason;
    nothing is stored."""
    job = BoundaryImport.objects.get(pk=job_id)
    where = "-".join(gemeenten) if gemeenten else "NL"
    return job_fetch_run(
        job,
        started=_("grenzen ophalen bij %(service)s") % {"service": pdok.SERVICE},
        fetch=lambda progress: pdok.fetch_boundaries(
            year=job.year, gemeenten=gemeenten or [], fetch=fetch, progress=progress, max_bytes=_max_bytes()
        ),
        file_of=lambda fetched: (f"pdok-wijken-en-buurten-{job.year}-{where}.geojson", fetched.geojson),
        run_import=boundary_import_run,
        progress_callback=progress_callback,
    )


# --- overlaps between years -------------------------------------------------------------


def _neighbour_years(year: int, kind: str) -> list[int]:
    years = set(
        Area.objects.filter(kind=kind, geometry__isnull=False)
        .exclude(year=year)
        .values_list("year", flat=True)
        .distinct()
    )
    earlier = [y for y in years if y < year]
    later = [y for y in years if y > year]
    return [y for y in (max(earlier, default=None), min(later, default=None)) if y is not None]


def _shapes_of(year: int, kind: str):
    rows = list(
        Area.objects.filter(year=year, kind=kind, geometry__isnull=False).values_list("id", "geometry")
    )
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    wkb = np.array([bytes(r[1]) for r in rows], dtype=object)
    return ids, wkb, shapely.from_wkb(wkb) if len(wkb) else np.empty(0, dtype=object)


def overlaps_between(old_wkb, old_geoms, new_wkb, new_geoms, *, min_share=OVERLAP_MIN_SHARE):
    """Pairs (old index, new index, share of old, share of new) of areas whose interiors
    overlap. Shares are ratios of areas measured in WGS84 degrees²: within one buurt's
    extent the distortion is the same for both, so the ratio holds."""
    if not len(old_geoms) or not len(new_geoms):
        return []
    tree = shapely.STRtree(new_geoms)
    io, jn = tree.query(old_geoms, predicate="intersects")
    if not len(io):
        return []
    area_old = shapely.area(old_geoms)
    area_new = shapely.area(new_geoms)
    same = np.fromiter((old_wkb[i] == new_wkb[j] for i, j in zip(io, jn, strict=True)), bool, len(io))
    # An area with an identical twin in the other year lies wholly in that twin; within
    # one year areas do not overlap, so its other pairs only touch. Most areas stay the
    # same from year to year, so this skips nearly all intersections.
    twin_old = np.zeros(len(old_geoms), bool)
    twin_old[io[same]] = True
    twin_new = np.zeros(len(new_geoms), bool)
    twin_new[jn[same]] = True
    inter = np.zeros(len(io))
    inter[same] = area_old[io[same]]
    todo = ~same & ~twin_old[io] & ~twin_new[jn]
    if todo.any():
        inter[todo] = shapely.area(shapely.intersection(old_geoms[io[todo]], new_geoms[jn[todo]]))
    with np.errstate(divide="ignore", invalid="ignore"):
        share_old = np.clip(np.nan_to_num(inter / area_old[io]), 0, 1)
        share_new = np.clip(np.nan_to_num(inter / area_new[jn]), 0, 1)
    keep = (share_old >= min_share) | (share_new >= min_share)
    return list(zip(io[keep], jn[keep], share_old[keep], share_new[keep], strict=True))


def _overlaps_refresh(*, year: int) -> int:
    """Replace the overlaps between ``year`` and the nearest earlier and later stored year,
    per level (gemeente, wijk, buurt). The source of an overlap is always the area of the
    earlier year, the target the one of the later year."""
    AreaOverlap.objects.filter(Q(source__year=year) | Q(target__year=year)).delete()
    count = 0
    for kind in (AreaKind.GEMEENTE, AreaKind.WIJK, AreaKind.BUURT):
        others = _neighbour_years(year, kind)
        if not others:
            continue
        this = _shapes_of(year, kind)
        for other_year in others:
            other = _shapes_of(other_year, kind)
            old, new = (other, this) if other_year < year else (this, other)
            rows = [
                AreaOverlap(
                    source_id=int(old[0][i]),
                    target_id=int(new[0][j]),
                    share_of_source=float(s_old),
                    share_of_target=float(s_new),
                )
                for i, j, s_old, s_new in overlaps_between(old[1], old[2], new[1], new[2])
            ]
            AreaOverlap.objects.bulk_create(rows, batch_size=5000)
            count += len(rows)
    return count


# --- gebieden ---------------------------------------------------------------------------

NO_GEBIED_RIGHTS = _("Alleen beheerders van de organisatie mogen haar gebieden maken en wijzigen.")


def _gebied_buurten(*, organisation, buurten, year=None) -> list[Area]:
    """The buurten of a gebied, reloaded and checked: at least one, all buurten of one
    gemeente and year, in the gemeente where the organisation works."""
    ids = {b.pk for b in buurten or [] if b is not None and b.pk}
    if not ids:
        raise ValidationError({"buurten": _("Kies minstens één buurt.")})
    found = list(Area.objects.filter(pk__in=ids).order_by("code"))
    if len(found) != len(ids):
        raise ValidationError({"buurten": _("Een of meer gekozen buurten bestaan niet meer.")})
    if any(b.kind != AreaKind.BUURT for b in found):
        raise ValidationError({"buurten": _("Een gebied bestaat alleen uit buurten.")})
    years = {b.year for b in found}
    if len(years) > 1 or (year is not None and years != {year}):
        raise ValidationError(
            {"buurten": _("Kies buurten uit één jaar van de indeling: het jaar van het gebied.")}
        )
    gemeenten = {b.gemeente_code for b in found}
    if len(gemeenten) > 1:
        raise ValidationError({"buurten": _("Alle buurten van een gebied liggen in één gemeente.")})
    (gemeente_code,) = gemeenten
    if organisation.gemeente_code != gemeente_code:
        raise PermissionDenied(
            _("%(org)s werkt niet in gemeente %(code)s en kan daar geen gebied maken.")
            % {"org": organisation, "code": gemeente_code}
        )
    return found


def _gebied_shape(area: Area, buurten: list[Area]) -> None:
    """Shape of the gebied: the union of its buurten, stored like an imported area."""
    geoms = [shapely.from_wkb(bytes(b.geometry)) for b in buurten if b.geometry is not None]
    union = polygonal(shapely.union_all(geoms)) if geoms else None
    if union is None:
        area.geometry = None
        area.shape_land = area.shape_regio = area.shape_stad = ""
        area.area_m2 = area.min_lon = area.min_lat = area.max_lon = area.max_lat = None
        return
    computed = shape_fields(np.array([union], dtype=object))
    area.geometry = computed["wkb"][0]
    area.area_m2 = float(computed["area_m2"][0])
    area.min_lon, area.min_lat, area.max_lon, area.max_lat = (float(v) for v in computed["bounds"][0])
    for band in ZOOM_BANDS:
        setattr(area, f"shape_{band}", computed[band][0])


def _check_gebied_name(name: str, *, gemeente_code: str, year: int, exclude_pk=None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Geef het gebied een naam.")})
    if len(name) > 200:
        raise ValidationError({"name": _("Een naam is hoogstens 200 tekens.")})
    taken = (
        Area.objects.filter(kind=AreaKind.GEBIED, gemeente_code=gemeente_code, year=year, name__iexact=name)
        .exclude(pk=exclude_pk)
        .exists()
    )
    if taken:
        raise ValidationError({"name": _("Er is in deze gemeente al een gebied met deze naam.")})
    return name


def _next_gebied_code(gemeente_code: str) -> str:
    prefix = "GB" + gemeente_code[2:]
    codes = Area.objects.filter(kind=AreaKind.GEBIED, code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(c[len(prefix) :]) for c in codes if c[len(prefix) :].isdigit()]
    number = max(numbers, default=0) + 1
    if number > 9999:
        raise ValidationError(_("Deze gemeente heeft het hoogste aantal gebieden bereikt."))
    return f"{prefix}{number:04d}"


@transaction.atomic
def gebied_create(
    *, actor, organisation, name: str, year: int, buurten: list[Area], description: str = ""
) -> Area:
    """Make a gebied: a named set of buurten of one gemeente and year, owned by
    ``organisation``. Only its beheerders (or a platform admin) may, and only when the
    organisation works in that gemeente. Code: GB + gemeente digits + a sequence number."""
    require(actor, "manage", organisation, NO_GEBIED_RIGHTS)
    found = _gebied_buurten(organisation=organisation, buurten=buurten, year=year)
    gemeente_code = found[0].gemeente_code
    # Locking the gemeente serialises gebied codes within it.
    gemeente = (
        Area.objects.select_for_update().filter(year=year, kind=AreaKind.GEMEENTE, code=gemeente_code).first()
    )
    if gemeente is None:
        raise ValidationError(
            _("Gemeente %(code)s ontbreekt in de indeling van %(year)s; importeer die eerst.")
            % {"code": gemeente_code, "year": year}
        )
    name = _check_gebied_name(name, gemeente_code=gemeente_code, year=year)
    gebied = Area(
        year=year,
        kind=AreaKind.GEBIED,
        code=_next_gebied_code(gemeente_code),
        name=name,
        parent=gemeente,
        gemeente_code=gemeente_code,
        owner_organisation=organisation,
        description=description or "",
    )
    _gebied_shape(gebied, found)
    save_versioned(gebied, actor=actor, reason=_("gebied aangemaakt"))
    gebied.members.set(found)
    ensure_in_scope(actor, gebied)
    transaction.on_commit(lambda: _maps_changed(year))
    return gebied


def _locked_gebied(gebied) -> Area:
    gebied = Area.objects.select_for_update().get(pk=gebied.pk)
    if gebied.kind != AreaKind.GEBIED:
        raise ValidationError(_("Alleen een zelf gemaakt gebied kan hier worden gewijzigd."))
    return gebied


@transaction.atomic
def gebied_update(
    *, actor, gebied: Area, version: int, name: str, buurten: list[Area], description: str = ""
) -> Area:
    """Change a gebied's name, description and buurten (beheerders of its organisation).
    A stale ``version`` raises ``ConflictError``."""
    gebied = _locked_gebied(gebied)
    require(actor, "change", gebied, NO_GEBIED_RIGHTS)
    check_version(gebied, version)
    found = _gebied_buurten(organisation=gebied.owner_organisation, buurten=buurten, year=gebied.year)
    if found[0].gemeente_code != gebied.gemeente_code:
        raise ValidationError({"buurten": _("Kies buurten in de gemeente van het gebied.")})
    gebied.name = _check_gebied_name(
        name, gemeente_code=gebied.gemeente_code, year=gebied.year, exclude_pk=gebied.pk
    )
    gebied.description = description or ""
    _gebied_shape(gebied, found)
    save_versioned(gebied, actor=actor, reason=_("gebied gewijzigd"))
    gebied.members.set(found)
    ensure_in_scope(actor, gebied)
    transaction.on_commit(lambda: _maps_changed(gebied.year))
    return gebied


@transaction.atomic
def gebied_delete(*, actor, gebied: Area) -> None:
    """Remove a gebied (beheerders of its organisation)."""
    gebied = _locked_gebied(gebied)
    require(actor, "delete", gebied, NO_GEBIED_RIGHTS)
    gebied._history_user = actor
    try:
        gebied.delete()
    except ProtectedError as exc:
        raise ValidationError(
            _("Dit gebied wordt nog gebruikt (bijvoorbeeld door interventies) en kan niet worden verwijderd.")
        ) from exc
    transaction.on_commit(lambda: _maps_changed(gebied.year))
