from django.urls import path

from areas import views

app_name = "areas"

urlpatterns = [
    path("", views.AreaIndexView.as_view(), name="index"),
    path("zoeken/", views.search, name="search"),
    path("geopackage/", views.area_geopackage, name="geopackage"),
    path("importeren/", views.BoundaryImportView.as_view(), name="import"),
    path("importeren/ophalen/", views.BoundaryFetchView.as_view(), name="fetch"),
    path("importeren/<int:pk>/", views.boundary_import_detail, name="import-detail"),
    path("importeren/<int:pk>/voortgang/", views.boundary_import_status, name="import-status"),
    path("<int:year>/<str:code>/", views.area_detail, name="detail"),
    path("<int:year>/<str:code>/nieuw-gebied/", views.GebiedCreateView.as_view(), name="gebied-create"),
    path("<int:year>/<str:code>/bewerken/", views.GebiedUpdateView.as_view(), name="gebied-edit"),
    path("<int:year>/<str:code>/verwijderen/", views.GebiedDeleteView.as_view(), name="gebied-delete"),
]
