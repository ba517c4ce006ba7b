from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.models import SignInEvent, User


class ReadOnlyAdminMixin:
    """The Django admin is for platform staff to look; writes go through the product's
    pages and services so every rule and the audit trail apply."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_platform_admin", "is_staff", "is_active"]
    list_filter = ["is_platform_admin", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Persoon"), {"fields": ["full_name"]}),
        (_("Rechten"), {"fields": ["is_active", "is_platform_admin", "is_staff", "is_superuser"]}),
        (_("Data"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(SignInEvent)
class SignInEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The sign-in audit log, to read only: it is written by the sign-in itself."""

    list_display = ["created_at", "kind", "email", "actor", "ip_address"]
    list_filter = ["kind"]
    search_fields = ["email", "ip_address"]
    date_hierarchy = "created_at"
