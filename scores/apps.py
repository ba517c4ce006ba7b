from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoresConfig(AppConfig):
    name = "scores"
    verbose_name = _("Scores")

    def ready(self):
        from areas import panels
        from scores.views import maps

        panels.register(key="scores-summary", order=20, render=maps.area_section, kinds=panels.WIJK_LIKE)
