"""Pages for sources and their sharing, indicators and score models. Reads go through
``scores.selectors.sources`` (restricted); every write calls a service of
``scores.services.sources``. A licensed source that is not shared with the person does
not exist for them (404); a visible source they may not change answers 403."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from core.exceptions import ConflictError
from core.permissions import allowed, is_platform_admin
from core.views import ConflictMixin, RestrictedObjectMixin, ServiceFormMixin, add_service_errors, error_text
from scores.forms.sources import (
    ComponentFormSet,
    IndicatorFilterForm,
    IndicatorForm,
    ScoreModelForm,
    SourceEditForm,
    SourceForm,
    SourceShareForm,
    format_numbers,
    indicator_initial,
    score_model_initial,
)
from scores.models import Indicator, ModelIndicator, ScoreModel
from scores.selectors import sources as selectors
from scores.services import sources as services

PAGE_SIZE = 50


def _url_or_empty(name, *args, query="") -> str:
    """A link to a page another part of the product provides; empty while it is absent."""
    try:
        return reverse(name, args=args) + query
    except NoReverseMatch:
        return ""


# --- sources ---------------------------------------------------------------------------


class SourceListView(LoginRequiredMixin, TemplateView):
    template_name = "scores/source_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        sources = list(selectors.source_list(user))
        years = selectors.source_years_by_id(source.pk for source in sources)
        for source in sources:
            source.years = years.get(source.pk, [])
        return super().get_context_data(
            sources=sources, can_create=services.may_create_source(user), **kwargs
        )


class SourceCreateView(LoginRequiredMixin, ServiceFormMixin, FormView):
    template_name = "scores/source_form.html"
    form_class = SourceForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.may_create_source(request.user):
            raise PermissionDenied(
                _(
                    "Alleen bewerkers en beheerders van een organisatie en platformbeheerders maken bronnen aan."
                )
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["may_leave_owner_empty"] = is_platform_admin(self.request.user)
        return kwargs

    def perform(self, form):
        source = services.source_create(actor=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Bron %s is aangemaakt.") % source.name)
        return source

    def get_success_url(self):
        return reverse("scores:source-detail", args=[self.object.pk])


class SourceMixin(RestrictedObjectMixin):
    object_selector = staticmethod(selectors.source_get)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.source = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            source=self.source,
            can_change=allowed(user, "change", self.source),
            can_share=allowed(user, "share", self.source),
            can_delete=allowed(user, "delete", self.source),
            can_import=allowed(user, "import", self.source),
            **kwargs,
        )


class SourceDetailView(SourceMixin, TemplateView):
    template_name = "scores/source_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        source = self.source
        context["indicators"] = selectors.indicator_list(user, source=source)
        context["years"] = selectors.source_years(source)
        context["shared_with"] = source.shared_with.order_by("name")
        context["models"] = selectors.score_model_list(user).filter(source=source)
        if context["can_import"]:
            context["imports"] = selectors.source_imports(user, source)[:20]
            context["import_url"] = _url_or_empty("scores:import-create", query=f"?bron={source.pk}")
            context["import_list_url"] = _url_or_empty("scores:import-list")
        context["entries"] = selectors.source_history(source=source)
        return context


class SourceUpdateView(SourceMixin, ServiceFormMixin, FormView):
    template_name = "scores/source_edit.html"
    form_class = SourceEditForm
    required_action = "change"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["may_share"] = allowed(self.request.user, "share", self.source)
        return kwargs

    def get_initial(self):
        source = self.source
        return {
            "name": source.name,
            "kind": source.kind,
            "is_licensed": source.is_licensed,
            "licence": source.licence,
            "description": source.description,
            "version": source.version,
        }

    def conflict_rows(self, current):
        return [
            (_("Naam"), current.name),
            (_("Soort bestand"), current.get_kind_display()),
            (_("Gelicentieerd"), _("ja") if current.is_licensed else _("nee")),
            (_("Licentie en bronvermelding"), current.licence),
            (_("Omschrijving"), current.description),
        ]

    def perform(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        if "is_licensed" in form.fields and form.fields["is_licensed"].disabled:
            data.pop("is_licensed")
        source = services.source_update(actor=self.request.user, source=self.source, version=version, **data)
        messages.success(self.request, _("De bron is opgeslagen."))
        return source

    def get_success_url(self):
        return reverse("scores:source-detail", args=[self.source.pk])


class SourceShareView(SourceMixin, ServiceFormMixin, FormView):
    template_name = "scores/source_share.html"
    form_class = SourceShareForm
    required_action = "share"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["source"] = self.source
        return kwargs

    def get_initial(self):
        return {"organisations": list(self.source.shared_with.all()), "version": self.source.version}

    def conflict_rows(self, current):
        return [
            (_("Gedeeld met"), ", ".join(org.name for org in current.shared_with.order_by("name")) or "—")
        ]

    def perform(self, form):
        source = services.source_share(
            actor=self.request.user,
            source=self.source,
            organisations=form.cleaned_data["organisations"],
            version=form.cleaned_data["version"],
        )
        messages.success(self.request, _("Met wie de bron gedeeld is, is opgeslagen."))
        return source

    def get_success_url(self):
        return reverse("scores:source-detail", args=[self.source.pk])


class SourceDeleteView(SourceMixin, TemplateView):
    template_name = "scores/source_confirm_delete.html"
    required_action = "delete"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["indicator_count"] = self.source.indicators.count()
        context["models"] = ScoreModel.objects.filter(source=self.source).order_by("name")
        context["years"] = selectors.source_years(self.source)
        return context

    def post(self, request, *args, **kwargs):
        name = self.source.name
        try:
            services.source_delete(actor=request.user, source=self.source)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect("scores:source-detail", pk=self.source.pk)
        messages.success(request, _("Bron %s en alles wat eruit voortkwam is verwijderd.") % name)
        return redirect("scores:source-list")


# --- indicators ------------------------------------------------------------------------


class IndicatorListView(LoginRequiredMixin, TemplateView):
    template_name = "scores/indicator_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        form = IndicatorFilterForm(self.request.GET or None, user=user)
        filters = form.filters() if form.is_bound else {}
        indicators = selectors.indicator_list(user, **filters)
        page = Paginator(indicators, PAGE_SIZE).get_page(self.request.GET.get("pagina"))
        return super().get_context_data(form=form, page=page, filtered=bool(filters), **kwargs)


class IndicatorDetailView(RestrictedObjectMixin, ConflictMixin, TemplateView):
    """An indicator with its years and models; who may change it edits it here."""

    template_name = "scores/indicator_detail.html"

    object_selector = staticmethod(selectors.indicator_get)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.indicator = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        indicator = self.indicator
        context["indicator"] = indicator
        context["years"] = selectors.indicator_years(indicator)
        context["uses"] = (
            ModelIndicator.objects.restrict(user, "view")
            .filter(indicator=indicator)
            .select_related("model")
            .order_by("model__name")
        )
        context["can_change"] = allowed(user, "change", indicator)
        if context["can_change"]:
            context.setdefault("form", IndicatorForm(initial=indicator_initial(indicator)))
        context["entries"] = selectors.indicator_history(indicator=indicator)
        return context

    def conflict_rows(self, current):
        return [
            (_("Naam"), current.name),
            (_("Eenheid"), current.unit),
            (_("Richting"), current.get_direction_display()),
            (_("Optellen naar wijk en gemeente"), current.get_aggregation_display()),
            (_("Decimalen"), current.decimals),
            (_("Kerncijfer"), _("ja") if current.is_key else _("nee")),
        ]

    def post(self, request, *args, **kwargs):
        if not allowed(request.user, "change", self.indicator):
            raise PermissionDenied(_("U mag deze indicator wel bekijken, maar niet wijzigen."))
        form = IndicatorForm(request.POST)
        if form.is_valid():
            try:
                services.indicator_update(actor=request.user, indicator=self.indicator, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except ConflictError as exc:
                return self.conflict_response(form, exc)
            else:
                messages.success(request, _("De indicator is opgeslagen."))
                return redirect("scores:indicator-detail", pk=self.indicator.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- score models ----------------------------------------------------------------------


class ScoreModelListView(LoginRequiredMixin, TemplateView):
    template_name = "scores/model_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            models=selectors.score_model_list(self.request.user),
            can_manage=is_platform_admin(self.request.user),
            **kwargs,
        )


class ScoreModelMixin(RestrictedObjectMixin):
    lookup_field = "key"
    object_selector = staticmethod(selectors.score_model_get)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.model_obj = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            model=self.model_obj, can_change=allowed(self.request.user, "change", self.model_obj), **kwargs
        )


def class_ranges(model: ScoreModel) -> list[dict]:
    """Each class with its colour and, for an index, the range of scores it covers."""
    rows = []
    cutoffs = list(model.cutoffs or [])
    for index, item in enumerate(model.classes):
        row = {"value": item.get("value"), "label": item.get("label", ""), "color": item.get("color", "")}
        if model.kind == ScoreModel.Kind.INDEX and len(cutoffs) == len(model.classes) - 1:
            low = cutoffs[index - 1] if index > 0 else None
            high = cutoffs[index] if index < len(cutoffs) else None
            row["low"], row["high"] = low, high
        rows.append(row)
    return rows


class ScoreModelDetailView(ScoreModelMixin, TemplateView):
    template_name = "scores/model_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        model = self.model_obj
        components = list(
            ModelIndicator.objects.restrict(self.request.user, "view")
            .filter(model=model)
            .select_related("indicator", "indicator__source")
        )
        total = sum(component.weight for component in components) or 1
        for component in components:
            component.share = round(100 * component.weight / total)
        context["components"] = components
        context["classes"] = class_ranges(model)
        context["cutoffs_text"] = format_numbers(model.cutoffs)
        context["entries"] = selectors.score_model_history(model=model)
        context["map_url"] = _url_or_empty("scores:map", query=f"?model={model.key}")
        return context


class ScoreModelUpdateView(ScoreModelMixin, ServiceFormMixin, FormView):
    """Platform admins change weights per indicator, class boundaries, minimum
    population, stable band and whether the model is active."""

    template_name = "scores/model_form.html"
    form_class = ScoreModelForm
    required_action = "change"

    def get_initial(self):
        return score_model_initial(self.model_obj)

    def _indicators(self):
        # Open models are computed for everyone: only open indicators may feed them.
        return (
            Indicator.objects.restrict(self.request.user, "view")
            .filter(source__is_licensed=False)
            .select_related("source")
            .order_by("source__name", "name")
        )

    def get_formset(self):
        kwargs = {"prefix": "components", "form_kwargs": {"indicators": self._indicators()}}
        if self.request.method == "POST":
            return ComponentFormSet(self.request.POST, **kwargs)
        initial = [
            {"indicator": component.indicator, "weight": component.weight, "role": component.role}
            for component in self.model_obj.components.select_related("indicator")
        ]
        return ComponentFormSet(initial=initial, **kwargs)

    def post(self, request, *args, **kwargs):
        self.formset = self.get_formset()
        form = self.get_form()
        if form.is_valid() and self.formset.is_valid():
            return self.form_valid(form)
        return self.form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["formset"] = getattr(self, "formset", None) or self.get_formset()
        return context

    def conflict_rows(self, current):
        weights = ", ".join(
            f"{c.indicator.name}: {c.weight:g}" for c in current.components.select_related("indicator")
        )
        return [
            (_("Naam"), current.name),
            (_("Klassengrenzen"), format_numbers(current.cutoffs) or "—"),
            (_("Minimaal aantal inwoners"), current.min_population),
            (_("Bandbreedte stabiel"), current.stable_band),
            (_("Actief"), _("ja") if current.is_active else _("nee")),
            (_("Gewichten"), weights or "—"),
        ]

    def perform(self, form):
        try:
            model = services.score_model_update(
                actor=self.request.user,
                model=self.model_obj,
                components=self.formset.components(),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "components" in exc.error_dict:
                for error in exc.error_dict.pop("components"):
                    self.formset._non_form_errors = self.formset.error_class(
                        list(self.formset.non_form_errors()) + error.messages
                    )
                if not exc.error_dict:
                    raise ValidationError(_("Controleer de indicatoren en gewichten hieronder.")) from exc
            raise
        messages.success(
            self.request,
            _("Het scoremodel is opgeslagen; de scores worden op de achtergrond opnieuw berekend."),
        )
        return model

    def get_success_url(self):
        return reverse("scores:model-detail", args=[self.model_obj.key])
