"""A corporation's complexes (its register of housing estates), the strategy per
complex, the portfolio settings a beheerder sets, and the import of the register.

Complexes and strategies belong to the corporation: its people read them, its bewerkers
change them. The portfolio (one per corporation) is the object a corporation shares
with a gemeente (a django-guardian object permission): the gemeente then sees the
projection and its flags for its own buurten, never the complexes themselves.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ImportJob, VersionedModel
from organisations.models import organisation_ids_for

# Energy labels from best to worst, as the register writes them.
ENERGY_LABELS = ("A++++", "A+++", "A++", "A+", "A", "B", "C", "D", "E", "F", "G")


class RentClass(models.TextChoices):
    SOCIAL = "sociale_huur", _("sociale huur")
    MID = "middenhuur", _("middenhuur")
    FREE = "vrije_sector", _("vrije sector")


class Complex(VersionedModel):
    """One complex of a corporation's register, placed in a buurt of one boundary year."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="complexes",
        verbose_name=_("corporatie"),
    )
    number = models.CharField(_("complexnummer"), max_length=40)
    name = models.CharField(_("naam"), max_length=200)
    street = models.CharField(_("straat"), max_length=200, blank=True)
    house_number = models.CharField(_("huisnummer"), max_length=20, blank=True)
    postcode = models.CharField(_("postcode"), max_length=7, blank=True)
    city = models.CharField(_("plaats"), max_length=100, blank=True)
    # The point as the register gave it: RD New (EPSG:28992) or WGS84; the other is empty.
    x_rd = models.FloatField(_("x (RD)"), null=True, blank=True)
    y_rd = models.FloatField(_("y (RD)"), null=True, blank=True)
    lat = models.FloatField(_("breedtegraad"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    lon = models.FloatField(_("lengtegraad"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    located_by_lookup = models.BooleanField(_("geplaatst via adres"), default=False)
    single_family = models.PositiveIntegerField(_("eengezinswoningen"), default=0)
    multi_family = models.PositiveIntegerField(_("meergezinswoningen"), default=0)
    social_rent = models.PositiveIntegerField(_("sociale huur"), default=0)
    mid_rent = models.PositiveIntegerField(_("middenhuur"), default=0)
    free_sector = models.PositiveIntegerField(_("vrije sector"), default=0)
    year_built = models.PositiveSmallIntegerField(
        _("bouwjaar"), null=True, blank=True, validators=[MinValueValidator(1000), MaxValueValidator(2100)]
    )
    energy_label = models.CharField(
        _("energielabel"), max_length=5, blank=True, choices=[(label, label) for label in ENERGY_LABELS]
    )
    boundary_year = models.PositiveSmallIntegerField(_("jaar van de indeling"))
    buurt = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="complexes", verbose_name=_("buurt")
    )
    is_archived = models.BooleanField(_("gearchiveerd"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("complex")
        verbose_name_plural = _("complexen")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="complex_unique_number"),
            models.CheckConstraint(
                condition=Q(
                    social_rent=models.F("single_family")
                    + models.F("multi_family")
                    - models.F("mid_rent")
                    - models.F("free_sector")
                ),
                name="complex_rent_classes_add_up",
            ),
        ]
        # The portfolio page reads a corporation's complexes of one boundary year in number
        # order, a page at a time.
        indexes = [
            models.Index(
                fields=["organisation", "is_archived", "boundary_year", "number"],
                name="complex_org_year_number",
            )
        ]

    # The register's fields, compared on a re-import (the buurt follows the point).
    REGISTER_FIELDS = (
        "name",
        "street",
        "house_number",
        "postcode",
        "city",
        "x_rd",
        "y_rd",
        "lat",
        "lon",
        "single_family",
        "multi_family",
        "social_rent",
        "mid_rent",
        "free_sector",
        "year_built",
        "energy_label",
        "boundary_year",
        "buurt_id",
        "is_archived",
    )

    def __str__(self):
        return f"{self.number} {self.name}"

    @property
    def dwellings(self) -> int:
        return self.single_family + self.multi_family

    @classmethod
    def access_q(cls, user, action):
        if action == "view":
            return Q(organisation_id__in=organisation_ids_for(user, "view"))
        if action in {"add", "change"}:
            return Q(organisation_id__in=organisation_ids_for(user, "change"))
        if action == "delete":
            return Q(organisation_id__in=organisation_ids_for(user, "manage"))
        return Q(pk__in=[])


# The large shape columns of a complex's buurt, left out wherever a complex is read with it.
BUURT_SHAPES = ("buurt__geometry", "buurt__shape_land", "buurt__shape_regio", "buurt__shape_stad")


class StrategyKind(models.TextChoices):
    DOOREXPLOITEREN = "doorexploiteren", _("doorexploiteren")
    RENOVEREN = "renoveren", _("renoveren/verduurzamen")
    HERSTRUCTUREREN = "herstructureren", _("herstructureren")
    SLOOP_NIEUWBOUW = "sloop_nieuwbouw", _("sloop-nieuwbouw")
    VERKOPEN = "verkopen", _("verkopen")
    LIBERALISEREN = "liberaliseren", _("liberaliseren")


# Map colours per strategy (colour-blind safe enough with the table and legend beside it).
STRATEGY_COLORS = {
    StrategyKind.DOOREXPLOITEREN: "#1f78b4",
    StrategyKind.RENOVEREN: "#33a02c",
    StrategyKind.HERSTRUCTUREREN: "#6a3d9a",
    StrategyKind.SLOOP_NIEUWBOUW: "#e31a1c",
    StrategyKind.VERKOPEN: "#ff7f00",
    StrategyKind.LIBERALISEREN: "#b15928",
}
NO_STRATEGY_COLOR = "#737373"


class ComplexStrategy(VersionedModel):
    """The strategy for one complex: what happens to it by its horizon year, and why.
    Its history keeps every earlier strategy."""

    complex = models.OneToOneField(
        Complex, on_delete=models.CASCADE, related_name="strategy", verbose_name=_("complex")
    )
    kind = models.CharField(_("strategie"), max_length=20, choices=StrategyKind.choices)
    horizon_year = models.PositiveSmallIntegerField(
        _("horizonjaar"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    rationale = models.TextField(_("onderbouwing"))
    # Sloop-nieuwbouw only: the dwellings planned back, per rent class.
    planned_social_rent = models.PositiveIntegerField(_("terug: sociale huur"), null=True, blank=True)
    planned_mid_rent = models.PositiveIntegerField(_("terug: middenhuur"), null=True, blank=True)
    planned_free_sector = models.PositiveIntegerField(_("terug: vrije sector"), null=True, blank=True)
    # Of the social rent planned back, how many are small (in meergezinswoningen); empty:
    # in the complex's present proportion.
    planned_small_social = models.PositiveIntegerField(
        _("terug: waarvan kleine sociale huurwoningen"), null=True, blank=True
    )
    commitments = models.ManyToManyField(
        "agreements.Commitment",
        blank=True,
        related_name="complex_strategies",
        verbose_name=_("afspraken waaraan het bijdraagt"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    history = HistoricalRecords(m2m_fields=[commitments])

    class Meta:
        verbose_name = _("complexstrategie")
        verbose_name_plural = _("complexstrategieën")
        ordering = ["complex__number"]

    def __str__(self):
        return gettext("%(kind)s tot %(year)s") % {"kind": self.get_kind_display(), "year": self.horizon_year}

    @property
    def planned_total(self) -> int:
        return (
            (self.planned_social_rent or 0) + (self.planned_mid_rent or 0) + (self.planned_free_sector or 0)
        )

    @classmethod
    def access_q(cls, user, action):
        if action == "view":
            return Q(complex__organisation_id__in=organisation_ids_for(user, "view"))
        if action in {"add", "change", "delete"}:
            return Q(complex__organisation_id__in=organisation_ids_for(user, "change"))
        return Q(pk__in=[])


class Portfolio(VersionedModel):
    """A corporation's portfolio view: the thresholds of its flags, set by a beheerder,
    and the object it shares with a gemeente (view) to show the projection there."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="portfolio",
        verbose_name=_("corporatie"),
    )
    pressure_classes = models.PositiveSmallIntegerField(
        _("klassen onder druk"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
        help_text=_("Zoveel van de zwakste klassen van het scoremodel gelden als 'onder druk'."),
    )
    strong_classes = models.PositiveSmallIntegerField(
        _("sterke klassen"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
        help_text=_("Zoveel van de sterkste klassen van het scoremodel gelden als 'sterk'."),
    )
    raise_threshold = models.FloatField(
        _("drempel voor stijging (procentpunt)"),
        default=1.0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "Een strategie die het aandeel sociale huur (of kleine sociale huurwoningen) in een buurt "
            "onder druk met minstens zoveel procentpunt verhoogt, wordt gemarkeerd."
        ),
    )
    lower_threshold = models.FloatField(
        _("drempel voor daling (procentpunt)"),
        default=1.0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "Een strategie die het aandeel sociale huur in een sterke buurt met minstens zoveel "
            "procentpunt verlaagt, wordt gemarkeerd."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("portefeuille")
        verbose_name_plural = _("portefeuilles")
        ordering = ["organisation__name"]

    def __str__(self):
        return gettext("Portefeuille van %(name)s") % {"name": self.organisation.name}

    @classmethod
    def access_q(cls, user, action):
        if action == "view":
            return Q(organisation_id__in=organisation_ids_for(user, "view"))
        if action == "change":
            # Thresholds and sharing: the corporation's beheerders.
            return Q(organisation_id__in=organisation_ids_for(user, "manage"))
        return Q(pk__in=[])


class ComplexImport(ImportJob):
    """One upload of a complex register for a corporation, read by a Celery task; the
    page polls it. A dry run only previews; a real run stores all rows or none."""

    detail_url_name = "portfolio:import-detail"

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="complex_imports",
        verbose_name=_("corporatie"),
    )
    file = models.FileField(_("bestand"), upload_to="imports/complexes/%Y/%m/")
    lookup_file = models.FileField(_("adressenbestand"), upload_to="imports/complexes/%Y/%m/", blank=True)
    remove_missing = models.BooleanField(_("ontbrekende complexen archiveren"), default=False)
    rows = models.PositiveIntegerField(_("rijen"), default=0)
    created = models.PositiveIntegerField(_("nieuw"), default=0)
    changed = models.PositiveIntegerField(_("gewijzigd"), default=0)
    unchanged = models.PositiveIntegerField(_("ongewijzigd"), default=0)
    missing = models.PositiveIntegerField(_("ontbrekend"), default=0)
    archived = models.PositiveIntegerField(_("gearchiveerd"), default=0)
    # Per complex: {"number", "name", "status" (nieuw/gewijzigd/ongewijzigd/ontbreekt),
    # "buurt", "fields"}; the preview the job page shows.
    preview = models.JSONField(default=list, blank=True)

    class Meta(ImportJob.Meta):
        verbose_name = _("complexenimport")
        verbose_name_plural = _("complexenimports")

    @classmethod
    def access_q(cls, user, action):
        # The corporation's bewerkers see its imports; platform admins see every job.
        if action == "view":
            return Q(organisation_id__in=organisation_ids_for(user, "change"))
        return Q(pk__in=[])
