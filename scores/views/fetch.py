"""The page where platform admins fetch a year of CBS kerncijfers from CBS StatLine."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView

from core.permissions import is_platform_admin
from core.views import ServiceFormMixin
from scores import statline
from scores.forms.fetch import CbsFetchForm
from scores.services import fetch as services


class CbsFetchView(LoginRequiredMixin, ServiceFormMixin, FormView):
    """Start a fetch; the job page that follows shows its progress and report."""

    template_name = "scores/fetch_form.html"
    form_class = CbsFetchForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_platform_admin(request.user):
            raise PermissionDenied(_("Alleen platformbeheerders halen de kerncijfers op bij het CBS."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tables=sorted(statline.TABLES.items()), **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        return services.cbs_fetch_start(
            actor=self.request.user,
            year=data["year"],
            gemeenten=[data["gemeenten"]],
            dry_run=data["dry_run"],
            mode=data["mode"],
        )

    def get_success_url(self):
        return reverse("scores:import-detail", kwargs={"pk": self.object.pk})
