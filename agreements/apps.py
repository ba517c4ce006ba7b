from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Prestatieafspraken")

    def ready(self):
        from agreements.views import area_section
        from areas import panels

        # The commitments that name a wijk, gebied or buurt, on that area's page.
        panels.register(key="agreements", order=40, render=area_section, kinds=panels.ALL_BUT_GEMEENTE)
