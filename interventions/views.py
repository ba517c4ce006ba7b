"""Pages for area teams, urgency, interventions, their progress, the map, exports and
imports. Reads go through ``interventions.selectors`` (restricted); every write calls a
service of ``interventions.services``.
"""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView

from areas import selectors as area_selectors
from areas.models import Area, AreaKind
from areas.views import map_context
from core.cache import code_version
from core.exports import SHEET_FORMATS, dated_filename, download
from core.files import stored_file_response
from core.permissions import allowed, get_object_for
from core.sections import render_section
from core.views import (
    RestrictedObjectMixin,
    ServiceFormMixin,
    add_service_errors,
    error_text,
    import_job_views,
    role_change,
)
from interventions import exports, selectors, services
from interventions.evaluation import SHARED_TTL as EVALUATION_TTL
from interventions.evaluation import UnknownModel, intervention_evaluation_shared
from interventions.forms import (
    GesprekActionForm,
    GesprekActionLinkForm,
    ImportForm,
    InterventionEditForm,
    InterventionFilterForm,
    InterventionForm,
    PreferenceForm,
    ProgressForm,
    StatusForm,
    TeamCreateForm,
    TeamEditForm,
    TeamMemberAddForm,
    TeamMemberRoleForm,
    UrgencyForm,
    WijkgesprekCreateForm,
    WijkgesprekEditForm,
    intervention_initial,
)
from interventions.models import (
    Attachment,
    Intervention,
    NotificationPreference,
    TeamRole,
    Urgency,
    Wijkgesprek,
    may_work_in,
)
from interventions.services import imports as import_services
from organisations.selectors import home_gemeente_code

PAGE_SIZE = 50


# --- teams ---------------------------------------------------------------------------


class TeamListView(LoginRequiredMixin, TemplateView):
    template_name = "interventions/team_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        teams = selectors.team_list(user=user)
        page = Paginator(teams, PAGE_SIZE).get_page(self.request.GET.get("pagina"))
        labels = dict(Urgency.choices)
        page.object_list = list(page.object_list)
        for team in page.object_list:
            team.latest_urgency_label = labels.get(team.latest_urgency, "")
        return super().get_context_data(
            page=page, can_create=selectors.organisations_to_lead(user=user).exists(), **kwargs
        )


class TeamMixin(RestrictedObjectMixin):
    object_selector = staticmethod(selectors.team_detail)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.team = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        working = may_work_in(user, self.team)
        return super().get_context_data(
            team=self.team,
            can_manage=allowed(user, "change", self.team),
            can_assess=working,
            can_log=working,
            **kwargs,
        )


class TeamDetailView(TeamMixin, TemplateView):
    template_name = "interventions/team_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["members"] = self.team.members.select_related("organisation").order_by(
            "role", "organisation__name"
        )
        context["assessments"] = selectors.urgency_history(user=user, team=self.team)
        # The wijk's page of the newest boundary year shows the team's work in one place.
        years = area_selectors.area_years(user=user, code=self.team.area.code)
        context["area_year"] = (
            years[0] if years and self.team.area.kind != AreaKind.GEBIED else self.team.area.year
        )
        interventions = selectors.intervention_list(user=user, team=self.team)
        context["page"] = Paginator(interventions, PAGE_SIZE).get_page(self.request.GET.get("pagina"))
        return context


