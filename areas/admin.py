"""Read-only views in the technical admin: areas change through imports and the gebied
pages, so every rule and the history apply."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from areas.models import Area, BoundaryImport
from core.admin import ReadOnlyAdminMixin


@admin.register(Area)
class AreaAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "year", "gemeente_code", "is_water"]
    list_filter = ["year", "kind", "is_water"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    exclude = ["geometry", "shape_land", "shape_regio", "shape_stad", "members"]
    raw_id_fields = ["parent"]


@admin.register(BoundaryImport)
class BoundaryImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
