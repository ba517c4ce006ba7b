"""Evaluation of an intervention: the scores of its areas before and after its period,
beside comparable buurten of the same gemeente that had no such intervention (DESIGN §4).

The rules (the page shows them in Dutch as "Hoe leest u dit?"):

- **Model.** One score model the user may see (``ScoreModel.objects.restrict(user,
  "view")``), active and not the signal typology. Without a choice: the open
  "wijkkoers-veerkracht" index when it has scores, else the first visible model with
  scores. A licensed model is only ever offered to the organisations it is shared with.
- **Before** is the latest measurement year of the model in the gemeente on or before the
  start year of the intervention. **After** is the earliest measurement year on or after
  the end year (and later than before). While the intervention still runs (status idee,
  gepland or in uitvoering, or no end date), or when no such year exists yet, after is the
  latest year available, labelled "tot nu toe".
- **Following an area across years.** Scores are stored per boundary year. The same code
  in the other year is the same area; an area that was redrawn takes the areas it
  overlaps, weighted by the share of its surface in each (``predecessor_weights``). Such
  a derived value has no class of its own.
- **Comparable buurten.** For every buurt of the intervention (a wijk or gebied counts
  with its buurten): the land buurten of the same gemeente (in the before year) that are
  not among the intervention's buurten, had no other intervention of the same theme
  whose period overlaps this one (an intervention still at the idee stage does not
  count; interventions the user may not see only count, their titles are never shown),
  and have a score both before and after. Of those, the five whose starting score lies
  nearest to the buurt's starting score are "vergelijkbaar".
- **Difference.** The buurt's change minus the mean change of its comparable buurten.
  The overall figures are plain means over the intervention's buurten.

Everything is read in a fixed number of queries, whatever the number of buurten.
"""

import dataclasses
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean

from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils.translation import gettext as _

from areas.models import Area, AreaKind
from areas.selectors import HEAVY_FIELDS as AREA_SHAPES  # the shape columns
from interventions.models import Intervention
from scores.models import Score, ScoreModel
from scores.selectors.lineage import predecessor_weights

DEFAULT_MODEL_KEY = "wijkkoers-veerkracht"
COMPARABLE_COUNT = 5
RUNNING_STATUSES = (
    Intervention.Status.IDEE,
    Intervention.Status.GEPLAND,
    Intervention.Status.IN_UITVOERING,
)
# Counting ourselves as "having the same intervention" needs more than an idea.
NOT_CARRIED_OUT = (Intervention.Status.IDEE,)
# How long a shared evaluation is kept; a change of what it reads gives it a new key sooner.
SHARED_TTL = 60 * 60


class UnknownModel(LookupError):
    """The requested score model does not exist or the user may not see it."""


@dataclass
class Measurement:
    """One area's score in one measurement year."""

    year: int
    value: float
    score_class: int | None = None
    class_label: str = ""
    # Taken from the overlapping areas of a redrawn boundary.
    derived: bool = False


@dataclass
class AreaRow:
    """An area with its score before and after, and the change."""

    area_id: int
    code: str
    name: str
    kind: str
    year: int
    before: Measurement | None = None
    after: Measurement | None = None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after.value - self.before.value


@dataclass
class Comparison:
    """One buurt of the intervention beside its comparable buurten."""

    buurt: AreaRow
    comparables: list[AreaRow] = field(default_factory=list)

    @property
    def mean_before(self) -> float | None:
        return _mean(row.before.value for row in self.comparables)

    @property
    def mean_after(self) -> float | None:
        return _mean(row.after.value for row in self.comparables)

    @property
    def mean_change(self) -> float | None:
        return _mean(row.change for row in self.comparables)

    @property
    def difference(self) -> float | None:
        """The buurt's change minus the mean change of its comparable buurten."""
        if self.buurt.change is None or self.mean_change is None:
            return None
        return self.buurt.change - self.mean_change

    @property
    def start_range(self) -> tuple[float, float] | None:
        starts = [row.before.value for row in self.comparables]
        return (min(starts), max(starts)) if starts else None


