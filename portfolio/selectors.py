"""Reads of the portfolio: complexes and strategies through ``restrict()``, the portfolio
of a corporation as a person may see it, the figures per buurt and the projection at a
horizon year with its flags.

Who sees what: the corporation's people see its whole portfolio. A gemeente the
portfolio is shared with sees only the projection and its flags, and only for the
buurten in its own gemeente (``PortfolioView.gemeenten``); complexes stay out of its
sight, since ``Complex.objects.restrict()`` never lets it through.

The projection, per buurt, at horizon year H (DESIGN §4a):

- today's stock is the KWB ``a_woning`` of the buurt; today's social rent is the stock of
  all corporations there (``a_woning × p_wcorpw / 100``; the KWB knows no rent classes),
  or the corporation's own social rent where that is larger;
- a strategy counts when its horizon year is at or before H: verkopen and liberaliseren
  take the complex's social rent out (the dwellings stay in the stock), sloop-nieuwbouw
  replaces the complex's dwellings by its planned mix, the others change no numbers;
- a complex built after the year of the figures (``bouwjaar`` later than the base year)
  is new: not in today's stock, added with its own mix once it is built (by H);
- **small** social-rent dwellings are those in meergezinswoningen: the register gives
  dwellings by type and by rent class, not the floor area, so a complex's social rent is
  split over its types in proportion (social × meergezins / all dwellings); a
  sloop-nieuwbouw may say how many of the social rent it plans back are small, else the
  complex's present proportion is used. Other
  corporations' small dwellings are not known, so that share counts the corporation's own.

A buurt is **under pressure** when its class in the chosen score model is among the
``pressure_classes`` weakest, or when its signal is "beide stijgen"; it is **strong**
when its class is among the ``strong_classes`` strongest. A strategy is flagged when it
raises the share of social rent (or of small social rent) in a buurt under pressure by
at least ``raise_threshold`` percentage points, or lowers the share of social rent in a
strong buurt by at least ``lower_threshold``.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from areas.models import Area
from core.imports import job_get
from core.permissions import get_object_for, is_platform_admin
from organisations.models import ROLE_ACTIONS, Membership, Organisation, organisation_ids_for
from portfolio.models import BUURT_SHAPES, Complex, ComplexImport, ComplexStrategy, Portfolio, StrategyKind
from scores import catalogue
from scores.models import IndicatorValue, Score, ScoreModel, SourceKind

SIGNAL_MODEL_KEY = catalogue.SIGNAL_TYPOLOGY.key
REMOVES_SOCIAL = (StrategyKind.VERKOPEN, StrategyKind.LIBERALISEREN)


# --- the portfolio a person may see ------------------------------------------------------------


@dataclass
class PortfolioView:
    """A corporation's portfolio as one person sees it: everything (its own people and
    platform admins) or only the projection for some gemeenten (a shared gemeente)."""

    portfolio: Portfolio
    organisation: Organisation
    is_owner: bool
    gemeenten: frozenset = frozenset()  # for a shared view: the gemeenten it may see
    can_change: bool = False  # strategies and imports (bewerkers)
    can_manage: bool = False  # thresholds and sharing (beheerders)


def portfolio_get(*, user, slug: str) -> PortfolioView:
    """The portfolio of the corporation ``slug`` as ``user`` may see it; 404 when they
    may not see it at all (not revealing that it exists)."""
    organisation = (
        Organisation.objects.select_related("portfolio")
        .filter(slug=slug, kind=Organisation.Kind.CORPORATIE)
        .first()
    )
    if organisation is None or not user.is_authenticated:
        raise Http404(_("Niet gevonden."))
    admin = is_platform_admin(user)
    # The person's role in the corporation, in one query; its bundle says what they may do.
    actions = set()
    for role in Membership.objects.filter(user_id=user.pk, organisation=organisation).values_list(
        "role", flat=True
    ):
        actions |= ROLE_ACTIONS.get(role, frozenset())
    try:
        portfolio = organisation.portfolio
    except Portfolio.DoesNotExist:
        portfolio = None
    if admin or "view" in actions:
        return PortfolioView(
            portfolio=portfolio or Portfolio(organisation=organisation),
            organisation=organisation,
            is_owner=True,
            can_change=admin or "change" in actions,
            can_manage=admin or "manage" in actions,
        )
    if portfolio is None or not Portfolio.objects.restrict(user, "view").filter(pk=portfolio.pk).exists():
        raise Http404(_("Niet gevonden."))
    gemeenten = frozenset(
        Organisation.objects.filter(
            pk__in=organisation_ids_for(user, "view"), kind=Organisation.Kind.GEMEENTE
        )
        .exclude(gemeente_code="")
        .values_list("gemeente_code", flat=True)
    )
    return PortfolioView(portfolio=portfolio, organisation=organisation, is_owner=False, gemeenten=gemeenten)


def portfolio_list(*, user) -> list[PortfolioView]:
    """The corporations whose portfolio ``user`` may see: their own, and those shared
    with one of their gemeenten."""
    if not user.is_authenticated:
        return []
    corporations = Organisation.objects.filter(kind=Organisation.Kind.CORPORATIE, is_active=True)
    if not is_platform_admin(user):
        shared = Portfolio.objects.restrict(user, "view").values("organisation_id")
        corporations = corporations.filter(Q(pk__in=organisation_ids_for(user, "view")) | Q(pk__in=shared))
    return [portfolio_get(user=user, slug=org.slug) for org in corporations.order_by("name")]


# --- complexes -------------------------------------------------------------------------------------


def complex_queryset(*, user, organisation, action="view"):
    """The corporation's complexes (not archived) that ``user`` may act on."""
    return (
        Complex.objects.restrict(user, action)
        .filter(organisation=organisation, is_archived=False)
        .select_related("buurt", "strategy")
        # The buurt's shapes are large and not needed beside a complex.
        .defer(*BUURT_SHAPES)
    )


