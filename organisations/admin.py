from django.contrib import admin
from guardian.admin import GuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin
from organisations.models import Invitation, Membership, Organisation


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdminMixin, GuardedModelAdmin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "gemeente_code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "gemeente_code"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__email", "organisation__name"]
    list_select_related = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["email", "organisation", "role", "status", "expires_at"]
    list_filter = ["status", "role"]
    search_fields = ["email", "organisation__name"]
