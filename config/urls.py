from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView, TemplateView
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from agreements.api.views import (
    AgreementPartyViewSet,
    AgreementViewSet,
    BodViewSet,
    CommitmentViewSet,
    MonitoringReportViewSet,
)
from areas.api.views import AreaViewSet, BoundaryImportViewSet
from core.api.views import ApiDocsView, NotificationViewSet
from core.forms import (
    EmailAuthenticationForm,
    StyledPasswordChangeForm,
    StyledPasswordResetForm,
    StyledSetPasswordForm,
)
from core.views import (
    AccountSecurityView,
    ApiTokenView,
    NotificationListView,
    SecondFactorResetView,
    SecondFactorSetupView,
    SecondFactorView,
    health,
)
from interventions.api.views import (
    AreaTeamViewSet,
    AttachmentViewSet,
    InterventionViewSet,
    ProgressUpdateViewSet,
    TeamMemberViewSet,
    UrgencyAssessmentViewSet,
    WijkgesprekViewSet,
)
from organisations import views as organisation_views
from organisations.api.views import InvitationViewSet, MembershipViewSet, OrganisationViewSet
from portfolio.api.views import ComplexImportViewSet, ComplexStrategyViewSet, ComplexViewSet, ProjectionView
from reports.api_exports import YearReportExportViewSet

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("areas", AreaViewSet, basename="area")
router.register("boundary-imports", BoundaryImportViewSet, basename="boundary-import")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("agreement-parties", AgreementPartyViewSet, basename="agreement-party")
router.register("commitments", CommitmentViewSet, basename="commitment")
router.register("boden", BodViewSet, basename="bod")
router.register("monitoring-reports", MonitoringReportViewSet, basename="monitoring-report")
router.register("teams", AreaTeamViewSet, basename="team")
router.register("team-members", TeamMemberViewSet, basename="team-member")
router.register("urgency-assessments", UrgencyAssessmentViewSet, basename="urgency-assessment")
router.register("interventions", InterventionViewSet, basename="intervention")
router.register("progress-updates", ProgressUpdateViewSet, basename="progress-update")
router.register("attachments", AttachmentViewSet, basename="attachment")
router.register("wijkgesprekken", WijkgesprekViewSet, basename="wijkgesprek")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("year-report-exports", YearReportExportViewSet, basename="year-report-export")
router.register("complexes", ComplexViewSet, basename="complex")
router.register("complex-strategies", ComplexStrategyViewSet, basename="complex-strategy")
router.register("complex-imports", ComplexImportViewSet, basename="complex-import")

account_urls = [
    path(
        "inloggen/",
        auth_views.LoginView.as_view(
            authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    # The second step after the password; both pages stay open to a person who has not
    # passed it yet (core.middleware.SecondFactorMiddleware).
    path("tweede-stap/", SecondFactorView.as_view(), name="second-factor"),
    path("tweede-stap/instellen/", SecondFactorSetupView.as_view(), name="second-factor-setup"),
    path("beveiliging/", AccountSecurityView.as_view(), name="account-security"),
    path("beveiliging/terugzetten/", SecondFactorResetView.as_view(), name="second-factor-reset"),
    path(
        "wachtwoord-vergeten/",
        auth_views.PasswordResetView.as_view(form_class=StyledPasswordResetForm),
        name="password_reset",
    ),
    path(
        "wachtwoord-vergeten/verstuurd/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "wachtwoord-herstellen/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=StyledSetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "wachtwoord-herstellen/klaar/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("api-sleutel/", ApiTokenView.as_view(), name="api-token"),
    path(
        "wachtwoord-wijzigen/",
        auth_views.PasswordChangeView.as_view(form_class=StyledPasswordChangeForm),
        name="password_change",
    ),
    path(
        "wachtwoord-wijzigen/klaar/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]

urlpatterns = [
    path("", organisation_views.home, name="home"),
    # Browsers ask for /favicon.ico on their own; the icon is an SVG among the static files.
    path("favicon.ico", RedirectView.as_view(url=lazy(static_url, str)("img/favicon.svg"))),
    path("meldingen/", NotificationListView.as_view(), name="notifications"),
    path("over/", TemplateView.as_view(template_name="core/about.html"), name="about"),
    path("account/", include(account_urls)),
    path("organisaties/", include("organisations.urls")),
    path("gebieden/", include("areas.urls")),
    path("interventies/", include("interventions.urls")),
    path("afspraken/", include("agreements.urls")),
    path("scores/", include("scores.urls")),
    path("jaarbeeld/", include("reports.urls")),
    path("portefeuille/", include("portfolio.urls")),
    path("ogc/", include("ogc.urls")),
    path("api/v1/", include("scores.api.urls")),
    path("api/v1/", include("reports.api.urls")),
    path("api/v1/portfolios/<slug:slug>/projection/", ProjectionView.as_view(), name="portfolio-projection"),
    path("api/v1/", include(router.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", ApiDocsView.as_view(), name="api-docs"),
    path("api/v1/docs/<slug:tag>/", ApiDocsView.as_view(), name="api-docs-tag"),
    path("api/v1/auth/", include("rest_framework.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", health, name="health"),
    path("beheer/django/", admin.site.urls),
]

# Uploaded files are never served from /media/, not even with DEBUG on: only through
# the download views, which check the rights on the object the file belongs to.
handler500 = "core.faults.server_error"
