"""Demo boundaries: the real CBS gemeente, wijken and buurten of Velsen (GM0453).

2022 comes complete (gemeente, wijken, buurten). For 2025 the data folder only has
buurten, so the 2025 gemeente and wijken are made from them (each the union of its
2025 buurten, with the 2022 names) and imported first: the 2025 vintage is then as
complete as 2022, and the overlaps between the two years are computed by the import.

Velsen's indeling did not change between 2022 and 2025 (same codes and names), so the
2023 and 2024 vintages are the 2022 files imported as those years: four consecutive
boundary years for trends. They are imported after 2025, so a demo that already had
2022 and 2025 ends in the same state as a new one.

Idempotent: a level that is already stored for a year is not imported again.
"""

import json
import os
import tempfile
from collections import defaultdict
from pathlib import Path

import shapely
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db.models import Q

from areas.importers import read_boundary_file
from areas.models import Area, AreaKind, BoundaryImport
from areas.services import boundary_import_file

GEMEENTE = "GM0453"
# Years whose boundaries are the 2022 files (Velsen's indeling stayed the same).
YEARS_AS_2022 = (2023, 2024)
FILES_2022 = [
    ("gemeente_2022.geojson", AreaKind.GEMEENTE),
    ("wijken_2022.geojson", AreaKind.WIJK),
    ("buurten_2022.geojson", AreaKind.BUURT),
]


VELSEN_FILES = (
    "gemeente_2022.geojson",
    "wijken_2022.geojson",
    "buurten_2022.geojson",
    "buurten_2025.geojson",
)


def data_dir() -> Path:
    """The folder with the Velsen extracts: ``data/cbs/velsen`` in the repository, or
    ``WIJKKOERS_DATA_DIR`` (a data folder with the same layout, or the velsen folder
    itself) when that is set."""
    override = os.environ.get("WIJKKOERS_DATA_DIR")
    if override:
        root = Path(override)
        for folder in (root / "cbs" / "velsen", root / "velsen", root):
            if (folder / VELSEN_FILES[0]).is_file():
                return folder.resolve()
        return root.resolve()
    return (Path(settings.BASE_DIR) / "data" / "cbs" / "velsen").resolve()


def velsen_file(name: str) -> Path:
    """One of the Velsen extracts; a clear error when it is not there."""
    path = data_dir() / name
    if not path.is_file():
        raise CommandError(
            f"Demogegevens ontbreken: {path} bestaat niet. De CBS-grenzen van Velsen horen in "
            "data/cbs/velsen van de repository (of in de map van WIJKKOERS_DATA_DIR)."
        )
    return path


def _stored(year, kind):
    return Area.objects.filter(year=year, kind=kind, gemeente_code=GEMEENTE).exists()


def _import(admin, path, year, log):
    job = boundary_import_file(actor=admin, path=path, year=year)
    if job.status != BoundaryImport.Status.DONE:
        problems = "; ".join(e["message"] for e in job.errors[:3])
        raise RuntimeError(f"Import van {path.name} ({year}) mislukt: {problems}")
    log(
        f"  grenzen {year} uit {path.name}: {job.created} nieuw, {job.changed} gewijzigd, "
        f"{job.unchanged} ongewijzigd, {len(job.warnings)} waarschuwing(en)"
    )


def _feature(code, name, geometry):
    return {
        "type": "Feature",
        "geometry": json.loads(shapely.to_geojson(geometry)) if geometry is not None else None,
        "properties": {"statcode": code, "statnaam": name},
    }


def _gemeente_and_wijken_2025(buurten_file: Path, folder: Path) -> Path:
    """A GeoJSON with the 2025 gemeente and wijken: unions of the 2025 buurten."""
    parsed = read_boundary_file(buurten_file, year=2025)
    shapes = defaultdict(list)
    for rec in parsed.records:
        if rec.geometry is not None:
            shapes[rec.parent_code].append(shapely.from_wkb(rec.geometry))
        else:
            shapes.setdefault(rec.parent_code, [])
    names = dict(
        Area.objects.filter(
            year=2022, gemeente_code=GEMEENTE, kind__in=[AreaKind.WIJK, AreaKind.GEMEENTE]
        ).values_list("code", "name")
    )
    wijken = {code: shapely.union_all(parts) if parts else None for code, parts in shapes.items()}
    whole = shapely.union_all([g for g in wijken.values() if g is not None])
    features = [_feature(GEMEENTE, names.get(GEMEENTE, "Velsen"), whole)]
    features += [_feature(code, names.get(code, code), geometry) for code, geometry in sorted(wijken.items())]
    path = folder / "indeling_2025_gemeente_en_wijken.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def _as_year(path: Path, year: int, folder: Path) -> Path:
    """A copy of a 2022 file for ``year``: the same features, with ``jrstatcode`` (year +
    code) saying the year it is imported as."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for feature in data["features"]:
        props = feature.get("properties") or {}
        if props.get("statcode"):
            props["jrstatcode"] = f"{year}{props['statcode']}"
    target = folder / path.name.replace("2022", str(year))
    target.write_text(json.dumps(data), encoding="utf-8")
    return target


def _seed_years_as_2022(admin, folder: Path, log) -> None:
    todo = [
        (year, name, kind) for year in YEARS_AS_2022 for name, kind in FILES_2022 if not _stored(year, kind)
    ]
    if not todo:
        return
    years = " en ".join(str(y) for y in sorted({year for year, _name, _kind in todo}))
    log(f"  grenzen {years}: de indeling van 2022 (in Velsen ongewijzigd tot en met 2025)")
    with tempfile.TemporaryDirectory() as tmp:
        for year, name, _kind in todo:
            _import(admin, _as_year(folder / name, year, Path(tmp)), year, log)


def seed(*, log):
    folder = velsen_file(VELSEN_FILES[0]).parent
    for name in VELSEN_FILES:
        velsen_file(name)
    User = get_user_model()
    admin = (
        User.objects.filter(Q(is_platform_admin=True) | Q(is_superuser=True), is_active=True)
        .order_by("pk")
        .first()
    )
    if admin is None:
        raise CommandError("Grenzen: er is geen platformbeheerder om de demogrenzen mee te importeren.")

    for name, kind in FILES_2022:
        if not _stored(2022, kind):
            _import(admin, folder / name, 2022, log)

    buurten_2025 = folder / "buurten_2025.geojson"
    if not (_stored(2025, AreaKind.GEMEENTE) and _stored(2025, AreaKind.WIJK)):
        with tempfile.TemporaryDirectory() as tmp:
            _import(admin, _gemeente_and_wijken_2025(buurten_2025, Path(tmp)), 2025, log)
    if not _stored(2025, AreaKind.BUURT):
        _import(admin, buurten_2025, 2025, log)

    _seed_years_as_2022(admin, folder, log)