@dataclass
class Evaluation:
    """What the evaluation section and its API show."""

    intervention: Intervention
    models: list[ScoreModel]
    model: ScoreModel | None = None
    before_year: int | None = None
    after_year: int | None = None
    # After is the latest measurement so far, not one after the end of the period.
    after_so_far: bool = False
    first_year: int | None = None
    areas: list[AreaRow] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    # Buurten left out as comparable because another intervention of the same theme ran
    # there in the same period, and how many such interventions there were.
    excluded_buurten: int = 0
    excluded_interventions: int = 0
    # One of: no_models, no_scores, no_start, no_before, no_after, no_comparables; or "".
    empty: str = ""
    # The cache key it is kept under (``intervention_evaluations_shared``): what it reads,
    # so also the key of what is made of it alone, such as its section's HTML.
    key: str = field(default="", repr=False, compare=False)

    @property
    def message(self) -> str:
        """The empty state in plain Dutch, saying what to do where anything can be done."""
        model = self.model.name if self.model else ""
        messages = {
            "no_models": _(
                "Er zijn nog geen scoremodellen die u mag zien. Vraag de beheerder om scores te importeren."
            ),
            "no_scores": _(
                "Er zijn nog geen scores van %(model)s voor deze gemeente. Kies een ander model, "
                "of vraag de beheerder om de cijfers te importeren."
            )
            % {"model": model},
            "no_start": _(
                "Deze interventie heeft nog geen begindatum. Vul de begindatum in om de scores van "
                "voor en na te vergelijken."
            ),
            "no_before": _(
                "Er is geen meting van %(model)s van vóór de start van deze interventie; de eerste "
                "meting is van %(year)s."
            )
            % {"model": model, "year": self.first_year},
            "no_after": _(
                "Er is nog geen meting van %(model)s na de start van deze interventie; de laatste "
                "meting is van %(year)s. Zodra er een nieuwe meting is, verschijnt hier de vergelijking."
            )
            % {"model": model, "year": self.before_year},
            "no_comparables": _(
                "Er zijn geen vergelijkbare buurten: geen andere buurt in deze gemeente heeft een "
                "score voor en na zonder een interventie met hetzelfde thema in dezelfde periode."
            ),
        }
        return messages.get(self.empty, "")

    @property
    def buurt_mean_change(self) -> float | None:
        return _mean(c.buurt.change for c in self.comparisons if c.comparables)

    @property
    def comparable_mean_change(self) -> float | None:
        return _mean(c.mean_change for c in self.comparisons if c.comparables)

    @property
    def difference(self) -> float | None:
        """Mean over the intervention's buurten of "verschil met vergelijkbare buurten"."""
        return _mean(c.difference for c in self.comparisons)

    @property
    def buurt_mean_before(self) -> float | None:
        return _mean(c.buurt.before.value for c in self.comparisons if c.comparables)

    @property
    def buurt_mean_after(self) -> float | None:
        return _mean(c.buurt.after.value for c in self.comparisons if c.comparables)

    @property
    def comparable_mean_before(self) -> float | None:
        return _mean(c.mean_before for c in self.comparisons if c.comparables)

    @property
    def comparable_mean_after(self) -> float | None:
        return _mean(c.mean_after for c in self.comparisons if c.comparables)

    @property
    def chart(self) -> dict | None:
        """Bar geometry (0–100 units high) of before and after for the intervention's
        buurten and their comparable buurten, for a small inline SVG."""
        groups = [
            (_("Interventie"), self.buurt_mean_before, self.buurt_mean_after),
            (_("Vergelijkbare buurten"), self.comparable_mean_before, self.comparable_mean_after),
        ]
        values = [v for _label, before, after in groups for v in (before, after)]
        if any(v is None for v in values):
            return None
        low, high = min(0.0, *values), max(0.0, *values)
        span = (high - low) or 1.0
        zero = 100 * high / span  # y of the zero line, from the top

        def bar(value, x):
            top = 100 * (high - max(value, 0.0)) / span
            height = 100 * abs(value) / span
            return {"x": x, "y": round(top, 2), "height": round(max(height, 0.5), 2), "value": value}

        bars = []
        for index, (label, before, after) in enumerate(groups):
            x = 10 + index * 110
            bars.append({"label": label, "x": x, "before": bar(before, x), "after": bar(after, x + 40)})
        return {"groups": bars, "zero": round(zero, 2)}


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return fmean(values) if values else None


