"""The arithmetic of the three kinds of score model (``scores.services.compute``): an
index year, a signal year, the aggregates of a published year, and the trend of every
row against the model's previous measurement."""

import json
import logging

import numpy as np

from scores import catalogue
from scores.models import Direction, ModelIndicator, ScoreModel
from scores.services.score_data import BUURT, GEBIED, GEMEENTE, WIJK, RecomputeData, ScoreRows, aggregate

logger = logging.getLogger(__name__)

# Stored reasons are Dutch source texts, so a page can translate them (catalogue.no_data_text).
NO_DATA_POPULATION = catalogue.NO_DATA_POPULATION
NO_DATA_MISSING = catalogue.NO_DATA_MISSING
NO_DATA_NO_BUURTEN = catalogue.NO_DATA_NO_BUURTEN

# Contributions, z-scores and changes are stored to this many decimals; a score is the sum
# of its stored contributions.
DECIMALS = 6

ROLES = ("kwetsbaarheid", "overlast")


def classify(values: np.ndarray, cutoffs: list) -> np.ndarray:
    """Class per value from ascending cut-offs: below the first is class 1, at or above
    the last is the highest class (NaN stays NaN; no cut-offs gives no class)."""
    if not cutoffs:
        return np.full(len(values), np.nan)
    classes = np.searchsorted(np.asarray(cutoffs, dtype=np.float64), values, side="right") + 1.0
    return np.where(np.isnan(values), np.nan, classes)


def round_half_up(values: np.ndarray) -> np.ndarray:
    return np.floor(values + 0.5)


def _fmt(x: float) -> str:
    return repr(float(x))


# --------------------------------------------------------------------------- index


def index_year(
    data: RecomputeData, model: ScoreModel, components: list[ModelIndicator], year: int
) -> ScoreRows:
    areas = data.areas(year)
    buurten = areas.land_buurten
    if not components or not len(buurten):
        return ScoreRows.empty()
    raw = np.column_stack([data.values(c.indicator_id, year)[buurten] for c in components])
    if np.isnan(raw).all():
        return ScoreRows.empty()
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
    means, _total = aggregate(areas, buurten[scored_idx], weight[scored_idx], columns)
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
    buurt_rows = ScoreRows(
        areas.ids[buurten],
        value,
        classify(value, model.cutoffs),
        np.zeros(len(buurten), bool),
        contributions(raw, z, norm, contribution, scored),
        reasons,
    )
    agg_rows = ScoreRows(
        areas.ids[targets],
        agg_value,
        classify(agg_value, model.cutoffs),
        np.ones(len(targets), bool),
        contributions(agg_raw, agg_z, agg_norm, agg_contribution, has_agg),
        ["" if ok else NO_DATA_NO_BUURTEN for ok in has_agg.tolist()],
    )
    return ScoreRows.concat([buurt_rows, agg_rows])


# --------------------------------------------------------------------------- signal


def signal_year(
    data: RecomputeData, model: ScoreModel, components: list[ModelIndicator], year: int, previous: int
) -> ScoreRows:
    """Signals of ``year`` against ``previous``. Wijken, gemeenten and gebieden take the
    weighted mean of the role changes of their signalled buurten."""
    areas, before = data.areas(year), data.areas(previous)
    buurten = areas.land_buurten
    prev_buurten = before.land_buurten
    if not len(buurten):
        return ScoreRows.empty()
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
        return ScoreRows.empty()
    population = data.values(data.inhabitants.pk, year)[buurten]
    with np.errstate(invalid="ignore"):
        eligible = population >= model.min_population
    signalled = eligible & ~np.isnan(means).any(axis=1)
    means = np.where(signalled[:, None], means, np.nan)

    weight = data.weights(model, year)[buurten]
    idx = np.flatnonzero(signalled)
    agg_all, _total = aggregate(areas, buurten[idx], weight[idx], means[idx])
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
        return ScoreRows(
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
    return ScoreRows.concat(
        [
            rows(buurten, means, False, buurt_reasons),
            rows(targets, agg, True, [NO_DATA_NO_BUURTEN] * len(targets)),
        ]
    )


# --------------------------------------------------------------------------- published


def published_year(data: RecomputeData, model: ScoreModel, year: int, published: np.ndarray) -> ScoreRows:
    """Aggregated rows of a published model for ``year``. ``published`` holds the
    imported rows of the year: (area id, value, class)."""
    areas = data.areas(year)
    if not len(published):
        return ScoreRows.empty()
    pos = areas.index(published[:, 0].astype(np.int64))
    ok = pos >= 0
    pos, published = pos[ok], published[ok]
    kinds = set(areas.kind[pos].tolist())
    is_land_buurt = (areas.kind[pos] == BUURT) & ~areas.water[pos]
    buurt_pos = pos[is_land_buurt]
    if not len(buurt_pos):
        return ScoreRows.empty()
    weight = data.weights(model, year)[buurt_pos]
    means, _total = aggregate(areas, buurt_pos, weight, published[is_land_buurt][:, 1:3])
    wanted = [GEBIED] + [level for level in (WIJK, GEMEENTE) if level not in kinds]
    targets = np.flatnonzero(np.isin(areas.kind, wanted))
    agg = means[targets]
    keep = ~np.isnan(agg).all(axis=1)
    targets, agg = targets[keep], agg[keep]
    n = len(targets)
    return ScoreRows(
        areas.ids[targets],
        np.round(agg[:, 0], DECIMALS),
        round_half_up(agg[:, 1]),
        np.ones(n, bool),
        [None] * n,
        [""] * n,
    )


# --------------------------------------------------------------------------- trends


def set_trends(
    data: RecomputeData,
    model: ScoreModel,
    rows: ScoreRows,
    year: int,
    previous: int | None,
    before: ScoreRows | None,
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
    rows.previous_class = round_half_up(prev_class)
    rows.boundary_changed = found & data.redrawn(year, previous)[at] & measured
