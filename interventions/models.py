"""Area teams per wijk or gebied, their yearly urgency assessments, and the interventions
they log with a progress timeline.

Team membership drives access (DESIGN §6): an intervention is readable by the
organisations in the team of its area and editable by bewerkers of its lead and partner
organisations; single objects can still be shared through django-guardian.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from areas.models import Area, AreaKind
from core.models import ImportJob, VersionedModel
from core.permissions import RestrictedQuerySet, ids_for_read, is_platform_admin, like_parent_q
from organisations.models import organisation_ids_for


class TeamRole(models.TextChoices):
    TREKKER = "trekker", _("trekker")
    PARTNER = "partner", _("partner")
    MEELEZER = "meelezer", _("meelezer")


# Team roles whose organisations log interventions and record the urgency; meelezers read.
WORKING_ROLES = (TeamRole.TREKKER, TeamRole.PARTNER)


class AreaTeam(VersionedModel):
    """The organisations that work together on one wijk or gebied."""

    area = models.OneToOneField(
        "areas.Area", on_delete=models.PROTECT, related_name="team", verbose_name=_("wijk of gebied")
    )
    name = models.CharField(_("naam"), max_length=200)
    description = models.TextField(_("omschrijving"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    history = HistoricalRecords()

    # A team works on a wijk or a gebied of land, never on a buurt or on water.
    AREA_KINDS = (AreaKind.WIJK, AreaKind.GEBIED)

    class Meta:
        verbose_name = _("gebiedsteam")
        verbose_name_plural = _("gebiedsteams")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @classmethod
    def area_for(cls, *, year, code) -> Area | None:
        """The wijk or gebied with ``code`` in the indeling of ``year`` a team may work on."""
        return Area.objects.filter(year=year, code=code, kind__in=cls.AREA_KINDS, is_water=False).first()

    @classmethod
    def may_work_on(cls, area) -> bool:
        return area.kind in cls.AREA_KINDS and not area.is_water

    @classmethod
    def access_q(cls, user, action):
        if action == "view":
            return Q(pk__in=member_team_ids(user))
        if action in {"change", "delete"}:
            # The trekker's beheerders manage the team.
            lead_teams = TeamMember.objects.filter(
                organisation_id__in=organisation_ids_for(user, "manage"), role=TeamRole.TREKKER
            )
            return Q(pk__in=lead_teams.values("team_id"))
        return Q(pk__in=[])


class TeamMember(VersionedModel):
    team = models.ForeignKey(AreaTeam, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="team_memberships"
    )
    role = models.CharField(_("rol in het team"), max_length=12, choices=TeamRole.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("teamlid")
        verbose_name_plural = _("teamleden")
        ordering = ["role", "organisation__name"]
        constraints = [models.UniqueConstraint(fields=["team", "organisation"], name="team_member_unique")]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"

    @classmethod
    def access_q(cls, user, action):
        return like_parent_q("team", AreaTeam, user, action)


class Urgency(models.TextChoices):
    LAAG = "laag", _("laag")
    VERHOOGD = "verhoogd", _("verhoogd")
    HOOG = "hoog", _("hoog")
    ACUUT = "acuut", _("acuut")


class UrgencyAssessment(VersionedModel):
    """The urgency a team agrees for its wijk or gebied in one year, with a rationale."""

    team = models.ForeignKey(AreaTeam, on_delete=models.CASCADE, related_name="assessments")
    year = models.PositiveSmallIntegerField(
        _("jaar"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    urgency = models.CharField(_("urgentie"), max_length=12, choices=Urgency.choices)
    rationale = models.TextField(_("onderbouwing"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("urgentie")
        verbose_name_plural = _("urgenties")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["team", "year"], name="urgency_one_per_year")]

    def __str__(self):
        return f"{self.team} {self.year}: {self.get_urgency_display()}"

    @classmethod
    def access_q(cls, user, action):
        if action == "view":
            return Q(team_id__in=member_team_ids(user))  # the teams the person sees
        if action in {"change", "delete"}:
            return Q(team_id__in=_working_teams(user))
        return Q(pk__in=[])


def member_team_ids(user):
    """The teams of the organisations ``user`` is in: the teams they see, and whose work
    they see (see ``core.permissions.ids_for_read``)."""
    members = TeamMember.objects.filter(organisation_id__in=organisation_ids_for(user, "view"))
    return ids_for_read(("member teams", user.pk), members, "team_id")


def working_team_ids(user):
    """Subquery: the teams ``user`` works in. Bewerkers and beheerders of a trekker or
    partner organisation log interventions there and record the urgency."""
    return TeamMember.objects.filter(
        organisation_id__in=organisation_ids_for(user, "change"), role__in=WORKING_ROLES
    ).values("team_id")


def _working_teams(user):
    """``working_team_ids`` for an access rule (see ``core.permissions.ids_for_read``)."""
    return ids_for_read(("working teams", user.pk), working_team_ids(user), "team_id")


def may_work_in(user, team) -> bool:
    """Whether ``user`` may log interventions and record the urgency in ``team``
    (platform admins in every team)."""
    return is_platform_admin(user) or working_team_ids(user).filter(team_id=team.pk).exists()


class Theme(models.TextChoices):
    LEEFBAARHEID = "leefbaarheid", _("leefbaarheid")
    VEILIGHEID = "veiligheid", _("veiligheid")
    SOCIALE_COHESIE = "sociale_cohesie", _("sociale cohesie")
    WONEN_ZORG = "wonen_zorg", _("wonen en zorg")
    FYSIEK = "fysiek", _("fysieke ingreep")
    ARMOEDE = "armoede", _("armoede en schulden")
    PARTICIPATIE = "participatie", _("participatie")
    OVERIG = "overig", _("overig")


class Intervention(VersionedModel):
    """An intervention a team carries out in one or more areas."""

    class Status(models.TextChoices):
        IDEE = "idee", _("idee")
        GEPLAND = "gepland", _("gepland")
        IN_UITVOERING = "in_uitvoering", _("in uitvoering")
        AFGEROND = "afgerond", _("afgerond")
        GESTOPT = "gestopt", _("gestopt")

    team = models.ForeignKey(
        AreaTeam, on_delete=models.PROTECT, related_name="interventions", verbose_name=_("team")
    )
    title = models.CharField(_("titel"), max_length=200)
    description = models.TextField(_("omschrijving"), blank=True)
    theme = models.CharField(_("thema"), max_length=20, choices=Theme.choices)
    areas = models.ManyToManyField("areas.Area", related_name="interventions", verbose_name=_("gebieden"))
    lead_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="led_interventions",
        verbose_name=_("trekker"),
    )
    partner_organisations = models.ManyToManyField(
        "organisations.Organisation",
        blank=True,
        related_name="partner_interventions",
        verbose_name=_("partners"),
    )
    start_date = models.DateField(_("begindatum"), null=True, blank=True)
    end_date = models.DateField(_("einddatum"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    funder = models.CharField(_("financier"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.IDEE)
    stop_reason = models.TextField(_("reden van stoppen"), blank=True)
    indicators = models.ManyToManyField(
        "scores.Indicator",
        blank=True,
        related_name="interventions",
        verbose_name=_("indicatoren die het moet bewegen"),
    )
    commitments = models.ManyToManyField(
        "agreements.Commitment",
        blank=True,
        related_name="interventions",
        verbose_name=_("afspraken waaraan het bijdraagt"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    history = HistoricalRecords(m2m_fields=[areas, partner_organisations, indicators, commitments])

    class Meta:
        verbose_name = _("interventie")
        verbose_name_plural = _("interventies")
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["team", "status"], name="intervention_team_status"),
            models.Index(fields=["lead_organisation", "status"], name="intervention_lead_status"),
            # Lists show the most recently changed first: a page of 50 is read in index order.
            models.Index(fields=["updated_at", "id"], name="intervention_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="intervention_period_order",
            )
        ]

    # The details a bewerker edits (the status changes through a status change).
    DETAIL_FIELDS = (
        "title",
        "description",
        "theme",
        "areas",
        "lead_organisation",
        "partner_organisations",
        "start_date",
        "end_date",
        "budget",
        "funder",
        "indicators",
        "commitments",
    )
    MANY_FIELDS = frozenset({"areas", "partner_organisations", "indicators", "commitments"})

    def __str__(self):
        return self.title

    def detail_values(self) -> dict:
        """The current value of each of ``DETAIL_FIELDS``; lists for the many-valued ones."""
        values = {}
        for name in self.DETAIL_FIELDS:
            value = getattr(self, name)
            if name in self.MANY_FIELDS:
                value = list(value.all())
            values[name] = value
        return values

    @classmethod
    def access_q(cls, user, action):
        if action == "view":
            return Q(team_id__in=member_team_ids(user))  # the teams the person sees
        if action in {"change", "delete"}:
            editable_orgs = organisation_ids_for(user, "change")
            partner_of = cls.partner_organisations.through.objects.filter(
                organisation_id__in=editable_orgs
            ).values("intervention_id")
            return Q(lead_organisation_id__in=editable_orgs) | Q(pk__in=partner_of)
        return Q(pk__in=[])


class ProgressUpdate(models.Model):
    """One dated entry on an intervention's timeline. A status change adds one by itself."""

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("datum"))
    text = models.TextField(_("voortgang"))
    progress = models.PositiveSmallIntegerField(
        _("voortgang (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    status_from = models.CharField(max_length=16, blank=True)
    status_to = models.CharField(max_length=16, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("voortgangsbericht")
        verbose_name_plural = _("voortgangsberichten")
        ordering = ["-date", "-created_at"]

    def __str__(self):
        return f"{self.date}: {self.text[:50]}"

    @classmethod
    def access_q(cls, user, action):
        return like_parent_q("intervention", Intervention, user, action)


class Attachment(models.Model):
    """A file on a progress update (type and size limited by the services)."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="interventions/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["original_name"]

    def __str__(self):
        return self.original_name

    @classmethod
    def access_q(cls, user, action):
        return like_parent_q("update", ProgressUpdate, user, action)


class NotificationPreference(models.Model):
    """How a person wants to hear about their teams: each event by e-mail, a daily digest,
    or only in the product."""

    class Mode(models.TextChoices):
        DIRECT = "direct", _("direct per e-mail")
        DIGEST = "dagelijks", _("dagelijks overzicht per e-mail")
        NONE = "geen", _("alleen in Wijkkoers")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="intervention_mail"
    )
    mode = models.CharField(
        _("e-mail over mijn teams"), max_length=12, choices=Mode.choices, default=Mode.DIRECT
    )
    last_digest_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-mailvoorkeur")

    def __str__(self):
        return f"{self.user}: {self.get_mode_display()}"

    @classmethod
    def access_q(cls, user, action):
        return Q(user_id=user.pk)


class Wijkgesprek(VersionedModel):
    """The moment a team looks at the numbers of its wijk together: who took part, the
    team's reading of the year (duiding), and what it decided."""

    team = models.ForeignKey(
        AreaTeam, on_delete=models.CASCADE, related_name="gesprekken", verbose_name=_("team")
    )
    date = models.DateField(_("datum"))
    year = models.PositiveSmallIntegerField(
        _("meetjaar"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("Het jaar van de cijfers die besproken zijn."),
    )
    participants = models.ManyToManyField(
        "organisations.Organisation",
        related_name="wijkgesprekken",
        verbose_name=_("deelnemende organisaties"),
    )
    duiding = models.TextField(
        _("duiding"),
        help_text=_(
            "Hoe het team de cijfers van dit jaar leest, wat erachter zit en wat het in de wijk "
            "ziet dat de cijfers niet laten zien."
        ),
    )
    decisions = models.TextField(_("besluiten"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    history = HistoricalRecords(m2m_fields=[participants])

    class Meta:
        verbose_name = _("wijkgesprek")
        verbose_name_plural = _("wijkgesprekken")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["team", "-date"], name="wijkgesprek_team_date")]

    def __str__(self):
        return _("Wijkgesprek %(team)s, %(date)s") % {
            "team": self.team,
            "date": self.date.strftime("%d-%m-%Y"),
        }

    @classmethod
    def access_q(cls, user, action):
        if action == "view":
            return Q(team_id__in=member_team_ids(user))  # the teams the person sees
        if action in {"change", "delete"}:
            return Q(team_id__in=_working_teams(user))
        return Q(pk__in=[])


class WijkgesprekAction(models.Model):
    """An action agreed in a wijkgesprek; it can become (or point to) an intervention."""

    gesprek = models.ForeignKey(
        Wijkgesprek, on_delete=models.CASCADE, related_name="actions", verbose_name=_("wijkgesprek")
    )
    text = models.CharField(_("actie"), max_length=500)
    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gesprek_actions",
        verbose_name=_("interventie"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("actie uit een wijkgesprek")
        verbose_name_plural = _("acties uit wijkgesprekken")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text

    @classmethod
    def access_q(cls, user, action):
        return like_parent_q("gesprek", Wijkgesprek, user, action)


class InterventionImport(ImportJob):
    """One upload of a filled-in export or template, read by a Celery task; the page polls
    it. All rows are saved or none."""

    detail_url_name = "interventions:import-detail"

    # A file of interventions is not about one year and has no trial run.
    year = None
    dry_run = None
    file = models.FileField(_("bestand"), upload_to="imports/interventions/%Y/%m/")
    rows = models.PositiveIntegerField(_("rijen"), default=0)
    created = models.PositiveIntegerField(_("nieuw"), default=0)
    updated = models.PositiveIntegerField(_("gewijzigd"), default=0)
    unchanged = models.PositiveIntegerField(_("ongewijzigd"), default=0)

    class Meta(ImportJob.Meta):
        verbose_name = _("interventie-import")
        verbose_name_plural = _("interventie-imports")

    def __str__(self):
        return self.original_name

    @property
    def summary(self) -> str:
        """What a finished import did, as the job page says it."""
        return gettext(
            "Het bestand is ingelezen: %(created)s nieuwe, %(updated)s gewijzigde en "
            "%(unchanged)s ongewijzigde interventies."
        ) % {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}

    @classmethod
    def access_q(cls, user, action):
        # The person who started it; platform admins see every job (restrict() lets them through).
        if action == "view":
            return Q(started_by_id=user.pk)
        return Q(pk__in=[])