def evaluation_models(*, user) -> list[ScoreModel]:
    """The score models the user may evaluate with: visible, active, not the signal
    typology, each annotated with ``has_scores``. One query."""
    with_scores = Score.objects.filter(model=OuterRef("pk"), value__isnull=False)
    return list(
        ScoreModel.objects.restrict(user, "view")
        .filter(is_active=True)
        .exclude(kind=ScoreModel.Kind.SIGNAL)
        .select_related("source")
        .annotate(has_scores=Exists(with_scores))
        .order_by("name", "pk")
    )


def choose_model(models: list[ScoreModel], key: str | None) -> ScoreModel | None:
    """The model asked for (``UnknownModel`` when it is not among ``models``), else the
    default: the open veerkracht index when it has scores, else the first with scores."""
    if key:
        for model in models:
            if model.key == key:
                return model
        raise UnknownModel(key)
    by_key = {model.key: model for model in models}
    default = by_key.get(DEFAULT_MODEL_KEY)
    if default is not None and default.has_scores:
        return default
    with_scores = [model for model in models if model.has_scores]
    if with_scores:
        return with_scores[0]
    return default or (models[0] if models else None)


def is_running(intervention: Intervention) -> bool:
    """Still running: not yet finished or stopped, or without an end date."""
    return intervention.status in RUNNING_STATUSES or intervention.end_date is None


def measurement_years(intervention: Intervention, years: list[int]) -> tuple[int | None, int | None, bool]:
    """``(before, after, after_so_far)`` from the model's measurement years (see the
    module docstring)."""
    start = intervention.start_date
    if start is None or not years:
        return None, None, False
    before = max((y for y in years if y <= start.year), default=None)
    if before is None:
        return None, None, False
    later = [y for y in years if y > before]
    if not later:
        return before, None, False
    if not is_running(intervention):
        after = min((y for y in later if y >= intervention.end_date.year), default=None)
        if after is not None:
            return before, after, False
    return before, max(later), True


def intervention_evaluation(*, user, intervention: Intervention, model_key: str | None = None) -> Evaluation:
    """The evaluation of ``intervention`` for ``user`` in the chosen score model.

    The caller has already checked that the user may see the intervention. Raises
    ``UnknownModel`` when ``model_key`` names no model the user may see. Reads at most
    about a dozen queries, whatever the number of areas and buurten.
    """
    models = evaluation_models(user=user)
    model = choose_model(models, model_key)
    result = Evaluation(intervention=intervention, models=models, model=model)
    if model is None:
        result.empty = "no_models"
        return result
    areas = _intervention_areas(intervention)
    gemeenten = {area.gemeente_code for area in areas}
    scores = Score.objects.restrict(user, "view").filter(
        model=model, area__gemeente_code__in=gemeenten, value__isnull=False
    )
    years = sorted(scores.order_by().values_list("year", flat=True).distinct())
    if not years:
        result.empty = "no_scores"
        return result
    result.first_year = years[0]
    if intervention.start_date is None:
        result.empty = "no_start"
        return result
    before, after, so_far = measurement_years(intervention, years)
    result.before_year, result.after_year, result.after_so_far = before, after, so_far
    if before is None:
        result.empty = "no_before"
        return result

    measured = [y for y in (before, after) if y]
    lookup = _ScoreLookup(
        model,
        scores.filter(year__in=measured),
        Area.objects.filter(year__in=measured, gemeente_code__in=gemeenten).values_list(
            "year", "kind", "code"
        ),
    )
    result.areas = [lookup.row(area, before, after) for area in areas]
    if after is None:
        result.empty = "no_after"
        return result

    buurten = _intervention_buurten(areas)
    buurt_rows = [lookup.row(buurt, before, after) for buurt in buurten]
    own_codes = {row.code for row in buurt_rows}
    own_parts = lookup.parts_in(buurten, before)
    excluded_codes, excluded_gemeenten, result.excluded_interventions = _same_theme_buurten(
        intervention, gemeenten
    )

    candidates, excluded = [], set()
    for area in lookup.buurten_of(before):
        if area.code in own_codes or area.pk in own_parts:
            continue
        if area.code in excluded_codes or area.gemeente_code in excluded_gemeenten:
            excluded.add(area.code)
            continue
        row = lookup.row(area, before, after)
        if row.change is not None:
            candidates.append(row)
    result.excluded_buurten = len(excluded)

    for row in buurt_rows:
        comparison = Comparison(buurt=row)
        if row.before is not None:
            start = row.before.value
            nearest = sorted(candidates, key=lambda c: (abs(c.before.value - start), c.code))
            comparison.comparables = nearest[:COMPARABLE_COUNT]
        result.comparisons.append(comparison)
    if not any(c.comparables for c in result.comparisons):
        result.empty = "no_comparables"
    return result


