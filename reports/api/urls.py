"""API routes of the year report, mounted under /api/v1/."""

from django.urls import path

from reports.api.views import YearReportView

urlpatterns = [
    path("jaarbeeld/<str:code>/<int:year>/", YearReportView.as_view(), name="year-report"),
]
