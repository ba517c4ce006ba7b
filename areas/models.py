"""Gemeenten, wijken, buurten and gebieden per boundary year, their shapes and overlaps.

There is no spatial database: shapes are kept as WKB in WGS84 (full precision) plus
ready-made GeoJSON simplifications per zoom band, and a bounding box for look-ups.
Every year's boundaries are their own vintage: an import for year Y only ever touches
rows of year Y.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ImportJob
from core.permissions import RestrictedQuerySet


class AreaKind(models.TextChoices):
    GEMEENTE = "gemeente", _("gemeente")
    WIJK = "wijk", _("wijk")
    BUURT = "buurt", _("buurt")
    GEBIED = "gebied", _("gebied")


# Zoom bands for which a simplified shape is stored: (name, simplification tolerance in
# degrees, decimals kept). "full" is the stored shape itself.
ZOOM_BANDS = {
    "land": (0.0015, 4),  # the whole country on one screen
    "regio": (0.0004, 5),  # a province or region
    "stad": (0.00008, 5),  # one gemeente, city zoom
}


class AreaQuerySet(RestrictedQuerySet):
    def of_year(self, year):
        return self.filter(year=year)

    def land(self):
        """Without the water pseudo-buurten (codes ending 9997/9998, WATER = JA)."""
        return self.filter(is_water=False)


class Area(models.Model):
    """One gemeente, wijk, buurt or gebied in one boundary year."""

    year = models.PositiveSmallIntegerField(_("jaar van de indeling"), db_index=True)
    kind = models.CharField(_("soort"), max_length=12, choices=AreaKind.choices)
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("naam"), max_length=200)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("ligt in"),
    )
    gemeente_code = models.CharField(_("gemeentecode"), max_length=6, db_index=True)
    is_water = models.BooleanField(_("water"), default=False)
    # Shape: WKB in WGS84 at full precision; None for a feature without geometry.
    geometry = models.BinaryField(_("vorm"), null=True, blank=True, editable=False)
    # GeoJSON geometry text per zoom band (see ZOOM_BANDS).
    shape_land = models.TextField(blank=True, editable=False)
    shape_regio = models.TextField(blank=True, editable=False)
    shape_stad = models.TextField(blank=True, editable=False)
    area_m2 = models.FloatField(_("oppervlakte (m²)"), null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    # Gebieden only: the buurten it is made of, and the organisation that made it.
    members = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="gebieden", verbose_name=_("buurten")
    )
    owner_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gebieden",
        verbose_name=_("aangemaakt door organisatie"),
    )
    description = models.TextField(_("omschrijving"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = AreaQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["geometry", "shape_land", "shape_regio", "shape_stad"])

    class Meta:
        verbose_name = _("gebied")
        verbose_name_plural = _("gebieden")
        ordering = ["year", "code"]
        constraints = [models.UniqueConstraint(fields=["year", "code"], name="area_unique_year_code")]
        indexes = [
            models.Index(fields=["year", "kind", "gemeente_code"], name="area_year_kind_gm"),
            models.Index(fields=["year", "parent"], name="area_year_parent"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code}, {self.year})"

    @classmethod
    def access_q(cls, user, action):
        # Boundaries are public facts: every signed-in user reads them. Gebieden are
        # changed by beheerders of the organisation that made them; CBS areas only change
        # through an import by a platform admin.
        from organisations.models import organisation_ids_for

        if action == "view":
            return Q()
        if action in {"change", "delete"}:
            return Q(kind=AreaKind.GEBIED, owner_organisation_id__in=organisation_ids_for(user, "manage"))
        return Q(pk__in=[])


class AreaOverlap(models.Model):
    """How much of an area of one year lies in an area of another year (share of area),
    so a trend can be followed across a redrawing."""

    source = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="overlaps_out")
    target = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="overlaps_in")
    share_of_source = models.FloatField(
        help_text=_("Deel van de oppervlakte van de bron dat in het doel ligt (0–1).")
    )
    share_of_target = models.FloatField(
        help_text=_("Deel van de oppervlakte van het doel dat in de bron ligt (0–1).")
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="overlap_unique_pair")]

    def __str__(self):
        return f"{self.source_id} → {self.target_id}: {self.share_of_source:.0%}"

    @classmethod
    def access_q(cls, user, action):
        return Q() if action == "view" else Q(pk__in=[])


class BoundaryImport(ImportJob):
    """One upload of a boundary file, processed by a Celery task. The page polls it."""

    detail_url_name = "areas:import-detail"

    file = models.FileField(_("bestand"), upload_to="imports/boundaries/%Y/%m/")
    created = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)

    class Meta(ImportJob.Meta):
        verbose_name = _("grensimport")
        verbose_name_plural = _("grensimports")

    @classmethod
    def access_q(cls, user, action):
        return Q(pk__in=[])  # platform admins only (restrict() lets them through)