class TeamCreateView(LoginRequiredMixin, ServiceFormMixin, FormView):
    template_name = "interventions/team_form.html"
    form_class = TeamCreateForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.organisations_to_lead(user=request.user).exists():
            raise PermissionDenied(
                _("Alleen beheerders van een gemeente of woningcorporatie vormen een gebiedsteam.")
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["organisations"] = selectors.organisations_to_lead(user=self.request.user)
        return kwargs

    def get_initial(self):
        initial = {"year": area_selectors.newest_year()}
        code = self.request.GET.get("gebied", "").strip().upper()
        if code:
            initial["area_code"] = code
        if self.request.GET.get("jaar", "").isdigit():
            initial["year"] = int(self.request.GET["jaar"])
        return initial

    def perform(self, form):
        data = form.cleaned_data
        team = services.team_create(
            actor=self.request.user,
            area=data["area"],
            name=data["name"],
            description=data["description"],
            members=[(data["trekker"], TeamRole.TREKKER)],
        )
        messages.success(self.request, _("Team %s is gevormd.") % team.name)
        return team

    def get_success_url(self):
        return reverse("interventions:team", args=[self.object.pk])


class TeamEditView(TeamMixin, ServiceFormMixin, FormView):
    template_name = "interventions/team_edit.html"
    form_class = TeamEditForm
    required_action = "change"
    conflict_fields = ("name", "description")

    def get_initial(self):
        return {"name": self.team.name, "description": self.team.description, "version": self.team.version}

    def perform(self, form):
        data = dict(form.cleaned_data)
        team = services.team_update(actor=self.request.user, team=self.team, **data)
        messages.success(self.request, _("De gegevens van het team zijn opgeslagen."))
        return team

    def get_success_url(self):
        return reverse("interventions:team", args=[self.team.pk])


class TeamMembersView(TeamMixin, TemplateView):
    """The team's organisations and roles; the trekker's beheerders add, change and remove."""

    template_name = "interventions/team_members.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = self.team.members.select_related("organisation").order_by(
            "role", "organisation__name"
        )
        context["roles"] = TeamRole.choices
        if context["can_manage"]:
            context["add_form"] = kwargs.get("add_form") or TeamMemberAddForm(team=self.team)
        return context

    def post(self, request, *args, **kwargs):
        if not allowed(request.user, "change", self.team):
            raise PermissionDenied(_("Alleen beheerders van de trekker beheren de leden van het team."))
        form = TeamMemberAddForm(request.POST, team=self.team)
        if form.is_valid():
            try:
                member = services.team_member_add(actor=request.user, team=self.team, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(org)s is toegevoegd als %(role)s.")
                    % {"org": member.organisation, "role": member.get_role_display()},
                )
                return redirect("interventions:team-members", pk=self.team.pk)
        return self.render_to_response(self.get_context_data(add_form=form), status=400)


def _member_for(request, pk, action):
    return selectors.member_get(user=request.user, pk=pk, action=action)


@login_required
@require_POST
def team_member_role(request, pk):
    member = _member_for(request, pk, "change")
    role_change(
        request,
        form=TeamMemberRoleForm(request.POST),
        change=partial(services.team_member_change_role, actor=request.user, member=member),
        member=member.organisation,
    )
    return redirect("interventions:team-members", pk=member.team_id)


@login_required
def team_member_remove(request, pk):
    member = _member_for(request, pk, "delete")
    if request.method == "POST":
        try:
            services.team_member_remove(actor=request.user, member=member)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("%s is uit het team gehaald.") % member.organisation)
        return redirect("interventions:team-members", pk=member.team_id)
    return render(
        request, "interventions/team_member_confirm_remove.html", {"member": member, "team": member.team}
    )


class UrgencyView(TeamMixin, ServiceFormMixin, FormView):
    """Record the urgency for a year; a year that has one already gets a new assessment."""

    template_name = "interventions/urgency_form.html"
    form_class = UrgencyForm
    conflict_fields = ("urgency", "rationale", "assessed_by")

    def conflict_title(self, current):
        return _("Voor %(year)s is al een urgentie vastgelegd") % {"year": current.year}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.team = self.get_object()
            if not may_work_in(request.user, self.team):
                raise PermissionDenied(_("Trekkers en partners van het team leggen de urgentie vast."))
        return super(TeamMixin, self).dispatch(request, *args, **kwargs)

    def get_initial(self):
        gesprek = self._gesprek()
        year = gesprek.year if gesprek else timezone.localdate().year
        initial = {"year": year}
        current = selectors.urgency_of(team=self.team, year=year)
        if current is not None:
            # Adjusting this year's assessment: start from it, with its version.
            initial.update(urgency=current.urgency, rationale=current.rationale, version=current.version)
        if gesprek is not None:
            # Set from a wijkgesprek: its duiding is the rationale.
            initial["rationale"] = gesprek.duiding
        return initial

    def _gesprek(self) -> Wijkgesprek | None:
        pk = self.request.GET.get("wijkgesprek", "")
        if not pk.isdigit():
            return None
        gesprek = selectors.gesprek_get(user=self.request.user, pk=int(pk))
        return gesprek if gesprek.team_id == self.team.pk else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["assessments"] = selectors.urgency_history(user=self.request.user, team=self.team)
        return context

    def perform(self, form):
        assessment = services.urgency_record(actor=self.request.user, team=self.team, **form.cleaned_data)
        messages.success(
            self.request,
            _("De urgentie voor %(year)s is vastgelegd: %(urgency)s.")
            % {"year": assessment.year, "urgency": assessment.get_urgency_display()},
        )
        return assessment

    def get_success_url(self):
        return reverse("interventions:team", args=[self.team.pk])


