from django.urls import path, re_path

from organisations import views

app_name = "organisations"

# The fixed first parts of these paths are organisations.models.RESERVED_SLUGS: no
# organisation's slug takes one of them.
urlpatterns = [
    path("", views.OrganisationListView.as_view(), name="list"),
    path("nieuw/", views.OrganisationCreateView.as_view(), name="create"),
    path("uitnodiging/<str:token>/", views.invitation_accept, name="invitation-accept"),
    re_path(
        r"^uitnodiging/(?P<pk>\d+)/(?P<action>opnieuw|intrekken)/$",
        views.invitation_action,
        name="invitation-action",
    ),
    path("lidmaatschap/<int:pk>/rol/", views.membership_role, name="membership-role"),
    path("lidmaatschap/<int:pk>/verwijderen/", views.membership_remove, name="membership-remove"),
    path("<slug:slug>/", views.OrganisationDetailView.as_view(), name="detail"),
    path("<slug:slug>/bewerken/", views.OrganisationEditView.as_view(), name="edit"),
    path("<slug:slug>/mensen/", views.MemberListView.as_view(), name="members"),
    path("<slug:slug>/geschiedenis/", views.OrganisationHistoryView.as_view(), name="history"),
    path("<slug:slug>/beheerder-aanstellen/", views.appoint_beheerder, name="appoint-beheerder"),
]
