from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from areas.models import Area, BoundaryImport


class ReadOnlyAdmin(admin.ModelAdmin):
    """To look only: areas change through imports and the gebied pages, so every rule
    and the history apply."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "year", "gemeente_code", "is_water"]
    list_filter = ["year", "kind", "is_water"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    exclude = ["geometry", "shape_land", "shape_regio", "shape_stad", "members"]
    raw_id_fields = ["parent"]


@admin.register(BoundaryImport)
class BoundaryImportAdmin(ReadOnlyAdmin):
    list_display = [
        "original_name",
        "year",
        "status",
        "progress",
        "created",
        "changed",
        "unchanged",
        "created_at",
    ]
    list_filter = ["status", "year", "dry_run"]
    search_fields = ["original_name"]
    list_select_related = ["started_by"]
