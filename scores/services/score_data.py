"""The arrays one score recomputation reads (``scores.services.compute``): the areas of a
boundary year, indicator values, aggregation weights and the lineage between years, loaded
once per recomputation (binary COPY on PostgreSQL), and the score rows it computes."""

import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db import connection

from areas.models import AreaKind
from scores.models import ScoreModel
from scores.selectors.lineage import area_lineage
from scores.services.catalogue import dwellings_indicator, inhabitants_indicator

GEMEENTE, WIJK, BUURT, GEBIED = 0, 1, 2, 3
_KIND_CODES = {
    AreaKind.GEMEENTE: GEMEENTE,
    AreaKind.WIJK: WIJK,
    AreaKind.BUURT: BUURT,
    AreaKind.GEBIED: GEBIED,
}


def nan_sql() -> str:
    return "'NaN'::float8" if is_postgres() else "NULL"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


_WITHOUT_CASTS = re.compile(r"::(int8|float8)")


def fetch_array(sql: str, params: list, types: str) -> np.ndarray:
    """Rows of ``sql`` as an (n, len(types)) float64 array; ``types`` has one letter per
    column, ``i`` for bigint and ``f`` for double precision (NULL becomes NaN).

    On PostgreSQL the rows come through binary COPY and are read straight into numpy;
    the query must cast its columns to ``int8``/``float8`` and may only take integer
    parameters (they are written into the statement)."""
    width = len(types)
    if not is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(_WITHOUT_CASTS.sub("", sql), params)
            rows = cursor.fetchall()
        return np.array(rows, dtype=np.float64).reshape(len(rows), width)
    statement = sql % tuple(int(p) for p in params)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({statement}) TO STDOUT (FORMAT BINARY)") as copy,
    ):
        data = b"".join(bytes(block) for block in copy)
    # Header: 11-byte signature, flags, extension length; trailer: field count -1.
    (ext,) = struct.unpack(">i", data[15:19])
    body = data[19 + ext : -2]
    fields = [("n", ">i2")]
    for i, letter in enumerate(types):
        fields += [(f"len{i}", ">i4"), (f"c{i}", ">i8" if letter == "i" else ">f8")]
    dtype = np.dtype(fields)
    if len(body) % dtype.itemsize == 0:
        rows = np.frombuffer(body, dtype=dtype)
        # Every field 8 bytes long: no NULLs, so the fixed layout holds.
        if all(bool((rows[f"len{i}"] == 8).all()) for i in range(width)):
            out = np.empty((len(rows), width), dtype=np.float64)
            for i in range(width):
                out[:, i] = rows[f"c{i}"]
            return out
    # Some NULLs (variable row length): read row by row.
    return _parse_binary_rows(body, types)


def _parse_binary_rows(body: bytes, types: str) -> np.ndarray:
    out = []
    pos = 0
    width = len(types)
    while pos < len(body):
        pos += 2
        row = []
        for letter in types:
            (length,) = struct.unpack_from(">i", body, pos)
            pos += 4
            if length < 0:
                row.append(np.nan)
                continue
            row.append(struct.unpack_from(">q" if letter == "i" else ">d", body, pos)[0])
            pos += length
        out.append(row)
    return np.array(out, dtype=np.float64).reshape(len(out), width)


@dataclass
class YearAreas:
    """The areas of one boundary year as arrays, sorted by id."""

    year: int
    ids: np.ndarray
    kind: np.ndarray
    water: np.ndarray
    wijk: np.ndarray  # per area: index of its wijk (buurten), else -1
    gemeente: np.ndarray  # per area: index of its gemeente, else -1
    gebied_of: np.ndarray  # member pairs: gebied index ...
    member: np.ndarray  # ... and buurt index

    def index(self, area_ids: np.ndarray) -> np.ndarray:
        """Positions of ``area_ids`` in this year (-1 where not an area of the year)."""
        area_ids = np.asarray(area_ids, dtype=np.int64)
        if not len(self.ids):
            return np.full(len(area_ids), -1, dtype=np.int64)
        pos = np.clip(np.searchsorted(self.ids, area_ids), 0, len(self.ids) - 1)
        return np.where(self.ids[pos] == area_ids, pos, -1)

    @property
    def land_buurten(self) -> np.ndarray:
        return np.flatnonzero((self.kind == BUURT) & ~self.water)

    @property
    def aggregates(self) -> np.ndarray:
        """Indexes of the wijken, gemeenten and gebieden."""
        return np.flatnonzero(self.kind != BUURT)


