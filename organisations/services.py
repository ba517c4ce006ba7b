"""Writes for organisations, memberships and invitations. Every write checks rights here."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from core.permissions import ensure_in_scope, is_platform_admin, require
from core.queueing import queue_on_commit
from core.services import check_version, save_versioned
from organisations.models import RESERVED_SLUGS, ROLE_ACTIONS, Invitation, Membership, Organisation, Role

User = get_user_model()
INVITATION_SALT = "organisations.invitation"

NO_PLATFORM_RIGHTS = _("Alleen platformbeheerders mogen organisaties aanmaken.")
NO_MANAGE_RIGHTS = _("Alleen beheerders van deze organisatie mogen haar mensen beheren.")
LAST_BEHEERDER = _(
    "Dit is de laatste beheerder van de organisatie. Stel eerst iemand anders aan als beheerder."
)


# --- organisations ----------------------------------------------------------------------


def _unique_slug(name, exclude_pk=None):
    base = slugify(name)[:70] or "organisatie"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Organisation.objects.exclude(pk=exclude_pk).filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_create(
    *,
    actor,
    name: str,
    kind: str,
    gemeente_code: str = "",
    description: str = "",
    website: str = "",
) -> Organisation:
    """Create an organisation (platform admins only), with its sharing groups."""
    if not is_platform_admin(actor):
        raise PermissionDenied(NO_PLATFORM_RIGHTS)
    name = name.strip()
    if Organisation.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("Er bestaat al een organisatie met deze naam.")})
    slug = _unique_slug(name)
    organisation = Organisation(
        name=name,
        slug=slug,
        kind=kind,
        gemeente_code=gemeente_code.strip().upper(),
        description=description,
        website=website,
        members_group=Group.objects.create(name=f"org:{slug}:leden"),
        editors_group=Group.objects.create(name=f"org:{slug}:bewerkers"),
    )
    return save_versioned(organisation, actor=actor)


@transaction.atomic
def organisation_update(*, actor, organisation: Organisation, version: int, **data) -> Organisation:
    """Change an organisation's details (its beheerders or a platform admin)."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    require(actor, "change", organisation, NO_MANAGE_RIGHTS)
    check_version(organisation, version)
    allowed_fields = {"name", "kind", "gemeente_code", "description", "website"}
    if not is_platform_admin(actor):
        # The kind decides what an organisation may do; only the platform changes it.
        allowed_fields -= {"kind"}
    unknown = set(data) - {"name", "kind", "gemeente_code", "description", "website", "is_active"}
    if unknown:
        raise ValidationError(_("Onbekende velden: %s") % ", ".join(sorted(unknown)))
    if "is_active" in data and is_platform_admin(actor):
        allowed_fields.add("is_active")
    if "name" in data:
        data["name"] = data["name"].strip()
        if Organisation.objects.exclude(pk=organisation.pk).filter(name__iexact=data["name"]).exists():
            raise ValidationError({"name": _("Er bestaat al een organisatie met deze naam.")})
    if "gemeente_code" in data:
        data["gemeente_code"] = data["gemeente_code"].strip().upper()
    for name, value in data.items():
        if name not in allowed_fields:
            if getattr(organisation, name) != value:
                raise PermissionDenied(_("Alleen platformbeheerders mogen dit veld wijzigen."))
            continue
        setattr(organisation, name, value)
    save_versioned(organisation, actor=actor)
    if not is_platform_admin(actor):
        ensure_in_scope(actor, organisation, "manage")
    return organisation


# --- memberships ------------------------------------------------------------------------


def _apply_role_groups(membership: Membership) -> None:
    """Put the person in the organisation's sharing groups that fit the role bundle."""
    user, organisation = membership.user, membership.organisation
    user.groups.add(organisation.members_group)
    if "change" in ROLE_ACTIONS[Role(membership.role)]:
        user.groups.add(organisation.editors_group)
    else:
        user.groups.remove(organisation.editors_group)


def _require_manage(actor, organisation):
    require(actor, "manage", organisation, NO_MANAGE_RIGHTS)


def _other_beheerders(organisation, exclude_pk):
    return (
        Membership.objects.select_for_update()
        .filter(organisation=organisation, role=Role.BEHEERDER)
        .exclude(pk=exclude_pk)
    )


@transaction.atomic
def membership_add(*, actor, organisation: Organisation, user, role: str) -> Membership:
    """Add a person to an organisation with a role (beheerders of it, or a platform admin)."""
    _require_manage(actor, organisation)
    if role not in Role.values:
        raise ValidationError({"role": _("Kies een rol: beheerder, bewerker of lezer.")})
    if Membership.objects.filter(organisation=organisation, user=user).exists():
        raise ValidationError(_("%(user)s is al lid van %(org)s.") % {"user": user, "org": organisation})
    membership = save_versioned(Membership(user=user, organisation=organisation, role=role), actor=actor)
    _apply_role_groups(membership)
    return membership


