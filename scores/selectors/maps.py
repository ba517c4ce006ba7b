"""Reads for the score map, its table and export, the scored GeoJSON and the scores on
area pages.

Everything starts from ``restrict(user, "view")``: a licensed model or indicator that a
person may not see is simply not found (404 on its pages), and its values, scores and
classes never reach a table, map or file. The map, the table and the export of one
choice are built from the same ``MapTable``, so they always show the same data.
"""

import bisect
import itertools
import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from areas.models import Area, AreaKind, AreaOverlap
from areas.selectors import MAP_LEVELS
from scores import catalogue
from scores.models import Direction, Indicator, IndicatorValue, ModelIndicator, Score, ScoreModel
from scores.selectors.lineage import predecessor_weights

NO_DATA_COLOR = "#d9d9d9"
# Sequential ramp (ColorBrewer Blues) for indicators that are neither better nor worse
# when higher; a diverging red-yellow-green ramp where direction matters.
BLUES_9 = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b")
MIN_CLASSES, MAX_CLASSES = 2, 9
CLASSINGS = ("quantile", "fixed")
# A change smaller than this share of the largest change (in either direction) is shown
# as "about the same".
STABLE_SHARE = 0.1


# Subjects: models and indicators a person may see


def model_list(*, user):
    """Active score models the user may see, with their source (for the licence note)."""
    return (
        ScoreModel.objects.restrict(user, "view")
        .filter(is_active=True)
        .select_related("source", "source__owner_organisation")
        .order_by("name")
    )


def indicator_list(*, user):
    """Indicators the user may see, with their source."""
    return (
        Indicator.objects.restrict(user, "view")
        .select_related("source", "source__owner_organisation")
        .order_by("source__name", "name")
    )


