"""The year report (jaarbeeld): hauling in the net for a gemeente, wijk or gebied and a year.

``year_report(user=..., area=..., year=..., compare=None)`` returns a ``YearReport``: plain
dataclasses holding only plain values (str, int, float, bool, ``Decimal``,
``datetime.date``/``datetime``, lists and nested dataclasses of the same), ready for the
page, the JSON of the API and the command, and the PDF and Excel exports.
``report_as_dict(report)`` gives the same as nested dicts and lists.

Structure (every section is always there; ``section.is_empty`` and ``section.empty_text``
give its empty state in Dutch)::

    YearReport
      area: AreaRef             the gemeente, wijk or gebied (the boundary vintage used)
      gemeente: AreaRef | None  its gemeente
      year, compare             report year; the compare year asked for (None: per model
                                its previous measurement)
      years: list[int]          the years a report can be made for (the year select)
      parts_hidden: bool        the reader may not see everything in scope; the report
                                says so without naming what
      generated_at: datetime
      scores: ScoresSection
        models: list[ModelScores]               one per visible score model with data
          key, name, kind, higher_is_better, is_licensed, note (licence line)
          year                  the measurement shown: the report year, or the latest
                                measurement before it (``measured_in_report_year`` False)
          compare_year          the measurement compared with (None: none earlier)
          classes: list[ClassDef]               value, label, colour, low to high
          area: ScoreRow | None                 the report area's own score
          buurten: list[ScoreRow]               the land buurten, by name
          moved_up, moved_down: list[ScoreRow]  buurten a class up/down (level classes)
          new_signals: list[ScoreRow]           signal typology: new in a cell, "beide
                                                stijgen" first
          maps: list[MapLayer]                  "year", "compare" and "change": what the
                                                exports draw (area ids and codes of that
                                                layer's boundary year, class and colour per
                                                area, legend, a text alternative)
      urgency: UrgencySection
        model_name              the model urgencies are set against ("" when none)
        rows: list[UrgencyRow]  per team (wijk or gebied): urgency, score class, change,
                                new strong signals, ``mismatch`` ("" / "acuut" / "laag")
      interventions: InterventionsSection
        groups: list[InterventionGroup]        per wijk and theme: counts per stand,
                                               budget, mean progress
        items: list[InterventionItem]          every intervention counted, with its stand
        totals: dict[str, int]                 per stand (STANDS)
        evaluations: list[EvaluationSummary]   interventions finished in the year
      agreements: AgreementsSection
        agreements: list[AgreementRef]        agreements running in the year
        themes: list[ThemeProgress]           commitments per stand, sums per unit
        disputed: list[CommitmentItem]
        awaiting_review: list[ReviewItem]     monitoring submitted, not yet reviewed
        boden: list[BodItem]                  the bod written in the year (for year + 1)
      cooperation: CooperationSection
        teams: list[TeamCooperation]          wijkgesprekken held in the year, updates
        organisations: list[OrganisationUpdates]  progress updates per organisation
        quiet_teams: list[str]                teams with no wijkgesprek and no update
      sources: SourcesSection
        sources: list[SourceItem]             name, measurement year, import date

The rules, in short:

- Scope: a gemeente reads its land buurten, all teams whose wijk or gebied lies in it
  and their interventions; a wijk or gebied reads its buurten (a gebied: its member
  buurten by code), the team(s) on any boundary vintage of it, the interventions in it
  (``interventions.selectors.interventions_in_area``) and the commitments that name it or
  its buurten. Agreements are those of the gemeente running in the year.
- Scores: per model its latest measurement up to the year; compared with its previous
  measurement as the compute service stored it (``Score.trend``, ``previous_class``,
  ``boundary_changed``), or with its latest measurement up to ``compare``, followed
  through the overlap lineage (``scores.selectors.lineage``). A class move needs classes
  that are levels (not the signal typology); a new signal is ``Score.entered_cell``.
- Urgency: the team's area against the open veerkracht index, else the first open model
  that is not the signal typology (``_headline_model``): its change classed like the change map
  (``change_breaks``); "acuut" while that improves, or "laag" while it falls or a buurt of
  the area is new in "beide stijgen", is a mismatch.
- Interventions: each counts once, in its stand of the year (``_stand``); budgets add up
  in euros; progress is the latest percentage reported by the end of the year; at most
  ``EVALUATION_LIMIT`` finished ones (largest budget first) carry their evaluation.
- Agreements: a commitment stands where its report over the year puts it (a draft is not
  reported); targets of the year and realised values add up within one unit only, as on
  the agreement's progress page. The bod is the one written in the year (for year + 1).
- Cooperation: wijkgesprekken dated in the year; progress updates dated in the year, per
  team and per lead organisation of the intervention.

Rights: every read starts from ``restrict(user, "view")`` or the apps' selectors, so a
licensed model, another team's interventions or an agreement the reader is no party to
never reaches the report. When something in scope is left out for that reason
``parts_hidden`` is True; nothing in the report says what.

Cache: each score model's part of the scores section (its entry with tables, moves,
signals and maps, and what the urgency section reads of it) is kept under a key of the
model, the report's area, year and compare year, the team areas in scope, the language,
the scores' data version (``scores.versions``: a new one after every import,
recomputation and model or source edit) and the versions of the boundary years it reads
(``areas.selectors.map_version``: a new one after every boundary import and gebied edit).
Scores are visible per model (all of a model's or none) and areas to every signed-in
person, so a part is the same for everyone who may see its model; it is only looked up
for the models the reader may see that have scores the reader sees. The page keeps the
model's HTML under the same key (``reports/_scores.html``).
"""

import datetime
import hashlib
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import ClassVar

from django.core.cache import cache
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, Subquery, When
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.models import Agreement, Bod, Commitment, MonitoringReport
from agreements.models import Theme as CommitmentTheme
from agreements.selectors import NOT_REPORTED, unit_key
from agreements.selectors import STANDS as COMMITMENT_STANDS
from agreements.selectors import named_areas_q as commitment_named_areas_q
from areas.models import Area, AreaKind
from areas.selectors import HEAVY_FIELDS, map_version
from core.cache import code_version
from core.permissions import rules_remembered
from interventions.evaluation import DEFAULT_MODEL_KEY, intervention_evaluations_shared
from interventions.models import AreaTeam, Intervention, ProgressUpdate, UrgencyAssessment, Wijkgesprek
from interventions.models import Theme as InterventionTheme
from interventions.selectors import interventions_in_area, same_area_q, visible_interventions
from scores import catalogue
from scores.models import ModelIndicator, Score, ScoreImport, ScoreModel, Source
from scores.selectors.lineage import area_lineage
from scores.selectors.maps import (
    NO_DATA_COLOR,
    ClassDef,
    change_breaks,
    change_classes,
    class_of,
    licence_note,
    model_classes,
    model_list,
)
from scores.versions import data_version

# The stand of an intervention in the report year (each intervention counts once, in the
# first stand that applies, in this order).
STAND_STOPPED = "gestopt"
STAND_FINISHED = "afgerond"
STAND_STARTED = "gestart"
STAND_RUNNING = "lopend"
STAND_PLANNED = "gepland"
STANDS = (STAND_STARTED, STAND_RUNNING, STAND_FINISHED, STAND_STOPPED, STAND_PLANNED)

MISMATCH_ACUUT = "acuut"
MISMATCH_LAAG = "laag"


def stand_labels() -> dict[str, str]:
    return {
        STAND_STARTED: _("gestart"),
        STAND_RUNNING: _("lopend"),
        STAND_FINISHED: _("afgerond"),
        STAND_STOPPED: _("gestopt"),
        STAND_PLANNED: _("nog te starten"),
    }


# --- shared pieces ----------------------------------------------------------------------


class Section:
    """What the six sections have in common: a section is empty when none of the lists
    named in ``content`` holds anything, and ``empty_text`` then says so in Dutch."""

    content: ClassVar[tuple[str, ...]] = ()
    empty_message: ClassVar[str] = ""

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in self.content)

    @property
    def empty_text(self) -> str:
        return str(self.empty_message)