@transaction.atomic
def membership_change_role(*, actor, membership: Membership, role: str, version: int) -> Membership:
    """Change a person's role. The last beheerder cannot be demoted."""
    membership = (
        Membership.objects.select_for_update().select_related("organisation", "user").get(pk=membership.pk)
    )
    require(actor, "change", membership, NO_MANAGE_RIGHTS)
    check_version(membership, version)
    if role not in Role.values:
        raise ValidationError({"role": _("Kies een rol: beheerder, bewerker of lezer.")})
    if role == membership.role:
        return membership
    if (
        membership.role == Role.BEHEERDER
        and not _other_beheerders(membership.organisation, membership.pk).exists()
    ):
        raise ValidationError(LAST_BEHEERDER)
    membership.role = role
    save_versioned(membership, actor=actor, reason=_("rol gewijzigd"))
    _apply_role_groups(membership)
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    """Remove a person from an organisation. The last beheerder cannot be removed."""
    membership = (
        Membership.objects.select_for_update().select_related("organisation", "user").get(pk=membership.pk)
    )
    require(actor, "delete", membership, NO_MANAGE_RIGHTS)
    if (
        membership.role == Role.BEHEERDER
        and not _other_beheerders(membership.organisation, membership.pk).exists()
    ):
        raise ValidationError(LAST_BEHEERDER)
    membership.user.groups.remove(
        membership.organisation.members_group, membership.organisation.editors_group
    )
    membership._history_user = actor
    membership.delete()


@transaction.atomic
def beheerder_appoint(*, actor, organisation: Organisation, email: str) -> Membership | Invitation:
    """Appoint a beheerder (platform admins): an existing account gets the role at once,
    anyone else gets an invitation as beheerder."""
    if not is_platform_admin(actor):
        raise PermissionDenied(_("Alleen platformbeheerders stellen beheerders aan."))
    email = User.objects.normalize_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return invitation_create(actor=actor, organisation=organisation, email=email, role=Role.BEHEERDER)
    membership = Membership.objects.filter(organisation=organisation, user=user).first()
    if membership is None:
        return membership_add(actor=actor, organisation=organisation, user=user, role=Role.BEHEERDER)
    return membership_change_role(
        actor=actor, membership=membership, role=Role.BEHEERDER, version=membership.version
    )


# --- sharing single objects -------------------------------------------------------------


@transaction.atomic
def object_share(*, actor, obj, action: str, user=None, organisation: Organisation | None = None) -> None:
    """Share one object with a person or an organisation (a django-guardian object
    permission). Sharing ``view`` with an organisation reaches all its members, sharing
    ``change`` reaches its bewerkers and beheerders. Only someone who may ``change`` the
    object can share it."""
    if (user is None) == (organisation is None):
        raise ValidationError(_("Deel met één persoon of één organisatie."))
    require(actor, "change", obj, _("Alleen wie dit mag wijzigen, mag het delen."))
    perm = f"{action}_{obj._meta.model_name}"
    if organisation is not None:
        group = organisation.members_group if action == "view" else organisation.editors_group
        assign_perm(perm, group, obj)
    else:
        assign_perm(perm, user, obj)


@transaction.atomic
def object_unshare(*, actor, obj, action: str, user=None, organisation: Organisation | None = None) -> None:
    """Withdraw a share made with ``object_share``."""
    require(actor, "change", obj, _("Alleen wie dit mag wijzigen, mag het delen."))
    perm = f"{action}_{obj._meta.model_name}"
    if organisation is not None:
        group = organisation.members_group if action == "view" else organisation.editors_group
        remove_perm(perm, group, obj)
    if user is not None:
        remove_perm(perm, user, obj)


# --- invitations ------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    """The signed token in the invitation link. It names the invitation and its current
    nonce; a forged or altered token fails the signature check."""
    return signing.dumps(
        {"i": invitation.pk, "n": invitation.token_nonce}, salt=INVITATION_SALT, compress=True
    )


def invitation_url(invitation: Invitation) -> str:
    from django.urls import reverse

    return settings.SITE_URL + reverse(
        "organisations:invitation-accept", kwargs={"token": invitation_token(invitation)}
    )


INVALID_TOKEN = _(
    "Deze uitnodigingslink is ongeldig. Controleer of u de hele link uit de e-mail heeft gebruikt."
)


def invitation_from_token(token: str) -> Invitation:
    """The invitation a token points to, or a ``ValidationError`` with a Dutch message
    saying why it cannot be used (forged, replaced, used, withdrawn or expired)."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT)
        invitation = Invitation.objects.select_related("organisation").get(pk=data["i"])
    except (signing.BadSignature, KeyError, TypeError, Invitation.DoesNotExist) as exc:
        raise ValidationError(INVALID_TOKEN) from exc
    if invitation.token_nonce != data.get("n"):
        raise ValidationError(
            _("Deze link is vervangen door een nieuwere uitnodiging. Gebruik de link uit de laatste e-mail.")
        )
    if invitation.status == Invitation.Status.ACCEPTED:
        raise ValidationError(_("Deze uitnodiging is al gebruikt. Log in met uw account."))
    if invitation.status == Invitation.Status.REVOKED:
        raise ValidationError(_("Deze uitnodiging is ingetrokken. Vraag de beheerder om een nieuwe."))
    if invitation.is_expired:
        raise ValidationError(_("Deze uitnodiging is verlopen. Vraag de beheerder om een nieuwe."))
    return invitation