def model_years(*, user, model: ScoreModel) -> list[int]:
    """Years with scores of this model, newest first."""
    return list(
        Score.objects.restrict(user, "view")
        .filter(model=model)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def indicator_years(*, user, indicator: Indicator) -> list[int]:
    """Years with values of this indicator, newest first."""
    return list(
        IndicatorValue.objects.restrict(user, "view")
        .filter(indicator=indicator)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def subject_years(*, user, subject) -> list[int]:
    if isinstance(subject, ScoreModel):
        return model_years(user=user, model=subject)
    return indicator_years(user=user, indicator=subject)


def gemeente_choices(*, user, year: int) -> list[tuple[str, str]]:
    """(code, name) of the gemeenten of a boundary year, by name."""
    return list(
        Area.objects.restrict(user, "view")
        .filter(year=year, kind=AreaKind.GEMEENTE)
        .order_by("name")
        .values_list("code", "name")
    )


def licence_note(subject) -> str:
    """The note shown with a map: the licence text of the source, and for licensed data
    whose it is and that it is not to be passed on."""
    source = subject.source
    if source is None:
        return ""
    if source.is_licensed:
        owner = source.owner_organisation.name if source.owner_organisation_id else source.name
        note = _("gelicentieerde gegevens van %(owner)s, niet verder verspreiden") % {"owner": owner}
        return f"{note}. {source.licence}" if source.licence else note
    return source.licence


# Classing


@dataclass(frozen=True)
class ClassDef:
    value: int
    label: str
    color: str


@dataclass
class LegendEntry:
    value: int | None
    label: str
    color: str
    count: int = 0
    # Signal maps: how many of ``count`` entered this cell since the previous measurement.
    new: int = 0


def ramp(n: int, direction: str = Direction.NEUTRAL) -> list[str]:
    """``n`` colours from low to high values: bad to good when direction matters."""
    if direction == Direction.NEUTRAL:
        base = BLUES_9[1:]
    else:
        base = catalogue.RAMP_9
        if direction == Direction.HIGHER_WORSE:
            base = tuple(reversed(base))
    if n == 1:
        return [base[len(base) // 2]]
    return [base[round(i * (len(base) - 1) / (n - 1))] for i in range(n)]


def validate_breaks(breaks) -> list[float]:
    """Fixed class boundaries: numbers in ascending order, at most eight of them."""
    values = []
    for item in breaks:
        try:
            number = float(item)
        except (TypeError, ValueError):
            raise ValidationError(
                _("Grenzen zijn getallen, bijvoorbeeld 10; 20; 30."), code="invalid"
            ) from None
        if not math.isfinite(number):
            raise ValidationError(_("Grenzen zijn gewone getallen, bijvoorbeeld 10; 20; 30."), code="invalid")
        values.append(number)
    if not values:
        raise ValidationError(_("Geef minstens één grens op, bijvoorbeeld 10; 20; 30."), code="required")
    if len(values) > MAX_CLASSES - 1:
        raise ValidationError(
            _("Geef hoogstens %(n)s grenzen op (dat zijn %(m)s klassen).")
            % {"n": MAX_CLASSES - 1, "m": MAX_CLASSES},
            code="too_many",
        )
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise ValidationError(
            _("Zet de grenzen van laag naar hoog, elke grens hoger dan de vorige."), code="order"
        )
    return values


def quantile_breaks(values, n_classes: int) -> list[float]:
    """Boundaries that split the values into ``n_classes`` groups of about equal size:
    the k-th boundary is the value with k/n of the values below it (nearest rank), so
    every boundary is a value on the map. Equal boundaries (many equal values) are
    merged, so there may be fewer classes."""
    data = sorted(v for v in values if v is not None)
    if len(data) < 2:
        return []
    breaks: list[float] = []
    for k in range(1, n_classes):
        value = data[min(math.ceil(k * len(data) / n_classes), len(data) - 1)]
        if value > data[0] and (not breaks or value > breaks[-1]):
            breaks.append(value)
    return breaks


def _fmt(value, decimals: int) -> str:
    return number_format(round(value, decimals), decimals, use_l10n=True, force_grouping=True)


def break_classes(breaks, *, decimals: int, direction: str, unit: str = "") -> list[ClassDef]:
    """One class below the first boundary, one between each pair, one from the last on."""
    colors = ramp(len(breaks) + 1, direction)
    suffix = f" {unit}" if unit else ""
    if not breaks:
        return [ClassDef(1, _("alle waarden"), colors[0])]
    classes = [ClassDef(1, _("lager dan %(b)s") % {"b": _fmt(breaks[0], decimals)} + suffix, colors[0])]
    for i in range(1, len(breaks)):
        label = _("%(a)s tot %(b)s") % {"a": _fmt(breaks[i - 1], decimals), "b": _fmt(breaks[i], decimals)}
        classes.append(ClassDef(i + 1, label + suffix, colors[i]))
    classes.append(
        ClassDef(
            len(breaks) + 1,
            _("%(b)s of hoger") % {"b": _fmt(breaks[-1], decimals)} + suffix,
            colors[len(breaks)],
        )
    )
    return classes


def class_of(value, breaks) -> int | None:
    if value is None:
        return None
    return bisect.bisect_right(breaks, value) + 1


def model_classes(model: ScoreModel) -> list[ClassDef]:
    colors = ramp(max(len(model.classes), 1), Direction.HIGHER_BETTER)
    if not model.higher_is_better:
        colors = list(reversed(colors))
    return [
        ClassDef(int(item["value"]), str(item.get("label", item["value"])), item.get("color") or colors[i])
        for i, item in enumerate(model.classes)
    ]


def change_breaks(changes) -> list[float]:
    """Symmetric boundaries around zero for a change map: about the same within a tenth
    of the largest change, strong beyond three fifths of it."""
    largest = max((abs(c) for c in changes if c is not None), default=0.0)
    if largest == 0:
        return [-1e-9, 1e-9]
    stable, strong = largest * STABLE_SHARE, largest * 0.6
    return [-strong, -stable, stable, strong]


def change_classes(breaks, *, decimals: int, higher_is_better: bool) -> list[ClassDef]:
    direction = Direction.HIGHER_BETTER if higher_is_better else Direction.HIGHER_WORSE
    if len(breaks) == 2:
        colors = ramp(3, direction)
        return [
            ClassDef(1, _("gedaald"), colors[0]),
            ClassDef(2, _("gelijk gebleven"), colors[1]),
            ClassDef(3, _("gestegen"), colors[2]),
        ]
    colors = ramp(5, direction)
    strong, stable = _fmt(-breaks[0], decimals), _fmt(breaks[2], decimals)
    return [
        ClassDef(1, _("sterk gedaald (meer dan %(v)s)") % {"v": strong}, colors[0]),
        ClassDef(2, _("gedaald"), colors[1]),
        ClassDef(3, _("ongeveer gelijk (minder dan %(v)s verschil)") % {"v": stable}, colors[2]),
        ClassDef(4, _("gestegen"), colors[3]),
        ClassDef(5, _("sterk gestegen (meer dan %(v)s)") % {"v": strong}, colors[4]),
    ]


# The table behind a map


@dataclass
class Row:
    area_id: int
    year: int
    code: str
    name: str
    parent_code: str = ""
    parent_name: str = ""
    has_shape: bool = True
    value: float | None = None
    score_class: int | None = None
    label: str = ""
    color: str = NO_DATA_COLOR
    trend: float | None = None
    # The trend compares with the land the area covers now (``Score.boundary_changed``).
    boundary_changed: bool = False
    no_data_reason: str = ""
    # Change maps: the value in the earlier year, the change, and whether the area was
    # redrawn in between (followed through the overlaps).
    previous: float | None = None
    change: float | None = None
    redrawn: bool = False
    # Signal typology: the two changes it crosses (in standard deviations of the earlier
    # year) and the year they are measured from.
    vulnerability: float | None = None
    nuisance: float | None = None
    compared_year: int | None = None
    # Signal typology: the area is in a cell it was not in at the previous measurement
    # (``Score.entered_cell``).
    new_in_cell: bool = False

    @property
    def new_both_rising(self) -> bool:
        """New in the strongest signal, which the interface makes stand out."""
        return self.new_in_cell and self.score_class == catalogue.SIGNAL_BOTH_RISING


@dataclass
class SignalCell:
    """One cell of the 3 × 3 signal legend."""

    value: int
    label: str
    color: str
    count: int
    nuisance: str
    new: int = 0

    @property
    def is_both_rising(self) -> bool:
        return self.value == catalogue.SIGNAL_BOTH_RISING


@dataclass
class SignalRow:
    """One row of the signal legend: one trend of vulnerability against the three of
    overlast."""

    vulnerability: str
    cells: list[SignalCell]


@dataclass
class ContinuousScale:
    """A published model's scores shown without classes (a file without them, such as a
    Leefbaarometer table without kscore): every value gets its colour from its place
    between the lowest and highest value shown, on the ramp from bad to good."""

    low: float
    high: float
    colors: list[str]  # from the lowest value to the highest
    count: int  # areas with a value
    note: str

    def color(self, value: float) -> str:
        """The colour of ``value``: interpolated between the two nearest ramp colours."""
        if self.high <= self.low:
            return self.colors[len(self.colors) // 2]
        share = min(max((value - self.low) / (self.high - self.low), 0.0), 1.0)
        position = share * (len(self.colors) - 1)
        i = min(int(position), len(self.colors) - 2)
        return _mix(self.colors[i], self.colors[i + 1], position - i)


def _mix(a: str, b: str, t: float) -> str:
    """The colour a share ``t`` of the way from ``a`` to ``b`` (both #rrggbb)."""
    ca = [int(a[k : k + 2], 16) for k in (1, 3, 5)]
    cb = [int(b[k : k + 2], 16) for k in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb, strict=True))


def continuous_scale(model: ScoreModel, values, *, all_unclassed: bool) -> ContinuousScale | None:
    """The continuous scale of a published model's ``values`` (None without values)."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    colors = list(catalogue.RAMP_9 if model.higher_is_better else reversed(catalogue.RAMP_9))
    if all_unclassed:
        note = _("Geen klassen in het bestand: doorlopende schaal")
    else:
        note = _("Niet elk gebied heeft een klasse in het bestand: doorlopende schaal")
    return ContinuousScale(min(known), max(known), colors, len(known), note)


@dataclass
class MapTable:
    """One map choice: its rows (one per land area of the level), its classes and legend.
    A published model whose scores (some or all) come without a class has a continuous
    ``scale`` instead of classes."""

    kind: str  # "model", "indicator" or "change"
    subject: object
    year: int
    level: str
    rows: list[Row]
    classes: list[ClassDef]
    legend: list[LegendEntry] = field(default_factory=list)
    compare: int | None = None
    breaks: list[float] = field(default_factory=list)
    decimals: int = 2
    unit: str = ""
    scale: ContinuousScale | None = None

    @property
    def has_data(self) -> bool:
        return any(r.value is not None for r in self.rows)

    @property
    def title(self) -> str:
        return self.subject.name

    @property
    def is_signal(self) -> bool:
        return self.kind == "model" and getattr(self.subject, "kind", "") == ScoreModel.Kind.SIGNAL

    @property
    def signal_grid(self) -> list[SignalRow]:
        """The legend of a signal map as the 3 × 3 table of DESIGN §3; empty for other maps."""
        return signal_grid(self.legend) if self.is_signal else []

    @property
    def no_data(self) -> LegendEntry | None:
        """The legend entry of the areas without a class, if there are any."""
        return next((e for e in self.legend if e.value is None), None)

    @property
    def compared_years(self) -> list[int]:
        """Signal maps: the earlier years the changes are measured from."""
        return sorted({r.compared_year for r in self.rows if r.compared_year is not None})


def _scope(qs, *, user, year, gemeente="", parent=None, gebied=None):
    """Areas of one year limited to a gemeente (""/None: the whole country), the children
    of a parent, or the buurten of a gebied (parent and gebied are codes or areas)."""
    if gebied:
        code = gebied.code if isinstance(gebied, Area) else gebied
        gebieden = Area.objects.restrict(user, "view").filter(year=year, kind=AreaKind.GEBIED, code=code)
        return qs.filter(gebieden__in=gebieden)
    if parent:
        code = parent.code if isinstance(parent, Area) else parent
        return qs.filter(parent__year=year, parent__code=code)
    if gemeente:
        return qs.filter(gemeente_code=gemeente)
    return qs


def _areas(*, user, year, level, gemeente="", parent=None, gebied=None):
    if level not in MAP_LEVELS:
        raise ValidationError(_("Kies gemeente, wijk, buurt of gebied."), code="level")
    qs = Area.objects.restrict(user, "view").filter(year=year, kind=level, is_water=False)
    return _scope(qs, user=user, year=year, gemeente=gemeente, parent=parent, gebied=gebied)


def _rows(area_qs) -> list[Row]:
    rows = area_qs.values_list("pk", "year", "code", "name", "parent__code", "parent__name", "min_lon")
    return [
        Row(pk, year, code, name, parent_code or "", parent_name or "", min_lon is not None)
        for pk, year, code, name, parent_code, parent_name, min_lon in rows.order_by("name", "code")
    ]


def _legend(rows, classes) -> list[LegendEntry]:
    counts: dict[int | None, int] = {}
    new: dict[int | None, int] = {}
    for row in rows:
        counts[row.score_class] = counts.get(row.score_class, 0) + 1
        if row.new_in_cell:
            new[row.score_class] = new.get(row.score_class, 0) + 1
    legend = [
        LegendEntry(c.value, c.label, c.color, counts.get(c.value, 0), new.get(c.value, 0)) for c in classes
    ]
    known = {c.value for c in classes}
    missing = sum(n for value, n in counts.items() if value not in known)
    if missing:
        legend.append(LegendEntry(None, _("geen gegevens"), NO_DATA_COLOR, missing))
    return legend


def trend_labels() -> dict[str, str]:
    """The three trends of the signal typology, as the interface says them."""
    return {"daalt": _("daalt"), "stabiel": _("stabiel"), "stijgt": _("stijgt")}


def signal_grid(legend: list[LegendEntry]) -> list[SignalRow]:
    """Signal cells 1–9 laid out as rows of vulnerability (falling, stable, rising) and
    columns of overlast (falling, stable, rising), each with its colour and number of
    areas (cell 3·v + n + 1, as the compute service numbers them)."""
    by_value = {e.value: e for e in legend if e.value is not None}
    trends = list(trend_labels().values())
    rows = []
    for v, vulnerability in enumerate(trends):
        cells = []
        for n, nuisance in enumerate(trends):
            value = 3 * v + n + 1
            entry = by_value.get(value)
            cells.append(
                SignalCell(
                    value,
                    entry.label if entry else "",
                    entry.color if entry else NO_DATA_COLOR,
                    entry.count if entry else 0,
                    nuisance,
                    entry.new if entry else 0,
                )
            )
        rows.append(SignalRow(vulnerability, cells))
    return rows


def signal_changes(contributions) -> tuple[float | None, float | None, int | None]:
    """(change of vulnerability, change of overlast, earlier year) of a signal score."""
    if not isinstance(contributions, dict):
        return None, None, None
    return (
        contributions.get("kwetsbaarheid"),
        contributions.get("overlast"),
        contributions.get("previous_year"),
    )


def _apply_class(row: Row, by_value: dict[int, ClassDef]) -> None:
    item = by_value.get(row.score_class)
    if item is not None:
        row.label, row.color = item.label, item.color
        return
    row.score_class = None
    row.label = row.no_data_reason or (_("geen gegevens") if row.value is None else _("geen klasse"))
    row.color = NO_DATA_COLOR


def score_table(*, user, model: ScoreModel, year: int, level: str, gemeente="", parent=None, gebied=None):
    """The scores of ``model`` in ``year`` for the land areas of ``level`` in the scope;
    areas without a score are in it too (without value, with the reason when known)."""
    areas = _areas(user=user, year=year, level=level, gemeente=gemeente, parent=parent, gebied=gebied)
    rows = _rows(areas)
    is_signal = model.kind == ScoreModel.Kind.SIGNAL
    # Only a signal's contributions are shown in the table (its two changes); an index's
    # are read on the area page only.
    columns = ["area_id", "value", "score_class", "trend", "no_data_reason", "boundary_changed"]
    if is_signal:
        columns += ["contributions", "previous_class"]
    scores = {
        area_id: rest
        for area_id, *rest in Score.objects.restrict(user, "view")
        .filter(model=model, year=year, area__in=areas.values("pk"))
        .values_list(*columns)
    }
    classes = model_classes(model)
    by_value = {c.value: c for c in classes}
    scale = None
    if model.kind == ScoreModel.Kind.PUBLISHED:
        # A score without a class is still shown: on a continuous scale, never refused.
        with_value = [found for found in scores.values() if found[0] is not None]
        unclassed = sum(1 for found in with_value if found[1] not in by_value)
        if unclassed:
            scale = continuous_scale(
                model, (found[0] for found in with_value), all_unclassed=unclassed == len(with_value)
            )
    for row in rows:
        found = scores.get(row.area_id)
        if found:
            row.value, row.score_class, row.trend, reason, row.boundary_changed = found[:5]
            row.no_data_reason = catalogue.no_data_text(reason)
            if is_signal:
                row.vulnerability, row.nuisance, row.compared_year = signal_changes(found[5])
        _apply_class(row, by_value)
        if scale is not None and row.value is not None:
            row.color = scale.color(row.value)
        if found and is_signal:
            # After ``_apply_class``: a cell the model does not know is no cell to be new in.
            row.new_in_cell = Score.entered_cell(
                model_kind=model.kind, score_class=row.score_class, previous_class=found[6]
            )
    legend = _continuous_legend(rows) if scale is not None else _legend(rows, classes)
    return MapTable("model", model, year, level, rows, classes, legend, decimals=2, unit="", scale=scale)


def _continuous_legend(rows) -> list[LegendEntry]:
    """The legend beside a continuous scale: only the areas without a value."""
    missing = sum(1 for row in rows if row.value is None)
    return [LegendEntry(None, _("geen gegevens"), NO_DATA_COLOR, missing)] if missing else []


def change_table(
    *,
    user,
    model: ScoreModel,
    year_from: int,
    year_to: int,
    level: str,
    gemeente="",
    parent=None,
    gebied=None,
):
    """Per area of ``year_to``: its score, the score of the same area in ``year_from`` (by
    code, else the areas it continues weighted by overlap) and the change between them,
    classed on a scale that diverges around no change."""
    table = score_table(
        user=user, model=model, year=year_to, level=level, gemeente=gemeente, parent=parent, gebied=gebied
    )
    weights = predecessor_weights(year_to=year_to, year_from=year_from, kinds=[level])
    wanted = {pk for row in table.rows for pk, _w in weights.get(row.area_id, ())}
    before = dict(
        Score.objects.restrict(user, "view")
        .filter(model=model, year=year_from, area_id__in=wanted, value__isnull=False)
        .values_list("area_id", "value")
    )
    codes = dict(Area.objects.filter(pk__in=wanted).values_list("pk", "code")) if wanted else {}
    for row in table.rows:
        parts = [(pk, w) for pk, w in weights.get(row.area_id, ()) if pk in before]
        row.redrawn = any(codes.get(pk) != row.code for pk, _w in weights.get(row.area_id, ()))
        if parts:
            total = sum(w for _pk, w in parts)
            row.previous = sum(before[pk] * w for pk, w in parts) / total
            if row.value is not None:
                row.change = row.value - row.previous
    breaks = change_breaks(r.change for r in table.rows)
    classes = change_classes(breaks, decimals=2, higher_is_better=model.higher_is_better)
    by_value = {c.value: c for c in classes}
    for row in table.rows:
        # The classes of a change map are changes, not signal cells.
        row.new_in_cell = False
        if row.change is None:
            row.score_class, row.label, row.color = None, _("geen vergelijking"), NO_DATA_COLOR
            if row.value is None and row.no_data_reason:
                row.label = row.no_data_reason
        else:
            row.score_class = class_of(row.change, breaks)
            item = by_value[row.score_class]
            row.label, row.color = item.label, item.color
    table.kind, table.compare, table.breaks, table.classes = "change", year_from, breaks, classes
    table.legend = _legend(table.rows, classes)
    table.scale = None  # a change map has classes of change
    return table


def indicator_table(
    *,
    user,
    indicator: Indicator,
    year: int,
    level: str,
    gemeente="",
    parent=None,
    gebied=None,
    classing: str = "quantile",
    n_classes: int = 5,
    breaks=None,
):
    """The values of ``indicator`` in ``year`` for the land areas of ``level`` in the
    scope, in quantile classes of the shown values or in the fixed classes of ``breaks``
    (ascending numbers; a ``ValidationError`` says what is wrong)."""
    if classing not in CLASSINGS:
        raise ValidationError(_("Kies kwantielen of vaste grenzen."), code="classing")
    if classing == "fixed":
        breaks = validate_breaks(breaks or [])
    elif not MIN_CLASSES <= int(n_classes) <= MAX_CLASSES:
        raise ValidationError(
            _("Kies tussen %(a)s en %(b)s klassen.") % {"a": MIN_CLASSES, "b": MAX_CLASSES}, code="n_classes"
        )
    areas = _areas(user=user, year=year, level=level, gemeente=gemeente, parent=parent, gebied=gebied)
    rows = _rows(areas)
    values = dict(
        IndicatorValue.objects.restrict(user, "view")
        .filter(indicator=indicator, year=year, area__in=areas.values("pk"))
        .values_list("area_id", "value")
    )
    for row in rows:
        row.value = values.get(row.area_id)
    if classing == "quantile":
        breaks = quantile_breaks([r.value for r in rows], int(n_classes))
    classes = break_classes(
        breaks, decimals=indicator.decimals, direction=indicator.direction, unit=indicator.unit
    )
    by_value = {c.value: c for c in classes}
    for row in rows:
        row.score_class = class_of(row.value, breaks)
        _apply_class(row, by_value)
    return MapTable(
        "indicator",
        indicator,
        year,
        level,
        rows,
        classes,
        _legend(rows, classes),
        breaks=list(breaks),
        decimals=indicator.decimals,
        unit=indicator.unit,
    )


def map_table(
    *,
    user,
    subject,
    year: int,
    level: str,
    gemeente="",
    parent=None,
    gebied=None,
    compare: int | None = None,
    classing="quantile",
    n_classes=5,
    breaks=None,
) -> MapTable:
    """The table of a model (or its change since ``compare``) or of an indicator."""
    scope = {"gemeente": gemeente, "parent": parent, "gebied": gebied}
    if isinstance(subject, ScoreModel):
        if compare and compare != year:
            return change_table(
                user=user, model=subject, year_from=compare, year_to=year, level=level, **scope
            )
        return score_table(user=user, model=subject, year=year, level=level, **scope)
    return indicator_table(
        user=user,
        indicator=subject,
        year=year,
        level=level,
        classing=classing,
        n_classes=n_classes,
        breaks=breaks,
        **scope,
    )


SORTS = {
    "naam": lambda r: (r.name.lower(), r.code),
    "code": lambda r: r.code,
    "ligt_in": lambda r: (r.parent_name.lower(), r.name.lower()),
    "waarde": lambda r: (r.value is None, r.value if r.value is not None else 0, r.code),
    "klasse": lambda r: (r.score_class is None, r.score_class or 0, r.code),
    "verandering": lambda r: (r.change is None, r.change if r.change is not None else 0, r.code),
    "trend": lambda r: (r.trend is None, r.trend if r.trend is not None else 0, r.code),
    "kwetsbaarheid": lambda r: (
        r.vulnerability is None,
        r.vulnerability if r.vulnerability is not None else 0,
        r.code,
    ),
    "overlast": lambda r: (r.nuisance is None, r.nuisance if r.nuisance is not None else 0, r.code),
}


def sorted_rows(rows, sort: str) -> list[Row]:
    """Rows sorted by a table column (``-`` in front: descending); areas without a value
    stay at the end either way."""
    key = sort.lstrip("-")
    func = SORTS.get(key, SORTS["naam"])
    result = sorted(rows, key=func)
    if sort.startswith("-"):
        present = [r for r in result if func(r)[0] is not True]
        absent = [r for r in result if func(r)[0] is True]
        result = list(reversed(present)) + absent
    return result


# Scores on the area pages


@dataclass
class Point:
    year: int
    value: float | None
    score_class: int | None = None
    label: str = ""
    color: str = ""
    trend: float | None = None
    no_data_reason: str = ""
    redrawn: bool = False
    # Signal typology: the two changes and the year they are measured from.
    vulnerability: float | None = None
    nuisance: float | None = None
    compared_year: int | None = None


@dataclass
class Contribution:
    name: str
    z: float | None
    weight: float | None
    contribution: float | None


@dataclass
class Series:
    """One model or key indicator over the years for one area code."""

    kind: str  # "model" or "indicator"
    key: str
    name: str
    unit: str
    decimals: int
    note: str
    points: list[Point]
    model_kind: str = ""
    contributions: list[Contribution] = field(default_factory=list)

    @property
    def latest(self) -> Point | None:
        known = [p for p in self.points if p.value is not None or p.score_class is not None]
        return known[-1] if known else None

    @property
    def has_data(self) -> bool:
        return self.latest is not None

    @property
    def is_signal(self) -> bool:
        return self.model_kind == ScoreModel.Kind.SIGNAL


def area_series(*, user, area: Area) -> list[Series]:
    """For every visible active model and visible key indicator: the values of this
    area's code over the boundary years (each year on that year's area with the same
    code), with the years in which the area was redrawn marked. Models first."""
    same_code = dict(
        Area.objects.restrict(user, "view").filter(code=area.code).values_list("year", "pk").order_by("year")
    )
    years = sorted(same_code)
    pks = list(same_code.values())
    redrawn = _redrawn_years(user=user, code=area.code, same_code=same_code)
    models = list(model_list(user=user))
    indicators = list(indicator_list(user=user).filter(is_key=True))
    score_rows: dict[tuple[int, int], tuple] = {}
    for model_id, year, *rest in (
        Score.objects.restrict(user, "view")
        .filter(area_id__in=pks, model__in=[m.pk for m in models])
        .values_list("model_id", "year", "value", "score_class", "trend", "no_data_reason", "contributions")
    ):
        score_rows[(model_id, year)] = rest
    values: dict[tuple[int, int], float] = {
        (indicator_id, year): value
        for indicator_id, year, value in IndicatorValue.objects.restrict(user, "view")
        .filter(area_id__in=pks, indicator__in=[i.pk for i in indicators])
        .values_list("indicator_id", "year", "value")
    }
    names = _component_names(user=user, models=[m for m in models if m.kind == ScoreModel.Kind.INDEX])
    result = []
    for model in models:
        by_value = {c.value: c for c in model_classes(model)}
        points = []
        for year in years:
            found = score_rows.get((model.pk, year))
            value, score_class, trend, reason, contrib = found if found else (None, None, None, "", None)
            reason = catalogue.no_data_text(reason)
            item = by_value.get(score_class)
            point = Point(
                year,
                value,
                score_class,
                item.label if item else "",
                item.color if item else NO_DATA_COLOR,
                trend,
                reason,
                year in redrawn,
            )
            if model.kind == ScoreModel.Kind.SIGNAL:
                point.vulnerability, point.nuisance, point.compared_year = signal_changes(contrib)
            points.append(point)
        series = Series(
            "model", model.key, model.name, "", 2, licence_note(model), points, model_kind=model.kind
        )
        latest = series.latest
        if model.kind == ScoreModel.Kind.INDEX and latest is not None:
            contributions = (score_rows.get((model.pk, latest.year)) or [None] * 5)[4] or {}
            series.contributions = sorted(
                (
                    Contribution(
                        names.get((model.pk, key), key),
                        part.get("z"),
                        part.get("weight"),
                        part.get("contribution"),
                    )
                    for key, part in contributions.items()
                    if isinstance(part, dict)
                ),
                key=lambda c: -abs(c.contribution or 0),
            )
        result.append(series)
    for ind in indicators:
        points = [Point(year, values.get((ind.pk, year)), redrawn=year in redrawn) for year in years]
        result.append(
            Series("indicator", str(ind.pk), ind.name, ind.unit, ind.decimals, licence_note(ind), points)
        )
    return result


def _component_names(*, user, models) -> dict[tuple[int, str], str]:
    if not models:
        return {}
    return {
        (model_id, key): name
        for model_id, key, name in ModelIndicator.objects.restrict(user, "view")
        .filter(model__in=[m.pk for m in models])
        .values_list("model_id", "indicator__key", "indicator__name")
    }


# Same code in two years but less than this share in common, or more than REDRAWN_PART
# of the area exchanged with an area of another code: redrawn.
REDRAWN_BELOW = 0.95
REDRAWN_PART = 0.05


def _redrawn_years(*, user, code: str, same_code: dict[int, int]) -> set[int]:
    """Years in which the area with this code was redrawn, as the stored overlaps say:
    the later year of every pair of years whose areas differ. Without overlaps an area is
    taken as unchanged."""
    pks = list(same_code.values())
    if not pks:
        return set()
    redrawn = set()
    for s_year, t_year, s_code, t_code, share_source, share_target in (
        AreaOverlap.objects.restrict(user, "view")
        .filter(Q(source_id__in=pks) | Q(target_id__in=pks))
        .values_list(
            "source__year",
            "target__year",
            "source__code",
            "target__code",
            "share_of_source",
            "share_of_target",
        )
    ):
        if s_year == t_year:
            continue
        if s_code == t_code == code:
            changed = min(share_source, share_target) < REDRAWN_BELOW
        else:
            changed = (share_source if s_code == code else share_target) >= REDRAWN_PART
        if changed:
            redrawn.add(max(s_year, t_year))
    return redrawn & set(same_code)
