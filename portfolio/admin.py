"""Read-only views in the technical admin: complexes, strategies and portfolios change
only through the services, so every rule and the history apply."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin
from portfolio.models import Complex, ComplexImport, ComplexStrategy, Portfolio


@admin.register(Complex)
class ComplexAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("number", "name", "organisation", "buurt", "is_archived")
    list_filter = ("organisation", "is_archived", "energy_label")
    search_fields = ("number", "name", "street", "postcode")


@admin.register(ComplexStrategy)
class ComplexStrategyAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("complex", "kind", "horizon_year")
    list_filter = ("kind",)


@admin.register(Portfolio)
class PortfolioAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "organisation",
        "pressure_classes",
        "strong_classes",
        "raise_threshold",
        "lower_threshold",
    )


@admin.register(ComplexImport)
class ComplexImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("original_name", "organisation", "year", "status", "created_at")
    list_filter = ("status",)