@dataclass
class AreaRef:
    id: int
    year: int
    kind: str
    code: str
    name: str


# --- 1. scores --------------------------------------------------------------------------


@dataclass
class ScoreRow:
    """One area in one model: its score in the model's year, the score it is compared
    with (through the lineage when it was redrawn) and the change."""

    area_id: int
    year: int
    code: str
    name: str
    wijk: str = ""
    value: float | None = None
    score_class: int | None = None
    label: str = ""
    color: str = ""
    previous_value: float | None = None
    previous_class: int | None = None
    previous_label: str = ""
    change: float | None = None
    # Classes up (positive) or down; None for the signal typology and without a compare.
    class_change: int | None = None
    boundary_changed: bool = False
    new_in_cell: bool = False
    new_both_rising: bool = False
    no_data_reason: str = ""


@dataclass
class MapArea:
    area_id: int
    year: int
    code: str
    name: str
    score_class: int | None
    label: str
    color: str
    boundary_changed: bool = False


@dataclass
class LegendItem:
    value: int | None
    label: str
    color: str
    count: int


@dataclass
class MapLayer:
    """One map: ``kind`` "year" (the model's year), "compare" (the compare year, on its
    own boundaries) or "change" (on the model year's boundaries)."""

    kind: str
    title: str
    year: int
    compare_year: int | None
    areas: list[MapArea] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)
    text_alternative: str = ""


@dataclass
class ModelScores:
    key: str
    name: str
    kind: str
    higher_is_better: bool
    year: int
    measured_in_report_year: bool
    compare_year: int | None
    is_licensed: bool = False
    note: str = ""
    classes: list[ClassDef] = field(default_factory=list)
    area: ScoreRow | None = None
    buurten: list[ScoreRow] = field(default_factory=list)
    moved_up: list[ScoreRow] = field(default_factory=list)
    moved_down: list[ScoreRow] = field(default_factory=list)
    new_signals: list[ScoreRow] = field(default_factory=list)
    maps: list[MapLayer] = field(default_factory=list)
    # The cache key of the model's part of the report (``_part_key``), under which the
    # page keeps its HTML as well; set by the report, not a field (not in the JSON).
    part_key: ClassVar[str] = ""

    @property
    def is_signal(self) -> bool:
        return self.kind == "signaal"


@dataclass
class ScoresSection(Section):
    content = ("models",)
    empty_message = gettext_lazy("Er zijn geen scores van dit gebied tot en met dit jaar die u mag zien.")

    models: list[ModelScores] = field(default_factory=list)


# --- 2. urgency against the numbers ------------------------------------------------------


@dataclass
class UrgencyRow:
    team: str
    area_code: str
    area_name: str
    urgency: str = ""
    urgency_label: str = ""
    rationale: str = ""
    score_class: int | None = None
    class_label: str = ""
    change: float | None = None
    # +1 better, -1 worse, 0 about the same, None unknown (direction-corrected).
    direction: int | None = None
    new_strong_signals: int = 0
    mismatch: str = ""
    mismatch_text: str = ""


@dataclass
class UrgencySection(Section):
    content = ("rows",)
    empty_message = gettext_lazy(
        "Er is voor dit jaar geen urgentie vastgesteld door een gebiedsteam dat u kunt zien."
    )

    model_name: str = ""
    model_year: int | None = None
    compare_year: int | None = None
    rows: list[UrgencyRow] = field(default_factory=list)

    @property
    def mismatches(self) -> list[UrgencyRow]:
        return [row for row in self.rows if row.mismatch]


# --- 3. interventions --------------------------------------------------------------------


@dataclass
class InterventionItem:
    id: int
    title: str
    team: str
    area_code: str
    area_name: str
    theme: str
    theme_label: str
    stand: str
    stand_label: str
    status: str
    status_label: str
    lead: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    budget: Decimal | None
    progress: int | None


@dataclass
class InterventionGroup:
    area_code: str
    area_name: str
    theme: str
    theme_label: str
    counts: dict[str, int] = field(default_factory=dict)
    budget: Decimal | None = None
    progress: float | None = None  # mean of the latest percentages known


@dataclass
class EvaluationSummary:
    intervention_id: int
    title: str
    model_name: str = ""
    before_year: int | None = None
    after_year: int | None = None
    after_so_far: bool = False
    change: float | None = None
    comparable_change: float | None = None
    difference: float | None = None
    message: str = ""


@dataclass
class InterventionsSection(Section):
    content = ("items",)
    empty_message = gettext_lazy(
        "In dit jaar is geen interventie gestart, gelopen, afgerond of gestopt die u kunt zien."
    )

    groups: list[InterventionGroup] = field(default_factory=list)
    items: list[InterventionItem] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    budget: Decimal | None = None
    evaluations: list[EvaluationSummary] = field(default_factory=list)
    # Interventions finished in the year beyond those evaluated here.
    evaluations_more: int = 0


# --- 4. agreements -----------------------------------------------------------------------


@dataclass
class AgreementRef:
    id: int
    title: str
    status: str
    status_label: str
    start_year: int
    end_year: int


@dataclass
class UnitSum:
    unit: str
    commitments: int
    target: Decimal | None = None
    realised: Decimal | None = None
    approved: Decimal | None = None


@dataclass
class ThemeProgress:
    theme: str
    label: str
    commitments: int
    stands: dict[str, int] = field(default_factory=dict)
    units: list[UnitSum] = field(default_factory=list)


@dataclass
class CommitmentItem:
    id: int
    agreement: str
    number: str
    text: str
    theme_label: str
    responsible: str
    disputed_by: str = ""
    dispute_note: str = ""


@dataclass
class ReviewItem:
    commitment_id: int
    number: str
    text: str
    responsible: str
    year: int
    progress_label: str
    submitted_at: datetime.datetime | None


@dataclass
class BodItem:
    id: int
    corporation: str
    year: int
    status: str
    status_label: str
    submitted_at: datetime.datetime | None
    submitted_late: bool


@dataclass
class AgreementsSection(Section):
    content = ("agreements", "themes", "boden")
    empty_message = gettext_lazy("Er zijn voor dit jaar geen prestatieafspraken of boden die u kunt zien.")

    agreements: list[AgreementRef] = field(default_factory=list)
    themes: list[ThemeProgress] = field(default_factory=list)
    disputed: list[CommitmentItem] = field(default_factory=list)
    awaiting_review: list[ReviewItem] = field(default_factory=list)
    boden: list[BodItem] = field(default_factory=list)
    # The year the bod written in the report year is for.
    bod_year: int | None = None


# --- 5. cooperation ----------------------------------------------------------------------


@dataclass
class GesprekItem:
    id: int
    date: datetime.date
    year: int
    participants: list[str]
    duiding: str
    decisions: str


@dataclass
class TeamCooperation:
    id: int
    name: str
    area_code: str
    area_name: str
    gesprekken: list[GesprekItem] = field(default_factory=list)
    updates: int = 0

    @property
    def is_quiet(self) -> bool:
        return not self.gesprekken and not self.updates


@dataclass
class OrganisationUpdates:
    organisation: str
    updates: int
    interventions: int


@dataclass
class CooperationSection(Section):
    content = ("teams",)
    empty_message = gettext_lazy("Er is geen gebiedsteam in dit gebied dat u kunt zien.")

    teams: list[TeamCooperation] = field(default_factory=list)
    organisations: list[OrganisationUpdates] = field(default_factory=list)

    @property
    def quiet_teams(self) -> list[str]:
        return [team.name for team in self.teams if team.is_quiet]

    @property
    def gesprekken(self) -> int:
        return sum(len(team.gesprekken) for team in self.teams)


# --- 6. sources --------------------------------------------------------------------------


@dataclass
class SourceItem:
    name: str
    year: int
    imported_at: datetime.datetime | None
    licence: str = ""