class TeamHistoryView(TeamMixin, TemplateView):
    template_name = "interventions/team_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = selectors.team_history(team=self.team)
        return context


# --- interventions -------------------------------------------------------------------


def _filter_form(request):
    return InterventionFilterForm(request.GET or None, user=request.user)


class InterventionListView(LoginRequiredMixin, TemplateView):
    template_name = "interventions/intervention_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        form = _filter_form(self.request)
        filters = form.filters() if form.is_bound else {}
        interventions = selectors.intervention_list(user=user, **filters)
        page = Paginator(interventions, PAGE_SIZE).get_page(self.request.GET.get("pagina"))
        query = self.request.GET.copy()
        query.pop("pagina", None)
        return super().get_context_data(
            form=form,
            page=page,
            filtered=bool(filters),
            query=query.urlencode(),
            can_create=selectors.may_log_somewhere(user),
            **kwargs,
        )


@login_required
def intervention_export(request, fmt):
    """Exactly what the list shows the person with the same filters, as CSV or Excel."""
    if fmt not in SHEET_FORMATS:
        raise Http404(_("Kies CSV of Excel."))
    form = _filter_form(request)
    filters = form.filters() if form.is_bound else {}
    interventions = selectors.with_links(
        selectors.intervention_list(user=request.user, **filters), user=request.user
    )
    return download(exports.render(interventions, fmt), fmt, dated_filename("interventies", fmt))


@login_required
def import_template(request, fmt):
    if fmt not in SHEET_FORMATS:
        raise Http404(_("Kies CSV of Excel."))
    return download(exports.template(fmt), fmt, f"interventies-sjabloon.{fmt}")


class ImportView(LoginRequiredMixin, ServiceFormMixin, FormView):
    """Upload a filled-in export or template, and the person's earlier imports. The file
    is read by a job; all rows are saved, or none."""

    template_name = "interventions/import.html"
    form_class = ImportForm

    def get_context_data(self, **kwargs):
        imports = selectors.intervention_import_list(user=self.request.user)
        page = Paginator(imports, PAGE_SIZE).get_page(self.request.GET.get("pagina"))
        return super().get_context_data(columns=exports.COLUMNS, page=page, **kwargs)

    def perform(self, form):
        return import_services.intervention_import_start(
            actor=self.request.user, uploaded_file=form.cleaned_data["file"]
        )

    def get_success_url(self):
        return reverse("interventions:import-detail", kwargs={"pk": self.object.pk})


import_detail, import_status = import_job_views(
    selectors.intervention_import_get,
    template="interventions/import_detail.html",
    status_template="interventions/_import_status.html",
)


class InterventionMixin(RestrictedObjectMixin):
    object_selector = staticmethod(selectors.intervention_get)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.intervention = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            intervention=self.intervention,
            team=self.intervention.team,
            can_change=allowed(self.request.user, "change", self.intervention),
            **kwargs,
        )


