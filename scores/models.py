"""Indicators, their values per area and year, and the score models built on them.

A **source** is where figures come from (CBS kerncijfers, the Leefbaarometer, an Aedes
veerkrachtkaart, an organisation's own survey). A licensed source is visible only to its
uploader's organisation and the organisations it shares the source with; everything
that comes from it (indicators, values, score models, scores, imports) follows the
source, on every page, map, export and API. Platform admins do not see licensed data
they were not given either.

Values and scores are stored per area of one boundary year: data of year Y sits on the
areas of year Y, so ``year`` always equals ``area.year`` (kept on the row for fast
per-year reads).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ImportJob, VersionedModel
from core.permissions import RestrictedQuerySet, is_platform_admin, like_parent_q
from organisations.models import organisation_ids_for


class SourceKind(models.TextChoices):
    """The file shapes a source is imported from."""

    CBS_KWB = "cbs-kwb", _("CBS kerncijfers wijken en buurten")
    LEEFBAAROMETER = "leefbaarometer", _("Leefbaarometer")
    AEDES_VEERKRACHT = "aedes-veerkracht", _("Aedes veerkrachtkaart")
    GENERIC = "generic", _("eigen bron (code;jaar;indicator;waarde)")


def visible_source_ids(user):
    """Subquery: ids of the sources ``user`` may read (open ones and licensed ones of,
    or shared with, one of their organisations)."""
    return Source.objects.restrict(user, "view").values("pk")


class Source(VersionedModel):
    """Where a set of indicators (and possibly a published score) comes from."""

    name = models.CharField(_("naam"), max_length=200, unique=True)
    kind = models.CharField(_("soort bestand"), max_length=20, choices=SourceKind.choices)
    description = models.TextField(_("omschrijving"), blank=True)
    licence = models.CharField(
        _("licentie en bronvermelding"),
        max_length=300,
        blank=True,
        help_text=_("Bijvoorbeeld: Bron: CBS, CC BY 4.0; of: alleen voor leden van Aedes."),
    )
    is_licensed = models.BooleanField(
        _("gelicentieerd"),
        default=False,
        help_text=_(
            "Alleen de eigen organisatie en de organisaties waarmee zij deze bron deelt zien de cijfers."
        ),
    )
    owner_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="score_sources",
        verbose_name=_("eigenaar"),
        help_text=_("De organisatie die de cijfers aanlevert en bepaalt met wie ze gedeeld worden."),
    )
    shared_with = models.ManyToManyField(
        "organisations.Organisation",
        blank=True,
        related_name="shared_score_sources",
        verbose_name=_("gedeeld met"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(m2m_fields=[shared_with])

    # Licensed data stays with the organisations it is shared with, admins included.
    platform_admin_sees_all = False
    extra_actions = ("share", "import")

    class Meta:
        verbose_name = _("bron")
        verbose_name_plural = _("bronnen")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @classmethod
    def access_q(cls, user, action):
        """view: open sources, or licensed ones of or shared with the user's organisations.
        import/change: open sources by platform admins; an organisation's own sources by
        its bewerkers. share/delete: the owner's beheerders (platform admins for open
        sources without an owner)."""
        admin = is_platform_admin(user)
        if action == "view":
            shared = cls.shared_with.through.objects.filter(
                organisation_id__in=organisation_ids_for(user, "view")
            ).values("source_id")
            return (
                Q(is_licensed=False)
                | Q(owner_organisation_id__in=organisation_ids_for(user, "view"))
                | Q(pk__in=shared)
            )
        if action in {"import", "change", "add"}:
            own = Q(owner_organisation_id__in=organisation_ids_for(user, "change"))
            return own | Q(is_licensed=False) if admin else own
        if action in {"share", "delete"}:
            own = Q(owner_organisation_id__in=organisation_ids_for(user, "manage"))
            return own | Q(is_licensed=False, owner_organisation__isnull=True) if admin else own
        return Q(pk__in=[])


class Direction(models.TextChoices):
    HIGHER_BETTER = "hoger-beter", _("hoger is beter")
    HIGHER_WORSE = "hoger-slechter", _("hoger is slechter")
    NEUTRAL = "neutraal", _("neutraal")


class Aggregation(models.TextChoices):
    """How buurt values add up to a wijk, gemeente or gebied."""

    SUM = "som", _("optellen")
    MEAN_INHABITANTS = "inwoners", _("gemiddelde, gewogen naar inwoners")
    MEAN_DWELLINGS = "woningen", _("gemiddelde, gewogen naar woningen")
    NONE = "geen", _("niet optellen")


class Indicator(VersionedModel):
    """One measured quantity per area per year."""

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("bron")
    )
    key = models.SlugField(
        _("sleutel"), max_length=60, help_text=_("Kolomnaam in het bestand, bijvoorbeeld p_wcorpw.")
    )
    name = models.CharField(_("naam"), max_length=200)
    unit = models.CharField(_("eenheid"), max_length=40, blank=True)
    description = models.TextField(_("omschrijving"), blank=True)
    direction = models.CharField(
        _("richting"), max_length=16, choices=Direction.choices, default=Direction.NEUTRAL
    )
    aggregation = models.CharField(
        _("optellen naar wijk en gemeente"),
        max_length=12,
        choices=Aggregation.choices,
        default=Aggregation.MEAN_INHABITANTS,
    )
    decimals = models.PositiveSmallIntegerField(_("decimalen"), default=1, validators=[MaxValueValidator(4)])
    is_key = models.BooleanField(
        _("kerncijfer"), default=False, help_text=_("Wordt op gebiedspagina's als grafiek getoond.")
    )

    history = HistoricalRecords()

    platform_admin_sees_all = False

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicatoren")
        ordering = ["source__name", "name"]
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="indicator_unique_source_key")]

    def __str__(self):
        return f"{self.name} ({self.source})"

    @classmethod
    def access_q(cls, user, action):
        if action == "view":
            return Q(source_id__in=visible_source_ids(user))
        if action in {"change", "add", "delete"}:
            return Q(source_id__in=Source.objects.restrict(user, "import").values("pk"))
        return Q(pk__in=[])


class IndicatorValue(models.Model):
    """The value of one indicator for one area (of one boundary year)."""

    # Values and scores are written in bulk (hundreds of thousands of rows per national
    # year) by the import and compute services, which take the ids from the rows they
    # just read in the same transaction; a database foreign-key check per row would double
    # the time of a national import. Deleting an area or indicator still removes its rows
    # (Django's on_delete runs in the application).
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", db_index=False, db_constraint=False
    )
    area = models.ForeignKey(
        "areas.Area",
        on_delete=models.CASCADE,
        related_name="indicator_values",
        db_index=False,
        db_constraint=False,
    )
    year = models.PositiveSmallIntegerField(_("jaar"))
    value = models.FloatField(_("waarde"))

    objects = RestrictedQuerySet.as_manager()
    platform_admin_sees_all = False

    class Meta:
        verbose_name = _("indicatorwaarde")
        verbose_name_plural = _("indicatorwaarden")
        constraints = [models.UniqueConstraint(fields=["area", "indicator"], name="indicator_value_unique")]
        indexes = [models.Index(fields=["indicator", "year"], name="indicator_value_ind_year")]

    def __str__(self):
        return f"{self.indicator_id} {self.area_id}: {self.value}"

    @classmethod
    def access_q(cls, user, action):
        if action == "view":
            return Q(indicator__source_id__in=visible_source_ids(user))
        return Q(pk__in=[])


class ScoreModel(VersionedModel):
    """Turns indicators into one score per area per year plus a class (DESIGN §3)."""

    class Kind(models.TextChoices):
        PUBLISHED = "gepubliceerd", _("gepubliceerde score (klasse uit het bestand)")
        INDEX = "index", _("index uit indicatoren")
        SIGNAL = "signaal", _("signaaltypologie")

    class Weighting(models.TextChoices):
        INHABITANTS = "inwoners", _("inwoners")
        DWELLINGS = "woningen", _("woningen")

    key = models.SlugField(_("sleutel"), max_length=60, unique=True)
    name = models.CharField(_("naam"), max_length=200)
    description = models.TextField(_("omschrijving"), blank=True)
    kind = models.CharField(_("soort"), max_length=16, choices=Kind.choices)
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="score_models",
        verbose_name=_("bron"),
        help_text=_(
            "Voor gepubliceerde scores: de bron die de klassen levert. Een gelicentieerde bron maakt het model gelicentieerd."
        ),
    )
    # [{"value": 1, "label": "zeer onvoldoende", "color": "#a50026"}, ...] from low to high
    classes = models.JSONField(_("klassen"), default=list)
    # Index: ascending class boundaries, one fewer than the classes. A score below
    # cutoffs[0] is class 1, at or above cutoffs[-1] the highest class.
    cutoffs = models.JSONField(_("klassengrenzen"), default=list, blank=True)
    higher_is_better = models.BooleanField(_("hoger is beter"), default=True)
    min_population = models.PositiveIntegerField(
        _("minimaal aantal inwoners"),
        default=50,
        help_text=_("Gebieden met minder inwoners krijgen geen score (te weinig gegevens)."),
    )
    weighting = models.CharField(
        _("optellen gewogen naar"), max_length=12, choices=Weighting.choices, default=Weighting.INHABITANTS
    )
    # Signal typology: a change within ± this band (in standard deviations of the
    # earlier year) counts as stable.
    stable_band = models.FloatField(_("bandbreedte stabiel"), default=0.1, validators=[MinValueValidator(0)])
    is_active = models.BooleanField(_("actief"), default=True)

    history = HistoricalRecords()

    platform_admin_sees_all = False

    class Meta:
        verbose_name = _("scoremodel")
        verbose_name_plural = _("scoremodellen")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_licensed(self) -> bool:
        return bool(self.source_id and self.source.is_licensed)

    def class_label(self, value) -> str:
        for item in self.classes:
            if item.get("value") == value:
                return item.get("label", str(value))
        return ""

    @classmethod
    def access_q(cls, user, action):
        if action == "view":
            return Q(source__isnull=True) | Q(source_id__in=visible_source_ids(user))
        if action in {"change", "delete", "add"} and is_platform_admin(user):
            # Platform admins manage the models they can see.
            return Q(source__isnull=True) | Q(source_id__in=visible_source_ids(user))
        return Q(pk__in=[])


class ModelIndicator(models.Model):
    """An indicator in a score model, with its weight (and, in the signal typology,
    whether it measures vulnerability or overlast)."""

    class Role(models.TextChoices):
        INDEX = "", _("index")
        VULNERABILITY = "kwetsbaarheid", _("kwetsbaarheid")
        NUISANCE = "overlast", _("overlast en onveiligheid")

    model = models.ForeignKey(ScoreModel, on_delete=models.CASCADE, related_name="components")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="model_uses")
    weight = models.FloatField(_("gewicht"), default=1.0, validators=[MinValueValidator(0)])
    role = models.CharField(_("rol"), max_length=16, choices=Role.choices, blank=True, default="")

    history = HistoricalRecords()
    objects = RestrictedQuerySet.as_manager()
    platform_admin_sees_all = False

    class Meta:
        verbose_name = _("indicator in model")
        verbose_name_plural = _("indicatoren in model")
        ordering = ["role", "-weight", "indicator__name"]
        constraints = [
            models.UniqueConstraint(fields=["model", "indicator", "role"], name="model_indicator_unique")
        ]

    def __str__(self):
        return f"{self.model_id}: {self.indicator_id} × {self.weight}"

    @classmethod
    def access_q(cls, user, action):
        return like_parent_q("model", ScoreModel, user, action)


class Score(models.Model):
    """The score and class of one area (of one boundary year) in one model."""

    # No database foreign-key checks, for the same reason as ``IndicatorValue``.
    model = models.ForeignKey(
        ScoreModel, on_delete=models.CASCADE, related_name="scores", db_index=False, db_constraint=False
    )
    area = models.ForeignKey(
        "areas.Area", on_delete=models.CASCADE, related_name="scores", db_index=False, db_constraint=False
    )
    year = models.PositiveSmallIntegerField(_("jaar"))
    value = models.FloatField(_("score"), null=True, blank=True)
    score_class = models.SmallIntegerField(_("klasse"), null=True, blank=True)
    # Change of ``value`` since the previous measurement of the same model (followed
    # across a boundary redrawing through the overlaps), and that measurement's year.
    trend = models.FloatField(_("verandering"), null=True, blank=True)
    previous_year = models.PositiveSmallIntegerField(null=True, blank=True)
    previous_class = models.SmallIntegerField(null=True, blank=True)
    # The area kept its code but its shape changed since that measurement, so the trend
    # compares it with the land it covers now, through the overlaps ("grens gewijzigd").
    # A database default too: the importers write scores with COPY and leave it out.
    boundary_changed = models.BooleanField(_("grens gewijzigd"), default=False, db_default=False)
    # Index: what each indicator added ({key: {"z": .., "weight": .., "contribution": ..}});
    # signal: the two trends.
    contributions = models.JSONField(null=True, blank=True)
    # True when computed from buurten (wijk, gemeente, gebied) instead of published.
    is_aggregated = models.BooleanField(default=False)
    no_data_reason = models.CharField(_("geen score omdat"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    platform_admin_sees_all = False

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["area", "model"], name="score_unique_area_model")]
        indexes = [models.Index(fields=["model", "year"], name="score_model_year")]

    def __str__(self):
        return f"{self.model_id} {self.area_id}: {self.value} ({self.score_class})"

    @staticmethod
    def entered_cell(*, model_kind: str, score_class: int | None, previous_class: int | None) -> bool:
        """Whether a signal score is new in its cell: the area is in a signal cell now and
        was in another one at the model's previous measurement. An area without a
        previous signal (the model's first measurement, or no signal then) is not new:
        nothing says it was elsewhere before. Other kinds of model have no cells."""
        return (
            model_kind == ScoreModel.Kind.SIGNAL
            and score_class is not None
            and previous_class is not None
            and score_class != previous_class
        )

    @property
    def new_in_cell(self) -> bool:
        return Score.entered_cell(
            model_kind=self.model.kind, score_class=self.score_class, previous_class=self.previous_class
        )

    @classmethod
    def access_q(cls, user, action):
        if action == "view":
            return Q(model__source__isnull=True) | Q(model__source_id__in=visible_source_ids(user))
        return Q(pk__in=[])


class ScoreImport(ImportJob):
    """One upload of an indicator file into a source, processed by a Celery task."""

    detail_url_name = "scores:import-detail"

    class Mode(models.TextChoices):
        # What happens to stored areas of the source and year that the file leaves out.
        CHECK = "check", _("stoppen als er gebieden zouden verdwijnen")
        MERGE = "merge", _("aanvullen: gebieden die niet in het bestand staan houden hun waarden")
        REPLACE = "replace", _("vervangen: gebieden die niet in het bestand staan verliezen hun waarden")

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="imports", verbose_name=_("bron")
    )
    file_format = models.CharField(_("bestandsvorm"), max_length=20, choices=SourceKind.choices)
    file = models.FileField(_("bestand"), upload_to="imports/scores/%Y/%m/")
    # The year asked for: only that year of the file is imported (a file without a year
    # column is of that year). Empty: every year the file holds in its year column.
    year = models.PositiveSmallIntegerField(
        _("jaar"), null=True, blank=True, validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    rows_read = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    values_written = models.PositiveIntegerField(default=0)
    scores_written = models.PositiveIntegerField(default=0)
    mode = models.CharField(_("werkwijze"), max_length=8, choices=Mode.choices, default=Mode.CHECK)
    # Stored areas of the source and year that the file leaves out and that lose their
    # values of the file's indicators; in a dry run, or a check that stopped the import,
    # those that would lose them.
    areas_removed = models.PositiveIntegerField(default=0)
    # Per year the file holds: [{"year", "areas", "values", "scores", "areas_removed"}],
    # oldest first; ``areas_removed`` as above, for that year.
    per_year = models.JSONField(_("per jaar"), default=list, blank=True)
    recomputed_at = models.DateTimeField(_("scores herberekend op"), null=True, blank=True)

    platform_admin_sees_all = False

    class Meta(ImportJob.Meta):
        verbose_name = _("indicatorimport")
        verbose_name_plural = _("indicatorimports")

    def __str__(self):
        return f"{self.original_name} ({self.years_label})"

    @property
    def years(self) -> list[int]:
        """The years the file held (after reading), else the year asked for."""
        found = [int(item["year"]) for item in self.per_year or () if "year" in item]
        if found:
            return found
        return [self.year] if self.year else []

    @property
    def years_label(self) -> str:
        """The years of the import as a person reads them: 2022; 2020–2023 for three or
        more years in a row; 2018, 2020, 2022 otherwise; before a file without a year
        asked for is read, that its years come from the file."""
        years = self.years
        if not years:
            return str(_("jaren uit het bestand"))
        if len(years) > 2 and years[-1] - years[0] == len(years) - 1:
            return f"{years[0]}–{years[-1]}"
        return ", ".join(str(y) for y in years)

    @classmethod
    def access_q(cls, user, action):
        if action == "view":
            return Q(source_id__in=Source.objects.restrict(user, "import").values("pk"))
        return Q(pk__in=[])


class DataVersion(models.Model):
    """The one version of everything scores draw (``scores.versions``): a single row,
    written after every import, recomputation and model edit. It lives in the database,
    beside the data it stands for, so a change made while the cache cannot be reached is
    never forgotten when the cache returns with what it held."""

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("versie van de scoregegevens")
        verbose_name_plural = _("versies van de scoregegevens")

    def __str__(self):
        return self.token
