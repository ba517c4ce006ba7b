"""GeoPackage files for download, written the same way by every app (with pyogrio, whose
wheels carry GDAL).

The apps decide the layer (its features, their fields and shapes); this module decides how
that becomes a file: typed columns, empty values as NULL, shapes as multipolygons in
WGS84 (the stored full-precision shape), the licence or source note in the layer
description, and the download response.
"""

from dataclasses import dataclass, field

import numpy as np
from django.http import HttpResponse
from pyogrio.raw import write

from core.exports import dated_filename

CONTENT_TYPE = "application/geopackage+sqlite3"
EXTENSION = "gpkg"
# Stored shapes are WKB in WGS84 with longitude first, the order GeoPackage uses.
STORAGE_CRS = "EPSG:4326"

TEXT, INTEGER, REAL, BOOLEAN = "text", "integer", "real", "boolean"


@dataclass
class Column:
    """One attribute column: its name in the file, its type and one value per feature
    (None for no value)."""

    name: str
    kind: str
    values: list = field(default_factory=list)

    def arrays(self) -> tuple[np.ndarray, np.ndarray | None]:
        """The column as pyogrio takes it: the values and a mask of the empty ones."""
        missing = np.array([v is None for v in self.values], dtype=bool)
        if self.kind == TEXT:
            return np.array(["" if v is None else str(v) for v in self.values], dtype=object), missing
        if self.kind == REAL:
            # NaN is written as NULL (``nan_as_null``).
            return np.array([np.nan if v is None else float(v) for v in self.values], dtype=np.float64), None
        dtype = np.bool_ if self.kind == BOOLEAN else np.int64
        return np.array([0 if v is None else v for v in self.values], dtype=dtype), missing


def geopackage_bytes(
    *, layer: str, shapes: list[bytes | None], columns: list[Column], description=""
) -> bytes:
    """A GeoPackage with one layer of multipolygons: ``shapes`` (WKB in WGS84, None for an
    area without a shape) with the ``columns`` beside them, one value per shape."""
    import io

    for column in columns:
        if len(column.values) != len(shapes):
            raise ValueError(f"{column.name}: {len(column.values)} values for {len(shapes)} shapes")
    data, masks = zip(*(c.arrays() for c in columns), strict=True) if columns else ((), ())
    buffer = io.BytesIO()
    write(
        buffer,
        np.array(shapes, dtype=object),
        list(data),
        [c.name for c in columns],
        field_mask=list(masks) if any(m is not None for m in masks) else None,
        layer=layer,
        driver="GPKG",
        geometry_type="MultiPolygon",
        promote_to_multi=True,
        crs=STORAGE_CRS,
        layer_options={"DESCRIPTION": description} if description else None,
    )
    return buffer.getvalue()


def geopackage_download(body: bytes, stem: str) -> HttpResponse:
    """A response that downloads ``body`` as ``stem-YYYYMMDD.gpkg``."""
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{dated_filename(stem, EXTENSION)}"'
    return response
