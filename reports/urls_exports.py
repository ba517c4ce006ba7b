"""The addresses of the year report's export files (included by ``reports.urls``)."""

from django.urls import path

from reports import views_exports

urlpatterns = [
    path("<str:code>/<int:year>/bestand/", views_exports.export_request, name="export-request"),
    path("bestanden/<int:pk>/", views_exports.export_detail, name="export-detail"),
    path("bestanden/<int:pk>/voortgang/", views_exports.export_status, name="export-status"),
    path("bestanden/<int:pk>/download/", views_exports.export_download, name="export-download"),
]
