from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Jaarbeeld")

    def ready(self):
        from areas import panels
        from reports import views

        panels.register(
            key="reports-link", order=1, render=views.area_link_section, kinds=views.AREA_LINK_KINDS
        )
