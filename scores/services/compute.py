"""Computing scores from indicator values: the score models of DESIGN §3.

``scores_recompute`` rebuilds, per boundary year, every active model's scores and then
their trends. It runs as the system (no user), in one transaction, and is idempotent: it
always rebuilds from the stored indicator values and published scores.

The three kinds of model:

- **published** (Leefbaarometer, an Aedes veerkrachtkaart): the imported rows stay as
  they are; levels the file did not have (wijk, gemeente, and always gebied) are the
  weighted mean of the buurt values, their class the weighted mean of the buurt classes
  rounded to the nearest class (``is_aggregated``).
- **index** (the Wijkkoers veerkracht-index): per year every component is z-scored over
  all land buurten of the country with at least ``min_population`` inhabitants
  (population standard deviation), turned round where higher is worse, and averaged with
  the weights of the components present; ``contributions`` explain every score.
- **signal** (the signal typology): the change of every component since the previous
  year with values, in standard deviations of that year, signed so that a growing
  problem is positive; averaged per role (vulnerability, overlast) and crossed into nine
  cells.

Wijken, gemeenten and gebieden are aggregated from their buurten, weighted by inhabitants
(or dwellings, ``ScoreModel.weighting``). Water pseudo-buurten take part in nothing.

Open models never mix in licensed data: an index or signal component whose indicator
comes from a licensed source is skipped with a warning in the log. A published model of
a licensed source keeps its source, so its aggregated scores stay licensed too.

Arrays are loaded with PostgreSQL's binary COPY and written with COPY (bulk_create on
SQLite); the arithmetic is numpy.
"""

import json
import logging
import re
import struct
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from areas.models import AreaKind
from scores import catalogue, versions
from scores.models import Direction, Indicator, ModelIndicator, Score, ScoreImport, ScoreModel, Source
from scores.selectors.lineage import area_lineage
from scores.services.catalogue import dwellings_indicator, inhabitants_indicator

logger = logging.getLogger(__name__)

# Stored reasons are Dutch source texts, so a page can translate them (catalogue.no_data_text).
NO_DATA_POPULATION = catalogue.NO_DATA_POPULATION
NO_DATA_MISSING = catalogue.NO_DATA_MISSING
NO_DATA_NO_BUURTEN = catalogue.NO_DATA_NO_BUURTEN

# Contributions, z-scores and changes are stored to this many decimals; a score is the sum
# of its stored contributions.
DECIMALS = 6

GEMEENTE, WIJK, BUURT, GEBIED = 0, 1, 2, 3
_KIND_CODES = {
    AreaKind.GEMEENTE: GEMEENTE,
    AreaKind.WIJK: WIJK,
    AreaKind.BUURT: BUURT,
    AreaKind.GEBIED: GEBIED,
}
ROLES = ("kwetsbaarheid", "overlast")
_TREND_STEPS = (0, 1, 2)  # daalt, stabiel, stijgt (scores.catalogue.TRENDS)
_LOCK_KEY = 0x57_4B_53_43  # "WKSC": one recomputation at a time


def _nan_sql() -> str:
    return "'NaN'::float8" if _is_postgres() else "NULL"


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --------------------------------------------------------------------------- loading


_WITHOUT_CASTS = re.compile(r"::(int8|float8)")


def _fetch(sql: str, params: list, types: str) -> np.ndarray:
    """Rows of ``sql`` as an (n, len(types)) float64 array; ``types`` has one letter per
    column, ``i`` for bigint and ``f`` for double precision (NULL becomes NaN).

    On PostgreSQL the rows come through binary COPY and are read straight into numpy;
    the query must cast its columns to ``int8``/``float8`` and may only take integer
    parameters (they are written into the statement)."""
    width = len(types)
    if not _is_postgres():
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
class _Areas:
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
class _Rows:
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
    def concat(cls, parts: list["_Rows"]) -> "_Rows":
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


