from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Prestatieafspraken")

    def ready(self):
        from agreements.views import area_section, start_section
        from areas import panels
        from core import sections

        # The commitments that name a wijk, gebied or buurt, on that area's page.
        panels.register(key="agreements", order=40, render=area_section, kinds=panels.ALL_BUT_GEMEENTE)
        # What waits for the person (reports to review or revise, deadlines) on the start page.
        sections.register(page="home", key="agreements", order=20, render=start_section)
