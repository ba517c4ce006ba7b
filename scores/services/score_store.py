"""The stored scores of one model (``scores.services.compute``): the rows that stay, and
writing the computed rows (COPY on PostgreSQL, bulk_create elsewhere) and changed trends."""

import json

import numpy as np
from django.db import connection

from scores.models import Score, ScoreModel
from scores.services.score_data import ScoreRows, fetch_array, is_postgres, nan_sql


def stored_scores(model: ScoreModel, years: set[int]) -> dict[int, np.ndarray]:
    """The model's rows that stay: of other years, and the published rows of ``years``.
    Columns: area id, value, class, trend, previous year, previous class, is_aggregated,
    boundary_changed."""
    placeholders = ", ".join(["%s"] * len(years)) or "NULL"
    keep_published = "OR NOT is_aggregated" if model.kind == ScoreModel.Kind.PUBLISHED else ""
    data = fetch_array(
        "SELECT year::int8, area_id::int8, "
        + ", ".join(
            f"COALESCE({column}::float8, {nan_sql()})"
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


def stored_rows(stored: np.ndarray) -> ScoreRows:
    n = len(stored)
    return ScoreRows(
        stored[:, 0].astype(np.int64),
        stored[:, 1],
        stored[:, 2],
        stored[:, 6].astype(bool),
        [None] * n,
        [""] * n,
    )


def _null(x) -> str:
    return "\\N" if x is None or x != x else repr(x)


def _null_int(x) -> str:
    return "\\N" if x is None or x != x else str(int(x))


def _copy_text(model: ScoreModel, year: int, rows: ScoreRows) -> str:
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


def scores_insert(model: ScoreModel, new: dict[int, ScoreRows]) -> int:
    written = sum(len(rows) for rows in new.values())
    if not written:
        return 0
    if is_postgres():
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


def trends_update(model: ScoreModel, changes: list[tuple]) -> None:
    """Set trend, previous_year, previous_class and boundary_changed of rows that stay
    (published rows, and the measurement after a recomputed year). ``changes``: (area id,
    trend, year, class, boundary changed)."""
    if not changes:
        return
    if is_postgres():
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