@dataclass
class SourcesSection(Section):
    content = ("sources",)
    empty_message = gettext_lazy("Dit jaarbeeld gebruikt geen cijfers uit een bron.")

    sources: list[SourceItem] = field(default_factory=list)


# --- the report --------------------------------------------------------------------------


@dataclass
class YearReport:
    area: AreaRef
    gemeente: AreaRef | None
    year: int
    compare: int | None
    years: list[int]
    parts_hidden: bool
    generated_at: datetime.datetime
    scores: ScoresSection
    urgency: UrgencySection
    interventions: InterventionsSection
    agreements: AgreementsSection
    cooperation: CooperationSection
    sources: SourcesSection

    @property
    def sections(self) -> list:
        return [
            self.scores,
            self.urgency,
            self.interventions,
            self.agreements,
            self.cooperation,
            self.sources,
        ]


def report_as_dict(report: YearReport) -> dict:
    """The report as nested dicts and lists (dates, datetimes and decimals as they are)."""
    return asdict(report)


# --- finding the area and the years --------------------------------------------------------

REPORT_KINDS = (AreaKind.GEMEENTE, AreaKind.WIJK, AreaKind.GEBIED)
FIRST_YEAR = 2000
# At most this many interventions finished in the year are evaluated in the report (the
# largest budgets first); the others have their evaluation on their own page.
EVALUATION_LIMIT = 5


# What a CBS code or a gebied's code can look like (``Area.code``: at most 16 characters).
CODE_PATTERN = re.compile(r"[A-Z0-9_-]{1,16}")


class ReportNotFound(Http404):
    """No report for this code or year; the message says why in Dutch."""


def report_area(*, user, code: str, year: int) -> Area:
    """The gemeente, wijk or gebied with ``code`` as drawn in ``year`` (or in the latest
    boundary year before it). ``ReportNotFound`` for an unknown code or a year without
    boundaries of the code (or later than this year)."""
    code = (code or "").strip().upper()
    if not CODE_PATTERN.fullmatch(code):
        raise ReportNotFound(_("Er is geen gemeente, wijk of gebied met deze code."))
    found = (
        Area.objects.restrict(user, "view")
        .filter(code=code, kind__in=REPORT_KINDS)
        .defer(*HEAVY_FIELDS)
        .order_by("-year")
    )
    vintages = (
        list(found.filter(year__lte=year)[:1]) if FIRST_YEAR <= year <= timezone.localdate().year else []
    )
    if vintages:
        return vintages[0]
    if not found.exists():
        raise ReportNotFound(_("Er is geen gemeente, wijk of gebied met de code %(code)s.") % {"code": code})
    raise ReportNotFound(
        _("Voor %(code)s is er geen jaarbeeld over %(year)s: kies een jaar uit de lijst.")
        % {"code": code, "year": year}
    )


def report_years(*, user, area: Area) -> list[int]:
    """The years a report of ``area`` can be made for, newest first: its boundary years
    and the measurement years of the scores in its gemeente, up to this year."""
    this_year = timezone.localdate().year
    vintages = set(
        Area.objects.restrict(user, "view")
        .filter(code=area.code, kind=area.kind)
        .values_list("year", flat=True)
    )
    years = vintages | set(
        Score.objects.restrict(user, "view")
        .filter(area__gemeente_code=area.gemeente_code)
        .order_by()
        .values_list("year", flat=True)
        .distinct()
    )
    # Before its first boundary year the area did not exist (``report_area``).
    first = min(vintages, default=area.year)
    return sorted((y for y in years if first <= y <= this_year), reverse=True)


def report_gemeenten(*, user) -> list[tuple[str, str]]:
    """(code, name) of the gemeenten a report can be made for, by name (the newest name)."""
    names: dict[str, str] = {}
    for code, name in (
        Area.objects.restrict(user, "view")
        .filter(kind=AreaKind.GEMEENTE, year__lte=timezone.localdate().year)
        .order_by("year")
        .values_list("code", "name")
    ):
        names[code] = name
    return sorted(names.items(), key=lambda item: (item[1], item[0]))


def commitment_stand_labels() -> dict[str, str]:
    """The stands of a commitment in a year, as the agreements pages name them."""
    labels = {value: str(label) for value, label in MonitoringReport.Progress.choices}
    labels[NOT_REPORTED] = _("niet gerapporteerd")
    return labels


def _ref(area) -> AreaRef:
    return AreaRef(id=area.pk, year=area.year, kind=area.kind, code=area.code, name=area.name)