class _Data:
    """What one recomputation reads, loaded once and kept for every model."""

    def __init__(self):
        self._areas: dict[int, _Areas] = {}
        self._values: dict[tuple[int, int], np.ndarray] = {}
        self._lineage: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._redrawn: dict[tuple[int, int], np.ndarray] = {}
        self.inhabitants = inhabitants_indicator()
        self.dwellings = dwellings_indicator()

    def areas(self, year: int) -> _Areas:
        if year not in self._areas:
            self._areas[year] = self._load_areas(year)
        return self._areas[year]

    def _load_areas(self, year: int) -> _Areas:
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
        return _Areas(year, ids, kind, water, wijk, gemeente, gebied_of, member)

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
            data = _fetch(
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


def _aggregate(areas: _Areas, rows: np.ndarray, weight: np.ndarray, columns: np.ndarray) -> tuple:
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


def _classify(values: np.ndarray, cutoffs: list) -> np.ndarray:
    """Class per value from ascending cut-offs: below the first is class 1, at or above
    the last is the highest class (NaN stays NaN; no cut-offs gives no class)."""
    if not cutoffs:
        return np.full(len(values), np.nan)
    classes = np.searchsorted(np.asarray(cutoffs, dtype=np.float64), values, side="right") + 1.0
    return np.where(np.isnan(values), np.nan, classes)


def _round_half_up(values: np.ndarray) -> np.ndarray:
    return np.floor(values + 0.5)


def _usable_components(model: ScoreModel, roles: Iterable[str] | None = None) -> list[ModelIndicator]:
    """The model's components from open sources (licensed ones are skipped and logged)."""
    usable = []
    for component in model.components.select_related("indicator__source").order_by("pk"):
        if roles is not None and component.role not in roles:
            continue
        if component.indicator.source.is_licensed:
            logger.warning(
                "Scoremodel %s: component %s komt uit de gelicentieerde bron %s en wordt overgeslagen.",
                model.key,
                component.indicator.key,
                component.indicator.source.name,
            )
            continue
        if component.weight <= 0:
            continue
        usable.append(component)
    return usable


def _fmt(x: float) -> str:
    return repr(float(x))


# --------------------------------------------------------------------------- index


def _index_year(data: _Data, model: ScoreModel, components: list[ModelIndicator], year: int) -> _Rows:
    areas = data.areas(year)
    buurten = areas.land_buurten
    if not components or not len(buurten):
        return _Rows.empty()
    raw = np.column_stack([data.values(c.indicator_id, year)[buurten] for c in components])
    if np.isnan(raw).all():
        return _Rows.empty()
    population = data.values(data.inhabitants.pk, year)[buurten]
    if np.isnan(population).all():
        logger.warning(
            "Scoremodel %s, %s: geen inwonertallen; geen buurt haalt het minimum.", model.key, year
        )
    with np.errstate(invalid="ignore"):
        eligible = population >= model.min_population
    keys = [c.indicator.key for c in components]
    weights = np.array([c.weight for c in components], dtype=np.float64)
    signs = np.array([-1.0 if c.indicator.direction == Direction.HIGHER_WORSE else 1.0 for c in components])

    # National z-scores over the eligible land buurten of the year.
    sample = raw[eligible]
    z = np.full(raw.shape, np.nan)
    for j in range(raw.shape[1]):
        col = sample[:, j]
        col = col[~np.isnan(col)]
        if not len(col):
            continue
        std = col.std()
        z[:, j] = 0.0 if std == 0 else (raw[:, j] - col.mean()) / std * signs[j]
    present = ~np.isnan(z)
    present_weight = (present * weights).sum(axis=1)
    total_weight = weights.sum()
    complete = present_weight * 2 >= total_weight
    scored = eligible & complete & (present_weight > 0)
    norm = np.where(present, weights / np.where(present_weight > 0, present_weight, 1)[:, None], 0.0)
    norm = np.round(norm, DECIMALS)
    z = np.round(z, DECIMALS)
    contribution = np.round(np.where(present, norm * np.nan_to_num(z), 0.0), DECIMALS)
    value = np.where(scored, contribution.sum(axis=1), np.nan)

    # Wijken, gemeenten, gebieden: weighted means over the scored buurten.
    weight = data.weights(model, year)[buurten]
    scored_idx = np.flatnonzero(scored)
    k = len(components)
    columns = np.hstack(
        [
            contribution[scored_idx],
            np.where(present, norm, 0.0)[scored_idx],
            np.where(present, raw, np.nan)[scored_idx],
            np.where(present, z, np.nan)[scored_idx],
        ]
    )
    means, _total = _aggregate(areas, buurten[scored_idx], weight[scored_idx], columns)
    targets = areas.aggregates
    agg = means[targets]
    agg_contribution = np.round(agg[:, :k], DECIMALS)
    agg_norm = np.round(agg[:, k : 2 * k], DECIMALS)
    agg_raw = np.round(agg[:, 2 * k : 3 * k], DECIMALS)
    agg_z = np.round(agg[:, 3 * k :], DECIMALS)
    has_agg = ~np.isnan(agg_contribution).all(axis=1)
    agg_value = np.where(has_agg, np.nan_to_num(agg_contribution).sum(axis=1), np.nan)

    key_json = [json.dumps(key) for key in keys]

    # Rows with every component present (nearly all) share one text template.
    full = (
        "{"
        + ", ".join(f'{kj}: {{"value": %r, "z": %r, "weight": %r, "contribution": %r}}' for kj in key_json)
        + "}"
    )

    def contributions(raw_m, z_m, norm_m, contribution_m, rows_ok):
        out = []
        complete = ~np.isnan(z_m).any(axis=1)
        table = np.stack([raw_m, z_m, norm_m, contribution_m], axis=2).reshape(len(raw_m), 4 * k).tolist()
        for i, (ok, whole) in enumerate(zip(rows_ok.tolist(), complete.tolist(), strict=True)):
            if not ok:
                out.append(None)
            elif whole:
                out.append(full % tuple(table[i]))
            else:
                row = table[i]
                parts = [
                    f'{key_json[j]}: {{"value": {row[4 * j]!r}, "z": {row[4 * j + 1]!r}, '
                    f'"weight": {row[4 * j + 2]!r}, "contribution": {row[4 * j + 3]!r}}}'
                    for j in range(k)
                    if row[4 * j + 1] == row[4 * j + 1]  # not NaN: the component is present
                ]
                out.append("{" + ", ".join(parts) + "}")
        return out

    reasons = [
        "" if ok else (NO_DATA_POPULATION % {"count": model.min_population} if not el else NO_DATA_MISSING)
        for ok, el in zip(scored.tolist(), eligible.tolist(), strict=True)
    ]
    buurt_rows = _Rows(
        areas.ids[buurten],
        value,
        _classify(value, model.cutoffs),
        np.zeros(len(buurten), bool),
        contributions(raw, z, norm, contribution, scored),
        reasons,
    )
    agg_rows = _Rows(
        areas.ids[targets],
        agg_value,
        _classify(agg_value, model.cutoffs),
        np.ones(len(targets), bool),
        contributions(agg_raw, agg_z, agg_norm, agg_contribution, has_agg),
        ["" if ok else NO_DATA_NO_BUURTEN for ok in has_agg.tolist()],
    )
    return _Rows.concat([buurt_rows, agg_rows])


# --------------------------------------------------------------------------- signal


def _signal_year(
    data: _Data, model: ScoreModel, components: list[ModelIndicator], year: int, previous: int
) -> _Rows:
    """Signals of ``year`` against ``previous``. Wijken, gemeenten and gebieden take the
    weighted mean of the role changes of their signalled buurten."""
    areas, before = data.areas(year), data.areas(previous)
    buurten = areas.land_buurten
    prev_buurten = before.land_buurten
    if not len(buurten):
        return _Rows.empty()
    role_means = []
    for role in ROLES:
        parts = [c for c in components if c.role == role]
        changes, weights = [], []
        for c in parts:
            now = data.values(c.indicator_id, year)
            then = data.values(c.indicator_id, previous)
            sample = then[prev_buurten]
            sample = sample[~np.isnan(sample)]
            std = sample.std() if len(sample) else 0.0
            if not std > 0:
                continue
            sign = 1.0 if c.indicator.direction == Direction.HIGHER_BETTER else -1.0
            # A growing problem is positive: a rise of a "higher is worse" (or neutral)
            # indicator, a fall of a "higher is better" one.
            carried = data.carry_back(year, previous, then)
            changes.append(-sign * (now[buurten] - carried[buurten]) / std)
            weights.append(c.weight)
        total = sum(c.weight for c in parts)
        if not changes:
            role_means.append(np.full(len(buurten), np.nan))
            continue
        change = np.column_stack(changes)
        w = np.array(weights)
        present = ~np.isnan(change)
        present_weight = (present * w).sum(axis=1)
        mean = np.where(
            (present_weight * 2 >= total) & (present_weight > 0),
            (np.nan_to_num(change) * w).sum(axis=1) / np.where(present_weight > 0, present_weight, 1),
            np.nan,
        )
        role_means.append(np.round(mean, DECIMALS))
    means = np.column_stack(role_means)
    if np.isnan(means).all():
        return _Rows.empty()
    population = data.values(data.inhabitants.pk, year)[buurten]
    with np.errstate(invalid="ignore"):
        eligible = population >= model.min_population
    signalled = eligible & ~np.isnan(means).any(axis=1)
    means = np.where(signalled[:, None], means, np.nan)

    weight = data.weights(model, year)[buurten]
    idx = np.flatnonzero(signalled)
    agg_all, _total = _aggregate(areas, buurten[idx], weight[idx], means[idx])
    targets = areas.aggregates
    agg = np.round(agg_all[targets], DECIMALS)

    def rows(area_idx, m, aggregated, reasons):
        band = model.stable_band
        step = np.where(m > band, 2, np.where(m < -band, 0, 1))
        cls = np.where(np.isnan(m).any(axis=1), np.nan, 3 * step[:, 0] + step[:, 1] + 1.0)
        contributions = [
            None
            if c != c
            else f'{{"kwetsbaarheid": {_fmt(v)}, "overlast": {_fmt(n)}, "previous_year": {previous}}}'
            for (v, n), c in zip(m.tolist(), cls.tolist(), strict=True)
        ]
        return _Rows(
            areas.ids[area_idx],
            cls.copy(),
            cls,
            np.full(len(area_idx), aggregated),
            contributions,
            ["" if c == c else reasons[i] for i, c in enumerate(cls.tolist())],
        )

    buurt_reasons = [
        "" if s else (NO_DATA_POPULATION % {"count": model.min_population} if not e else NO_DATA_MISSING)
        for s, e in zip(signalled.tolist(), eligible.tolist(), strict=True)
    ]
    return _Rows.concat(
        [
            rows(buurten, means, False, buurt_reasons),
            rows(targets, agg, True, [NO_DATA_NO_BUURTEN] * len(targets)),
        ]
    )


# --------------------------------------------------------------------------- published


def _published_year(data: _Data, model: ScoreModel, year: int, published: np.ndarray) -> _Rows:
    """Aggregated rows of a published model for ``year``. ``published`` holds the
    imported rows of the year: (area id, value, class)."""
    areas = data.areas(year)
    if not len(published):
        return _Rows.empty()
    pos = areas.index(published[:, 0].astype(np.int64))
    ok = pos >= 0
    pos, published = pos[ok], published[ok]
    kinds = set(areas.kind[pos].tolist())
    is_land_buurt = (areas.kind[pos] == BUURT) & ~areas.water[pos]
    buurt_pos = pos[is_land_buurt]
    if not len(buurt_pos):
        return _Rows.empty()
    weight = data.weights(model, year)[buurt_pos]
    means, _total = _aggregate(areas, buurt_pos, weight, published[is_land_buurt][:, 1:3])
    wanted = [GEBIED] + [level for level in (WIJK, GEMEENTE) if level not in kinds]
    targets = np.flatnonzero(np.isin(areas.kind, wanted))
    agg = means[targets]
    keep = ~np.isnan(agg).all(axis=1)
    targets, agg = targets[keep], agg[keep]
    n = len(targets)
    return _Rows(
        areas.ids[targets],
        np.round(agg[:, 0], DECIMALS),
        _round_half_up(agg[:, 1]),
        np.ones(n, bool),
        [None] * n,
        [""] * n,
    )


# --------------------------------------------------------------------------- trends


def _set_trends(
    data: _Data, model: ScoreModel, rows: _Rows, year: int, previous: int | None, before: _Rows | None
) -> None:
    """Trend of every row against the model's previous measurement ``previous``, followed
    through the lineage where the area is new or redrawn (``boundary_changed``). A signal
    cell is a label, not a number: the previous cell of such an area is its predecessors'
    cell when they agree, else none (so the area is not "nieuw in dit vak")."""
    n = len(rows)
    rows.trend = np.full(n, np.nan)
    rows.previous_year = np.full(n, np.nan)
    rows.previous_class = np.full(n, np.nan)
    rows.boundary_changed = np.zeros(n, dtype=bool)
    if previous is None or before is None or not len(before) or not n:
        return
    before_areas = data.areas(previous)
    value_then = np.full(len(before_areas.ids), np.nan)
    class_then = np.full(len(before_areas.ids), np.nan)
    pos = before_areas.index(before.area_ids)
    ok = pos >= 0
    value_then[pos[ok]] = before.value[ok]
    class_then[pos[ok]] = before.score_class[ok]
    carried_value = data.carry_back(year, previous, value_then)
    carry_class = data.carry_agreed if model.kind == ScoreModel.Kind.SIGNAL else data.carry_back
    carried_class = carry_class(year, previous, class_then)
    here = data.areas(year).index(rows.area_ids)
    found = here >= 0
    at = np.where(found, here, 0)
    prev_value = np.where(found, carried_value[at], np.nan)
    prev_class = np.where(found, carried_class[at], np.nan)
    rows.trend = np.round(rows.value - prev_value, DECIMALS)
    measured = ~np.isnan(prev_value) | ~np.isnan(prev_class)
    rows.previous_year = np.where(measured, float(previous), np.nan)
    rows.previous_class = _round_half_up(prev_class)
    rows.boundary_changed = found & data.redrawn(year, previous)[at] & measured


# --------------------------------------------------------------------------- writing


def _null(x) -> str:
    return "\\N" if x is None or x != x else repr(x)


def _null_int(x) -> str:
    return "\\N" if x is None or x != x else str(int(x))


def _copy_text(model: ScoreModel, year: int, rows: _Rows) -> str:
    lines = []
    for area_id, value, cls, trend, prev_year, prev_class, changed, contribution, aggregated, reason in zip(
        rows.area_ids.tolist(),
        rows.value.tolist(),
        rows.score_class.tolist(),
        rows.trend.tolist(),
        rows.previous_year.tolist(),
        rows.previous_class.tolist(),
        rows.boundary_changed.tolist(),
        rows.contributions,
        rows.is_aggregated.tolist(),
        rows.reasons,
        strict=True,
    ):
        contribution = "\\N" if contribution is None else contribution.replace("\\", "\\\\")
        lines.append(
            f"{model.pk}\t{area_id}\t{year}\t{_null(value)}\t{_null_int(cls)}\t{_null(trend)}\t"
            f"{_null_int(prev_year)}\t{_null_int(prev_class)}\t{'t' if changed else 'f'}\t{contribution}\t"
            f"{'t' if aggregated else 'f'}\t{reason}\n"
        )
    return "".join(lines)


_COLUMNS = (
    "model_id, area_id, year, value, score_class, trend, previous_year, previous_class, "
    "boundary_changed, contributions, is_aggregated, no_data_reason"
)


def _insert(model: ScoreModel, new: dict[int, _Rows]) -> int:
    written = sum(len(rows) for rows in new.values())
    if not written:
        return 0
    if _is_postgres():
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY scores_score ({_COLUMNS}) FROM STDIN") as copy,
        ):
            for year, rows in new.items():
                copy.write(_copy_text(model, year, rows))
        return written
    objects = []
    for year, rows in new.items():
        for i, area_id in enumerate(rows.area_ids.tolist()):
            objects.append(
                Score(
                    model_id=model.pk,
                    area_id=area_id,
                    year=year,
                    value=_none(rows.value[i]),
                    score_class=_none_int(rows.score_class[i]),
                    trend=_none(rows.trend[i]),
                    previous_year=_none_int(rows.previous_year[i]),
                    previous_class=_none_int(rows.previous_class[i]),
                    boundary_changed=bool(rows.boundary_changed[i]),
                    contributions=None
                    if rows.contributions[i] is None
                    else json.loads(rows.contributions[i]),
                    is_aggregated=bool(rows.is_aggregated[i]),
                    no_data_reason=rows.reasons[i],
                )
            )
    Score.objects.bulk_create(objects, batch_size=2000)
    return written


