"""Reads for sources, indicators and score models: everything starts from
``restrict(user, "view")``, so a licensed source and what comes from it stay with the
organisations it is shared with."""

from django.db.models import Count, Prefetch, Q, QuerySet

from core.permissions import get_object_for
from organisations.models import Organisation
from scores.models import Indicator, IndicatorValue, ModelIndicator, ScoreImport, ScoreModel, Source


def source_list(user) -> QuerySet[Source]:
    """The sources ``user`` may see, with owner, the organisations they are shared with
    and their number of indicators."""
    return (
        Source.objects.restrict(user, "view")
        .select_related("owner_organisation")
        .prefetch_related(Prefetch("shared_with", queryset=Organisation.objects.order_by("name")))
        .annotate(indicator_count=Count("indicators", distinct=True))
        .order_by("name")
    )


def source_get(user, pk, action: str = "view") -> Source:
    """One source: 404 when it is not visible, 403 when ``action`` is not allowed."""
    return get_object_for(user, Source.objects.select_related("owner_organisation"), action, pk=pk)


def source_years(source: Source) -> list[int]:
    """The years for which the source has values, newest first."""
    return list(
        IndicatorValue.objects.filter(indicator__source=source)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def source_years_by_id(source_ids) -> dict[int, list[int]]:
    """Years with values per source, for a list page (one query)."""
    years: dict[int, list[int]] = {}
    rows = (
        IndicatorValue.objects.filter(indicator__source_id__in=list(source_ids))
        .values_list("indicator__source_id", "year")
        .distinct()
        .order_by("indicator__source_id", "-year")
    )
    for source_id, year in rows:
        years.setdefault(source_id, []).append(year)
    return years


def source_imports(user, source: Source) -> QuerySet[ScoreImport]:
    """The import jobs of a source the user may see (those who may import into it)."""
    return (
        ScoreImport.objects.restrict(user, "view")
        .filter(source=source)
        .select_related("started_by")
        .order_by("-created_at")
    )


def indicator_list(user, source: Source | int | None = None, q: str = "") -> QuerySet[Indicator]:
    """The indicators ``user`` may see, optionally of one source and matching a text in
    key, name or description."""
    indicators = Indicator.objects.restrict(user, "view").select_related("source")
    if source is not None:
        indicators = indicators.filter(source_id=getattr(source, "pk", source))
    q = (q or "").strip()
    if q:
        indicators = indicators.filter(
            Q(key__icontains=q) | Q(name__icontains=q) | Q(description__icontains=q)
        )
    return indicators.order_by("source__name", "name", "pk")


def indicator_get(user, pk, action: str = "view") -> Indicator:
    return get_object_for(
        user, Indicator.objects.select_related("source", "source__owner_organisation"), action, pk=pk
    )


def indicator_years(indicator: Indicator) -> list[int]:
    return list(
        IndicatorValue.objects.filter(indicator=indicator)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def _components():
    return Prefetch(
        "components",
        queryset=ModelIndicator.objects.select_related("indicator", "indicator__source").order_by(
            "role", "-weight", "indicator__name"
        ),
    )


def score_model_list(user) -> QuerySet[ScoreModel]:
    """The score models ``user`` may see (open ones and those of visible licensed
    sources), with their components."""
    return (
        ScoreModel.objects.restrict(user, "view")
        .select_related("source")
        .prefetch_related(_components())
        .order_by("name")
    )


def score_model_get(user, key: str, action: str = "view") -> ScoreModel:
    return get_object_for(
        user, ScoreModel.objects.select_related("source").prefetch_related(_components()), action, key=key
    )