@dataclass
class ScoreRows:
    """Score rows of one model and year, as arrays."""

    area_ids: np.ndarray
    value: np.ndarray
    score_class: np.ndarray
    is_aggregated: np.ndarray
    contributions: list = field(default_factory=list)  # JSON text or None
    reasons: list = field(default_factory=list)
    trend: np.ndarray | None = None
    previous_year: np.ndarray | None = None
    previous_class: np.ndarray | None = None
    # The area kept its code but was redrawn, so its previous measurement is that of the
    # land it covers now (``scores.selectors.lineage.REDRAWN_SHARE``): "grens gewijzigd".
    boundary_changed: np.ndarray | None = None

    @classmethod
    def empty(cls):
        return cls(np.empty(0, np.int64), np.empty(0), np.empty(0), np.empty(0, bool), [], [])

    def __len__(self):
        return len(self.area_ids)

    @classmethod
    def concat(cls, parts: list["ScoreRows"]) -> "ScoreRows":
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty()
        return cls(
            np.concatenate([p.area_ids for p in parts]),
            np.concatenate([p.value for p in parts]),
            np.concatenate([p.score_class for p in parts]),
            np.concatenate([p.is_aggregated for p in parts]),
            [c for p in parts for c in p.contributions],
            [r for p in parts for r in p.reasons],
        )


