"""Reads for "Scores in het kort" on the page of a wijk or gebied: per score model the
latest score of the area with its change since the previous measurement, the signal cell,
and the buurten that moved a class.

Nothing is computed again here: value, class, trend, previous year and previous class
are read as the compute service stored them (``Score.trend``, ``Score.previous_class``),
so this summary, the map and the charts always tell the same story. Every read starts
from ``restrict(user, "view")``; the number of queries does not depend on the number of
models, years or buurten.
"""

import hashlib
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import F, Q
from django.utils import translation

from areas.models import Area, AreaKind
from areas.selectors import map_version
from scores import catalogue, versions
from scores.models import Score, ScoreModel
from scores.selectors.maps import ClassDef, licence_note, model_classes, model_list, signal_changes


@dataclass
class ClassMove:
    """A buurt whose class differs from its class at the previous measurement."""

    year: int
    code: str
    name: str
    before: ClassDef
    after: ClassDef
    previous_year: int | None

    @property
    def step(self) -> int:
        return self.after.value - self.before.value


@dataclass
class AreaModelScore:
    """The latest score of one area in one model, up to the year of the page."""

    model: ScoreModel
    year: int
    # The area with the page's code in ``year`` (the scores of a year sit on its areas).
    area_id: int
    value: float | None
    score_class: ClassDef | None
    trend: float | None = None
    previous_year: int | None = None
    previous_class: ClassDef | None = None
    # The trend compares with the land the area covers now: its boundary changed.
    boundary_changed: bool = False
    # Signal typology: the two changes it crosses and the year they are measured from.
    vulnerability: float | None = None
    nuisance: float | None = None
    compared_year: int | None = None
    moves: list[ClassMove] = field(default_factory=list)
    # The licence text of the model's source (for licensed data: whose it is).
    note: str = ""

    @property
    def is_signal(self) -> bool:
        return self.model.kind == ScoreModel.Kind.SIGNAL

    @property
    def new_in_cell(self) -> bool:
        """Signal typology: the area is in a cell it was not in at the previous
        measurement (``Score.entered_cell``)."""
        return Score.entered_cell(
            model_kind=self.model.kind,
            score_class=self.score_class.value if self.score_class else None,
            previous_class=self.previous_class.value if self.previous_class else None,
        )

    @property
    def new_both_rising(self) -> bool:
        return self.new_in_cell and self.score_class.value == catalogue.SIGNAL_BOTH_RISING

    @property
    def class_change(self) -> int | None:
        """Classes up (positive) or down since the previous measurement."""
        if self.score_class is None or self.previous_class is None:
            return None
        return self.score_class.value - self.previous_class.value

    @property
    def has_classes(self) -> bool:
        """Whether "moving a class" means something: a model with classes that are
        levels (the nine signal cells are combinations, not levels)."""
        return bool(self.model.classes) and not self.is_signal

    @property
    def kept_class(self) -> bool:
        """True when the model was measured before and no buurt moved a class since."""
        return self.has_classes and self.previous_year is not None and not self.moves


def _same_code(*, user, area: Area):
    """The areas with this area's code and kind up to its year (one per boundary year)."""
    return Area.objects.restrict(user, "view").filter(code=area.code, kind=area.kind, year__lte=area.year)


def area_model_scores(*, user, area: Area, models=None) -> list[AreaModelScore]:
    """For every active model the user may see that has a score for this area's code: the
    score of the latest year up to the page's year with a value or class, with the change
    since the model's previous measurement as stored. Models in the order of
    ``model_list`` (or ``models``, that list already read); models without a score are
    left out. Two queries."""
    models = {m.pk: m for m in (model_list(user=user) if models is None else models)}
    if not models:
        return []
    rows = (
        Score.objects.restrict(user, "view")
        .filter(model_id__in=list(models), area__in=_same_code(user=user, area=area).values("pk"))
        .filter(Q(value__isnull=False) | Q(score_class__isnull=False))
        .order_by("model_id", "-year")
        .values_list(
            "model_id",
            "year",
            "area_id",
            "value",
            "score_class",
            "trend",
            "previous_year",
            "previous_class",
            "boundary_changed",
            "contributions",
        )
    )
    latest: dict[int, AreaModelScore] = {}
    classes = {pk: {c.value: c for c in model_classes(m)} for pk, m in models.items()}
    for model_id, year, area_id, value, score_class, trend, prev_year, prev_class, changed, contrib in rows:
        if model_id in latest:
            continue  # an earlier year of a model already found
        by_value = classes[model_id]
        found = AreaModelScore(
            model=models[model_id],
            year=year,
            area_id=area_id,
            value=value,
            score_class=by_value.get(score_class),
            trend=trend,
            previous_year=prev_year,
            previous_class=by_value.get(prev_class),
            boundary_changed=changed,
            note=licence_note(models[model_id]),
        )
        if found.is_signal:
            found.vulnerability, found.nuisance, found.compared_year = signal_changes(contrib)
        latest[model_id] = found
    return [latest[pk] for pk in models if pk in latest]


