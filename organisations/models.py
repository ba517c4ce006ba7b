"""Organisations, the people in them with a role, and invitations to join."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import VersionedModel
from core.permissions import RestrictedQuerySet, read_once


class Role(models.TextChoices):
    """A person's role in an organisation; each is a bundle of actions (``ROLE_ACTIONS``)."""

    BEHEERDER = "beheerder", _("beheerder")
    BEWERKER = "bewerker", _("bewerker")
    LEZER = "lezer", _("lezer")


# The role bundles. "manage" is managing the organisation's own people and invitations.
ROLE_ACTIONS = {
    Role.LEZER: frozenset({"view"}),
    Role.BEWERKER: frozenset({"view", "add", "change"}),
    Role.BEHEERDER: frozenset({"view", "add", "change", "delete", "manage"}),
}


def roles_for(action):
    """The roles whose bundle includes ``action``."""
    return [role for role, actions in ROLE_ACTIONS.items() if action in actions]


def organisation_ids_for(user, action="view"):
    """The ids of the organisations where ``user`` holds a role that allows ``action``, for
    ``__in``: within a read (``core.permissions.rules_remembered``) a list, the person's
    memberships read once for the whole read; else a subquery, read with the query."""
    roles = read_once(("memberships", user.pk), lambda: _roles_by_organisation(user))
    if roles is not None:
        allowed = set(roles_for(action))
        return sorted(pk for pk, role in roles.items() if role in allowed)
    return Membership.objects.filter(user_id=user.pk, role__in=roles_for(action)).values("organisation_id")


def organisation_id_set(user, action="view") -> set[int]:
    """``organisation_ids_for`` read into a set."""
    ids = organisation_ids_for(user, action)
    return set(ids if isinstance(ids, list) else ids.values_list("organisation_id", flat=True))


def _roles_by_organisation(user) -> dict[int, str]:
    return dict(Membership.objects.filter(user_id=user.pk).values_list("organisation_id", "role"))


# The fixed paths under /organisaties/ (organisations.urls): no organisation's slug may
# take one of them.
RESERVED_SLUGS = frozenset({"nieuw", "lidmaatschap", "uitnodiging"})


class Organisation(VersionedModel):
    class Kind(models.TextChoices):
        CORPORATIE = "corporatie", _("woningcorporatie")
        GEMEENTE = "gemeente", _("gemeente")
        HUURDERSORGANISATIE = "huurdersorganisatie", _("huurdersorganisatie")
        PARTNER = "partner", _("maatschappelijke partner")

    name = models.CharField(_("naam"), max_length=200, unique=True)
    slug = models.SlugField(_("korte naam (in adressen)"), max_length=80, unique=True)
    kind = models.CharField(_("soort"), max_length=32, choices=Kind.choices)
    gemeente_code = models.CharField(
        _("CBS-gemeentecode"),
        max_length=6,
        blank=True,
        validators=[
            RegexValidator(
                r"^GM\d{4}$",
                _("Een gemeentecode is GM gevolgd door vier cijfers, bijvoorbeeld GM0453."),
            )
        ],
        help_text=_(
            "Voor een gemeente: haar eigen code. Voor andere organisaties: de gemeente waar zij vooral werkt."
        ),
    )
    description = models.TextField(_("omschrijving"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("actief"), default=True)
    # Groups through which single objects are shared with the whole organisation (view)
    # or with its editors (change); kept in line with memberships by the services.
    members_group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="+", editable=False)
    editors_group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="+", editable=False)

    history = HistoricalRecords(excluded_fields=["members_group", "editors_group"])

    # "members": see the organisation's people and history; "manage": manage them.
    extra_actions = ("members", "manage")

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name"]
        permissions = [
            ("members_organisation", _("Mag de mensen van de organisatie zien")),
            ("manage_organisation", _("Mag de mensen van de organisatie beheren")),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def access_q(cls, user, action):
        # The directory of organisations is readable for every signed-in user: parties
        # have to find each other to form teams and agreements.
        if action == "view":
            return Q(is_active=True) | Q(pk__in=organisation_ids_for(user, "view"))
        if action == "members":
            return Q(pk__in=organisation_ids_for(user, "view"))
        if action in {"change", "manage"}:
            return Q(pk__in=organisation_ids_for(user, "manage"))
        return Q(pk__in=[])


class MembershipQuerySet(RestrictedQuerySet):
    pass


class Membership(VersionedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("persoon"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisatie"),
    )
    role = models.CharField(_("rol"), max_length=16, choices=Role.choices, default=Role.LEZER)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")
        ordering = ["organisation__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique_user_organisation"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"

    @classmethod
    def access_q(cls, user, action):
        # Colleagues see each other; only beheerders change or remove memberships.
        if action == "view":
            return Q(organisation_id__in=organisation_ids_for(user, "view"))
        if action in {"change", "delete"}:
            return Q(organisation_id__in=organisation_ids_for(user, "manage"))
        return Q(pk__in=[])


class Invitation(VersionedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACCEPTED = "geaccepteerd", _("geaccepteerd")
        REVOKED = "ingetrokken", _("ingetrokken")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisatie"),
    )
    email = models.EmailField(_("e-mailadres"))
    role = models.CharField(_("rol"), max_length=16, choices=Role.choices, default=Role.LEZER)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uitgenodigd door"),
    )
    expires_at = models.DateTimeField(_("geldig tot"))
    # A new nonce makes every link sent earlier invalid (used when re-sending).
    token_nonce = models.CharField(max_length=32, editable=False)
    sent_at = models.DateTimeField(_("verstuurd op"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("geaccepteerd op"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("geaccepteerd door"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("uitnodiging")
        verbose_name_plural = _("uitnodigingen")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(status="open"),
                name="invitation_one_open_per_email",
            )
        ]

    def __str__(self):
        return _("Uitnodiging voor %(email)s bij %(organisation)s") % {
            "email": self.email,
            "organisation": self.organisation,
        }

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self):
        return self.status == self.Status.OPEN and not self.is_expired

    @classmethod
    def access_q(cls, user, action):
        return Q(organisation_id__in=organisation_ids_for(user, "manage"))