def complex_get(*, user, pk, action="view", visible_as="view") -> Complex:
    return get_object_for(
        user, Complex.objects.select_related("buurt", "organisation"), action, visible_as=visible_as, pk=pk
    )


def strategy_of(complex: Complex) -> ComplexStrategy | None:
    try:
        return complex.strategy
    except ComplexStrategy.DoesNotExist:
        return None


def complex_import_list(*, user, organisation=None):
    qs = ComplexImport.objects.restrict(user, "view").select_related("organisation", "started_by")
    return qs.filter(organisation=organisation) if organisation is not None else qs


def complex_import_get(*, user, pk) -> ComplexImport:
    return job_get(user, ComplexImport.objects.select_related("organisation", "started_by"), pk=pk)


def boundary_years(*, organisation) -> list[int]:
    """The boundary years the corporation's complexes are placed in, newest first."""
    return list(
        Complex.objects.filter(organisation=organisation, is_archived=False)
        .order_by("-boundary_year")
        .values_list("boundary_year", flat=True)
        .distinct()
    )


# --- figures per buurt ---------------------------------------------------------------------------


def kwb_figures(*, user, area_ids, year: int) -> dict[int, dict[str, float]]:
    """``a_woning`` and ``p_wcorpw`` of the buurten (CBS kerncijfers of ``year``)."""
    rows = (
        IndicatorValue.objects.restrict(user, "view")
        .filter(
            area_id__in=list(area_ids),
            year=year,
            indicator__key__in=("a_woning", "p_wcorpw"),
            indicator__source__kind=SourceKind.CBS_KWB,
        )
        .values_list("area_id", "indicator__key", "value")
    )
    figures: dict[int, dict[str, float]] = defaultdict(dict)
    for area_id, key, value in rows:
        figures[area_id][key] = value
    return figures


def score_models(*, user):
    return ScoreModel.objects.restrict(user, "view").filter(is_active=True).order_by("name")