def _buurten_of(*, user, kind: str, area_ids: list[int]):
    """The land buurten of the given wijken or gebieden."""
    buurten = Area.objects.restrict(user, "view").filter(kind=AreaKind.BUURT, is_water=False)
    if kind == AreaKind.GEBIED:
        return buurten.filter(gebieden__in=area_ids)
    return buurten.filter(parent_id__in=area_ids)


def attach_class_moves(*, user, area: Area, scores: list[AreaModelScore]) -> list[AreaModelScore]:
    """Fill ``moves`` of every score with classes: the buurten of the wijk or gebied (as
    it was drawn in that score's year) whose class in that year differs from their class
    at the model's previous measurement, by name. One query for all models."""
    wanted = [s for s in scores if s.has_classes]
    if not wanted or area.kind not in (AreaKind.WIJK, AreaKind.GEBIED):
        return scores
    pairs = Q()
    for s in wanted:
        pairs |= Q(model_id=s.model.pk, year=s.year)
    buurten = _buurten_of(user=user, kind=area.kind, area_ids=[s.area_id for s in wanted])
    rows = (
        Score.objects.restrict(user, "view")
        .filter(pairs, area__in=buurten.values("pk"))
        .filter(score_class__isnull=False, previous_class__isnull=False)
        .exclude(score_class=F("previous_class"))
        .order_by("area__name", "area__code")
        .values_list(
            "model_id", "year", "area__code", "area__name", "previous_class", "score_class", "previous_year"
        )
    )
    by_model = {s.model.pk: s for s in wanted}
    classes = {pk: {c.value: c for c in model_classes(s.model)} for pk, s in by_model.items()}
    for model_id, year, code, name, before, after, previous_year in rows:
        by_value = classes[model_id]
        if before not in by_value or after not in by_value:
            continue  # a class the model no longer has
        by_model[model_id].moves.append(
            ClassMove(year, code, name, by_value[before], by_value[after], previous_year)
        )
    return scores


# A summary built again replaces a cached one at once (its key holds the versions); this
# only bounds how long an unused one stays in the cache.
SUMMARY_TTL = 60 * 60
SUMMARY_FORMAT = 1


def area_summary(*, user, area: Area) -> list[AreaModelScore]:
    """The scores of a wijk or gebied in short: ``area_model_scores`` with the buurten
    that moved a class. Two queries when kept in the cache (see ``_summary_key``; one more
    when the process reads the scores' data version again), four when built, however many
    models and buurten."""
    models = list(model_list(user=user))
    if not models:
        return []
    key = _summary_key(area, models)
    scores = cache.get(key)
    if scores is None:
        scores = attach_class_moves(
            user=user, area=area, scores=area_model_scores(user=user, area=area, models=models)
        )
        cache.set(key, scores, SUMMARY_TTL)
    return scores


def _summary_key(area: Area, models: list[ScoreModel]) -> str:
    """The cache key of an area's summary. The summary is the same for everyone who may
    see the same models: areas are public, and a score is visible exactly when its
    model's source is (``restrict()`` of each, which ``model_list`` has applied). So, as
    for the map tables (``scores.views.maps._table_key``), the key holds the area, the
    models the person may see, the scores' data version (every import, recomputation and
    model or source edit changes it), the boundary versions of every year of the area's
    code up to the page's year (the buurten that moved are named as drawn in their year),
    and the interface language of the licence notes."""
    years = sorted(
        set(
            Area.objects.filter(code=area.code, kind=area.kind, year__lte=area.year).values_list(
                "year", flat=True
            )
        )
    )
    parts = [
        SUMMARY_FORMAT,
        area.pk,
        [m.pk for m in models],
        versions.data_version(),
        [(year, map_version(year).token) for year in years],
        translation.get_language(),
    ]
    return "scores:area-summary:" + hashlib.sha256(repr(parts).encode()).hexdigest()
