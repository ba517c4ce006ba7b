"""Technical admin for scores: to look, not to edit. Sources, indicators and models
change through their pages and services, so every rule (licence, sharing, versions,
recomputation) and the history apply. Licensed data stays with the organisations it is
shared with here too: every list starts from ``restrict()``, platform admins included."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin
from scores.models import Indicator, IndicatorValue, ModelIndicator, Score, ScoreImport, ScoreModel, Source


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")


@admin.register(Source)
class SourceAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "is_licensed", "owner_organisation", "updated_at"]
    list_filter = ["kind", "is_licensed"]
    search_fields = ["name"]
    list_select_related = ["owner_organisation"]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["key", "name", "source", "unit", "direction", "aggregation", "is_key"]
    list_filter = ["direction", "aggregation", "is_key"]
    search_fields = ["key", "name"]
    list_select_related = ["source"]


class ModelIndicatorInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ModelIndicator
    extra = 0
    fields = ["indicator", "weight", "role"]
    readonly_fields = fields


@admin.register(ScoreModel)
class ScoreModelAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["key", "name", "kind", "source", "is_active", "updated_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["key", "name"]
    list_select_related = ["source"]
    inlines = [ModelIndicatorInline]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "area", "year", "value"]
    list_filter = ["year"]
    search_fields = ["area__code", "indicator__key"]
    list_select_related = ["indicator", "indicator__source", "area"]
    raw_id_fields = ["indicator", "area"]
    show_full_result_count = False


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    list_display = ["model", "area", "year", "value", "score_class", "trend", "is_aggregated"]
    list_filter = ["year", "is_aggregated"]
    search_fields = ["area__code", "model__key"]
    list_select_related = ["model", "area"]
    raw_id_fields = ["model", "area"]
    show_full_result_count = False


@admin.register(ScoreImport)
class ScoreImportAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "source", "year", "status", "progress", "values_written", "created_at"]
    list_filter = ["status", "year", "dry_run"]
    search_fields = ["original_name"]
    list_select_related = ["source", "started_by"]
