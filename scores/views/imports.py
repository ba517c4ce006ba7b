"""Pages for importing indicator files: the list of imports, the upload form, a job's
progress and report, and the Aedes veerkracht template."""

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from core.views import ServiceFormMixin, import_job_views
from scores.forms.imports import ScoreImportForm
from scores.models import SourceKind
from scores.selectors import imports as selectors
from scores.services import imports as services

TEMPLATE_FILE = Path(__file__).resolve().parent.parent / "static" / "scores" / "aedes-veerkracht-sjabloon.csv"


class ScoreImportListView(LoginRequiredMixin, TemplateView):
    """The imports the user may see, newest first."""

    template_name = "scores/import_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        page = Paginator(selectors.score_import_list(user=user), 25).get_page(self.request.GET.get("pagina"))
        can_import = selectors.importable_sources(user=user).exists()
        return super().get_context_data(page=page, can_import=can_import, **kwargs)


class ScoreImportCreateView(LoginRequiredMixin, ServiceFormMixin, FormView):
    """Upload a file into a source. Without any source to import into, the page explains
    who may import instead of showing a form."""

    template_name = "scores/import_form.html"
    form_class = ScoreImportForm

    def get_sources(self):
        return selectors.importable_sources(user=self.request.user)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "sources": self.get_sources()}

    def get_initial(self):
        # The source asked for (?bron=), else the first in the list; its own file shape.
        source_id = self.request.GET.get("bron", "")
        source = self.get_sources().filter(pk=source_id).first() if source_id.isdigit() else None
        source = source or self.get_sources().first()
        if source is None:
            return {"file_format": SourceKind.CBS_KWB}
        return {"source": source, "file_format": source.kind}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            has_sources=self.get_sources().exists(),
            formats=SourceKind.choices,
            max_mb=services.max_upload_bytes() // services.MB,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not self.get_sources().exists():
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        try:
            return services.score_import_start(
                actor=self.request.user,
                source=data["source"],
                file_format=data["file_format"],
                uploaded_file=data["file"],
                year=data["year"],
                dry_run=data["dry_run"],
                mode=data["mode"],
            )
        except PermissionDenied as exc:
            # The source list only holds importable sources; rights may have changed since.
            raise ValidationError({"source": str(exc)}) from exc

    def get_success_url(self):
        return reverse("scores:import-detail", kwargs={"pk": self.object.pk})


score_import_detail, score_import_status = import_job_views(
    selectors.score_import_get,
    template="scores/import_detail.html",
    status_template="scores/import_status.html",
)


@login_required
def score_import_template(request):
    """The documented CSV template for an Aedes veerkracht file."""
    response = HttpResponse(TEMPLATE_FILE.read_bytes(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="aedes-veerkracht-sjabloon.csv"'
    return response