def intervention_evaluation_shared(
    *, user, intervention: Intervention, model_key: str | None = None
) -> Evaluation:
    """``intervention_evaluation``, kept in the cache and shared by everyone who may
    evaluate with the same score models (the page and the API ask it; the caller has
    checked that the user may see the intervention).

    The evaluation reads only the scores of the models in ``evaluation_models(user)``
    (a score is visible exactly when its model's source is), the intervention's theme,
    period, areas and whether it still runs, and the theme, period, status and areas of
    the other interventions in its gemeenten (counted, whoever may see them). So the key
    holds: the models the person may evaluate with and the model asked for, the
    intervention's theme, period, areas and whether it runs, the scores' data version
    (every import, recomputation or model edit changes it), the boundary versions of the
    years of its areas, and a digest of what it reads of the other interventions
    (``_nearby_token``): a change of a funder, a title or a progress update elsewhere in
    the gemeente keeps the evaluation. Three small queries on a hit. The key comes with
    the evaluation (``Evaluation.key``).
    """
    return intervention_evaluations_shared(user=user, interventions=[intervention], model_key=model_key)[
        intervention.pk
    ]


def intervention_evaluations_shared(
    *, user, interventions: list[Intervention], model_key: str | None = None
) -> dict[int, Evaluation]:
    """``intervention_evaluation_shared`` for several interventions at once (the year
    report), by id: one read of the cache, and the interventions' gemeenten counted once
    per set of gemeenten. Give the interventions with their ``areas`` prefetched to spare
    a query each."""
    from areas.selectors import map_version
    from scores.versions import data_version

    models = evaluation_models(user=user)
    model = choose_model(models, model_key)  # UnknownModel for a model the user may not see
    common = [model.pk if model else "", ",".join(str(m.pk) for m in models), data_version()]
    nearby_of = {}
    keys = {}
    for intervention in interventions:
        areas = _intervention_areas(intervention)
        gemeenten = tuple(sorted({area.gemeente_code for area in areas}))
        if gemeenten not in nearby_of:
            nearby_of[gemeenten] = _nearby_token(gemeenten)
        parts = [
            intervention.pk,
            intervention.theme,
            intervention.start_date or "",
            intervention.end_date or "",
            is_running(intervention),
            ",".join(str(area.pk) for area in areas),
            *common,
            ",".join(f"{year}:{map_version(year).token}" for year in sorted({area.year for area in areas})),
            ",".join(gemeenten),
            nearby_of[gemeenten],
        ]
        keys[intervention.pk] = (
            "interventions:evaluation:" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
        )
    found = cache.get_many(list(keys.values())) if keys else {}
    evaluations = {}
    for intervention in interventions:
        kept = found.get(keys[intervention.pk])
        if kept is None:
            made = intervention_evaluation(
                user=user, intervention=intervention, model_key=model.key if model else None
            )
            # The intervention and the model list are the caller's own, not kept twice.
            made.key = keys[intervention.pk]
            cache.set(made.key, dataclasses.replace(made, intervention=None, models=[]), SHARED_TTL)
            evaluations[intervention.pk] = made
        else:
            evaluations[intervention.pk] = dataclasses.replace(
                kept, intervention=intervention, models=models, model=model, key=keys[intervention.pk]
            )
    return evaluations