def _none(x):
    x = float(x)
    return None if x != x else x


def _none_int(x):
    x = float(x)
    return None if x != x else int(x)


def _update_trends(model: ScoreModel, changes: list[tuple]) -> None:
    """Set trend, previous_year, previous_class and boundary_changed of rows that stay
    (published rows, and the measurement after a recomputed year). ``changes``: (area id,
    trend, year, class, boundary changed)."""
    if not changes:
        return
    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE score_trend_update (area_id bigint, trend float8, "
                "previous_year int, previous_class int, boundary_changed boolean) ON COMMIT DROP"
            )
            with cursor.cursor.copy("COPY score_trend_update FROM STDIN") as copy:
                copy.write(
                    "".join(
                        f"{a}\t{_null(t)}\t{_null_int(y)}\t{_null_int(c)}\t{'t' if b else 'f'}\n"
                        for a, t, y, c, b in changes
                    )
                )
            cursor.execute(
                "UPDATE scores_score s SET trend = u.trend, previous_year = u.previous_year, "
                "previous_class = u.previous_class, boundary_changed = u.boundary_changed "
                "FROM score_trend_update u "
                "WHERE s.model_id = %s AND s.area_id = u.area_id",
                [model.pk],
            )
            cursor.execute("DROP TABLE score_trend_update")
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE scores_score SET trend = %s, previous_year = %s, previous_class = %s, "
            "boundary_changed = %s WHERE model_id = %s AND area_id = %s",
            [(_none(t), _none_int(y), _none_int(c), bool(b), model.pk, a) for a, t, y, c, b in changes],
        )