def _queue_invitation_mail(invitation):
    queue_on_commit(
        "organisations.tasks.invitation_send", invitation.pk, what=f"invitation mail {invitation.pk}"
    )


@transaction.atomic
def invitation_create(*, actor, organisation: Organisation, email: str, role: str) -> Invitation:
    """Invite someone by e-mail to join an organisation with a role. The mail is sent by a
    Celery task after the transaction commits."""
    _require_manage(actor, organisation)
    email = User.objects.normalize_email(email)
    if role not in Role.values:
        raise ValidationError({"role": _("Kies een rol: beheerder, bewerker of lezer.")})
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("%(email)s is al lid van deze organisatie.") % {"email": email}})
    if Invitation.objects.filter(
        organisation=organisation, email__iexact=email, status=Invitation.Status.OPEN
    ).exists():
        raise ValidationError(
            {
                "email": _(
                    "Er staat al een uitnodiging open voor %(email)s. Verstuur die opnieuw of trek haar in."
                )
                % {"email": email}
            }
        )
    invitation = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        token_nonce=secrets.token_hex(16),
    )
    save_versioned(invitation, actor=actor)
    _queue_invitation_mail(invitation)
    return invitation


def _open_invitation_locked(actor, invitation: Invitation, not_open: str) -> Invitation:
    """The invitation, locked, for a manager of its organisation to change; ``not_open`` is
    the error when it is no longer open."""
    invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    _require_manage(actor, invitation.organisation)
    if invitation.status != Invitation.Status.OPEN:
        raise ValidationError(not_open)
    return invitation


@transaction.atomic
def invitation_resend(*, actor, invitation: Invitation) -> Invitation:
    """Send an open invitation again with a fresh link and validity; older links stop working."""
    invitation = _open_invitation_locked(
        actor, invitation, _("Alleen een openstaande uitnodiging kan opnieuw worden verstuurd.")
    )
    invitation.token_nonce = secrets.token_hex(16)
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
    save_versioned(invitation, actor=actor, reason=_("opnieuw verstuurd"))
    _queue_invitation_mail(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor, invitation: Invitation) -> Invitation:
    """Withdraw an open invitation; its link stops working."""
    invitation = _open_invitation_locked(actor, invitation, _("Deze uitnodiging staat niet meer open."))
    invitation.status = Invitation.Status.REVOKED
    return save_versioned(invitation, actor=actor, reason=_("ingetrokken"))


@transaction.atomic
def invitation_mark_sent(*, invitation_id: int) -> None:
    """Record that the invitation mail went out (called by the sending task)."""
    Invitation.objects.filter(pk=invitation_id).update(sent_at=timezone.now())


@transaction.atomic
def invitation_accept(*, token: str, user=None, full_name: str = "", password: str = "") -> Membership:
    """Accept an invitation: single use, before it expires.

    ``user`` is the signed-in account, which must carry the invited e-mail address. Without
    one, a new account is created with ``full_name`` and ``password``; if an account with
    the address already exists, the person must sign in first (so nobody takes over an
    account through an invitation).
    """
    invitation = invitation_from_token(token)
    invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    invitation_from_token(token)  # re-check under the lock: a parallel accept has won
    if user is not None and user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            raise ValidationError(
                _("Deze uitnodiging is verstuurd aan %(email)s. U bent ingelogd als %(me)s; log eerst uit.")
                % {"email": invitation.email, "me": user.email}
            )
    else:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(
                _(
                    "Er bestaat al een account met %(email)s. Log eerst in; daarna kunt u de uitnodiging accepteren."
                )
                % {"email": invitation.email}
            )
        if not password:
            raise ValidationError({"password1": _("Kies een wachtwoord.")})
        user = User(email=invitation.email, full_name=full_name.strip())
        from django.contrib.auth.password_validation import validate_password

        validate_password(password, user)
        user.set_password(password)
        user.full_clean()
        user.save()
    membership = Membership.objects.filter(organisation=invitation.organisation, user=user).first()
    if membership is None:
        membership = save_versioned(
            Membership(user=user, organisation=invitation.organisation, role=invitation.role),
            actor=user,
            reason=_("uitnodiging geaccepteerd"),
        )
        _apply_role_groups(membership)
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    save_versioned(invitation, actor=user, reason=_("geaccepteerd"))
    return membership
