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
SQLite); the arithmetic is numpy. This module runs a recomputation model by model; the
parts live beside it: ``score_data`` (what it reads), ``score_kinds`` (the arithmetic of
each kind of model and the trends) and ``score_store`` (the stored rows and writing).
"""

import logging
import time
from collections.abc import Iterable

import numpy as np
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from scores import versions
from scores.models import Indicator, ModelIndicator, ScoreImport, ScoreModel, Source
from scores.services.score_data import RecomputeData, ScoreRows, is_postgres
from scores.services.score_kinds import ROLES, index_year, published_year, set_trends, signal_year
from scores.services.score_store import scores_insert, stored_rows, stored_scores, trends_update

logger = logging.getLogger(__name__)

_LOCK_KEY = 0x57_4B_53_43  # "WKSC": one recomputation at a time


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


# --------------------------------------------------------------------------- per model


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


def _recompute_model(data: RecomputeData, model: ScoreModel, years: set[int]) -> int:
    """Rebuild one model's scores for ``years`` and the trends that depend on them."""
    stored = stored_scores(model, years)
    new: dict[int, ScoreRows] = {}
    if model.kind == ScoreModel.Kind.INDEX:
        components = _usable_components(model)
        data.preload([c.indicator_id for c in components] + [data.inhabitants.pk], years)
        for year in sorted(years):
            new[year] = index_year(data, model, components, year)
    elif model.kind == ScoreModel.Kind.SIGNAL:
        components = _usable_components(model, roles=ROLES)
        value_years = _model_years_with_values([c.indicator_id for c in components])
        data.preload([c.indicator_id for c in components] + [data.inhabitants.pk], value_years)
        for year in sorted(years):
            earlier = [y for y in value_years if y < year]
            if year in value_years and earlier:
                new[year] = signal_year(data, model, components, year, earlier[-1])
            else:
                new[year] = ScoreRows.empty()
    else:
        for year in sorted(years):
            published = stored.get(year)
            published = published[published[:, 6] == 0][:, :3] if published is not None else np.empty((0, 3))
            new[year] = published_year(data, model, year, published)

    # The state after this run, per year: what stays plus what is written.
    after: dict[int, ScoreRows] = {year: stored_rows(rows) for year, rows in stored.items()}
    for year, rows in new.items():
        after[year] = ScoreRows.concat([after.get(year, ScoreRows.empty()), rows]) if year in after else rows
    measured = sorted(y for y, rows in after.items() if len(rows) and not np.isnan(rows.value).all())

    def previous_of(year):
        earlier = [y for y in measured if y < year]
        return earlier[-1] if earlier else None

    # Trends of the rows written now, and of the stored rows whose previous measurement
    # may have changed: published rows of these years and the next measurement after one.
    for year, rows in new.items():
        prev = previous_of(year)
        set_trends(data, model, rows, year, prev, after.get(prev) if prev else None)
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
        rows = stored_rows(kept)
        prev = previous_of(year)
        set_trends(data, model, rows, year, prev, after.get(prev) if prev else None)
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
    written = scores_insert(model, new)
    trends_update(model, changes)
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
        if is_postgres():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        year_set = set(_all_years(models) if years is None else (int(y) for y in years))
        data = RecomputeData()
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
