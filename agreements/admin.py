"""Read-only admin for prestatieafspraken: platform staff look here; every change goes
through the services so the workflow rules and the audit trail apply."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from agreements.models import (
    Agreement,
    AgreementParty,
    Amendment,
    Bod,
    Commitment,
    GemeenteCalendar,
    MonitoringComment,
    MonitoringReport,
    ReminderSent,
)
from core.admin import ReadOnlyAdminMixin


class PartyInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AgreementParty
    fields = ["organisation", "role", "signed_at", "signed_by"]
    readonly_fields = fields
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "gemeente_code", "start_year", "end_year", "status"]
    list_filter = ["status", "start_year"]
    search_fields = ["title", "gemeente_code"]
    inlines = [PartyInline]


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["agreement", "year", "status", "opened_by", "closed_at"]
    list_filter = ["status", "year"]
    list_select_related = ["agreement", "opened_by"]


@admin.register(Bod)
class BodAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["corporation", "gemeente_code", "year", "status", "submitted_at", "submitted_late"]
    list_filter = ["status", "year", "submitted_late"]
    search_fields = ["corporation__name", "gemeente_code"]
    list_select_related = ["corporation"]


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "agreement",
        "bod",
        "theme",
        "responsible",
        "target_value",
        "target_year",
        "is_disputed",
    ]
    list_filter = ["theme", "is_disputed"]
    search_fields = ["text", "number", "agreement__title"]
    list_select_related = ["agreement", "bod__corporation", "responsible"]
    raw_id_fields = ["areas"]


@admin.register(MonitoringReport)
class MonitoringReportAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["commitment", "year", "progress", "state", "submitted_at", "reviewed_at"]
    list_filter = ["state", "progress", "year"]
    search_fields = ["commitment__text", "commitment__agreement__title"]
    list_select_related = ["commitment"]


@admin.register(MonitoringComment)
class MonitoringCommentAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["report", "organisation", "author", "created_at"]
    list_select_related = ["report__commitment", "organisation", "author"]


@admin.register(GemeenteCalendar)
class GemeenteCalendarAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "gemeente_code",
        "bod_month",
        "bod_day",
        "signing_month",
        "signing_day",
        "reminder_days_ahead",
    ]
    search_fields = ["gemeente_code"]


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["kind", "object_key", "due_date", "recipient", "sent_at"]
    list_filter = ["kind", "due_date"]
    list_select_related = ["recipient"]