def _year_range(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


# --- scope: the teams of the report --------------------------------------------------------


def _team_scope_q(area: Area) -> Q:
    """The teams of a report: all teams in a gemeente; the team(s) of a wijk or gebied on
    any boundary vintage of it."""
    if area.kind == AreaKind.GEMEENTE:
        return Q(area__gemeente_code=area.gemeente_code)
    return Q(area__kind=area.kind, area__code=area.code)


def _teams(*, user, area: Area) -> list[AreaTeam]:
    return list(
        AreaTeam.objects.restrict(user, "view")
        .filter(_team_scope_q(area))
        .select_related("area")
        .defer(*(f"area__{name}" for name in HEAVY_FIELDS))
        .order_by("area__name", "name", "pk")
    )


def _interventions_scope(*, user, area: Area):
    """The interventions the reader sees in the report's area (a queryset)."""
    if area.kind == AreaKind.GEMEENTE:
        return visible_interventions(user).filter(team__area__gemeente_code=area.gemeente_code)
    return interventions_in_area(user=user, area=area)


def _all_interventions_q(area: Area) -> Q:
    """Every intervention in the report's area, seen or not: the rule of
    ``_interventions_scope`` without the reader's rights."""
    if area.kind == AreaKind.GEMEENTE:
        return Q(team__area__gemeente_code=area.gemeente_code)
    return same_area_q(area)


# --- 1. scores -----------------------------------------------------------------------------


def _buurt_q(area: Area, member_codes: list[str]) -> Q:
    if area.kind == AreaKind.GEMEENTE:
        condition = Q(gemeente_code=area.gemeente_code)
    elif area.kind == AreaKind.WIJK:
        condition = Q(parent__kind=AreaKind.WIJK, parent__code=area.code)
    else:
        condition = Q(code__in=member_codes)
    return Q(kind=AreaKind.BUURT, is_water=False) & condition


@dataclass
class _AreaInfo:
    pk: int
    year: int
    kind: str
    code: str
    name: str
    parent_code: str
    parent_name: str
    in_scope: bool


def _weighted(parts, values: dict[int, float]) -> float | None:
    found = [(values[pk], w) for pk, w in parts if values.get(pk) is not None]
    total = sum(w for _v, w in found)
    if not found or total <= 0:
        return None
    return sum(v * w for v, w in found) / total


def _carried_class(parts, classes: dict[int, int], *, signal: bool) -> int | None:
    """The class an area had in the compare year through its predecessors: for levels the
    weighted mean rounded half up, for signal cells the cell only when all agree."""
    found = [(classes[pk], w) for pk, w in parts if classes.get(pk) is not None]
    if not found:
        return None
    if signal:
        cells = {c for c, _w in found}
        return cells.pop() if len(cells) == 1 and len(found) == len(parts) else None
    total = sum(w for _c, w in found)
    return int(sum(c * w for c, w in found) / total + 0.5) if total > 0 else None


def _legend(areas: list[MapArea], classes: list[ClassDef]) -> list[LegendItem]:
    counts: dict[int | None, int] = defaultdict(int)
    for item in areas:
        counts[item.score_class] += 1
    legend = [LegendItem(c.value, c.label, c.color, counts.get(c.value, 0)) for c in classes]
    known = {c.value for c in classes}
    missing = sum(n for value, n in counts.items() if value not in known)
    if missing:
        legend.append(LegendItem(None, _("geen gegevens"), NO_DATA_COLOR, missing))
    return legend


def _text_alternative(title: str, legend: list[LegendItem]) -> str:
    parts = [
        _("%(n)s in “%(label)s”") % {"n": item.count, "label": item.label} for item in legend if item.count
    ]
    if not parts:
        return _("%(title)s: er zijn geen buurten met gegevens.") % {"title": title}
    return _("%(title)s, aantal buurten per klasse: %(parts)s.") % {"title": title, "parts": "; ".join(parts)}


def _layer(kind, title, year, compare_year, areas, classes) -> MapLayer:
    legend = _legend(areas, classes)
    return MapLayer(
        kind=kind,
        title=title,
        year=year,
        compare_year=compare_year,
        areas=areas,
        legend=legend,
        text_alternative=_text_alternative(title, legend),
    )


# Each score model's part of a report is kept in the cache (``_part_key``) for this long;
# a new import, recomputation, model or boundary edit makes a new key at once.
PART_TTL = 60 * 60 * 24
# Raised when what a part holds changes shape, so parts kept by an older release are
# not read back; parts are also keyed on the source of the code that works them out
# (``_part_code_version``), so a release that changes it never serves the old ones.
PART_FORMAT = 1


def _part_code_version() -> str:
    return code_version(
        modules=(__name__, "scores.selectors.maps", "scores.selectors.lineage", "scores.catalogue")
    )


@dataclass
class _ModelPart:
    """What a report takes from one score model: its entry (tables, moves, signals and
    maps) and what the urgency section reads of it. The same for every reader who may
    see the model."""

    entry: ModelScores
    # The ScoreRow of every team area (wijk or gebied) in scope, by (kind, code).
    team_rows: dict[tuple[str, str], ScoreRow]
    # The buurt rows by (kind, code) of the team area they lie in.
    buurten_by_team: dict[tuple[str, str], list[ScoreRow]]
    # The change map's class boundaries (None: no change map).
    change_breaks: list[float] | None


@dataclass
class _ScoresResult:
    section: ScoresSection
    # Per model key: the ScoreRow of every team area code (wijk or gebied) in scope.
    team_rows: dict[str, dict[tuple[str, str], ScoreRow]]
    # Per model key: the buurt rows by (kind, code) of the team area they lie in.
    buurten_by_team: dict[str, dict[tuple[str, str], list[ScoreRow]]]
    change_breaks: dict[str, list[float]]
    models: dict[str, ScoreModel]


def _scores_section(
    *, user, area: Area, year: int, compare: int | None, teams: list[AreaTeam]
) -> _ScoresResult:
    models = list(model_list(user=user))
    result = _ScoresResult(ScoresSection(), {}, {}, {}, {m.key: m for m in models})
    if not models:
        return result
    by_id = {m.pk: m for m in models}
    # The measurement years of every model in the gemeente: one query.
    years_of: dict[int, set[int]] = defaultdict(set)
    for model_id, y in (
        Score.objects.restrict(user, "view")
        .filter(model_id__in=list(by_id), area__gemeente_code=area.gemeente_code, year__lte=year)
        .order_by()
        .values_list("model_id", "year")
        .distinct()
    ):
        years_of[model_id].add(y)
    chosen: dict[int, tuple[int, int | None, bool]] = {}
    for model in models:
        measured = sorted(years_of.get(model.pk, ()))
        if not measured:
            continue
        model_year = measured[-1]
        previous = max((y for y in measured if y < model_year), default=None)
        if compare is None:
            compare_year = previous
        else:
            compare_year = max((y for y in measured if y <= compare and y < model_year), default=None)
        chosen[model.pk] = (model_year, compare_year, compare_year is not None and compare_year == previous)
    if not chosen:
        return result

    team_keys = {(team.area.kind, team.area.code) for team in teams}
    gebied_teams = [team.area for team in teams if team.area.kind == AreaKind.GEBIED]
    # What a part is made from besides the scores: the boundaries of the years it reads,
    # of the report area (a gebied's members) and of the team areas (their codes, a
    # gebied's members).
    versions = {y: map_version(y).token for y in _part_years(area=area, chosen=chosen, teams=teams)}
    keys = {
        pk: _part_key(
            model_pk=pk,
            area=area,
            year=year,
            compare=compare,
            chosen=chosen[pk],
            team_keys=team_keys,
            gebied_pks=[a.pk for a in gebied_teams],
            versions=versions,
        )
        for pk in chosen
    }
    found = cache.get_many(list(keys.values()))
    parts = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [m for m in models if m.pk in chosen and m.pk not in parts]
    if missing:
        made = _model_parts(
            user=user,
            area=area,
            year=year,
            models=missing,
            chosen=chosen,
            team_keys=team_keys,
            gebied_teams=gebied_teams,
        )
        cache.set_many({keys[pk]: part for pk, part in made.items()}, PART_TTL)
        parts.update(made)
    for model in models:
        part = parts.get(model.pk)
        if part is None:
            continue
        # The licence line names the source's owner, whose name changes without a new
        # scores data version: always the current one.
        part.entry.note = licence_note(model)
        part.entry.part_key = keys[model.pk]
        result.section.models.append(part.entry)
        result.team_rows[model.key] = part.team_rows
        result.buurten_by_team[model.key] = part.buurten_by_team
        if part.change_breaks is not None:
            result.change_breaks[model.key] = part.change_breaks
    return result


def _part_years(*, area: Area, chosen: dict, teams: list[AreaTeam]) -> set[int]:
    """The boundary years a model's part reads: the measurements shown and compared, the
    report area's (a gebied's members) and the team areas' (a gebied team's members)."""
    years = {area.year} | {team.area.year for team in teams}
    for model_year, compare_year, _stored in chosen.values():
        years.add(model_year)
        if compare_year:
            years.add(compare_year)
    return years


def _part_key(
    *,
    model_pk: int,
    area: Area,
    year: int,
    compare: int | None,
    chosen: tuple,
    team_keys: set,
    gebied_pks: list[int],
    versions: dict[int, str],
) -> str:
    """The cache key of one model's part of a report: the model, the report's area, year
    and compare year, the team areas in scope, the language, the scores' data version
    and the boundaries' versions. Nothing of the reader is in it: a part holds only the
    model's scores (all visible or none, ``Score.access_q``) and areas (public)."""
    raw = "|".join(
        [
            str(PART_FORMAT),
            _part_code_version(),
            str(model_pk),
            str(area.pk),
            str(year),
            str(compare),
            repr(chosen),
            ",".join(sorted(f"{kind}:{code}" for kind, code in team_keys)),
            ",".join(str(pk) for pk in sorted(gebied_pks)),
            translation.get_language() or "",
            data_version(),
            ",".join(f"{y}:{token}" for y, token in sorted(versions.items())),
        ]
    )
    return "reports:scores:" + hashlib.sha256(raw.encode()).hexdigest()


def _model_parts(
    *,
    user,
    area: Area,
    year: int,
    models: list[ScoreModel],
    chosen: dict[int, tuple[int, int | None, bool]],
    team_keys: set,
    gebied_teams: list[Area],
) -> dict[int, _ModelPart]:
    """The parts of ``models`` (those of ``chosen``), read and worked out."""
    parts: dict[int, _ModelPart] = {}
    chosen = {m.pk: chosen[m.pk] for m in models}
    member_codes = []
    if area.kind == AreaKind.GEBIED:
        member_codes = list(area.members.values_list("code", flat=True))
    team_codes = [code for _kind, code in team_keys]
    needed_years = {y for y, c, _s in chosen.values()} | {c for _y, c, _s in chosen.values() if c}
    condition = _buurt_q(area, member_codes) | Q(kind=area.kind, code=area.code)
    if team_codes:
        condition |= Q(kind__in=[AreaKind.WIJK, AreaKind.GEBIED], code__in=team_codes)
    infos: dict[int, _AreaInfo] = {}
    in_scope = Area.objects.restrict(user, "view").filter(condition, year__in=needed_years)
    for pk, y, kind, code, name, parent_code, parent_name in in_scope.values_list(
        "pk", "year", "kind", "code", "name", "parent__code", "parent__name"
    ):
        infos[pk] = _AreaInfo(pk, y, kind, code, name, parent_code or "", parent_name or "", True)
    gebied_members: dict[str, set[str]] = {}
    if gebied_teams:
        through = Area.members.through.objects.filter(from_area_id__in=[a.pk for a in gebied_teams])
        codes_by_pk = {a.pk: a.code for a in gebied_teams}
        for from_id, member_code in through.values_list("from_area_id", "to_area__code"):
            gebied_members.setdefault(codes_by_pk[from_id], set()).add(member_code)

    # Lineages for compare years that are not the stored previous measurement.
    lineages = {}
    for model_year, compare_year, stored in chosen.values():
        if compare_year and not stored and (model_year, compare_year) not in lineages:
            lineages[(model_year, compare_year)] = area_lineage(
                year_to=model_year, year_from=compare_year, kinds=[a.value for a in AreaKind]
            )
    predecessor_ids = set()
    for (model_year, _c), lineage in lineages.items():
        for pk, info in infos.items():
            if info.year == model_year:
                predecessor_ids.update(p for p, _w in lineage.weights.get(pk, ()))
    pairs = Q(pk__in=[])
    for model_id, (model_year, compare_year, _s) in chosen.items():
        pairs |= Q(model_id=model_id, year=model_year)
        if compare_year:
            pairs |= Q(model_id=model_id, year=compare_year)
    scores: dict[tuple[int, int], tuple] = {}
    for row in (
        Score.objects.restrict(user, "view")
        .filter(pairs)
        .filter(Q(area__in=in_scope.values("pk")) | Q(area_id__in=predecessor_ids - set(infos)))
        .values_list(
            "model_id",
            "area_id",
            "value",
            "score_class",
            "trend",
            "previous_year",
            "previous_class",
            "boundary_changed",
            "no_data_reason",
        )
    ):
        scores[(row[0], row[1])] = row[2:]

    for model in models:
        if model.pk not in chosen:
            continue
        model_year, compare_year, stored = chosen[model.pk]
        change_breaks_of = None
        signal = model.kind == ScoreModel.Kind.SIGNAL
        classes = model_classes(model)
        by_value = {c.value: c for c in classes}
        levels = bool(classes) and not signal
        lineage = lineages.get((model_year, compare_year))
        before_values, before_classes = {}, {}
        if lineage is not None:
            for (model_id, pk), found in scores.items():
                if model_id == model.pk:
                    before_values[pk], before_classes[pk] = found[0], found[1]

        def score_row(info: _AreaInfo, *, with_compare: bool) -> ScoreRow:
            found = scores.get((model.pk, info.pk))  # noqa: B023
            row = ScoreRow(
                area_id=info.pk, year=info.year, code=info.code, name=info.name, wijk=info.parent_name
            )
            if found:
                value, score_class, trend, prev_year, prev_class, changed, reason = found
                row.value = value
                row.no_data_reason = catalogue.no_data_text(reason)
                if score_class in by_value:  # noqa: B023
                    row.score_class = score_class
                if with_compare and compare_year:  # noqa: B023
                    if stored:  # noqa: B023
                        if prev_year == compare_year:  # noqa: B023
                            row.previous_class = prev_class if prev_class in by_value else None  # noqa: B023
                            row.change = trend
                            if trend is not None and value is not None:
                                row.previous_value = value - trend
                            row.boundary_changed = bool(changed)
                    elif lineage is not None:  # noqa: B023
                        parts = lineage.weights.get(info.pk, ())  # noqa: B023
                        row.previous_value = _weighted(parts, before_values)  # noqa: B023
                        carried = _carried_class(parts, before_classes, signal=signal)  # noqa: B023
                        row.previous_class = carried if carried in by_value else None  # noqa: B023
                        if row.previous_value is not None and value is not None:
                            row.change = value - row.previous_value
                        row.boundary_changed = info.pk in lineage.redrawn  # noqa: B023
            item = by_value.get(row.score_class)  # noqa: B023
            if item is not None:
                row.label, row.color = item.label, item.color
            else:
                row.label = row.no_data_reason or (
                    _("geen gegevens") if row.value is None else _("geen klasse")
                )
                row.color = NO_DATA_COLOR
            if row.previous_class is not None:
                row.previous_label = by_value[row.previous_class].label  # noqa: B023
                if levels and row.score_class is not None:  # noqa: B023
                    row.class_change = row.score_class - row.previous_class
            row.new_in_cell = Score.entered_cell(
                model_kind=model.kind,  # noqa: B023
                score_class=row.score_class,
                previous_class=row.previous_class,
            )
            row.new_both_rising = row.new_in_cell and row.score_class == catalogue.SIGNAL_BOTH_RISING
            return row

        now = [i for i in infos.values() if i.year == model_year]
        now.sort(key=lambda i: (i.name, i.code))
        buurten = [score_row(i, with_compare=True) for i in now if i.kind == AreaKind.BUURT]
        own = next((i for i in now if i.kind == area.kind and i.code == area.code), None)
        entry = ModelScores(
            key=model.key,
            name=model.name,
            kind=model.kind,
            higher_is_better=model.higher_is_better,
            year=model_year,
            measured_in_report_year=model_year == year,
            compare_year=compare_year,
            is_licensed=model.is_licensed,
            note=licence_note(model),
            classes=classes,
            area=score_row(own, with_compare=True) if own else None,
            buurten=buurten,
        )
        if levels:
            entry.moved_up = [r for r in buurten if r.class_change and r.class_change > 0]
            entry.moved_down = [r for r in buurten if r.class_change and r.class_change < 0]
        if signal:
            entry.new_signals = sorted(
                (r for r in buurten if r.new_in_cell),
                key=lambda r: (not r.new_both_rising, -(r.score_class or 0), r.name, r.code),
            )

        def map_area(row: ScoreRow) -> MapArea:
            return MapArea(
                row.area_id,
                row.year,
                row.code,
                row.name,
                row.score_class,
                row.label,
                row.color,
                row.boundary_changed,
            )

        entry.maps.append(
            _layer(
                "year",
                f"{model.name} {model_year}",
                model_year,
                None,
                [map_area(r) for r in buurten],
                classes,
            )
        )
        if compare_year:
            before_rows = [
                score_row(i, with_compare=False)
                for i in sorted(infos.values(), key=lambda i: (i.name, i.code))
                if i.year == compare_year and i.kind == AreaKind.BUURT
            ]
            entry.maps.append(
                _layer(
                    "compare",
                    f"{model.name} {compare_year}",
                    compare_year,
                    None,
                    [map_area(r) for r in before_rows],
                    classes,
                )
            )
            if not signal:
                breaks = change_breaks(r.change for r in buurten)
                change_defs = change_classes(breaks, decimals=2, higher_is_better=model.higher_is_better)
                change_by_value = {c.value: c for c in change_defs}
                change_breaks_of = breaks
                change_areas = []
                for r in buurten:
                    if r.change is None:
                        change_areas.append(
                            MapArea(
                                r.area_id,
                                r.year,
                                r.code,
                                r.name,
                                None,
                                _("geen vergelijking"),
                                NO_DATA_COLOR,
                                r.boundary_changed,
                            )
                        )
                    else:
                        c = change_by_value[class_of(r.change, breaks)]
                        change_areas.append(
                            MapArea(
                                r.area_id,
                                r.year,
                                r.code,
                                r.name,
                                c.value,
                                c.label,
                                c.color,
                                r.boundary_changed,
                            )
                        )
                entry.maps.append(
                    _layer(
                        "change",
                        _("Verandering %(model)s %(from)s–%(to)s")
                        % {"model": model.name, "from": compare_year, "to": model_year},
                        model_year,
                        compare_year,
                        change_areas,
                        change_defs,
                    )
                )
        # For the urgency section: the team areas and the buurten in them.
        team_rows, in_team = {}, defaultdict(list)
        for info in now:
            if (info.kind, info.code) in team_keys:
                team_rows[(info.kind, info.code)] = score_row(info, with_compare=True)
        for r, info in zip(buurten, [i for i in now if i.kind == AreaKind.BUURT], strict=True):
            if (AreaKind.WIJK, info.parent_code) in team_keys:
                in_team[(AreaKind.WIJK, info.parent_code)].append(r)
            for gebied_code, codes in gebied_members.items():
                if info.code in codes:
                    in_team[(AreaKind.GEBIED, gebied_code)].append(r)
        parts[model.pk] = _ModelPart(entry, team_rows, in_team, change_breaks_of)
    return parts


def _hidden_models(*, area: Area, year: int, visible: list[int]) -> bool:
    """Whether an active model with scores in the gemeente up to ``year`` is not among
    ``visible``, the active models the reader may see (``model_list``): a licensed one.
    Reads past ``restrict`` on purpose, for a yes or no."""
    with_scores = Score.objects.filter(
        model=OuterRef("pk"), area__gemeente_code=area.gemeente_code, year__lte=year
    )
    return (
        ScoreModel.objects.filter(is_active=True).exclude(pk__in=visible).filter(Exists(with_scores)).exists()
    )


# --- 2. urgency -------------------------------------------------------------------------------


def _headline_model(section: ScoresSection) -> ModelScores | None:
    """The open veerkracht index when it is there, else the first open model that is not
    the signal typology, else the first licensed one."""
    levels = sorted((m for m in section.models if not m.is_signal), key=lambda m: m.is_licensed)
    return next((m for m in levels if m.key == DEFAULT_MODEL_KEY), levels[0] if levels else None)


def _urgency_section(*, user, year: int, teams: list[AreaTeam], scores: _ScoresResult) -> UrgencySection:
    section = UrgencySection()
    if not teams:
        return section
    assessments = {
        team_id: (urgency, rationale)
        for team_id, urgency, rationale in UrgencyAssessment.objects.restrict(user, "view")
        .filter(team_id__in=[t.pk for t in teams], year=year)
        .values_list("team_id", "urgency", "rationale")
    }
    headline = _headline_model(scores.section)
    signals = [m for m in scores.section.models if m.is_signal]
    if headline is not None:
        section.model_name, section.model_year = headline.name, headline.year
        section.compare_year = headline.compare_year
    labels = dict(UrgencyAssessment._meta.get_field("urgency").choices)
    for team in teams:
        if team.pk not in assessments:
            continue
        urgency, rationale = assessments[team.pk]
        key = (team.area.kind, team.area.code)
        row = UrgencyRow(
            team=team.name,
            area_code=team.area.code,
            area_name=team.area.name,
            urgency=urgency,
            urgency_label=str(labels.get(urgency, urgency)),
            rationale=rationale,
        )
        if headline is not None:
            found = scores.team_rows.get(headline.key, {}).get(key)
            if found is not None:
                row.score_class, row.class_label, row.change = found.score_class, found.label, found.change
                breaks = scores.change_breaks.get(headline.key)
                if found.change is not None and breaks:
                    step = class_of(found.change, breaks)
                    middle = (len(breaks) + 2) // 2
                    sign = (step > middle) - (step < middle)
                    row.direction = sign if headline.higher_is_better else -sign
        row.new_strong_signals = sum(
            1
            for m in signals
            for r in scores.buurten_by_team.get(m.key, {}).get(key, ())
            if r.new_both_rising
        )
        if urgency == "acuut" and row.direction == 1:
            row.mismatch = MISMATCH_ACUUT
            row.mismatch_text = _("Urgentie acuut, terwijl de scores verbeteren.")
        elif urgency == "laag" and (row.direction == -1 or row.new_strong_signals):
            row.mismatch = MISMATCH_LAAG
            row.mismatch_text = (
                _("Urgentie laag, terwijl de scores dalen.")
                if row.direction == -1
                else _("Urgentie laag, terwijl er een nieuw sterk signaal is (beide stijgen).")
            )
        section.rows.append(row)
    return section


# --- 3. interventions -------------------------------------------------------------------------


@dataclass
class _Row:
    """The columns of an intervention the report reads."""

    pk: int
    status: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    created_on: datetime.date
    updated_on: datetime.date
    closed_on: datetime.date | None


CLOSED = (Intervention.Status.AFGEROND, Intervention.Status.GESTOPT)


def _stand(item, year: int) -> str | None:
    """The stand of an intervention in ``year`` (see ``STANDS``), or None when it does not
    belong in that year's report: stopped or finished when its closing status change (or
    else its end date) falls in the year; started when it began in the year; running when
    it began earlier; planned while it is an idea or planned (made by the end of the year)."""
    first, last = _year_range(year)
    status = item.status
    not_started = status in (Intervention.Status.IDEE, Intervention.Status.GEPLAND)
    if status in (Intervention.Status.AFGEROND, Intervention.Status.GESTOPT):
        closed = item.closed_on or item.end_date or item.updated_on
        if closed < first:
            return None
        if closed <= last:
            return STAND_STOPPED if status == Intervention.Status.GESTOPT else STAND_FINISHED
    if not_started:
        return STAND_PLANNED if item.created_on <= last else None
    start = item.start_date
    if start is None:
        return STAND_RUNNING if item.created_on <= last else None
    if start > last:
        return None
    return STAND_STARTED if start >= first else STAND_RUNNING


def _evaluations(*, user, chosen: list[int]) -> list[EvaluationSummary]:
    """The evaluations of the finished interventions ``chosen`` (ids) in short: the
    evaluations kept and shared with the intervention pages
    (``interventions.evaluation.intervention_evaluations_shared``), so the report and an
    intervention's page never differ, and each message in the reader's language."""
    areas = Prefetch("areas", queryset=Area.objects.defer(*HEAVY_FIELDS))
    found = {item.pk: item for item in Intervention.objects.filter(pk__in=chosen).prefetch_related(areas)}
    interventions = [found[pk] for pk in chosen if pk in found]
    evaluations = intervention_evaluations_shared(user=user, interventions=interventions)
    summaries = []
    for intervention in interventions:
        evaluation = evaluations[intervention.pk]
        summaries.append(
            EvaluationSummary(
                intervention_id=intervention.pk,
                title=intervention.title,
                model_name=evaluation.model.name if evaluation.model else "",
                before_year=evaluation.before_year,
                after_year=evaluation.after_year,
                after_so_far=evaluation.after_so_far,
                change=evaluation.buurt_mean_change,
                comparable_change=evaluation.comparable_mean_change,
                difference=evaluation.difference,
                message=evaluation.message,
            )
        )
    return summaries


def _interventions_section(*, user, area: Area, year: int, scope):
    first, last = _year_range(year)
    closing = ProgressUpdate.objects.filter(
        intervention=OuterRef("pk"), status_to=OuterRef("status")
    ).order_by("-date", "-created_at")
    progress = ProgressUpdate.objects.filter(
        intervention=OuterRef("pk"), progress__isnull=False, date__lte=last
    ).order_by("-date", "-created_at")
    rows = (
        scope.exclude(start_date__gt=last, status__in=[Intervention.Status.IN_UITVOERING])
        .exclude(end_date__lt=first, status__in=CLOSED)
        .annotate(
            # Read for the closed ones only: the stand of the others does not use it.
            closed_on=Case(When(status__in=CLOSED, then=Subquery(closing.values("date")[:1]))),
            progress_then=Subquery(progress.values("progress")[:1]),
            created_on=TruncDate("created_at"),
            updated_on=TruncDate("updated_at"),
        )
        .order_by("team__area__name", "theme", "title", "pk")
        .values_list(
            "pk",
            "status",
            "start_date",
            "end_date",
            "created_on",
            "updated_on",
            "closed_on",
            "title",
            "team__name",
            "team__area__code",
            "team__area__name",
            "theme",
            "lead_organisation__name",
            "budget",
            "progress_then",
        )
    )
    section = InterventionsSection(totals=dict.fromkeys(STANDS, 0))
    labels = stand_labels()
    themes = {value: str(label) for value, label in InterventionTheme.choices}
    statuses = {value: str(label) for value, label in Intervention.Status.choices}
    groups: dict[tuple[str, str], InterventionGroup] = {}
    progress_of: dict[tuple[str, str], list[int]] = defaultdict(list)
    finished = []
    for row in rows:
        item = _Row(*row[:7])
        stand = _stand(item, year)
        if stand is None:
            continue
        title, team, area_code, area_name, theme, lead, budget, progress_then = row[7:]
        section.items.append(
            InterventionItem(
                id=item.pk,
                title=title,
                team=team,
                area_code=area_code,
                area_name=area_name,
                theme=theme,
                theme_label=themes.get(theme, theme),
                stand=stand,
                stand_label=labels[stand],
                status=item.status,
                status_label=statuses.get(item.status, item.status),
                lead=lead,
                start_date=item.start_date,
                end_date=item.end_date,
                budget=budget,
                progress=progress_then,
            )
        )
        section.totals[stand] += 1
        key = (area_code, theme)
        group = groups.get(key)
        if group is None:
            group = groups[key] = InterventionGroup(
                area_code=area_code,
                area_name=area_name,
                theme=theme,
                theme_label=themes.get(theme, theme),
                counts=dict.fromkeys(STANDS, 0),
            )
        group.counts[stand] += 1
        if budget is not None:
            group.budget = (group.budget or Decimal(0)) + budget
            section.budget = (section.budget or Decimal(0)) + budget
        if progress_then is not None:
            progress_of[key].append(progress_then)
        if stand == STAND_FINISHED:
            finished.append((budget or Decimal(0), title, item.pk))
    for key, values in progress_of.items():
        groups[key].progress = sum(values) / len(values)
    section.groups = sorted(groups.values(), key=lambda g: (g.area_name, g.area_code, g.theme_label))
    finished.sort(key=lambda f: (-f[0], f[1], f[2]))
    chosen = [pk for _budget, _title, pk in finished[:EVALUATION_LIMIT]]
    if chosen:
        section.evaluations = _evaluations(user=user, chosen=chosen)
    section.evaluations_more = max(len(finished) - EVALUATION_LIMIT, 0)
    return section


# --- 4. agreements ----------------------------------------------------------------------------


def _agreements_section(*, user, area: Area, year: int) -> AgreementsSection:
    section = AgreementsSection(bod_year=year + 1)
    agreements = list(
        Agreement.objects.restrict(user, "view")
        .filter(gemeente_code=area.gemeente_code, start_year__lte=year, end_year__gte=year)
        .order_by("-start_year", "title", "pk")
    )
    statuses = dict(Agreement.Status.choices)
    section.agreements = [
        AgreementRef(a.pk, a.title, a.status, str(statuses.get(a.status, a.status)), a.start_year, a.end_year)
        for a in agreements
    ]
    commitments = Commitment.objects.restrict(user, "view").filter(
        agreement_id__in=[a.pk for a in agreements]
    )
    if area.kind != AreaKind.GEMEENTE:
        named = Area.objects.restrict(user, "view").filter(commitment_named_areas_q(area))
        naming = Commitment.areas.through.objects.filter(area_id__in=named.values("pk")).values(
            "commitment_id"
        )
        commitments = commitments.filter(pk__in=naming)
    # The columns the report shows, as tuples: no model instances for 300 commitments.
    rows = list(
        commitments.order_by("agreement__title", "theme", "number", "pk").values_list(
            "pk",
            "theme",
            "target_value",
            "target_unit",
            "target_year",
            "is_disputed",
            "agreement__title",
            "number",
            "text",
            "responsible__name",
            "disputed_by__name",
            "dispute_note",
        )
    )
    by_pk = {row[0]: row for row in rows}
    # One read of the monitoring: the report of each commitment over the year (a draft is
    # not reported yet) and every report still waiting for review up to the year.
    state = MonitoringReport.State
    reports: dict[int, tuple] = {}  # commitment -> (progress, realised value, state)
    waiting = []
    for commitment_id, report_year, progress, realised, report_state, submitted_at in (
        MonitoringReport.objects.restrict(user, "view")
        .filter(commitment_id__in=list(by_pk))
        .filter((Q(year=year) & ~Q(state=state.DRAFT)) | Q(state=state.SUBMITTED, year__lte=year))
        .order_by("year", "commitment__number", "pk")
        .values_list("commitment_id", "year", "progress", "realised_value", "state", "submitted_at")
    ):
        if report_year == year and report_state != state.DRAFT:
            reports[commitment_id] = (progress, realised, report_state)
        if report_state == state.SUBMITTED:
            waiting.append((commitment_id, report_year, progress, submitted_at))
    theme_labels = {value: str(label) for value, label in CommitmentTheme.choices}
    themes: dict[str, ThemeProgress] = {}
    units: dict[tuple[str, str], UnitSum] = {}
    spellings: dict[tuple[str, str], set[str]] = defaultdict(set)

    def add(total, value):
        if value is None:
            return total
        return value if total is None else total + value

    for row in rows:
        pk, theme_key, target_value, target_unit, target_year, is_disputed = row[:6]
        theme = themes.get(theme_key)
        if theme is None:
            theme = themes[theme_key] = ThemeProgress(
                theme=theme_key,
                label=theme_labels.get(theme_key, theme_key),
                commitments=0,
                stands=dict.fromkeys(COMMITMENT_STANDS, 0),
            )
        theme.commitments += 1
        report = reports.get(pk)
        theme.stands[report[0] if report else NOT_REPORTED] += 1
        if target_value is not None:
            key = (theme_key, unit_key(target_unit))
            spellings[key].add(" ".join(target_unit.split()))
            unit = units.get(key)
            if unit is None:
                unit = units[key] = UnitSum(unit="", commitments=0)
            unit.commitments += 1
            if target_year == year:
                unit.target = add(unit.target, target_value)
            if report is not None:
                _progress, realised, report_state = report
                unit.realised = add(unit.realised, realised)
                if report_state == state.APPROVED:
                    unit.approved = add(unit.approved, realised)
        if is_disputed:
            agreement_title, number, text, responsible, disputed_by, note = row[6:]
            section.disputed.append(
                CommitmentItem(
                    id=pk,
                    agreement=agreement_title,
                    number=number,
                    text=text,
                    theme_label=theme_labels.get(theme_key, theme_key),
                    responsible=responsible,
                    disputed_by=disputed_by or "",
                    dispute_note=note,
                )
            )
    for (theme_key, _unit), unit in units.items():
        unit.unit = min(spellings[(theme_key, _unit)])
        themes[theme_key].units.append(unit)
    order = list(CommitmentTheme.values)
    section.themes = sorted(themes.values(), key=lambda t: order.index(t.theme) if t.theme in order else 99)
    for theme in section.themes:
        theme.units.sort(key=lambda u: (u.unit.casefold(), u.unit))
    progress_labels = {value: str(label) for value, label in MonitoringReport.Progress.choices}
    section.awaiting_review = [
        ReviewItem(
            commitment_id=commitment_id,
            number=by_pk[commitment_id][7],
            text=by_pk[commitment_id][8],
            responsible=by_pk[commitment_id][9],
            year=report_year,
            progress_label=progress_labels.get(progress, progress),
            submitted_at=submitted_at,
        )
        for commitment_id, report_year, progress, submitted_at in waiting
    ]
    bod_statuses = dict(Bod.Status.choices)
    section.boden = [
        BodItem(
            id=b.pk,
            corporation=b.corporation.name,
            year=b.year,
            status=b.status,
            status_label=str(bod_statuses.get(b.status, b.status)),
            submitted_at=b.submitted_at,
            submitted_late=b.submitted_late,
        )
        for b in Bod.objects.restrict(user, "view")
        .filter(gemeente_code=area.gemeente_code, year=year + 1)
        .select_related("corporation")
        .order_by("corporation__name", "pk")
    ]
    return section


def _hidden_agreements(*, area: Area, year: int, visible: list[int]) -> bool:
    """Whether an agreement of the gemeente running in ``year`` is not among ``visible``,
    those the reader sees (the agreements section's). Reads past ``restrict`` on purpose,
    for a yes or no."""
    return (
        Agreement.objects.filter(gemeente_code=area.gemeente_code, start_year__lte=year, end_year__gte=year)
        .exclude(pk__in=visible)
        .exists()
    )


# --- 5. cooperation ---------------------------------------------------------------------------


def _cooperation_section(*, user, year: int, teams: list[AreaTeam], scope) -> CooperationSection:
    first, last = _year_range(year)
    section = CooperationSection()
    if not teams:
        return section
    by_team = {team.pk: TeamCooperation(team.pk, team.name, team.area.code, team.area.name) for team in teams}
    gesprekken = list(
        Wijkgesprek.objects.restrict(user, "view")
        .filter(team_id__in=list(by_team), date__gte=first, date__lte=last)
        .order_by("date", "pk")
        .values_list("pk", "team_id", "date", "year", "duiding", "decisions")
    )
    participants: dict[int, list[str]] = defaultdict(list)
    for gesprek_id, name in Wijkgesprek.participants.through.objects.filter(
        wijkgesprek_id__in=[g[0] for g in gesprekken]
    ).values_list("wijkgesprek_id", "organisation__name"):
        participants[gesprek_id].append(name)
    for pk, team_id, date, gesprek_year, duiding, decisions in gesprekken:
        by_team[team_id].gesprekken.append(
            GesprekItem(
                id=pk,
                date=date,
                year=gesprek_year,
                participants=sorted(participants[pk]),
                duiding=duiding,
                decisions=decisions,
            )
        )
    updates = (
        ProgressUpdate.objects.restrict(user, "view")
        .filter(
            intervention__in=scope.values("pk"),
            date__gte=first,
            date__lte=last,
        )
        .order_by()
        .values("intervention__team_id", "intervention__lead_organisation__name")
        .annotate(n=Count("pk"), interventions=Count("intervention_id", distinct=True))
        .values_list("intervention__team_id", "intervention__lead_organisation__name", "n", "interventions")
    )
    # Counted per team and lead organisation in the database; an intervention has one
    # team, so its organisation's counts over the teams add up.
    per_organisation: dict[str, list[int]] = {}
    for team_id, organisation, n, interventions in updates:
        if team_id in by_team:
            by_team[team_id].updates += n
        counts = per_organisation.setdefault(organisation, [0, 0])
        counts[0] += n
        counts[1] += interventions
    section.teams = list(by_team.values())
    section.organisations = sorted(
        (OrganisationUpdates(name, n, k) for name, (n, k) in per_organisation.items()),
        key=lambda o: (-o.updates, o.organisation),
    )
    return section


# --- 6. sources -------------------------------------------------------------------------------


def _sources_section(*, user, scores: ScoresSection, models: dict[str, ScoreModel]) -> SourcesSection:
    wanted: dict[int, set[int]] = defaultdict(set)  # model pk -> years
    for entry in scores.models:
        model = models[entry.key]
        wanted[model.pk].add(entry.year)
        if entry.compare_year:
            wanted[model.pk].add(entry.compare_year)
    if not wanted:
        return SourcesSection()
    # The sources the reader sees (a short list), read once: the models' and their
    # indicators' sources are looked up in it.
    visible = {
        pk: (name, licence)
        for pk, name, licence in Source.objects.restrict(user, "view").values_list("pk", "name", "licence")
    }
    used: dict[int, set[int]] = defaultdict(set)  # source pk -> years
    for model_id, years in wanted.items():
        model = next(m for m in models.values() if m.pk == model_id)
        if model.source_id in visible:
            used[model.source_id] |= years
    for model_id, source_id in (
        ModelIndicator.objects.restrict(user, "view")
        .filter(model_id__in=list(wanted), indicator__source_id__in=list(visible))
        .order_by()
        .values_list("model_id", "indicator__source_id")
        .distinct()
    ):
        used[source_id] |= wanted[model_id]
    sources = {pk: visible[pk] for pk in used}
    imported: dict[tuple[int, int], datetime.datetime] = {}
    for source_id, y, finished_at in (
        ScoreImport.objects.filter(
            source_id__in=list(sources),
            status=ScoreImport.Status.DONE,
            dry_run=False,
            finished_at__isnull=False,
        )
        .order_by("finished_at")
        .values_list("source_id", "year", "finished_at")
    ):
        imported[(source_id, y)] = finished_at  # the latest import of that year wins
    items = [
        SourceItem(name=name, year=y, imported_at=imported.get((pk, y)), licence=licence)
        for pk, (name, licence) in sources.items()
        for y in used[pk]
    ]
    items.sort(key=lambda s: (s.name, -s.year))
    return SourcesSection(sources=items)


# --- the report -------------------------------------------------------------------------------


def _hidden_work(*, area: Area, teams: list[AreaTeam], scope) -> bool:
    """Whether a team or an intervention in the area is not visible to the reader. Reads
    past ``restrict`` on purpose, for a yes or no."""
    if AreaTeam.objects.filter(_team_scope_q(area)).exclude(pk__in=[t.pk for t in teams]).exists():
        return True
    visible = scope.values("pk")
    return Intervention.objects.filter(_all_interventions_q(area)).exclude(pk__in=visible).exists()


def year_report(
    *, user, area: Area, year: int, compare: int | None = None, years: list[int] | None = None
) -> YearReport:
    """The year report of ``area`` (a gemeente, wijk or gebied) for ``year`` as ``user``
    may see it, compared with ``compare`` (None: each model's previous measurement; else
    each model's latest measurement up to ``compare``). See the module docstring.

    The number of queries does not grow with the number of buurten, interventions or
    commitments (at most ``EVALUATION_LIMIT`` evaluations add a fixed number each)."""
    if area.kind not in REPORT_KINDS:
        raise ReportNotFound(_("Een jaarbeeld is er voor een gemeente, wijk of gebied."))
    with rules_remembered():
        return _year_report(user=user, area=area, year=year, compare=compare, years=years)


def _year_report(*, user, area: Area, year: int, compare: int | None, years: list[int] | None) -> YearReport:
    gemeente = (
        Area.objects.restrict(user, "view")
        .filter(kind=AreaKind.GEMEENTE, code=area.gemeente_code, year__lte=max(year, area.year))
        .only("pk", "year", "kind", "code", "name")
        .order_by("-year")
        .first()
    )
    teams = _teams(user=user, area=area)
    scores = _scores_section(user=user, area=area, year=year, compare=compare, teams=teams)
    # The interventions the reader sees in the area, for three sections: their rule is
    # built (and the reader's teams read) once.
    scope = _interventions_scope(user=user, area=area)
    interventions = _interventions_section(user=user, area=area, year=year, scope=scope)
    sources = _sources_section(user=user, scores=scores.section, models=scores.models)
    agreements = _agreements_section(user=user, area=area, year=year)
    parts_hidden = (
        _hidden_models(area=area, year=year, visible=[m.pk for m in scores.models.values()])
        or _hidden_work(area=area, teams=teams, scope=scope)
        or _hidden_agreements(area=area, year=year, visible=[a.id for a in agreements.agreements])
    )
    return YearReport(
        area=_ref(area),
        gemeente=_ref(gemeente) if gemeente else None,
        year=year,
        compare=compare,
        years=report_years(user=user, area=area) if years is None else years,
        parts_hidden=parts_hidden,
        generated_at=timezone.now(),
        scores=scores.section,
        urgency=_urgency_section(user=user, year=year, teams=teams, scores=scores),
        interventions=interventions,
        agreements=agreements,
        cooperation=_cooperation_section(user=user, year=year, teams=teams, scope=scope),
        sources=sources,
    )
