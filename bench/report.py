"""Printing figures and timing helpers shared by the benchmark modules."""

import json
import statistics
import sys


def emit(name: str, value, unit: str, target=None) -> None:
    """One figure as one JSON line on stdout. ``target`` is the upper bound it should stay
    under (or None when the figure is informational)."""
    if isinstance(value, float):
        value = round(value, 3)
    print(json.dumps({"name": name, "value": value, "unit": unit, "target": target}), flush=True)


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def like_a_server_worker() -> None:
    """Put the measuring process in the state of a server worker after start-up, as
    ``config/wsgi.py`` does in production: warmed up, and the objects made so far frozen
    out of the garbage collector (``core.warmup.prepare_worker``)."""
    from core.warmup import prepare_worker

    prepare_worker()
