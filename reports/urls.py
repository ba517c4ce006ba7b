from django.urls import path

from reports import urls_exports, views

app_name = "reports"

urlpatterns = [
    # Export files first: "bestanden/<pk>/" would otherwise read as a code and a year.
    *urls_exports.urlpatterns,
    path("", views.report_index, name="index"),
    path("<str:code>/", views.report_choose, name="choose"),
    path("<str:code>/<int:year>/", views.report_page, name="report"),
]