def score_years(*, user, model: ScoreModel) -> list[int]:
    return list(
        Score.objects.restrict(user, "view")
        .filter(model=model, is_aggregated=False)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


@dataclass
class BuurtScore:
    score_class: int | None = None
    label: str = ""
    color: str = ""
    signal: int | None = None
    signal_label: str = ""
    under_pressure: bool = False
    strong: bool = False


def buurt_scores(
    *, user, model: ScoreModel | None, year: int, area_ids, portfolio: Portfolio, models=None
) -> dict[int, BuurtScore]:
    """The class of each buurt in ``model`` and its signal (the signal typology) in
    ``year``, and whether it is under pressure or strong by the portfolio's thresholds.

    ``model`` and ``models`` (the models the person may see, when the caller has them)
    come from ``restrict()``; a model's scores are visible to whoever sees the model
    (``Score.access_q``), so its scores are read by model."""
    result = {area_id: BuurtScore() for area_id in area_ids}
    if models is None:
        models = ScoreModel.objects.restrict(user, "view").filter(key=SIGNAL_MODEL_KEY)
    signal_model = next((m for m in models if m.key == SIGNAL_MODEL_KEY), None)
    by_model = {m.pk: m for m in (model, signal_model) if m is not None}
    rows = Score.objects.filter(
        model_id__in=list(by_model), area_id__in=list(area_ids), year=year, is_aggregated=False
    ).values_list("model_id", "area_id", "score_class")
    for model_id, area_id, score_class in rows:
        entry = result[area_id]
        if model is not None and model_id == model.pk:
            entry.score_class = score_class
            entry.label = model.class_label(score_class) if score_class is not None else ""
            entry.color = next(
                (c.get("color", "") for c in model.classes if c.get("value") == score_class), ""
            )
        if signal_model is not None and model_id == signal_model.pk:
            entry.signal = score_class
            entry.signal_label = signal_model.class_label(score_class) if score_class is not None else ""
    values = sorted(c["value"] for c in model.classes) if model is not None and model.classes else []
    weakest = (
        values[: portfolio.pressure_classes]
        if model and model.higher_is_better
        else values[::-1][: portfolio.pressure_classes]
    )
    strongest = (
        values[::-1][: portfolio.strong_classes]
        if model and model.higher_is_better
        else values[: portfolio.strong_classes]
    )
    for entry in result.values():
        entry.under_pressure = (entry.score_class is not None and entry.score_class in weakest) or (
            entry.signal == catalogue.SIGNAL_BOTH_RISING
        )
        entry.strong = (
            entry.score_class is not None and entry.score_class in strongest and not entry.under_pressure
        )
    return result


# --- the portfolio page ---------------------------------------------------------------------------


@dataclass
class BuurtRow:
    area_id: int
    code: str
    name: str
    gemeente_code: str
    complexes: int
    dwellings: int
    social_rent: int
    a_woning: float | None
    p_wcorpw: float | None
    score: BuurtScore

    @property
    def share_of_buurt(self) -> float | None:
        """The corporation's dwellings as a percentage of all dwellings (``a_woning``)."""
        return 100 * self.dwellings / self.a_woning if self.a_woning else None

    @property
    def corporation_stock(self) -> float | None:
        if self.a_woning is None or self.p_wcorpw is None:
            return None
        return self.a_woning * self.p_wcorpw / 100

    @property
    def share_of_corporations(self) -> float | None:
        """The corporation's dwellings as a percentage of all corporations' stock there."""
        stock = self.corporation_stock
        return 100 * self.dwellings / stock if stock else None


def buurt_totals(*, complexes) -> list[BuurtRow]:
    """Per buurt of the (filtered) complexes: their number, dwellings and social rent,
    the buurten where the corporation has most dwellings first. The figures and scores
    are added by ``buurt_figures_add`` for the rows that are shown."""
    totals = (
        complexes.order_by()
        .values("buurt_id", "buurt__code", "buurt__name", "buurt__gemeente_code")
        .annotate(
            n=Count("pk"),
            single=Sum("single_family"),
            multi=Sum("multi_family"),
            social=Sum("social_rent"),
        )
    )
    rows = [
        BuurtRow(
            area_id=row["buurt_id"],
            code=row["buurt__code"],
            name=row["buurt__name"],
            gemeente_code=row["buurt__gemeente_code"],
            complexes=row["n"],
            dwellings=(row["single"] or 0) + (row["multi"] or 0),
            social_rent=row["social"] or 0,
            a_woning=None,
            p_wcorpw=None,
            score=BuurtScore(),
        )
        for row in totals
    ]
    rows.sort(key=lambda r: (-r.dwellings, r.gemeente_code, r.name))
    return rows


def buurt_figures_add(*, user, rows, year: int, model, portfolio, models=None) -> list[BuurtRow]:
    """Add ``a_woning``, ``p_wcorpw`` (KWB of ``year``) and the class and signal to
    ``rows``, with one query for each."""
    ids = [row.area_id for row in rows]
    figures = kwb_figures(user=user, area_ids=ids, year=year)
    scores = buurt_scores(user=user, model=model, year=year, area_ids=ids, portfolio=portfolio, models=models)
    for row in rows:
        row.a_woning = figures.get(row.area_id, {}).get("a_woning")
        row.p_wcorpw = figures.get(row.area_id, {}).get("p_wcorpw")
        row.score = scores[row.area_id]
    return rows


def buurt_rows(*, user, complexes, year: int, model, portfolio) -> list[BuurtRow]:
    """``buurt_totals`` with the figures and scores of every buurt."""
    return buurt_figures_add(
        user=user, rows=buurt_totals(complexes=complexes), year=year, model=model, portfolio=portfolio
    )


# --- projection ------------------------------------------------------------------------------------


def small_share(complex) -> float:
    """The complex's small social-rent dwellings: its social rent in meergezinswoningen,
    split in proportion to its types (see the module's docstring)."""
    dwellings = complex.single_family + complex.multi_family
    return complex.social_rent * complex.multi_family / dwellings if dwellings else 0.0


@dataclass
class Effect:
    """What one complex (its strategy, or its being built) does to its buurt by H."""

    complex_id: int
    number: str
    name: str
    strategy: str  # the strategy's label, or "nieuwbouw"
    stock: float = 0.0
    social: float = 0.0
    small: float = 0.0


@dataclass
class Flag:
    kind: str  # "raises" or "lowers"
    effect: Effect
    change_pp: float  # change of the share of social rent in percentage points
    small_change_pp: float

    @property
    def text(self) -> str:
        if self.kind == "raises":
            return _(
                "%(complex)s (%(strategy)s) verhoogt het aandeel sociale huur met %(pp)s procentpunt "
                "(kleine sociale huurwoningen: %(small)s) in een buurt onder druk."
            ) % {
                "complex": f"{self.effect.number} {self.effect.name}",
                "strategy": self.effect.strategy,
                "pp": f"{self.change_pp:+.1f}".replace(".", ","),
                "small": f"{self.small_change_pp:+.1f}".replace(".", ","),
            }
        return _(
            "%(complex)s (%(strategy)s) verlaagt het aandeel sociale huur met %(pp)s procentpunt in een sterke buurt."
        ) % {
            "complex": f"{self.effect.number} {self.effect.name}",
            "strategy": self.effect.strategy,
            "pp": f"{abs(self.change_pp):.1f}".replace(".", ","),
        }


@dataclass
class BuurtProjection:
    area_id: int
    code: str
    name: str
    gemeente_code: str
    stock_today: float | None
    social_today: float
    small_today: float
    score: BuurtScore
    effects: list[Effect] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    @property
    def stock_horizon(self) -> float | None:
        if self.stock_today is None:
            return None
        return self.stock_today + sum(e.stock for e in self.effects)

    @property
    def social_horizon(self) -> float:
        return max(0.0, self.social_today + sum(e.social for e in self.effects))

    @property
    def small_horizon(self) -> float:
        return max(0.0, self.small_today + sum(e.small for e in self.effects))

    @property
    def share_today(self) -> float | None:
        return 100 * self.social_today / self.stock_today if self.stock_today else None

    @property
    def share_horizon(self) -> float | None:
        stock = self.stock_horizon
        return 100 * self.social_horizon / stock if stock else None


@dataclass
class GemeenteProjection:
    code: str
    name: str
    buurten: list[BuurtProjection]

    def _sum(self, attr):
        values = [getattr(b, attr) for b in self.buurten if b.stock_today is not None]
        return sum(values) if values else None

    @property
    def stock_today(self):
        return self._sum("stock_today")

    @property
    def stock_horizon(self):
        return self._sum("stock_horizon")

    @property
    def social_today(self):
        return self._sum("social_today")

    @property
    def social_horizon(self):
        return self._sum("social_horizon")

    @property
    def share_today(self):
        stock = self.stock_today
        return 100 * self.social_today / stock if stock else None

    @property
    def share_horizon(self):
        stock = self.stock_horizon
        return 100 * self.social_horizon / stock if stock else None

    @property
    def flag_count(self) -> int:
        return sum(len(b.flags) for b in self.buurten)


def complex_effect(complex, strategy, *, base_year: int, horizon: int) -> Effect | None:
    """What ``complex`` with ``strategy`` (or None) changes in its buurt by ``horizon``
    compared with the figures of ``base_year``; None when nothing changes."""
    label = strategy.get_kind_display() if strategy is not None else ""
    effect = Effect(complex_id=complex.pk, number=complex.number, name=complex.name, strategy=str(label))
    changed = False
    if complex.year_built and complex.year_built > base_year:
        if complex.year_built > horizon:
            return None  # not built yet by the horizon: nothing of it counts
        effect.stock += complex.single_family + complex.multi_family
        effect.social += complex.social_rent
        effect.small += small_share(complex)
        effect.strategy = effect.strategy or _("nieuwbouw")
        changed = True
    if strategy is not None and strategy.horizon_year <= horizon:
        if strategy.kind in REMOVES_SOCIAL:
            effect.social -= complex.social_rent
            effect.small -= small_share(complex)
            changed = True
        elif strategy.kind == StrategyKind.SLOOP_NIEUWBOUW:
            dwellings = complex.single_family + complex.multi_family
            planned_social = strategy.planned_social_rent or 0
            effect.stock += strategy.planned_total - dwellings
            effect.social += planned_social - complex.social_rent
            if strategy.planned_small_social is not None:
                planned_small = float(strategy.planned_small_social)
            else:
                planned_small = planned_social * (complex.multi_family / dwellings if dwellings else 0.0)
            effect.small += planned_small - small_share(complex)
            changed = True
    return effect if changed else None


def _share(social, stock):
    return 100 * social / stock if stock else None


def projection(
    *, user, view: PortfolioView, year: int, horizon: int, model: ScoreModel | None
) -> list[GemeenteProjection]:
    """The projection at ``horizon`` per gemeente and buurt, with the flags, for the
    complexes placed in the buurten of ``year`` (see the module's docstring). A shared
    gemeente sees its own buurten only."""
    portfolio = view.portfolio
    complexes = Complex.objects.filter(
        organisation=view.organisation, is_archived=False, boundary_year=year
    ).select_related("strategy")
    if not view.is_owner:
        complexes = complexes.filter(buurt__gemeente_code__in=list(view.gemeenten))
    complexes = list(
        complexes.only(
            "pk",
            "number",
            "name",
            "buurt_id",
            "single_family",
            "multi_family",
            "social_rent",
            "year_built",
            "strategy__kind",
            "strategy__horizon_year",
            "strategy__planned_social_rent",
            "strategy__planned_mid_rent",
            "strategy__planned_free_sector",
            "strategy__planned_small_social",
        )
    )
    by_buurt: dict[int, list] = defaultdict(list)
    for complex in complexes:
        by_buurt[complex.buurt_id].append(complex)
    areas = {
        a.pk: a
        for a in Area.objects.filter(pk__in=list(by_buurt)).only("pk", "code", "name", "gemeente_code")
    }
    figures = kwb_figures(user=user, area_ids=list(by_buurt), year=year)
    scores = buurt_scores(user=user, model=model, year=year, area_ids=list(by_buurt), portfolio=portfolio)
    gemeente_names = dict(
        Area.objects.filter(
            year=year, kind="gemeente", code__in={a.gemeente_code for a in areas.values()}
        ).values_list("code", "name")
    )
    result: dict[str, GemeenteProjection] = {}
    for area_id, members in by_buurt.items():
        area = areas[area_id]
        existing = [c for c in members if not (c.year_built and c.year_built > year)]
        own_social = sum(c.social_rent for c in existing)
        stock = figures.get(area_id, {}).get("a_woning")
        pct = figures.get(area_id, {}).get("p_wcorpw")
        corporations = stock * pct / 100 if stock is not None and pct is not None else None
        social_today = max(corporations or 0.0, float(own_social))
        buurt = BuurtProjection(
            area_id=area_id,
            code=area.code,
            name=area.name,
            gemeente_code=area.gemeente_code,
            stock_today=stock,
            social_today=social_today,
            small_today=sum(small_share(c) for c in existing),
            score=scores[area_id],
        )
        for complex in members:
            effect = complex_effect(complex, strategy_of(complex), base_year=year, horizon=horizon)
            if effect is None:
                continue
            buurt.effects.append(effect)
            _flag(buurt, effect, portfolio)
        result.setdefault(
            area.gemeente_code,
            GemeenteProjection(
                area.gemeente_code, gemeente_names.get(area.gemeente_code, area.gemeente_code), []
            ),
        ).buurten.append(buurt)
    for gemeente in result.values():
        gemeente.buurten.sort(key=lambda b: b.name)
    return sorted(result.values(), key=lambda g: g.name)


def _flag(buurt: BuurtProjection, effect: Effect, portfolio: Portfolio) -> None:
    """Flag ``effect`` when it raises the concentration in a buurt under pressure or
    lowers it in a strong buurt by at least the portfolio's thresholds."""
    stock = buurt.stock_today
    if not stock:
        return
    before = _share(buurt.social_today, stock)
    after = _share(buurt.social_today + effect.social, stock + effect.stock)
    small_before = _share(buurt.small_today, stock)
    small_after = _share(buurt.small_today + effect.small, stock + effect.stock)
    if before is None or after is None:
        return
    change = after - before
    small_change = (small_after or 0) - (small_before or 0)
    if buurt.score.under_pressure:
        rises = max(change, small_change)
        if rises > 0 and rises >= portfolio.raise_threshold:
            buurt.flags.append(Flag("raises", effect, change, small_change))
    elif buurt.score.strong and change < 0 and -change >= portfolio.lower_threshold:
        buurt.flags.append(Flag("lowers", effect, change, small_change))