def _nearby_token(gemeenten: tuple[str, ...]) -> str:
    """A digest of what an evaluation reads of the interventions in ``gemeenten``: each
    one's theme, period, whether it was carried out, and its areas there
    (``_same_theme_buurten``). The latest change to those interventions and their number
    point to the digest last made for them, so it is read anew (two queries over the
    gemeenten's interventions) only after a write or a removal there."""
    in_gemeenten = Intervention.objects.filter(areas__gemeente_code__in=gemeenten)
    stamp = in_gemeenten.aggregate(latest=Max("updated_at"), count=Count("pk", distinct=True))
    pointer = (
        "interventions:evaluation:nearby:"
        + hashlib.sha256(
            f"{','.join(gemeenten)}|{stamp['latest'].isoformat() if stamp['latest'] else ''}|{stamp['count']}".encode()
        ).hexdigest()
    )
    token = cache.get(pointer)
    if token is None:
        digest = hashlib.sha256()
        links = Intervention.areas.through.objects.filter(area__gemeente_code__in=gemeenten)
        for row in links.order_by("intervention_id", "area_id").values_list("intervention_id", "area_id"):
            digest.update(f"{row};".encode())
        rows = (
            Intervention.objects.filter(pk__in=links.values("intervention_id"))
            .order_by("pk")
            .values_list("pk", "theme", "status", "start_date", "end_date")
        )
        for pk, theme, status, start, end in rows:
            digest.update(f"{pk}|{theme}|{status in NOT_CARRIED_OUT}|{start}|{end};".encode())
        token = digest.hexdigest()
        cache.set(pointer, token, SHARED_TTL)
    return token


def _intervention_areas(intervention: Intervention) -> list[Area]:
    prefetched = getattr(intervention, "_prefetched_objects_cache", {}).get("areas")
    if prefetched is not None:
        return sorted(prefetched, key=lambda a: (a.kind, a.code))
    return list(Area.objects.filter(interventions=intervention).defer(*AREA_SHAPES).order_by("kind", "code"))


def _intervention_buurten(areas: list[Area]) -> list[Area]:
    """The land buurten the intervention works in: its buurten, and those of its wijken
    and gebieden. One query (none for buurten only)."""
    buurten = {area.pk: area for area in areas if area.kind == AreaKind.BUURT}
    wijken = [area.pk for area in areas if area.kind == AreaKind.WIJK]
    gebieden = [area.pk for area in areas if area.kind == AreaKind.GEBIED]
    if wijken or gebieden:
        members = (
            Area.objects.filter(kind=AreaKind.BUURT, is_water=False)
            .filter(Q(parent_id__in=wijken) | Q(gebieden__in=gebieden))
            .defer(*AREA_SHAPES)
            .distinct()
        )
        for buurt in members:
            buurten.setdefault(buurt.pk, buurt)
    return sorted(buurten.values(), key=lambda a: a.code)


def _same_theme_buurten(intervention: Intervention, gemeenten: set[str]) -> tuple[set[str], set[str], int]:
    """Buurt codes (and whole gemeenten) touched by other interventions of the same theme
    whose period overlaps this one, whoever may see them; and how many such
    interventions touch this intervention's gemeente. Only counts leave this function."""
    others = Intervention.objects.filter(theme=intervention.theme).exclude(pk=intervention.pk)
    others = others.exclude(status__in=NOT_CARRIED_OUT)
    if intervention.end_date is not None:
        others = others.filter(Q(start_date__isnull=True) | Q(start_date__lte=intervention.end_date))
    if intervention.start_date is not None:
        others = others.filter(Q(end_date__isnull=True) | Q(end_date__gte=intervention.start_date))
    links = list(
        Intervention.areas.through.objects.filter(
            intervention__in=others, area__gemeente_code__in=gemeenten
        ).values_list("intervention_id", "area_id", "area__kind", "area__code", "area__gemeente_code")
    )
    codes, gemeenten, parents, gebieden = set(), set(), [], []
    for _id, area_id, kind, code, gemeente_code in links:
        if kind == AreaKind.BUURT:
            codes.add(code)
        elif kind == AreaKind.WIJK:
            parents.append(area_id)
        elif kind == AreaKind.GEBIED:
            gebieden.append(area_id)
        elif kind == AreaKind.GEMEENTE:
            gemeenten.add(gemeente_code)
    if parents or gebieden:
        codes.update(
            Area.objects.filter(kind=AreaKind.BUURT)
            .filter(Q(parent_id__in=parents) | Q(gebieden__in=gebieden))
            .values_list("code", flat=True)
        )
    return codes, gemeenten, len({row[0] for row in links})


