"""Prestatieafspraken (Woningwet art. 44): agreements, their parties and signatures,
the corporation's yearly bod, commitments, and the yearly monitoring of each commitment.

Who may do what is decided in ``access_q`` (reads and edits by organisation membership)
and, for the workflow steps (signing, submitting, approving), in ``agreements.services``.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import VersionedModel
from core.permissions import RestrictedQuerySet, ids_for_read
from core.text import shorten
from organisations.models import organisation_ids_for

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


class PartyRole(models.TextChoices):
    GEMEENTE = "gemeente", _("gemeente")
    CORPORATIE = "corporatie", _("woningcorporatie")
    HUURDERS = "huurders", _("huurdersorganisatie")
    ZORGPARTNER = "zorgpartner", _("zorg- of maatschappelijke partner")


class Theme(models.TextChoices):
    BESCHIKBAARHEID = "beschikbaarheid", _("beschikbaarheid en nieuwbouw")
    BETAALBAARHEID = "betaalbaarheid", _("betaalbaarheid")
    KWALITEIT = "kwaliteit", _("kwaliteit en verduurzaming")
    LEEFBAARHEID = "leefbaarheid", _("leefbaarheid")
    WONEN_ZORG = "wonen_zorg", _("wonen en zorg")
    DOELGROEPEN = "doelgroepen", _("bijzondere doelgroepen")


def agreement_ids_for(user, action="view"):
    """The ids of the agreements where ``user`` may perform ``action`` (see
    ``core.permissions.ids_for_read``).

    Read: the people of every party. Change: bewerkers and beheerders of the gemeente
    and corporation parties (tenants and care partners read, comment and sign).
    """
    if action == "view":
        parties = AgreementParty.objects.filter(organisation_id__in=organisation_ids_for(user, "view"))
    else:
        parties = AgreementParty.objects.filter(
            organisation_id__in=organisation_ids_for(user, "change"),
            role__in=[PartyRole.GEMEENTE, PartyRole.CORPORATIE],
        )
    return ids_for_read(("agreements", user.pk, action == "view"), parties, "agreement_id")


class Agreement(VersionedModel):
    """A prestatieafspraak between a gemeente, corporations and tenants' organisations."""

    class Status(models.TextChoices):
        CONCEPT = "concept", _("concept")
        ONDERHANDELING = "onderhandeling", _("in onderhandeling")
        ONDERTEKEND = "ondertekend", _("ondertekend")
        AFGEROND = "afgerond", _("afgerond")

    # An agreement moves one step at a time, in this order.
    STATUS_ORDER = (Status.CONCEPT, Status.ONDERHANDELING, Status.ONDERTEKEND, Status.AFGEROND)

    title = models.CharField(_("titel"), max_length=200)
    gemeente_code = models.CharField(_("gemeentecode"), max_length=6, db_index=True)
    start_year = models.PositiveSmallIntegerField(_("eerste jaar"), validators=YEAR_VALIDATORS)
    end_year = models.PositiveSmallIntegerField(_("laatste jaar"), validators=YEAR_VALIDATORS)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.CONCEPT)
    summary = models.TextField(_("samenvatting"), blank=True)
    signed_document = models.FileField(_("ondertekend document"), upload_to="agreements/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("opgesteld door"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("prestatieafspraak")
        verbose_name_plural = _("prestatieafspraken")
        ordering = ["-start_year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="agreement_period_order"
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.start_year}–{self.end_year})"

    @classmethod
    def access_q(cls, user, action):
        # The workflow rules (signed agreements are read-only, ...) live in the services.
        if action in {"view", "change", "delete"}:
            return Q(pk__in=agreement_ids_for(user, action))
        return Q(pk__in=[])


