"""Base models shared by every domain app: the user, and versioned, timestamped records."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.permissions import RestrictedQuerySet


class UserManager(BaseUserManager.from_queryset(RestrictedQuerySet)):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(email__iexact=self.normalize_email(username))

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("Een e-mailadres is verplicht.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True, is_platform_admin=True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with e-mail and password."""

    email = models.EmailField(_("e-mailadres"), unique=True)
    full_name = models.CharField(_("naam"), max_length=200, blank=True)
    is_platform_admin = models.BooleanField(
        _("platformbeheerder"),
        default=False,
        help_text=_("Beheert organisaties, partnertoegang en landelijke gegevens."),
    )
    is_staff = models.BooleanField(
        _("toegang tot Django-beheer"),
        default=False,
        help_text=_("Mag inloggen op de technische beheeromgeving (/admin/)."),
    )
    is_active = models.BooleanField(_("actief"), default=True)
    date_joined = models.DateTimeField(_("aangemaakt op"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = UserManager.normalize_email(self.email)

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def has_platform_rights(self):
        return self.is_active and (self.is_platform_admin or self.is_superuser)

    @classmethod
    def access_q(cls, user, action):
        # People are only listed through their memberships; a user sees their own record.
        return models.Q(pk=user.pk)


class VersionedModel(models.Model):
    """A record with timestamps and an edit version for optimistic locking.

    Every form and API update sends the version it started from; the service refuses the
    save when the stored version has moved on (see ``core.services.check_version``).
    """

    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)
    version = models.PositiveIntegerField(_("versie"), default=1, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True


class ImportJob(VersionedModel):
    """One file imported into the database by a background task, with the progress the
    page polls and a row-by-row report. Subclasses add the file field (with its folder),
    what the file is imported into and their counters; ``core.imports`` runs them."""

    # The name of the job's page (``reverse(detail_url_name, args=[pk])``).
    detail_url_name = ""

    class Status(models.TextChoices):
        QUEUED = "wachtrij", _("in de wachtrij")
        RUNNING = "bezig", _("bezig")
        DONE = "klaar", _("klaar")
        FAILED = "mislukt", _("mislukt")

    original_name = models.CharField(_("bestandsnaam"), max_length=255)
    year = models.PositiveSmallIntegerField(_("jaar"))
    dry_run = models.BooleanField(_("proefimport (niets opslaan)"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("voortgang (%)"), default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name} ({self.year})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class NotificationQuerySet(RestrictedQuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message for one person in the product (a reminder, a status change, ...).

    Written by ``core.services.notify``; mail is sent separately by the app that notifies.
    """

    recipient = models.ForeignKey(
        "core.User", on_delete=models.CASCADE, related_name="notifications", verbose_name=_("ontvanger")
    )
    kind = models.CharField(_("soort"), max_length=40)
    text = models.CharField(_("melding"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("gemaakt op"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("gelezen op"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()
    # Personal: not even platform admins read someone else's notifications.
    platform_admin_sees_all = False

    class Meta:
        verbose_name = _("melding")
        verbose_name_plural = _("meldingen")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.text

    @classmethod
    def access_q(cls, user, action):
        return models.Q(recipient_id=user.pk)


class SignInEvent(models.Model):
    """One event in the sign-in audit log: signing in and out, the second step and changes
    to someone's second factor. Written by ``core.services.sign_in_event_record`` only."""

    class Kind(models.TextChoices):
        SIGNED_IN = "ingelogd", _("ingelogd")
        SIGN_IN_FAILED = "inloggen-mislukt", _("inloggen mislukt")
        SIGNED_OUT = "uitgelogd", _("uitgelogd")
        SESSION_EXPIRED = "sessie-verlopen", _("sessie verlopen")
        SECOND_FACTOR_PASSED = "code-goed", _("tweede stap gelukt")
        SECOND_FACTOR_FAILED = "code-fout", _("tweede stap mislukt")
        RECOVERY_CODE_USED = "herstelcode-gebruikt", _("herstelcode gebruikt")
        DEVICE_ADDED = "tweede-stap-ingesteld", _("tweede stap ingesteld")
        DEVICE_REMOVED = "tweede-stap-verwijderd", _("tweede stap verwijderd")
        DEVICE_RESET = "tweede-stap-hersteld", _("tweede stap teruggezet door platformbeheer")
        RECOVERY_CODES_RENEWED = "herstelcodes-vernieuwd", _("nieuwe herstelcodes")

    kind = models.CharField(_("gebeurtenis"), max_length=32, choices=Kind.choices)
    user = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sign_in_events",
        verbose_name=_("persoon"),
    )
    # The address as it was typed, also when no account has it (a failed sign-in).
    email = models.CharField(_("e-mailadres"), max_length=254, blank=True)
    actor = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uitgevoerd door"),
    )
    ip_address = models.GenericIPAddressField(_("IP-adres"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    detail = models.CharField(_("toelichting"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("tijdstip"), default=timezone.now, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("aanmeldgebeurtenis")
        verbose_name_plural = _("aanmeldgebeurtenissen")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="signinevent_user_recent")]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.email}"

    @classmethod
    def access_q(cls, user, action):
        # People read their own sign-in history; the log is never edited.
        if action == "view":
            return models.Q(user_id=user.pk)
        return models.Q(pk__in=[])