# --------------------------------------------------------------------------- per model


def _stored(model: ScoreModel, years: set[int]) -> dict[int, np.ndarray]:
    """The model's rows that stay: of other years, and the published rows of ``years``.
    Columns: area id, value, class, trend, previous year, previous class, is_aggregated,
    boundary_changed."""
    placeholders = ", ".join(["%s"] * len(years)) or "NULL"
    keep_published = "OR NOT is_aggregated" if model.kind == ScoreModel.Kind.PUBLISHED else ""
    data = _fetch(
        "SELECT year::int8, area_id::int8, "
        + ", ".join(
            f"COALESCE({column}::float8, {_nan_sql()})"
            for column in ("value", "score_class", "trend", "previous_year", "previous_class")
        )
        + ", (CASE WHEN is_aggregated THEN 1 ELSE 0 END)::int8"
        ", (CASE WHEN boundary_changed THEN 1 ELSE 0 END)::int8 "
        f"FROM scores_score WHERE model_id = %s AND (year NOT IN ({placeholders}) {keep_published})",
        [model.pk, *sorted(years)],
        "iifffffii",
    )
    out: dict[int, np.ndarray] = {}
    if not len(data):
        return out
    order = np.argsort(data[:, 0], kind="stable")
    data = data[order]
    years_col = data[:, 0].astype(np.int64)
    for year in np.unique(years_col).tolist():
        out[year] = data[years_col == year, 1:]
    return out