class _ScoreLookup:
    """The model's scores of the gemeente in the before and after years, read in one
    query, with areas followed across a boundary redrawing where their code is gone
    (``present``: the (year, kind, code) of every area of the gemeente in those years)."""

    def __init__(self, model: ScoreModel, scores, present):
        self.model = model
        self.present = set(present)
        self.by_code: dict[tuple[int, str, str], Measurement] = {}
        self.by_pk: dict[int, Measurement] = {}
        self.areas_by_year: dict[int, list[Area]] = defaultdict(list)
        self._weights: dict[tuple[int, int, str], dict] = {}
        rows = scores.values_list(
            "area_id",
            "area__code",
            "area__name",
            "area__kind",
            "area__is_water",
            "area__gemeente_code",
            "year",
            "value",
            "score_class",
        )
        for area_id, code, name, kind, is_water, gemeente_code, year, value, score_class in rows:
            measurement = Measurement(
                year=year, value=value, score_class=score_class, class_label=model.class_label(score_class)
            )
            self.by_code[(year, kind, code)] = measurement
            self.by_pk[area_id] = measurement
            if kind == AreaKind.BUURT and not is_water:
                self.areas_by_year[year].append(
                    Area(pk=area_id, code=code, name=name, kind=kind, year=year, gemeente_code=gemeente_code)
                )

    def buurten_of(self, year: int) -> list[Area]:
        """The land buurten of the gemeente with a score in ``year``."""
        return sorted(self.areas_by_year.get(year, []), key=lambda a: a.code)

    def measurement(self, area: Area, year: int | None) -> Measurement | None:
        if year is None:
            return None
        found = self.by_code.get((year, area.kind, area.code))
        if found is not None or area.year == year or (year, area.kind, area.code) in self.present:
            # The same area in that year (with or without a score).
            return found
        parts = self._parts(area, year)
        known = [(self.by_pk[pk], weight) for pk, weight in parts if pk in self.by_pk]
        total = sum(weight for _m, weight in known)
        if not known or total <= 0:
            return None
        value = sum(m.value * weight for m, weight in known) / total
        if len(known) == 1 and abs(known[0][1] - 1.0) < 1e-9:
            single = known[0][0]
            return Measurement(year, value, single.score_class, single.class_label, derived=True)
        return Measurement(year, value, derived=True)

    def row(self, area: Area, before: int, after: int | None) -> AreaRow:
        return AreaRow(
            area_id=area.pk,
            code=area.code,
            name=area.name,
            kind=area.kind,
            year=area.year,
            before=self.measurement(area, before),
            after=self.measurement(area, after),
        )

    def parts_in(self, areas: list[Area], year: int) -> set[int]:
        """Ids of the areas of ``year`` that ``areas`` continue (by code or overlap)."""
        ids = set()
        for area in areas:
            if area.year == year:
                ids.add(area.pk)
            elif (year, area.kind, area.code) not in self.present:
                ids.update(pk for pk, _w in self._parts(area, year))
        return ids

    def _parts(self, area: Area, year: int) -> list[tuple[int, float]]:
        # One call (two queries) per pair of years and kind, whatever the number of areas.
        key = (area.year, year, area.kind)
        if key not in self._weights:
            self._weights[key] = predecessor_weights(year_to=area.year, year_from=year, kinds=[area.kind])
        return self._weights[key].get(area.pk, [])
