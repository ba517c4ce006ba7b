from django.urls import path

from interventions import views

app_name = "interventions"

urlpatterns = [
    path("", views.InterventionListView.as_view(), name="list"),
    path("nieuw/", views.InterventionCreateView.as_view(), name="create"),
    path("kaart/", views.intervention_map, name="map"),
    path("exporteren.<str:fmt>", views.intervention_export, name="export"),
    path("importeren/", views.ImportView.as_view(), name="import"),
    path("importeren/sjabloon.<str:fmt>", views.import_template, name="import-template"),
    path("importeren/<int:pk>/", views.import_detail, name="import-detail"),
    path("importeren/<int:pk>/voortgang/", views.import_status, name="import-status"),
    path("e-mailvoorkeur/", views.PreferenceView.as_view(), name="preferences"),
    path("bijlage/<int:pk>/", views.attachment_download, name="attachment"),
    path("<int:pk>/", views.InterventionDetailView.as_view(), name="detail"),
    path("<int:pk>/evaluatie/", views.intervention_evaluation_part, name="evaluation"),
    path("<int:pk>/bewerken/", views.InterventionEditView.as_view(), name="edit"),
    path("<int:pk>/status/", views.StatusView.as_view(), name="status"),
    path("<int:pk>/verwijderen/", views.InterventionDeleteView.as_view(), name="delete"),
    path("teams/", views.TeamListView.as_view(), name="teams"),
    path("teams/nieuw/", views.TeamCreateView.as_view(), name="team-create"),
    path("teams/<int:pk>/", views.TeamDetailView.as_view(), name="team"),
    path("teams/<int:pk>/bewerken/", views.TeamEditView.as_view(), name="team-edit"),
    path("teams/<int:pk>/leden/", views.TeamMembersView.as_view(), name="team-members"),
    path("teams/<int:pk>/urgentie/", views.UrgencyView.as_view(), name="urgency"),
    path("teams/<int:pk>/geschiedenis/", views.TeamHistoryView.as_view(), name="team-history"),
    path("teams/<int:pk>/wijkgesprekken/", views.GesprekListView.as_view(), name="gesprekken"),
    path("teams/<int:pk>/wijkgesprekken/nieuw/", views.GesprekCreateView.as_view(), name="gesprek-create"),
    path("teams/<int:pk>/wijkgesprekken/exporteren.<str:fmt>", views.gesprek_export, name="gesprek-export"),
    path("wijkgesprekken/<int:pk>/", views.GesprekDetailView.as_view(), name="gesprek"),
    path("wijkgesprekken/<int:pk>/bewerken/", views.GesprekEditView.as_view(), name="gesprek-edit"),
    path("wijkgesprekken/<int:pk>/verwijderen/", views.GesprekDeleteView.as_view(), name="gesprek-delete"),
    path("wijkgesprekken/actie/<int:pk>/koppelen/", views.gesprek_action_link, name="gesprek-action-link"),
    path(
        "wijkgesprekken/actie/<int:pk>/verwijderen/",
        views.gesprek_action_remove,
        name="gesprek-action-remove",
    ),
    path("teams/lid/<int:pk>/rol/", views.team_member_role, name="team-member-role"),
    path("teams/lid/<int:pk>/verwijderen/", views.team_member_remove, name="team-member-remove"),
]
