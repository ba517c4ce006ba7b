"""Monitoring: the report form, review and comments, the deadline calendar and the review
queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView

from agreements import selectors, services
from agreements.formatting import format_number
from agreements.forms import (
    CalendarForm,
    CommentForm,
    MonitoringForm,
    ReviewForm,
)
from agreements.models import (
    MonitoringReport,
)
from agreements.views.commitments import CommitmentMixin
from agreements.views.common import GEMEENTE_CODE, REVIEW_PAGE_SIZE, gemeente_name, own_org_ids, report_for
from core.exceptions import ConflictError
from core.views import ConflictMixin, add_service_errors, error_text
from organisations.selectors import home_gemeente_code


class MonitoringFormView(CommitmentMixin, ConflictMixin, FormView):
    """The responsible party reports on a commitment for one year: save a draft, submit."""

    def conflict_rows(self, current):
        return [
            (_("Gerealiseerd"), format_number(current.realised_value)),
            (_("Stand"), current.get_progress_display()),
            (_("Toelichting"), current.explanation),
        ]

    template_name = "agreements/monitoring_form.html"
    form_class = MonitoringForm

    def setup_report(self):
        year = int(self.kwargs["year"])
        agreement = self.agreement
        if agreement is None or not agreement.start_year <= year <= agreement.end_year:
            raise Http404(_("Dit jaar valt buiten de looptijd van de prestatieafspraak."))
        if self.commitment.responsible_id not in own_org_ids(self.request.user, "change"):
            raise PermissionDenied(
                _("Alleen de verantwoordelijke partij (%s) rapporteert over deze afspraak.")
                % self.commitment.responsible.name
            )
        self.year = year
        self.report = self.commitment.reports.filter(year=year).first()

    def get(self, request, *args, **kwargs):
        self.setup_report()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_report()
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        r = self.report
        if r is None:
            return {}
        return {
            "realised_value": r.realised_value,
            "progress": r.progress,
            "explanation": r.explanation,
            "version": r.version,
        }

    def get_context_data(self, **kwargs):
        editable = self.report is None or self.report.state in (
            MonitoringReport.State.DRAFT,
            MonitoringReport.State.RETURNED,
        )
        return super().get_context_data(year=self.year, report=self.report, editable=editable, **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        submit = "indienen" in self.request.POST
        try:
            report = services.report_save_draft(
                actor=self.request.user,
                commitment=self.commitment,
                year=self.year,
                version=version if self.report is not None else None,
                **data,
            )
            if submit:
                report = services.report_submit(
                    actor=self.request.user, report=report, version=report.version
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        except ConflictError as exc:
            return self.conflict_response(form, exc)
        if submit:
            messages.success(
                self.request, _("De monitoring over %s is ingediend ter beoordeling.") % self.year
            )
        else:
            messages.success(self.request, _("Het concept is opgeslagen. Dien het in als het klaar is."))
        return HttpResponseRedirect(
            reverse("agreements:commitment", args=[self.commitment.pk]) + f"#jaar-{self.year}"
        )


@login_required
@require_POST
def report_review(request, pk):
    """The gemeente party approves a submitted report or returns it with a comment.

    With htmx (the reviewer's dashboard) the answer is the updated row only.
    """
    report = report_for(request, pk)
    form = ReviewForm(request.POST)
    htmx = request.headers.get("HX-Request") == "true"
    error = ""
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "goedkeuren":
                services.report_approve(
                    actor=request.user, report=report, comment=form.cleaned_data["comment"]
                )
                done = _("De monitoring is goedgekeurd.")
            else:
                services.report_return(
                    actor=request.user, report=report, comment=form.cleaned_data["comment"]
                )
                done = _("De monitoring is teruggestuurd voor herziening.")
        except ValidationError as exc:
            error = error_text(exc)
        else:
            if htmx:
                report.refresh_from_db()
                return render(request, "agreements/_review_row.html", {"report": report, "done": done})
            messages.success(request, done)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if htmx:
        return render(
            request,
            "agreements/_review_row.html",
            {"report": report, "form": form, "error": error},
            status=400,
        )
    if error:
        messages.error(request, error)
    nxt = request.POST.get("next", "")
    if nxt == "dashboard":
        return redirect("agreements:reviewer-queue")
    return HttpResponseRedirect(
        reverse("agreements:commitment", args=[report.commitment_id]) + f"#jaar-{report.year}"
    )


@login_required
@require_POST
def report_comment(request, pk):
    report = report_for(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Schrijf een opmerking."))
    else:
        try:
            services.report_comment(actor=request.user, report=report, text=form.cleaned_data["text"])
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Uw opmerking is geplaatst."))
    return HttpResponseRedirect(
        reverse("agreements:commitment", args=[report.commitment_id]) + f"#jaar-{report.year}"
    )


class CalendarView(LoginRequiredMixin, ConflictMixin, FormView):
    """A gemeente's yearly deadlines (bod, signing, monitoring, review) with the next due
    dates. Everyone signed in reads them; the gemeente's beheerders set them."""

    template_name = "agreements/calendar.html"
    form_class = CalendarForm
    conflict_fields = services.CALENDAR_FIELDS

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            code = (request.GET.get("gemeente") or request.POST.get("gemeente") or "").strip().upper()
            if code and not GEMEENTE_CODE.fullmatch(code):
                messages.error(request, _("Kies een gemeente uit de lijst."))
                code = ""
            if not code:
                code = home_gemeente_code(user=request.user)
            self.gemeente_code = code
            self.gemeente_name = gemeente_name(request.user, code) if code else ""
            self.calendar = selectors.calendar_get(user=request.user, gemeente_code=code)
            self.can_change = bool(code) and services.calendar_can_change(request.user, code)
            if request.method == "POST" and not self.can_change:
                raise PermissionDenied(_("Alleen beheerders van de gemeente stellen haar termijnen vast."))
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        deadlines = services.deadlines_for(self.gemeente_code) if self.gemeente_code else None
        if deadlines is None:
            return {}
        return {
            "bod_month": deadlines.bod[0],
            "bod_day": deadlines.bod[1],
            "signing_month": deadlines.signing[0],
            "signing_day": deadlines.signing[1],
            "monitoring_month": deadlines.monitoring[0],
            "monitoring_day": deadlines.monitoring[1],
            "review_month": deadlines.review[0],
            "review_day": deadlines.review[1],
            "reminder_days_ahead": deadlines.reminder_days_ahead,
            "version": self.calendar.version if self.calendar else None,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The gemeenten the person works with, by name; a code given in the address (any
        # gemeente's deadlines may be read) is among the options too.
        codes = set(selectors.calendar_gemeenten(user=self.request.user))
        if self.gemeente_code:
            codes.add(self.gemeente_code)
        context.update(
            gemeente_code=self.gemeente_code,
            gemeente_name=self.gemeente_name,
            gemeenten=selectors.gemeente_choices(user=self.request.user, codes=codes),
            calendar=self.calendar,
            can_change=self.can_change,
        )
        if self.gemeente_code:
            deadlines = services.deadlines_for(self.gemeente_code)
            today = timezone.localdate()

            def upcoming(due_for):
                # The first year whose deadline is today or later.
                year = today.year - 2
                while due_for(year) < today:
                    year += 1
                return year, due_for(year)

            rows = []
            for label, due_for in [
                (_("Bod voor %(year)s"), deadlines.bod_due),
                (_("Ondertekenen van afspraken die in %(year)s ingaan"), deadlines.signing_due),
                (_("Monitoring over %(year)s indienen"), deadlines.monitoring_due),
                (_("Monitoring over %(year)s beoordelen"), deadlines.review_due),
            ]:
                year, date = upcoming(due_for)
                rows.append((label % {"year": year}, date))
            context["due"] = sorted(rows, key=lambda row: row[1])
            context["reminder_days_ahead"] = deadlines.reminder_days_ahead
        return context

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.calendar_save(
                actor=self.request.user, gemeente_code=self.gemeente_code, version=version, **data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        except ConflictError as exc:
            return self.conflict_response(form, exc)
        messages.success(self.request, _("De termijnen van %s zijn opgeslagen.") % self.gemeente_name)
        return HttpResponseRedirect(f"{reverse('agreements:calendar')}?gemeente={self.gemeente_code}")


class ReviewQueueView(LoginRequiredMixin, TemplateView):
    """'Wacht op beoordeling': submitted reports of the agreements where the user's
    gemeente is a party."""

    template_name = "agreements/review_queue.html"

    def get_context_data(self, **kwargs):
        reports = selectors.reviewer_queue(user=self.request.user)
        # Every row carries its own review form: a shorter page keeps it quick to use.
        page = Paginator(reports, REVIEW_PAGE_SIZE).get_page(self.request.GET.get("pagina"))
        return super().get_context_data(page=page, review_form=ReviewForm(), **kwargs)
