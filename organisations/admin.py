from django.contrib import admin
from guardian.admin import GuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from organisations.models import Invitation, Membership, Organisation


class ReadOnlyInDomainMixin:
    """The Django admin is for platform staff to look; writes go through the product's
    pages so every rule and the audit trail apply."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyInDomainMixin, GuardedModelAdmin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "gemeente_code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "gemeente_code"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyInDomainMixin, SimpleHistoryAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__email", "organisation__name"]
    list_select_related = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyInDomainMixin, SimpleHistoryAdmin):
    list_display = ["email", "organisation", "role", "status", "expires_at"]
    list_filter = ["status", "role"]
    search_fields = ["email", "organisation__name"]