def _stored_rows(stored: np.ndarray) -> _Rows:
    n = len(stored)
    return _Rows(
        stored[:, 0].astype(np.int64),
        stored[:, 1],
        stored[:, 2],
        stored[:, 6].astype(bool),
        [None] * n,
        [""] * n,
    )


def _model_years_with_values(indicator_ids: list[int]) -> list[int]:
    """Boundary years in which at least one of the indicators has a value."""
    if not indicator_ids:
        return []
    placeholders = ", ".join(["%s"] * len(indicator_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT y.year FROM (SELECT DISTINCT year FROM areas_area) y WHERE EXISTS ("
            "SELECT 1 FROM scores_indicatorvalue v WHERE v.year = y.year "
            f"AND v.indicator_id IN ({placeholders})) ORDER BY y.year",
            indicator_ids,
        )
        return [row[0] for row in cursor.fetchall()]


def _recompute_model(data: _Data, model: ScoreModel, years: set[int]) -> int:
    """Rebuild one model's scores for ``years`` and the trends that depend on them."""
    stored = _stored(model, years)
    new: dict[int, _Rows] = {}
    if model.kind == ScoreModel.Kind.INDEX:
        components = _usable_components(model)
        data.preload([c.indicator_id for c in components] + [data.inhabitants.pk], years)
        for year in sorted(years):
            new[year] = _index_year(data, model, components, year)
    elif model.kind == ScoreModel.Kind.SIGNAL:
        components = _usable_components(model, roles=ROLES)
        value_years = _model_years_with_values([c.indicator_id for c in components])
        data.preload([c.indicator_id for c in components] + [data.inhabitants.pk], value_years)
        for year in sorted(years):
            earlier = [y for y in value_years if y < year]
            if year in value_years and earlier:
                new[year] = _signal_year(data, model, components, year, earlier[-1])
            else:
                new[year] = _Rows.empty()
    else:
        for year in sorted(years):
            published = stored.get(year)
            published = published[published[:, 6] == 0][:, :3] if published is not None else np.empty((0, 3))
            new[year] = _published_year(data, model, year, published)

    # The state after this run, per year: what stays plus what is written.
    after: dict[int, _Rows] = {year: _stored_rows(rows) for year, rows in stored.items()}
    for year, rows in new.items():
        after[year] = _Rows.concat([after.get(year, _Rows.empty()), rows]) if year in after else rows
    measured = sorted(y for y, rows in after.items() if len(rows) and not np.isnan(rows.value).all())

    def previous_of(year):
        earlier = [y for y in measured if y < year]
        return earlier[-1] if earlier else None

    # Trends of the rows written now, and of the stored rows whose previous measurement
    # may have changed: published rows of these years and the next measurement after one.
    for year, rows in new.items():
        prev = previous_of(year)
        _set_trends(data, model, rows, year, prev, after.get(prev) if prev else None)
    followers = {y for y in measured if y not in years and (p := previous_of(y)) is not None and p in years}
    followers |= (
        {next((y for y in measured if y > year), None) for year in years if year not in measured}
        - {None}
        - years
    )
    changes = []
    for year in sorted((set(years) | followers) & set(stored)):
        kept = stored[year]
        if year in years:
            kept = kept[kept[:, 6] == 0]  # published rows of a recomputed year
        if not len(kept):
            continue
        rows = _stored_rows(kept)
        prev = previous_of(year)
        _set_trends(data, model, rows, year, prev, after.get(prev) if prev else None)
        old = kept[:, [3, 4, 5, 7]]
        fresh = np.column_stack([rows.trend, rows.previous_year, rows.previous_class, rows.boundary_changed])
        same = ((old == fresh) | (np.isnan(old) & np.isnan(fresh))).all(axis=1)
        for i in np.flatnonzero(~same).tolist():
            changes.append((int(rows.area_ids[i]), *fresh[i].tolist()))

    # Replace this model's computed rows of these years.
    placeholders = ", ".join(["%s"] * len(years))
    only_aggregated = " AND is_aggregated" if model.kind == ScoreModel.Kind.PUBLISHED else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM scores_score WHERE model_id = %s AND year IN ({placeholders}){only_aggregated}",
            [model.pk, *sorted(years)],
        )
    written = _insert(model, new)
    _update_trends(model, changes)
    return written


# --------------------------------------------------------------------------- entry point


def _all_years(models: list[ScoreModel]) -> list[int]:
    """Boundary years with indicator values, or with scores of the models."""
    indicator_ids = list(Indicator.objects.values_list("pk", flat=True))
    found = set(_model_years_with_values(indicator_ids))
    model_ids = [m.pk for m in models]
    if model_ids:
        placeholders = ", ".join(["%s"] * len(model_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT y.year FROM (SELECT DISTINCT year FROM areas_area) y WHERE EXISTS ("
                "SELECT 1 FROM scores_score s WHERE s.year = y.year "
                f"AND s.model_id IN ({placeholders}))",
                model_ids,
            )
            found |= {row[0] for row in cursor.fetchall()}
    return sorted(found)


def scores_recompute(*, years: Iterable[int] | None = None, model_ids: Iterable[int] | None = None) -> dict:
    """Recompute the scores of the active score models for the given boundary years.

    ``years``: the boundary years to rebuild (all years with indicator values or scores
    when None). ``model_ids``: the models to rebuild (all active models when None;
    inactive ones are left alone). For every model the computed rows of those years are
    replaced (published rows stay; only their aggregates are rebuilt), then the trends
    of the rows written and of the measurements right after them are set. Finished
    imports of those years that were waiting get ``recomputed_at``; the scores data
    version changes after commit.

    Everything happens in one transaction, one recomputation at a time. Components from
    licensed sources are skipped in index and signal models (a warning is logged).

    Returns ``{"models": [keys], "years": [years], "scores_written": n, "seconds": s}``.
    """
    started = time.perf_counter()
    models = ScoreModel.objects.filter(is_active=True).select_related("source").order_by("pk")
    if model_ids is not None:
        models = models.filter(pk__in=list(model_ids))
    models = list(models)
    with transaction.atomic():
        if _is_postgres():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        year_set = set(_all_years(models) if years is None else (int(y) for y in years))
        data = _Data()
        written = 0
        sources: set[int] = {data.inhabitants.source_id}
        for model in models:
            if year_set:
                written += _recompute_model(data, model, year_set)
            if model.source_id:
                sources.add(model.source_id)
            sources |= set(model.components.values_list("indicator__source_id", flat=True))
        if year_set:
            # An import of every year in its file has no year of its own; the recompute
            # it queued starts at the file's first year, so any recompute after it counts.
            ScoreImport.objects.filter(
                Q(year__in=sorted(year_set)) | Q(year__isnull=True),
                source_id__in=Source.objects.filter(pk__in=sources).values("pk"),
                status=ScoreImport.Status.DONE,
                dry_run=False,
                recomputed_at__isnull=True,
            ).update(recomputed_at=timezone.now())
        transaction.on_commit(versions.data_changed)
    return {
        "models": [m.key for m in models],
        "years": sorted(year_set),
        "scores_written": written,
        "seconds": round(time.perf_counter() - started, 3),
    }