class AgreementParty(VersionedModel):
    """One party to an agreement, with its own signature."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="agreement_parties"
    )
    role = models.CharField(_("rol in de afspraak"), max_length=16, choices=PartyRole.choices)
    signed_at = models.DateTimeField(_("ondertekend op"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ondertekend door"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partij")
        verbose_name_plural = _("partijen")
        ordering = ["role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "organisation"], name="party_unique_per_agreement")
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"

    @classmethod
    def access_q(cls, user, action):
        if action == "view":
            return Q(agreement_id__in=agreement_ids_for(user, "view"))
        return Q(pk__in=[])


class Amendment(VersionedModel):
    """A yearly amendment (wijziging) of a signed agreement: the only way to change it."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        VASTGESTELD = "vastgesteld", _("vastgesteld")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="amendments")
    year = models.PositiveSmallIntegerField(_("jaar"), validators=YEAR_VALIDATORS)
    reason = models.TextField(_("reden"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("wijziging")
        verbose_name_plural = _("wijzigingen")
        ordering = ["-year", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement"], condition=Q(status="open"), name="amendment_one_open_per_agreement"
            )
        ]

    def __str__(self):
        return _("Wijziging %(year)s van %(agreement)s") % {"year": self.year, "agreement": self.agreement}

    @classmethod
    def access_q(cls, user, action):
        return Q(agreement_id__in=agreement_ids_for(user, action))


class Bod(VersionedModel):
    """A corporation's yearly offer (bod) to the gemeente and the tenants, due 1 July."""

    class Status(models.TextChoices):
        CONCEPT = "concept", _("concept")
        INGEDIEND = "ingediend", _("ingediend")

    corporation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="boden",
        verbose_name=_("corporatie"),
    )
    gemeente_code = models.CharField(_("gemeentecode"), max_length=6, db_index=True)
    year = models.PositiveSmallIntegerField(_("jaar waarvoor het bod geldt"), validators=YEAR_VALIDATORS)
    recipients = models.ManyToManyField(
        "organisations.Organisation", related_name="received_boden", verbose_name=_("ontvangers")
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="boden",
        verbose_name=_("prestatieafspraak"),
    )
    summary = models.TextField(_("toelichting"), blank=True)
    document = models.FileField(_("document"), upload_to="boden/%Y/", blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.CONCEPT)
    submitted_at = models.DateTimeField(_("ingediend op"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when submitted after the deadline in force at that moment (the bod for year Y is
    # due on the gemeente's bod date of Y-1); stored, so a later calendar change does not
    # rewrite what happened.
    submitted_late = models.BooleanField(_("te laat ingediend"), default=False, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bod")
        verbose_name_plural = _("boden")
        ordering = ["-year", "corporation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["corporation", "gemeente_code", "year"], name="bod_unique_per_year"
            )
        ]

    def __str__(self):
        return _("Bod %(year)s van %(corporation)s") % {"year": self.year, "corporation": self.corporation}

    @classmethod
    def access_q(cls, user, action):
        # The corporation works on its bod; the recipients read it once it is submitted.
        own = Q(corporation_id__in=organisation_ids_for(user, "view"))
        if action == "view":
            received = cls.recipients.through.objects.filter(
                organisation_id__in=organisation_ids_for(user, "view")
            ).values("bod_id")
            return own | Q(status=cls.Status.INGEDIEND, pk__in=received)
        if action in {"change", "delete"}:
            return Q(corporation_id__in=organisation_ids_for(user, "change"))
        return Q(pk__in=[])


class Commitment(VersionedModel):
    """One afspraak: theme, text, responsible party and a measurable or qualitative target.

    It belongs to an agreement, or, as a proposal, to a bod until the agreement adopts it.
    """

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, null=True, blank=True, related_name="commitments"
    )
    bod = models.ForeignKey(Bod, on_delete=models.CASCADE, null=True, blank=True, related_name="proposals")
    adopted_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adoptions",
        verbose_name=_("overgenomen uit bod"),
    )
    number = models.CharField(_("nummer"), max_length=16, blank=True, help_text=_("Bijvoorbeeld 2.3"))
    theme = models.CharField(_("thema"), max_length=20, choices=Theme.choices)
    text = models.TextField(_("afspraak"))
    responsible = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("verantwoordelijke partij"),
    )
    target_value = models.DecimalField(
        _("streefwaarde"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    target_unit = models.CharField(
        _("eenheid"), max_length=60, blank=True, help_text=_("Bijvoorbeeld: sociale huurwoningen")
    )
    target_year = models.PositiveSmallIntegerField(
        _("streefjaar"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    areas = models.ManyToManyField(
        "areas.Area", blank=True, related_name="commitments", verbose_name=_("gebieden")
    )
    is_disputed = models.BooleanField(_("geschil"), default=False)
    dispute_note = models.TextField(_("toelichting geschil"), blank=True)
    disputed_by = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("geschil gemeld door"),
    )
    amendment = models.ForeignKey(
        Amendment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("via wijziging"),
    )

    history = HistoricalRecords(m2m_fields=[areas])

    class Meta:
        verbose_name = _("afspraak")
        verbose_name_plural = _("afspraken")
        ordering = ["theme", "number", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agreement__isnull=False) | Q(bod__isnull=False),
                name="commitment_in_agreement_or_bod",
            ),
        ]

    def __str__(self):
        # Used in notifications and mail subjects: cut after a whole word.
        return f"{self.number} {shorten(self.text, 60)}".strip()

    @property
    def is_quantitative(self):
        return self.target_value is not None

    @classmethod
    def access_q(cls, user, action):
        bod_ids = Bod.objects.filter(Bod.access_q(user, action)).values("pk")
        return Q(agreement_id__in=agreement_ids_for(user, action)) | Q(bod_id__in=bod_ids)


class MonitoringReport(VersionedModel):
    """What the responsible party realised on a commitment in one year; reviewed by the
    gemeente party and seen by the tenants."""

    class Progress(models.TextChoices):
        OP_KOERS = "op_koers", _("op koers")
        RISICO = "risico", _("risico")
        ACHTER = "achter", _("achter")
        GEREALISEERD = "gerealiseerd", _("gerealiseerd")

    class State(models.TextChoices):
        DRAFT = "concept", _("concept")
        SUBMITTED = "ingediend", _("ingediend")
        APPROVED = "goedgekeurd", _("goedgekeurd")
        RETURNED = "teruggestuurd", _("teruggestuurd voor herziening")

    # The states in which the report carries the review of its current round.
    REVIEWED_STATES = (State.APPROVED, State.RETURNED)

    # The badge (NL Design System status badge modifier) of each state and progress.
    # Approved is the agreements' own dark green: the theme's green under white text is
    # too pale to read (see agreements.css).
    STATE_BADGES = {
        State.DRAFT: "utrecht-status-badge--neutral",
        State.SUBMITTED: "wk-badge--waiting",
        State.APPROVED: "wk-badge--success",
        State.RETURNED: "utrecht-status-badge--danger",
    }
    PROGRESS_BADGES = {
        Progress.GEREALISEERD: "utrecht-status-badge--safe",
        Progress.OP_KOERS: "utrecht-status-badge--safe",
        Progress.RISICO: "utrecht-status-badge--warning",
        Progress.ACHTER: "utrecht-status-badge--danger",
    }

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(_("jaar"), validators=YEAR_VALIDATORS)
    realised_value = models.DecimalField(
        _("gerealiseerd"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    progress = models.CharField(_("stand"), max_length=16, choices=Progress.choices)
    explanation = models.TextField(_("toelichting"), blank=True)
    state = models.CharField(_("status"), max_length=16, choices=State.choices, default=State.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_comment = models.TextField(_("opmerking van de gemeente"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("monitoring")
        verbose_name_plural = _("monitoring")
        ordering = ["-year", "commitment"]
        constraints = [models.UniqueConstraint(fields=["commitment", "year"], name="report_unique_per_year")]

    @property
    def state_badge(self) -> str:
        return self.STATE_BADGES.get(self.state, "utrecht-status-badge--neutral")

    @classmethod
    def label_of_state(cls, state: str) -> str:
        """A state as the pages show it: a submitted report waits for the review of this
        round ("ter beoordeling"); the other states by their name."""
        if state == cls.State.SUBMITTED:
            return _("ter beoordeling")
        return cls.State(state).label

    @property
    def state_label(self) -> str:
        return self.label_of_state(self.state)

    @property
    def is_reviewed(self) -> bool:
        """Whether the current round has been reviewed, so ``reviewed_at``, ``reviewed_by``
        and ``review_comment`` belong to it. A resubmitted report waits for a new review;
        the earlier one is history."""
        return self.state in self.REVIEWED_STATES and self.reviewed_at is not None

    @property
    def progress_badge(self) -> str:
        return self.PROGRESS_BADGES.get(self.progress, "utrecht-status-badge--danger")

    def __str__(self):
        return f"{self.commitment} — {self.year}"

    @classmethod
    def access_q(cls, user, action):
        # Read by every party of the agreement; written by the responsible party's
        # bewerkers (reviewing is a workflow step, checked in the services).
        if action == "view":
            return Q(commitment__agreement_id__in=agreement_ids_for(user, "view"))
        if action in {"change", "delete"}:
            return Q(commitment__responsible_id__in=organisation_ids_for(user, "change"))
        return Q(pk__in=[])


class MonitoringComment(models.Model):
    """A comment on a monitoring report, for instance by the tenants' organisation."""

    report = models.ForeignKey(MonitoringReport, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("opmerking"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.author}: {self.text[:40]}"

    @classmethod
    def access_q(cls, user, action):
        if action == "view":
            return Q(report__commitment__agreement_id__in=agreement_ids_for(user, "view"))
        return Q(pk__in=[])


def _date_in_year(month: int, day: int):
    """The month and day fields of a yearly deadline, with these defaults."""
    return (
        models.PositiveSmallIntegerField(
            default=month, validators=[MinValueValidator(1), MaxValueValidator(12)]
        ),
        models.PositiveSmallIntegerField(
            default=day, validators=[MinValueValidator(1), MaxValueValidator(31)]
        ),
    )


class GemeenteCalendar(VersionedModel):
    """The yearly deadlines of one gemeente (defaults: bod 1 July, signing 15 December)."""

    gemeente_code = models.CharField(_("gemeentecode"), max_length=6, unique=True)
    bod_month, bod_day = _date_in_year(7, 1)
    signing_month, signing_day = _date_in_year(12, 15)
    monitoring_month, monitoring_day = _date_in_year(3, 1)
    review_month, review_day = _date_in_year(5, 1)
    reminder_days_ahead = models.PositiveSmallIntegerField(
        _("herinneren (dagen vooraf)"), default=14, validators=[MaxValueValidator(120)]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kalender van de gemeente")
        verbose_name_plural = _("kalenders van gemeenten")

    def __str__(self):
        return self.gemeente_code

    @classmethod
    def access_q(cls, user, action):
        from organisations.models import Organisation

        if action == "view":
            return Q()
        # Changed by the gemeente's own beheerders.
        own = Organisation.objects.filter(
            pk__in=organisation_ids_for(user, "manage"), kind=Organisation.Kind.GEMEENTE
        ).values("gemeente_code")
        return Q(gemeente_code__in=own)


class ReminderSent(models.Model):
    """One reminder sent to one person for one deadline: never sent twice."""

    kind = models.CharField(max_length=32)
    object_key = models.CharField(max_length=64)
    due_date = models.DateField()
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_key", "due_date", "recipient"], name="reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.object_key} {self.due_date} → {self.recipient_id}"