class InterventionDetailView(InterventionMixin, TemplateView):
    template_name = "interventions/intervention_detail.html"

    def get_object(self, queryset=None):
        # A read loads the page's intervention with its timeline at once: one restricted
        # query, not a second one for the page.
        if self.request.method in ("GET", "HEAD"):
            return selectors.intervention_detail(user=self.request.user, pk=self.kwargs["pk"])
        return super().get_object(queryset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        intervention = self.intervention
        if self.request.method not in ("GET", "HEAD"):  # a refused progress update
            intervention = selectors.intervention_detail(user=self.request.user, pk=intervention.pk)
        context["intervention"] = intervention
        context["areas"] = intervention.areas.all()
        context["partners"] = intervention.partner_organisations.all()
        context.update(selectors.intervention_links(user=self.request.user, intervention=intervention))
        context["updates"] = intervention.updates.all()
        if context["can_change"]:
            context["progress_form"] = kwargs.get("progress_form") or ProgressForm(
                initial={"date": timezone.localdate()}
            )
            context["status_form"] = StatusForm(
                initial={"status": intervention.status, "version": intervention.version}
            )
        context["entries"] = selectors.intervention_history(intervention=intervention, user=self.request.user)
        context["evaluation_section"] = _evaluation_section(self.request, intervention)
        return context

    def post(self, request, *args, **kwargs):
        """Add a progress update, with attachments (multipart)."""
        if not allowed(request.user, "change", self.intervention):
            raise PermissionDenied(_("U mag deze interventie wel bekijken, maar geen voortgang toevoegen."))
        form = ProgressForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.progress_add(
                    actor=request.user,
                    intervention=self.intervention,
                    date=data["date"],
                    text=data["text"],
                    progress=data["progress"],
                    files=data["files"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("De voortgang is toegevoegd aan de tijdlijn."))
                return redirect("interventions:detail", pk=self.intervention.pk)
        return self.render_to_response(self.get_context_data(progress_form=form), status=400)


def _evaluation_context(request, intervention):
    """The evaluation section: the model of ``?model=`` (a model the user may not see, or
    that does not exist, falls back to the default with a note)."""
    key = (request.GET.get("model") or "").strip()
    notice = ""
    try:
        evaluation = intervention_evaluation_shared(
            user=request.user, intervention=intervention, model_key=key or None
        )
    except UnknownModel:
        notice = _("Dit scoremodel bestaat niet of u mag het niet zien; hieronder staat het standaardmodel.")
        evaluation = intervention_evaluation_shared(user=request.user, intervention=intervention)
    return {"evaluation": evaluation, "evaluation_notice": notice}


@login_required
def intervention_evaluation_part(request, pk):
    """The evaluation section alone, for the model choice (htmx swaps it in place);
    without htmx the whole intervention page opens on the chosen model."""
    intervention = get_object_for(request.user, Intervention.objects.all(), pk=pk)
    if request.headers.get("HX-Request") != "true":
        url = reverse("interventions:detail", args=[intervention.pk])
        key = (request.GET.get("model") or "").strip()
        return redirect(f"{url}?{urlencode({'model': key})}#evaluatie" if key else f"{url}#evaluatie")
    return HttpResponse(_evaluation_section(request, intervention))


EVALUATION_TEMPLATE = "interventions/_evaluation.html"


def _evaluation_section(request, intervention) -> SafeString:
    """The evaluation section's HTML, kept next to the evaluation it shows: its key holds
    what the evaluation reads and the models offered (``Evaluation.key``), and the
    section adds the interface language, whether the model asked for fell back, and
    the version of its template (``core.cache.code_version``)."""
    context = _evaluation_context(request, intervention)
    evaluation = context["evaluation"]
    notice = int(bool(context["evaluation_notice"]))
    version = code_version(templates=(EVALUATION_TEMPLATE,))
    key = f"{evaluation.key}:html:{translation.get_language()}:{notice}:{version}"
    html = cache.get(key)
    if html is None:
        html = str(render_section(EVALUATION_TEMPLATE, {"intervention": intervention, **context}, request))
        cache.set(key, html, EVALUATION_TTL)
    return mark_safe(html)  # the template's own output, escaped when it was rendered


class InterventionCreateView(LoginRequiredMixin, ServiceFormMixin, FormView):
    template_name = "interventions/intervention_form.html"
    form_class = InterventionForm

    def dispatch(self, request, *args, **kwargs):
        self.team = None
        if request.user.is_authenticated:
            teams = selectors.loggable_teams(user=request.user)
            team_id = request.GET.get("team", "")
            if team_id.isdigit():
                self.team = selectors.team_detail(user=request.user, pk=int(team_id))
                if not teams.filter(pk=self.team.pk).exists():
                    raise PermissionDenied(
                        _(
                            "Alleen bewerkers van de trekker of een partner leggen interventies vast in dit team."
                        )
                    )
            else:
                teams = list(teams[:100])
                if len(teams) == 1:
                    self.team = teams[0]
                else:
                    return render(request, "interventions/team_choice.html", {"teams": teams})
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["team"] = self.team
        kwargs["user"] = self.request.user
        return kwargs

    @cached_property
    def from_action(self):
        """The wijkgesprek action this intervention comes from (``?actie=<pk>``), if any."""
        pk = self.request.GET.get("actie", "")
        if not pk.isdigit():
            return None
        action = selectors.gesprek_action_get(user=self.request.user, pk=int(pk))
        if action.gesprek.team_id != self.team.pk:
            raise Http404(_("Deze actie hoort niet bij dit gebiedsteam."))
        return action

    def get_initial(self):
        initial = {"areas": [self.team.area]}
        action = self.from_action
        if action is not None:
            initial.update(
                title=action.text[:200],
                description=_("Actie uit het wijkgesprek van %(date)s: %(text)s")
                % {"date": date_format(action.gesprek.date, "j F Y"), "text": action.text},
            )
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(team=self.team, from_action=self.from_action, **kwargs)

    def perform(self, form):
        intervention = services.intervention_create(
            actor=self.request.user, team=self.team, from_action=self.from_action, **form.cleaned_data
        )
        messages.success(self.request, _("Interventie %s is vastgelegd.") % intervention.title)
        return intervention

    def get_success_url(self):
        return reverse("interventions:detail", args=[self.object.pk])


class InterventionEditView(InterventionMixin, ServiceFormMixin, FormView):
    """Edit; a stale save is refused, the other person's values shown beside the kept input."""

    template_name = "interventions/intervention_edit.html"
    form_class = InterventionEditForm
    required_action = "change"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["team"] = self.intervention.team
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        return intervention_initial(self.intervention)

    def conflict_rows(self, current):
        links = selectors.intervention_links(user=self.request.user, intervention=current)
        period = " – ".join(
            date_format(day, "j F Y") if day else "…" for day in (current.start_date, current.end_date)
        )
        return [
            (_("Titel"), current.title),
            (_("Omschrijving"), current.description),
            (_("Thema"), current.get_theme_display()),
            (_("Gebieden"), ", ".join(f"{a.name} ({a.code})" for a in current.areas.order_by("code"))),
            (_("Trekker"), current.lead_organisation.name),
            (_("Partners"), ", ".join(o.name for o in current.partner_organisations.order_by("name"))),
            (_("Periode"), period),
            (_("Budget"), f"€ {floatformat(current.budget, '-2g')}" if current.budget is not None else ""),
            (_("Financier"), current.funder),
            (
                _("Indicatoren"),
                ", ".join(f"{i.name} ({i.key})" for i in links["indicators"]),
            ),
            (
                _("Afspraken"),
                ", ".join(f"{c.number} {c.text}".strip() for c in links["commitments"]),
            ),
        ]

    def perform(self, form):
        data = dict(form.cleaned_data)
        intervention = services.intervention_update(
            actor=self.request.user, intervention=self.intervention, **data
        )
        messages.success(self.request, _("De interventie is opgeslagen."))
        return intervention

    def get_success_url(self):
        return reverse("interventions:detail", args=[self.intervention.pk])


class StatusView(InterventionMixin, ServiceFormMixin, FormView):
    template_name = "interventions/status_form.html"
    form_class = StatusForm
    required_action = "change"
    conflict_fields = ("status", "stop_reason")

    def get_initial(self):
        return {"status": self.intervention.status, "version": self.intervention.version}

    def perform(self, form):
        data = form.cleaned_data
        intervention = services.intervention_change_status(
            actor=self.request.user,
            intervention=self.intervention,
            to_status=data["status"],
            reason=data["reason"],
            version=data["version"],
        )
        messages.success(self.request, _("De status is nu: %s.") % intervention.get_status_display())
        return intervention

    def get_success_url(self):
        return reverse("interventions:detail", args=[self.intervention.pk])


class InterventionDeleteView(InterventionMixin, TemplateView):
    template_name = "interventions/intervention_confirm_delete.html"
    required_action = "delete"

    def post(self, request, *args, **kwargs):
        title = self.intervention.title
        team_id = self.intervention.team_id
        try:
            services.intervention_delete(actor=request.user, intervention=self.intervention)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect("interventions:detail", pk=self.intervention.pk)
        messages.success(request, _("Interventie %s is verwijderd.") % title)
        return redirect("interventions:team", pk=team_id)


@login_required
def attachment_download(request, pk):
    """A file on the timeline, only for people who may see its intervention."""
    attachment = get_object_for(request.user, Attachment.objects.all(), pk=pk)
    return stored_file_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


# --- map -----------------------------------------------------------------------------


@login_required
def intervention_map(request):
    """The wijken of a gemeente coloured by their team's urgency in a year, with the number
    of interventions per wijk in a table beside the map (the same data, for keyboard and
    screen reader users)."""

    user = request.user
    code = (request.GET.get("gemeente") or home_gemeente_code(user=user)).strip().upper()
    year_text = (request.GET.get("year") or request.GET.get("jaar") or "").strip()
    years = selectors.assessed_years(user=user, gemeente_code=code) if code else []
    latest = years[0] if years else None
    chosen = year_text.isdigit()
    # Without a chosen year: the newest year in which a team of the gemeente recorded its
    # urgency (the calendar year often has none yet).
    year = int(year_text) if chosen else latest or timezone.localdate().year
    context = {
        "code": code,
        "year": year,
        "years": years,
        "latest": latest,
        "year_chosen": chosen,
        "gemeenten": selectors.team_gemeente_codes(user=user),
        "gemeente": None,
    }
    gemeenten = Area.objects.restrict(user, "view").filter(kind=AreaKind.GEMEENTE, code=code)
    # Drawn on the boundaries of that year, or the newest before it (or the oldest known).
    gemeente = (
        gemeenten.filter(year__lte=year).order_by("-year").first() or gemeenten.order_by("year").first()
        if code
        else None
    )
    if gemeente is None:
        return render(request, "interventions/map.html", context)
    rows = _map_rows(user, gemeente, year)
    context.update(
        gemeente=gemeente,
        rows=rows,
        has_urgency=any(row["urgency"] for row in rows),
        urgencies=Urgency.choices,
        # Each wijk's colour is a class of the stylesheet (the urgency's), which the map
        # puts on the wijk's shape: no style is written into the page.
        area_classes={row["code"]: f"wk-area--{row['urgency']}" for row in rows if row["urgency"]},
        map=_map(
            user=user,
            year=gemeente.year,
            label=_(
                "Kaart van de wijken van %(name)s, gekleurd naar urgentie in %(year)s; "
                "de tabel bevat dezelfde gegevens"
            )
            % {"name": gemeente.name, "year": year},
            bbox=area_selectors.bbox_of([gemeente]),
            level=AreaKind.WIJK,
            gemeente=gemeente.code,
        ),
    )
    return render(request, "interventions/map.html", context)


def _map(*, user, **kwargs):
    """The areas map include's settings (the areas pages' own map, reused)."""
    return map_context(user=user, **kwargs)


def _map_rows(user, gemeente, year):
    """Every land wijk of the gemeente (in its boundary year), and the gebieden that have
    a team, with the team's urgency of ``year`` and its number of interventions."""
    labels = dict(Urgency.choices)
    teams = {
        row["code"]: row for row in selectors.urgency_table(user=user, gemeente_code=gemeente.code, year=year)
    }
    wijken = (
        Area.objects.restrict(user, "view")
        .filter(kind=AreaKind.WIJK, parent=gemeente, is_water=False)
        .order_by("code")
        .values_list("code", "name")
    )
    rows = []
    for code, name in wijken:
        team = teams.pop(code, None) or {}
        rows.append(
            {
                "code": code,
                "name": name,
                "team_id": team.get("team_id"),
                "urgency": team.get("urgency"),
                "urgency_label": labels.get(team.get("urgency"), ""),
                "interventions": team.get("interventions", 0),
            }
        )
    for team in teams.values():  # gebieden (and wijken of other boundary years)
        rows.append({**team, "urgency_label": labels.get(team["urgency"], "")})
    return rows


# --- notification preference ---------------------------------------------------------


class PreferenceView(LoginRequiredMixin, ServiceFormMixin, FormView):
    template_name = "interventions/preference_form.html"
    form_class = PreferenceForm

    def get_initial(self):
        preference = selectors.notification_preference(user=self.request.user)
        return {"mode": preference.mode if preference else NotificationPreference.Mode.DIRECT}

    def perform(self, form):
        preference = services.preference_set(actor=self.request.user, mode=form.cleaned_data["mode"])
        messages.success(self.request, _("Uw voorkeur is opgeslagen: %s.") % preference.get_mode_display())
        return preference

    def get_success_url(self):
        return reverse("interventions:preferences")


# --- wijkgesprekken --------------------------------------------------------------------


class GesprekListView(TeamMixin, TemplateView):
    """A team's wijkgesprekken, newest first."""

    template_name = "interventions/gesprek_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        gesprekken = selectors.gesprek_list(user=self.request.user, team=self.team)
        context["page"] = Paginator(gesprekken, 20).get_page(self.request.GET.get("pagina"))
        return context


@login_required
def gesprek_export(request, pk, fmt):
    """A team's wijkgesprekken as CSV or Excel."""
    if fmt not in SHEET_FORMATS:
        raise Http404(_("Kies CSV of Excel."))
    team = selectors.team_detail(user=request.user, pk=pk)
    gesprekken = selectors.gesprek_list(user=request.user, team=team)
    return download(
        exports.render_gesprekken(gesprekken, fmt),
        fmt,
        dated_filename(f"wijkgesprekken-{team.area.code}", fmt),
    )


class GesprekCreateView(TeamMixin, ServiceFormMixin, FormView):
    template_name = "interventions/gesprek_form.html"
    form_class = WijkgesprekCreateForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.team = self.get_object()
            if not may_work_in(request.user, self.team):
                raise PermissionDenied(_("Trekkers en partners van het team leggen een wijkgesprek vast."))
        return super(TeamMixin, self).dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "team": self.team}

    def get_initial(self):
        today = timezone.localdate()
        return {
            "date": today,
            "year": today.year,
            "participants": [member.organisation for member in self.team.members.all()],
        }

    def perform(self, form):
        gesprek = services.wijkgesprek_create(actor=self.request.user, team=self.team, **form.cleaned_data)
        messages.success(self.request, _("Het wijkgesprek is vastgelegd."))
        return gesprek

    def get_success_url(self):
        return reverse("interventions:gesprek", args=[self.object.pk])


class GesprekMixin(RestrictedObjectMixin):
    object_selector = staticmethod(selectors.gesprek_get)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.gesprek = self.get_object()
            self.team = self.gesprek.team
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            gesprek=self.gesprek,
            team=self.team,
            can_change=allowed(self.request.user, "change", self.gesprek),
            **kwargs,
        )


