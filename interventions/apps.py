from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterventionsConfig(AppConfig):
    name = "interventions"
    verbose_name = _("Interventies")

    def ready(self):
        from areas import panels
        from core import sections
        from interventions import views

        panels.register(
            key="interventions-team", order=10, render=views.area_team_section, kinds=panels.ALL_BUT_GEMEENTE
        )
        panels.register(key="interventions-list", order=30, render=views.area_interventions_section)
        panels.register(key="interventions-gesprekken", order=50, render=views.area_gesprekken_section)
        panels.register(key="interventions-activity", order=60, render=views.area_activity_section)
        sections.register(page="home", key="interventions", order=30, render=views.start_section)
