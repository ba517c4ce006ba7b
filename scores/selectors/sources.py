"""Reads for sources, indicators and score models: everything starts from
``restrict(user, "view")``, so a licensed source and what comes from it stay with the
organisations it is shared with."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from core.audit import history_entries
from core.permissions import get_object_for
from organisations.models import Organisation
from scores.models import (
    Indicator,
    IndicatorValue,
    ModelIndicator,
    Score,
    ScoreImport,
    ScoreModel,
    Source,
)


def _count(queryset):
    """A correlated count, so that two counts on one source do not multiply each other."""
    return Subquery(
        queryset.filter(source=OuterRef("pk"))
        .order_by()
        .values("source")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def source_list(user) -> QuerySet[Source]:
    """The sources ``user`` may see, with owner, the organisations they are shared with,
    their number of indicators and their number of score models."""
    return (
        Source.objects.restrict(user, "view")
        .select_related("owner_organisation")
        .prefetch_related(Prefetch("shared_with", queryset=Organisation.objects.order_by("name")))
        .annotate(
            indicator_count=Coalesce(_count(Indicator.objects.all()), 0),
            model_count=Coalesce(_count(ScoreModel.objects.all()), 0),
        )
        .order_by("name")
    )


def source_get(user, pk, action: str = "view", visible_as: str = "view") -> Source:
    """One source: 404 when it is not visible, 403 when ``action`` is not allowed."""
    return get_object_for(
        user, Source.objects.select_related("owner_organisation"), action, visible_as=visible_as, pk=pk
    )


def source_years(source: Source) -> list[int]:
    """The years for which the source has data, newest first: years with indicator values
    and years with scores of its models (a source such as an Aedes veerkrachtkaart may
    publish scores only)."""
    return source_years_by_id([source.pk]).get(source.pk, [])


def source_years_by_id(source_ids) -> dict[int, list[int]]:
    """Years with indicator values or scores per source, newest first, for a list page
    (two queries). The caller passes sources the person may see; values and scores
    follow their source."""
    source_ids = list(source_ids)
    found: dict[int, set[int]] = {}
    value_years = (
        IndicatorValue.objects.filter(indicator__source_id__in=source_ids)
        .values_list("indicator__source_id", "year")
        .distinct()
        .order_by()
    )
    score_years = (
        Score.objects.filter(model__source_id__in=source_ids)
        .values_list("model__source_id", "year")
        .distinct()
        .order_by()
    )
    for rows in (value_years, score_years):
        for source_id, year in rows:
            found.setdefault(source_id, set()).add(year)
    return {source_id: sorted(years, reverse=True) for source_id, years in found.items()}


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


def indicator_get(user, pk, action: str = "view", visible_as: str = "view") -> Indicator:
    return get_object_for(
        user,
        Indicator.objects.select_related("source", "source__owner_organisation"),
        action,
        visible_as=visible_as,
        pk=pk,
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


def score_model_get(user, key: str, action: str = "view", visible_as: str = "view") -> ScoreModel:
    return get_object_for(
        user,
        ScoreModel.objects.select_related("source").prefetch_related(_components()),
        action,
        visible_as=visible_as,
        key=key,
    )


def source_history(*, source: Source, limit=50):
    """The recorded versions of a source, newest first."""
    return history_entries(Source.history.filter(id=source.pk), limit)


def indicator_history(*, indicator: Indicator, limit=50):
    """The recorded versions of an indicator, newest first."""
    return history_entries(Indicator.history.filter(id=indicator.pk), limit)


def score_model_history(*, model: ScoreModel, limit=50):
    """The recorded versions of a score model, newest first."""
    return history_entries(ScoreModel.history.filter(id=model.pk), limit)
