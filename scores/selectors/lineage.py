"""Following an area from one boundary year to another, also across a redrawing."""

from collections import defaultdict

from django.db.models import Q

from areas.models import Area, AreaOverlap


def predecessor_weights(*, year_to: int, year_from: int, kinds=None) -> dict[int, list[tuple[int, float]]]:
    """For every area of ``year_to``: the areas of ``year_from`` it continues, with weights
    that add up to 1.

    The same code in both years is the same area (weight 1). A code that is new in
    ``year_to`` takes the areas of ``year_from`` it overlaps, weighted by the share of its
    own surface that lies in each (the overlaps of the areas import, stored in either
    direction). Only areas of the same kind are matched; an area with neither gets no
    entry.
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
    result: dict[int, list[tuple[int, float]]] = {}
    unmatched = {}
    for pk, code, kind in to_areas:
        same = by_code.get((kind, code))
        if same is not None:
            result[pk] = [(same, 1.0)]
        else:
            unmatched[pk] = kind
    if not unmatched:
        return result
    found: dict[int, list[tuple[int, float]]] = defaultdict(list)
    overlaps = AreaOverlap.objects.filter(
        Q(source_id__in=list(unmatched), target__year=year_from)
        | Q(target_id__in=list(unmatched), source__year=year_from)
    ).values_list(
        "source_id", "target_id", "share_of_source", "share_of_target", "source__kind", "target__kind"
    )
    for source_id, target_id, share_source, share_target, source_kind, target_kind in overlaps:
        if source_kind != target_kind:
            continue
        if source_id in unmatched:
            found[source_id].append((target_id, share_source))
        else:
            found[target_id].append((source_id, share_target))
    for pk, parts in found.items():
        total = sum(weight for _, weight in parts)
        if total > 0:
            result[pk] = [(other, weight / total) for other, weight in parts if weight > 0]
    return result
