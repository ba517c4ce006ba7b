"""Installing the reference data of ``scores.catalogue``."""

from django.db import transaction

from scores import catalogue
from scores.models import Indicator, ModelIndicator, ScoreModel, Source


def _source(defn: catalogue.SourceDef) -> Source:
    source, _created = Source.objects.get_or_create(
        name=defn.name,
        defaults={
            "kind": defn.kind,
            "licence": defn.licence,
            "description": str(defn.description),
            "is_licensed": False,
        },
    )
    for ind in defn.indicators:
        Indicator.objects.get_or_create(
            source=source,
            key=ind.key,
            defaults={
                "name": str(ind.name),
                "unit": str(ind.unit),
                "direction": ind.direction,
                "aggregation": ind.aggregation,
                "decimals": ind.decimals,
                "is_key": ind.is_key,
                "description": str(ind.description),
            },
        )
    return source


@transaction.atomic
def catalogue_install() -> dict[str, Source]:
    """Create the open sources, their indicators and the default score models where they
    are missing. Idempotent; never changes what an admin has edited since.

    Returns the open sources by kind.
    """
    sources = {defn.kind: _source(defn) for defn in catalogue.OPEN_SOURCES}
    for defn in catalogue.DEFAULT_MODELS:
        model, created = ScoreModel.objects.get_or_create(
            key=defn.key,
            defaults={
                "name": defn.name,
                "kind": defn.kind,
                "description": str(defn.description),
                "classes": defn.classes,
                "cutoffs": defn.cutoffs,
                "higher_is_better": defn.higher_is_better,
                "source": sources[defn.source.kind] if defn.source else None,
            },
        )
        if created:
            kwb = sources[catalogue.CBS_KWB.kind]
            for key, weight, role in defn.components:
                ModelIndicator.objects.create(
                    model=model,
                    indicator=Indicator.objects.get(source=kwb, key=key),
                    weight=weight,
                    role=role,
                )
    return sources


def _kwb_indicator(key: str) -> Indicator:
    indicator = Indicator.objects.filter(source__name=catalogue.CBS_KWB.name, key=key).first()
    if indicator is None:  # a fresh installation: install the catalogue first
        indicator = catalogue_install()[catalogue.CBS_KWB.kind].indicators.get(key=key)
    return indicator


def inhabitants_indicator() -> Indicator:
    """The CBS ``a_inw`` indicator that weights aggregation and the minimum population."""
    return _kwb_indicator("a_inw")


def dwellings_indicator() -> Indicator:
    """The CBS ``a_woning`` indicator, for models weighted by dwellings."""
    return _kwb_indicator("a_woning")