class GesprekDetailView(GesprekMixin, TemplateView):
    """A wijkgesprek: its duiding, decisions and actions; team workers add actions and
    turn them into interventions here."""

    template_name = "interventions/gesprek_detail.html"

    def _interventions(self):
        return selectors.team_interventions_choice(user=self.request.user, team=self.team)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["can_change"]:
            interventions = self._interventions()
            context["action_form"] = kwargs.get("action_form") or GesprekActionForm(
                interventions=interventions
            )
            for action in self.gesprek.actions.all():
                action.link_form = GesprekActionLinkForm(
                    interventions=interventions,
                    initial={"intervention": action.intervention_id},
                    prefix=f"actie-{action.pk}",
                )
        context["entries"] = selectors.gesprek_history(gesprek=self.gesprek)
        return context

    def post(self, request, *args, **kwargs):
        """Add an action."""
        if not allowed(request.user, "change", self.gesprek):
            raise PermissionDenied(_("Trekkers en partners van het team vullen een wijkgesprek aan."))
        form = GesprekActionForm(request.POST, interventions=self._interventions())
        if form.is_valid():
            try:
                services.wijkgesprek_action_add(actor=request.user, gesprek=self.gesprek, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("De actie is toegevoegd."))
                return redirect(reverse("interventions:gesprek", args=[self.gesprek.pk]) + "#acties")
        return self.render_to_response(self.get_context_data(action_form=form), status=400)


