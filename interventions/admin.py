"""Read-only views in the technical admin: teams, urgency and interventions change only
through the services, so every rule, notification and the history apply."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin
from interventions.models import (
    AreaTeam,
    Attachment,
    Intervention,
    NotificationPreference,
    ProgressUpdate,
    TeamMember,
    UrgencyAssessment,
)


class TeamMemberInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TeamMember
    fields = ["organisation", "role", "version"]
    readonly_fields = fields
    extra = 0


@admin.register(AreaTeam)
class AreaTeamAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "area", "created_at", "version"]
    list_select_related = ["area"]
    search_fields = ["name", "area__code", "area__name"]
    raw_id_fields = ["area", "created_by"]
    inlines = [TeamMemberInline]


@admin.register(UrgencyAssessment)
class UrgencyAssessmentAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["team", "year", "urgency", "assessed_by", "updated_at"]
    list_filter = ["year", "urgency"]
    list_select_related = ["team", "assessed_by"]
    search_fields = ["team__name", "team__area__code"]


class ProgressUpdateInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ProgressUpdate
    fields = ["date", "text", "progress", "status_from", "status_to", "author"]
    readonly_fields = fields
    extra = 0


@admin.register(Intervention)
class InterventionAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "title",
        "team",
        "theme",
        "status",
        "lead_organisation",
        "start_date",
        "end_date",
        "budget",
    ]
    list_filter = ["status", "theme"]
    list_select_related = ["team", "lead_organisation"]
    search_fields = ["title", "description", "team__name"]
    raw_id_fields = ["team", "lead_organisation", "created_by"]
    filter_horizontal = []
    inlines = [ProgressUpdateInline]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "content_type", "size", "update", "uploaded_by", "created_at"]
    list_select_related = ["update", "uploaded_by"]
    search_fields = ["original_name"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "mode", "last_digest_at"]
    list_filter = ["mode"]
    list_select_related = ["user"]
