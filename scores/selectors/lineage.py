"""Following an area from one boundary year to another, also across a redrawing."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from areas.models import Area, AreaOverlap

# A code kept from one year to the other still names other land when its shape gained or
# lost more than this share of its surface: such an area is followed through the overlaps
# like a new code. (Keetbergbuurt BU04530406 keeps its code from 2022 to 2025 but grows
# from about 0.38 to 0.61 km²; compared with its old shape alone its change would be the
# change of a smaller buurt.) Below it, redrawings are corrections of the line.
REDRAWN_SHARE = 0.05


@dataclass
class Lineage:
    """``weights``: for every area of ``year_to``, the areas of ``year_from`` it continues
    with weights that add up to 1. ``redrawn``: the areas of ``year_to`` that keep their
    code but were redrawn, so they are followed through the overlaps too."""

    weights: dict[int, list[tuple[int, float]]] = field(default_factory=dict)
    redrawn: set[int] = field(default_factory=set)


def area_lineage(
    *, year_to: int, year_from: int, kinds=None, redrawn_share: float = REDRAWN_SHARE
) -> Lineage:
    """How the areas of ``year_to`` continue those of ``year_from``.

    The same code in both years is the same area (weight 1), unless its surface changed by
    more than ``redrawn_share`` (gained or lost, per the overlaps of the areas import).
    A code that is new in ``year_to``, and a redrawn one, takes the areas of ``year_from``
    it overlaps, weighted by the share of its own surface that lies in each (the overlaps
    are stored in either direction). Only areas of the same kind are matched; an area with
    neither gets no entry. An area without overlaps (no shape) keeps its code's match.
    """
    if year_to == year_from:
        raise ValueError("year_to and year_from must differ")
    areas = Area.objects.filter(year__in=(year_to, year_from))
    if kinds:
        areas = areas.filter(kind__in=list(kinds))
    by_code: dict[tuple[str, str], int] = {}
    to_areas: list[tuple[int, str, str]] = []
    for pk, year, code, kind in areas.values_list("pk", "year", "code", "kind").iterator(chunk_size=5000):
        if year == year_from:
            by_code[(kind, code)] = pk
        else:
            to_areas.append((pk, code, kind))
    same: dict[int, int] = {}
    for pk, code, kind in to_areas:
        twin = by_code.get((kind, code))
        if twin is not None:
            same[pk] = twin
    # Per area of year_to: (area of year_from, share of the first in the second, share of
    # the second in the first).
    found: dict[int, list[tuple[int, float, float]]] = defaultdict(list)
    overlaps = AreaOverlap.objects.filter(
        Q(source__year=year_to, target__year=year_from) | Q(target__year=year_to, source__year=year_from)
    )
    if kinds:
        overlaps = overlaps.filter(source__kind__in=list(kinds))
    for (
        source_id,
        target_id,
        share_source,
        share_target,
        source_kind,
        target_kind,
        source_year,
    ) in overlaps.values_list(
        "source_id",
        "target_id",
        "share_of_source",
        "share_of_target",
        "source__kind",
        "target__kind",
        "source__year",
    ).iterator(chunk_size=5000):
        if source_kind != target_kind:
            continue
        if source_year == year_to:
            found[source_id].append((target_id, share_source, share_target))
        else:
            found[target_id].append((source_id, share_target, share_source))
    result = Lineage()
    for pk, _code, _kind in to_areas:
        parts = found.get(pk, [])
        twin = same.get(pk)
        if twin is not None:
            kept = next(((inside, holds) for other, inside, holds in parts if other == twin), None)
            if not parts or (kept and 1 - kept[0] <= redrawn_share and 1 - kept[1] <= redrawn_share):
                result.weights[pk] = [(twin, 1.0)]
                continue
            result.redrawn.add(pk)
        total = sum(inside for _other, inside, _holds in parts)
        if total > 0:
            result.weights[pk] = [(other, inside / total) for other, inside, _holds in parts if inside > 0]
        elif twin is not None:
            result.weights[pk] = [(twin, 1.0)]
            result.redrawn.discard(pk)
    return result


def predecessor_weights(*, year_to: int, year_from: int, kinds=None) -> dict[int, list[tuple[int, float]]]:
    """For every area of ``year_to``: the areas of ``year_from`` it continues, with weights
    that add up to 1 (``area_lineage``)."""
    return area_lineage(year_to=year_to, year_from=year_from, kinds=kinds).weights