class GesprekEditView(GesprekMixin, ServiceFormMixin, FormView):
    template_name = "interventions/gesprek_edit.html"
    form_class = WijkgesprekEditForm
    required_action = "change"
    conflict_fields = ("date", "year", "duiding", "decisions")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "team": self.team}

    def get_initial(self):
        gesprek = self.gesprek
        return {
            "date": gesprek.date,
            "year": gesprek.year,
            "participants": list(gesprek.participants.all()),
            "duiding": gesprek.duiding,
            "decisions": gesprek.decisions,
            "version": gesprek.version,
        }

    def perform(self, form):
        gesprek = services.wijkgesprek_update(
            actor=self.request.user, gesprek=self.gesprek, **form.cleaned_data
        )
        messages.success(self.request, _("Het wijkgesprek is opgeslagen."))
        return gesprek

    def get_success_url(self):
        return reverse("interventions:gesprek", args=[self.gesprek.pk])


class GesprekDeleteView(GesprekMixin, TemplateView):
    template_name = "interventions/gesprek_confirm_delete.html"
    required_action = "delete"

    def post(self, request, *args, **kwargs):
        services.wijkgesprek_delete(actor=request.user, gesprek=self.gesprek)
        messages.success(request, _("Het wijkgesprek is verwijderd."))
        return redirect("interventions:gesprekken", pk=self.team.pk)