class RecomputeData:
    """What one recomputation reads, loaded once and kept for every model."""

    def __init__(self):
        self._areas: dict[int, YearAreas] = {}
        self._values: dict[tuple[int, int], np.ndarray] = {}
        self._lineage: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._redrawn: dict[tuple[int, int], np.ndarray] = {}
        self.inhabitants = inhabitants_indicator()
        self.dwellings = dwellings_indicator()

    def areas(self, year: int) -> YearAreas:
        if year not in self._areas:
            self._areas[year] = self._load_areas(year)
        return self._areas[year]

    def _load_areas(self, year: int) -> YearAreas:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, kind, parent_id, gemeente_code, code, is_water FROM areas_area "
                "WHERE year = %s ORDER BY id",
                [year],
            )
            rows = cursor.fetchall()
            cursor.execute(
                "SELECT m.from_area_id, m.to_area_id FROM areas_area_members m "
                "JOIN areas_area g ON g.id = m.from_area_id WHERE g.year = %s",
                [year],
            )
            members = cursor.fetchall()
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        kind = np.array([_KIND_CODES.get(r[1], -1) for r in rows], dtype=np.int8)
        water = np.array([bool(r[5]) for r in rows], dtype=bool)
        position = {r[0]: i for i, r in enumerate(rows)}
        gemeente_by_code = {r[4]: i for i, r in enumerate(rows) if kind[i] == GEMEENTE}
        wijk = np.full(len(rows), -1, dtype=np.int64)
        gemeente = np.full(len(rows), -1, dtype=np.int64)
        for i, (_pk, _kind, parent_id, gemeente_code, _code, _water) in enumerate(rows):
            if kind[i] in (WIJK, BUURT):
                gemeente[i] = gemeente_by_code.get(gemeente_code, -1)
            if kind[i] == BUURT and parent_id is not None:
                p = position.get(parent_id, -1)
                if p >= 0 and kind[p] == WIJK:
                    wijk[i] = p
        pairs = [
            (position[g], position[m])
            for g, m in members
            if m in position and kind[position[m]] == BUURT and not water[position[m]]
        ]
        gebied_of = np.array([p[0] for p in pairs], dtype=np.int64)
        member = np.array([p[1] for p in pairs], dtype=np.int64)
        return YearAreas(year, ids, kind, water, wijk, gemeente, gebied_of, member)

    def values(self, indicator_id: int, year: int) -> np.ndarray:
        """The indicator's values for every area of ``year`` (NaN where missing)."""
        key = (indicator_id, year)
        if key not in self._values:
            self.preload([indicator_id], [year])
        return self._values[key]

    def preload(self, indicator_ids: Iterable[int], years: Iterable[int]) -> None:
        """Load the values of several indicators for several years, one query per year
        (each served by the indicator-and-year index)."""
        indicator_ids = sorted(set(indicator_ids))
        for year in sorted(set(years)):
            wanted = [i for i in indicator_ids if (i, year) not in self._values]
            if not wanted:
                continue
            areas = self.areas(year)
            data = fetch_array(
                "SELECT indicator_id::int8, area_id::int8, value::float8 FROM scores_indicatorvalue "
                f"WHERE year = %s AND indicator_id IN ({', '.join(['%s'] * len(wanted))})",
                [year, *wanted],
                "iif",
            )
            ind = data[:, 0].astype(np.int64)
            pos = areas.index(data[:, 1].astype(np.int64))
            for indicator_id in wanted:
                column = np.full(len(areas.ids), np.nan)
                mask = (ind == indicator_id) & (pos >= 0)
                column[pos[mask]] = data[mask, 2]
                self._values[(indicator_id, year)] = column

    def weights(self, model: ScoreModel, year: int) -> np.ndarray:
        """Aggregation weights of every area of ``year``: inhabitants or dwellings; 0 where
        missing, and 1 everywhere when the year has none at all."""
        indicator = self.dwellings if model.weighting == ScoreModel.Weighting.DWELLINGS else self.inhabitants
        raw = self.values(indicator.pk, year)
        if np.isnan(raw).all():
            return np.ones(len(raw))
        return np.nan_to_num(np.clip(raw, 0, None), nan=0.0)

    def lineage(self, year_to: int, year_from: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """area_lineage as arrays of (index in year_to, index in year_from, weight)."""
        key = (year_to, year_from)
        if key not in self._lineage:
            to_areas, from_areas = self.areas(year_to), self.areas(year_from)
            lineage = area_lineage(year_to=year_to, year_from=year_from)
            redrawn = np.zeros(len(to_areas.ids), dtype=bool)
            pos = to_areas.index(np.array(sorted(lineage.redrawn), dtype=np.int64))
            redrawn[pos[pos >= 0]] = True
            self._redrawn[key] = redrawn
            pairs = [
                (to_pk, from_pk, weight)
                for to_pk, parts in lineage.weights.items()
                for from_pk, weight in parts
            ]
            arr = np.array(pairs, dtype=np.float64).reshape(len(pairs), 3)
            to_idx = to_areas.index(arr[:, 0].astype(np.int64))
            from_idx = from_areas.index(arr[:, 1].astype(np.int64))
            keep = (to_idx >= 0) & (from_idx >= 0)
            self._lineage[key] = (to_idx[keep], from_idx[keep], arr[keep, 2])
        return self._lineage[key]

    def redrawn(self, year_to: int, year_from: int) -> np.ndarray:
        """Per area of ``year_to``: kept its code but was redrawn since ``year_from``."""
        self.lineage(year_to, year_from)
        return self._redrawn[(year_to, year_from)]

    def carry_agreed(self, year_to: int, year_from: int, column_from: np.ndarray) -> np.ndarray:
        """Like ``carry_back`` for labels that have no mean (signal cells): the label of an
        area's predecessors when all of them that have one agree, else NaN."""
        to_idx, from_idx, _weight = self.lineage(year_to, year_from)
        size = len(self.areas(year_to).ids)
        values = column_from[from_idx]
        ok = ~np.isnan(values)
        low = np.full(size, np.inf)
        high = np.full(size, -np.inf)
        np.minimum.at(low, to_idx[ok], values[ok])
        np.maximum.at(high, to_idx[ok], values[ok])
        return np.where(np.isfinite(low) & (low == high), low, np.nan)

    def carry_back(self, year_to: int, year_from: int, column_from: np.ndarray) -> np.ndarray:
        """A column over the areas of ``year_from`` followed to the areas of ``year_to``:
        the weighted mean of each area's predecessors that have a value."""
        to_idx, from_idx, weight = self.lineage(year_to, year_from)
        size = len(self.areas(year_to).ids)
        values = column_from[from_idx]
        ok = ~np.isnan(values)
        num = np.bincount(to_idx[ok], weight[ok] * values[ok], minlength=size)
        den = np.bincount(to_idx[ok], weight[ok], minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def aggregate(areas: YearAreas, rows: np.ndarray, weight: np.ndarray, columns: np.ndarray) -> tuple:
    """Weighted means of ``columns`` (one row per buurt index in ``rows``, NaN = absent)
    for every wijk, gemeente and gebied of the year. Returns (means over all areas of the
    year, NaN where nothing contributed; total weight per area)."""
    size = len(areas.ids)
    groups = [areas.wijk[rows], areas.gemeente[rows]]
    members = [np.arange(len(rows)), np.arange(len(rows))]
    if len(areas.member):
        # Gebied members among ``rows``.
        local = np.full(size, -1, dtype=np.int64)
        local[rows] = np.arange(len(rows))
        member_local = local[areas.member]
        ok = member_local >= 0
        groups.append(areas.gebied_of[ok])
        members.append(member_local[ok])
    group = np.concatenate(groups)
    member = np.concatenate(members)
    ok = group >= 0
    group, member = group[ok], member[ok]
    w = weight[member]
    out = np.full((size, columns.shape[1]), np.nan)
    total = np.bincount(group, w, minlength=size)
    for j in range(columns.shape[1]):
        col = columns[member, j]
        present = ~np.isnan(col)
        num = np.bincount(group[present], w[present] * col[present], minlength=size)
        den = np.bincount(group[present], w[present], minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, j] = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    return out, total
