"""Pages of the portfolio: the corporations' portfolios, the map and table of one
portfolio, the projection with its flags, a complex with its strategy and history, the
import of the register, the thresholds and sharing. Every page reads through the
selectors (``restrict()``) and writes through ``portfolio.services``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView

from core.audit import merged_history
from core.exports import SHEET_FORMATS, dated_filename, download
from core.permissions import allowed
from core.views import ServiceFormMixin, error_text, import_job_views
from portfolio import exports, selectors, services
from portfolio.forms import (
    ComplexFilter,
    ComplexImportForm,
    PortfolioSettingsForm,
    PortfolioShareForm,
    StrategyForm,
    ViewChoiceForm,
)
from portfolio.models import NO_STRATEGY_COLOR, STRATEGY_COLORS, ComplexStrategy, StrategyKind
from scores import catalogue

PAGE_SIZE = 25  # rows per table beside the map


# --- the choice of model, year and horizon ------------------------------------------------------


def _choice(request, view):
    """The score model, boundary year and horizon of a portfolio page, from the query
    (bad values fall back to the defaults rather than failing)."""
    user = request.user
    models = list(selectors.score_models(user=user))
    years = selectors.boundary_years(organisation=view.organisation)
    form = ViewChoiceForm(request.GET or None, models=models, years=years)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    by_key = {m.key: m for m in models}
    default = by_key.get(catalogue.VEERKRACHT_INDEX.key) or (models[0] if models else None)
    model = by_key.get(data.get("model") or "", default)
    year = data.get("jaar") or (years[0] if years else None)
    horizon = data.get("horizon") or ((year or 2025) + 10)
    if not form.is_bound:
        form = ViewChoiceForm(
            initial={"model": model.key if model else "", "jaar": year, "horizon": horizon},
            models=models,
            years=years,
        )
    return form, model, year, horizon, models


def _without(params, name) -> str:
    """The query string without ``name``, to add it again with another value."""
    params = params.copy()
    params.pop(name, None)
    return params.urlencode()


def _owner_view(request, slug):
    view = selectors.portfolio_get(user=request.user, slug=slug)
    if not view.is_owner:
        raise Http404(_("Niet gevonden."))
    return view


# --- the list of portfolios ----------------------------------------------------------------------


@login_required
def portfolio_index(request):
    views = selectors.portfolio_list(user=request.user)
    can_import = services.importable_organisations(request.user).exists()
    return render(request, "portfolio/index.html", {"views": views, "can_import": can_import})


# --- one portfolio: map and table ---------------------------------------------------------------


@login_required
def portfolio_detail(request, slug):
    view = selectors.portfolio_get(user=request.user, slug=slug)
    if not view.is_owner:
        # A gemeente the portfolio is shared with sees the projection only.
        return HttpResponseRedirect(reverse("portfolio:projection", args=[slug]))
    form, model, year, horizon, models = _choice(request, view)
    complexes = selectors.complex_queryset(user=request.user, organisation=view.organisation)
    if year:
        complexes = complexes.filter(boundary_year=year)
    filters = ComplexFilter(request.GET or None, queryset=complexes, request=request, year=year)
    filtered = filters.qs if filters.is_bound and filters.is_valid() else complexes
    buurten = selectors.buurt_totals(complexes=filtered) if year else []
    paginator = Paginator(filtered.order_by("number"), PAGE_SIZE)
    # The buurt totals have counted the complexes already: no second count.
    paginator.count = sum(row.complexes for row in buurten)
    page = paginator.get_page(request.GET.get("pagina"))
    gemeenten = sorted({row.gemeente_code for row in buurten})
    buurt_page = Paginator(buurten, PAGE_SIZE).get_page(request.GET.get("buurtpagina"))
    if year:
        # Figures and scores only for the buurten on this page of the table.
        selectors.buurt_figures_add(
            user=request.user,
            rows=buurt_page.object_list,
            year=year,
            model=model,
            portfolio=view.portfolio,
            models=models,
        )
    geojson_url = ""
    score_url = ""
    if year:
        query = request.GET.copy()
        query.pop("pagina", None)
        query["organisation"] = view.organisation.slug
        query["jaar"] = str(year)
        geojson_url = f"{reverse('complex-geojson')}?{query.urlencode()}"
        if model is not None and gemeenten:
            from scores.views.maps import scored_geojson_url

            score_url = scored_geojson_url(
                request.user, model, year=year, level="buurt", gemeente=gemeenten[0]
            )
    legend = [{"label": label, "color": STRATEGY_COLORS[value]} for value, label in StrategyKind.choices] + [
        {"label": _("nog geen strategie"), "color": NO_STRATEGY_COLOR}
    ]
    return render(
        request,
        "portfolio/detail.html",
        {
            "view": view,
            "organisation": view.organisation,
            "choice": form,
            "filters": filters,
            "model": model,
            "year": year,
            "horizon": horizon,
            "page": page,
            "buurten": buurt_page,
            "buurt_query": _without(request.GET, "buurtpagina"),
            "geojson_url": geojson_url,
            "score_url": score_url,
            "legend": legend,
            "total": page.paginator.count,
        },
    )


@login_required
def register_export(request, slug, fmt):
    """The corporation's register (as the page filters it) in the template's columns, as
    CSV or Excel; a file that imports back unchanged."""
    view = _owner_view(request, slug)
    if fmt not in SHEET_FORMATS:
        raise Http404(_("Kies csv of xlsx."))
    complexes = selectors.complex_queryset(user=request.user, organisation=view.organisation)
    filters = ComplexFilter(request.GET or None, queryset=complexes, request=request)
    filtered = filters.qs if filters.is_bound and filters.is_valid() else complexes
    body = exports.register_bytes(filtered.order_by("number"), fmt)
    return download(body, fmt, dated_filename(f"complexen-{view.organisation.slug}", fmt))


# --- the projection ---------------------------------------------------------------------------


@login_required
def portfolio_projection(request, slug):
    view = selectors.portfolio_get(user=request.user, slug=slug)
    form, model, year, horizon, _models = _choice(request, view)
    gemeenten = (
        selectors.projection(user=request.user, view=view, year=year, horizon=horizon, model=model)
        if year
        else []
    )
    fmt = request.GET.get("formaat", "")
    if fmt:
        if fmt not in SHEET_FORMATS:
            raise Http404(_("Kies csv of xlsx."))
        body = exports.projection_bytes(gemeenten, horizon=horizon, fmt=fmt)
        return download(body, fmt, dated_filename(f"projectie-{view.organisation.slug}-{horizon}", fmt))
    flags = [flag for g in gemeenten for b in g.buurten for flag in b.flags]
    return render(
        request,
        "portfolio/projection.html",
        {
            "view": view,
            "organisation": view.organisation,
            "choice": form,
            "model": model,
            "year": year,
            "horizon": horizon,
            "gemeenten": gemeenten,
            "flag_count": len(flags),
            "export_query": request.GET.urlencode(),
        },
    )


# --- thresholds and sharing ---------------------------------------------------------------------


class _PortfolioFormView(LoginRequiredMixin, ServiceFormMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.view = _owner_view(request, kwargs["slug"])
        if not self.view.can_manage:
            raise PermissionDenied(_("Alleen beheerders van de corporatie doen dit."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(view=self.view, organisation=self.view.organisation, **kwargs)

    def conflict_current(self, stale):
        return self.view.portfolio

    def get_success_url(self):
        return reverse("portfolio:detail", args=[self.view.organisation.slug])


class PortfolioSettingsView(_PortfolioFormView):
    template_name = "portfolio/settings.html"
    form_class = PortfolioSettingsForm
    conflict_fields = ("pressure_classes", "strong_classes", "raise_threshold", "lower_threshold")

    def get_initial(self):
        p = self.view.portfolio
        return {
            "pressure_classes": p.pressure_classes,
            "strong_classes": p.strong_classes,
            "raise_threshold": p.raise_threshold,
            "lower_threshold": p.lower_threshold,
            "version": p.version,
        }

    def perform(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        portfolio = services.portfolio_update(
            actor=self.request.user, portfolio=self.view.portfolio, version=version, **data
        )
        messages.success(self.request, _("De drempels zijn opgeslagen."))
        return portfolio


class PortfolioShareView(_PortfolioFormView):
    template_name = "portfolio/share.html"
    form_class = PortfolioShareForm

    def get_initial(self):
        return {
            "organisations": services.shared_organisations(self.view.portfolio),
            "version": self.view.portfolio.version,
        }

    def conflict_rows(self, current):
        names = ", ".join(org.name for org in services.shared_organisations(current))
        return [(_("Gedeeld met"), names or "—")]

    def perform(self, form):
        portfolio = services.portfolio_share(
            actor=self.request.user,
            portfolio=self.view.portfolio,
            organisations=form.cleaned_data["organisations"],
            version=form.cleaned_data["version"] if self.view.portfolio.pk else None,
        )
        messages.success(self.request, _("Met wie de portefeuille gedeeld is, is opgeslagen."))
        return portfolio


# --- a complex and its strategy -----------------------------------------------------------------


@login_required
def complex_detail(request, pk):
    complex = selectors.complex_get(user=request.user, pk=pk)
    strategy = selectors.strategy_of(complex)
    entries = merged_history(
        complex.history.all(), ComplexStrategy.history.filter(complex_id=complex.pk), limit=100
    )
    commitments = list(strategy.commitments.select_related("agreement")) if strategy else []
    return render(
        request,
        "portfolio/complex_detail.html",
        {
            "complex": complex,
            "strategy": strategy,
            "commitments": commitments,
            "entries": entries,
            "can_change": allowed(request.user, "change", complex) and not complex.is_archived,
        },
    )


class StrategyView(LoginRequiredMixin, ServiceFormMixin, FormView):
    template_name = "portfolio/strategy_form.html"
    form_class = StrategyForm
    conflict_fields = (
        "kind",
        "horizon_year",
        "rationale",
        "planned_social_rent",
        "planned_mid_rent",
        "planned_free_sector",
    )

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.complex = selectors.complex_get(user=request.user, pk=kwargs["pk"], action="change")
        self.strategy = selectors.strategy_of(self.complex)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "organisation": self.complex.organisation,
        }

    def get_initial(self):
        s = self.strategy
        if s is None:
            return {"horizon_year": self.complex.boundary_year + 10}
        return {
            "kind": s.kind,
            "horizon_year": s.horizon_year,
            "rationale": s.rationale,
            "planned_social_rent": s.planned_social_rent,
            "planned_mid_rent": s.planned_mid_rent,
            "planned_free_sector": s.planned_free_sector,
            "planned_small_social": s.planned_small_social,
            "commitments": list(s.commitments.all()),
            "version": s.version,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(complex=self.complex, strategy=self.strategy, **kwargs)

    def perform(self, form):
        data = dict(form.cleaned_data)
        strategy = services.strategy_set(actor=self.request.user, complex=self.complex, **data)
        messages.success(self.request, _("De strategie is opgeslagen."))
        return strategy

    def get_success_url(self):
        return reverse("portfolio:complex-detail", args=[self.complex.pk])


# --- importing the register ---------------------------------------------------------------------


class ComplexImportView(LoginRequiredMixin, ServiceFormMixin, FormView):
    template_name = "portfolio/import_form.html"
    form_class = ComplexImportForm

    def organisations(self):
        return services.importable_organisations(self.request.user)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organisations": self.organisations()}

    def get_context_data(self, **kwargs):
        jobs = selectors.complex_import_list(user=self.request.user)
        page = Paginator(jobs, 25).get_page(self.request.GET.get("pagina"))
        return super().get_context_data(can_import=self.organisations().exists(), page=page, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.organisations().exists():
            raise PermissionDenied(services.NO_IMPORT_RIGHTS)
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        try:
            return services.complex_import_start(
                actor=self.request.user,
                organisation=data["organisation"],
                uploaded_file=data["file"],
                year=data["year"],
                dry_run=data["dry_run"],
                remove_missing=data["remove_missing"],
                lookup_file=data.get("lookup_file"),
            )
        except PermissionDenied as exc:
            raise ValidationError({"organisation": str(exc)}) from exc

    def get_success_url(self):
        return reverse("portfolio:import-detail", args=[self.object.pk])


import_detail, import_status = import_job_views(
    selectors.complex_import_get,
    template="portfolio/import_detail.html",
    status_template="portfolio/_import_status.html",
)


@login_required
@require_POST
def import_confirm(request, pk):
    job = selectors.complex_import_get(user=request.user, pk=pk)
    try:
        new = services.complex_import_confirm(actor=request.user, job=job)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return HttpResponseRedirect(reverse("portfolio:import-detail", args=[job.pk]))
    return HttpResponseRedirect(reverse("portfolio:import-detail", args=[new.pk]))


class ImportTemplateView(LoginRequiredMixin, TemplateView):
    """An empty register in the template's columns."""

    def get(self, request, *args, **kwargs):
        body = exports.register_bytes([], "csv")
        return download(body, "csv", "complexen-sjabloon.csv")