@login_required
@require_POST
def gesprek_action_link(request, pk):
    """Point an action at an intervention of the team, or at none."""
    action = selectors.gesprek_action_get(user=request.user, pk=pk, action="change")
    team = action.gesprek.team
    form = GesprekActionLinkForm(
        request.POST,
        interventions=selectors.team_interventions_choice(user=request.user, team=team),
        prefix=f"actie-{action.pk}",
    )
    if not form.is_valid():
        messages.error(request, _("Kies een interventie van dit gebiedsteam."))
    else:
        try:
            services.wijkgesprek_action_link(
                actor=request.user, action=action, intervention=form.cleaned_data["intervention"]
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("De actie is bijgewerkt."))
    return redirect(reverse("interventions:gesprek", args=[action.gesprek_id]) + "#acties")


@login_required
@require_POST
def gesprek_action_remove(request, pk):
    action = selectors.gesprek_action_get(user=request.user, pk=pk, action="change")
    services.wijkgesprek_action_remove(actor=request.user, action=action)
    messages.success(request, _("De actie is verwijderd."))
    return redirect(reverse("interventions:gesprek", args=[action.gesprek_id]) + "#acties")


# --- sections of the area page (registered in apps.py) ----------------------------------------


def _area_context(request, area):
    """What the interventions sections of one area page share, read once per request."""
    cached = getattr(request, "_wijk_work", None)
    if cached is not None and cached["area"].pk == area.pk:
        return cached
    user = request.user
    teams = list(selectors.area_teams(user=user, area=area))
    context = {"area": area, "teams": teams}
    working = selectors.working_in(user=user, teams=teams)
    for team in teams:
        team.can_work = team.pk in working
        team.urgencies = list(selectors.urgency_history(user=user, team=team)[:5])
    context["working_teams"] = [team for team in teams if team.can_work]
    context["statuses"] = selectors.interventions_in_area_by_id(user=user, area=area)
    request._wijk_work = context
    return context


def area_team_section(request, area):
    """Urgency and team of the area, and what the person may do here."""
    if not request.user.is_authenticated:
        return None
    context = _area_context(request, area)
    if not context["teams"]:
        return None
    return render_section("interventions/_area_team.html", context, request)


def area_interventions_section(request, area):
    if not request.user.is_authenticated:
        return None
    context = dict(_area_context(request, area))
    rows, per_status, total = selectors.area_interventions(
        user=request.user, area=area, statuses=context["statuses"]
    )
    if not total and not context["teams"]:
        return None
    changeable = selectors.changeable_intervention_ids(user=request.user, ids=[row.pk for row in rows])
    for row in rows:
        row.can_change = row.pk in changeable
    context.update(interventions=rows, per_status=per_status, total=total)
    return render_section("interventions/_area_interventions.html", context, request)


def area_gesprekken_section(request, area):
    if not request.user.is_authenticated:
        return None
    context = dict(_area_context(request, area))
    if not context["teams"]:
        return None
    context["gesprekken"] = selectors.team_gesprekken(user=request.user, teams=context["teams"])
    return render_section("interventions/_area_gesprekken.html", context, request)


def area_activity_section(request, area):
    if not request.user.is_authenticated:
        return None
    context = dict(_area_context(request, area))
    entries = selectors.area_activity(
        user=request.user, teams=context["teams"], area=area, statuses=context["statuses"]
    )
    if not entries:
        return None
    context["entries"] = entries
    return render_section("interventions/_area_activity.html", context, request)


# --- the start page (registered in apps.py) --------------------------------------------------


def start_section(request, _subject=None):
    """The person's teams (wijk, urgency, last wijkgesprek) and the interventions they
    lead that have had no update for a long time; None when they are in no team."""
    user = request.user
    teams = list(selectors.start_teams(user=user))
    stale = list(selectors.stale_led_interventions(user=user, today=timezone.localdate()))
    if not teams and not stale:
        return None
    newest = area_selectors.newest_years(codes=[team.area.code for team in teams]) if teams else {}
    for team in teams:
        team.page_year = (
            team.area.year
            if team.area.kind == AreaKind.GEBIED
            else newest.get(team.area.code, team.area.year)
        )
    return render_section(
        "interventions/_start_section.html",
        {"teams": teams, "stale": stale, "stale_days": selectors.STALE_AFTER_DAYS},
        request,
    )
