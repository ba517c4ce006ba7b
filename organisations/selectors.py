"""Reads for organisations, memberships and invitations, restricted to what a user may see."""

from django.db.models import Count, Q

from core.audit import merged_history
from core.permissions import get_object_for
from organisations.models import Invitation, Membership, Organisation, organisation_ids_for


def organisation_list(*, user, search: str = "", kind: str = ""):
    qs = Organisation.objects.restrict(user, "view").annotate(
        member_count=Count("memberships", distinct=True)
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(gemeente_code__iexact=search))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("name")


def membership_list(*, user, organisation=None):
    qs = Membership.objects.restrict(user, "view").select_related("user", "organisation")
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.order_by("organisation__name", "user__full_name", "user__email")


def memberships_of(user):
    """The signed-in person's own organisations and roles."""
    return Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")


def invitation_list(*, user, organisation, open_only=True):
    qs = (
        Invitation.objects.restrict(user, "view")
        .filter(organisation=organisation)
        .select_related("invited_by")
    )
    if open_only:
        qs = qs.filter(status=Invitation.Status.OPEN)
    return qs


def organisation_history(*, organisation, limit=100):
    """Everything recorded about an organisation: its own changes, its memberships and its
    invitations, newest first."""
    return merged_history(
        Organisation.history.filter(id=organisation.pk),
        Membership.history.filter(organisation_id=organisation.pk),
        Invitation.history.filter(organisation_id=organisation.pk),
        limit=limit,
    )


def home_gemeente_code(*, user) -> str:
    """The gemeente a person works in, where a page needs one to open on: that of the
    first of their organisations (by name) that has one; empty when none has."""
    code = (
        Organisation.objects.filter(pk__in=organisation_ids_for(user, "view"))
        .exclude(gemeente_code="")
        .order_by("name")
        .values_list("gemeente_code", flat=True)
        .first()
    )
    return code or ""


def organisation_get(*, user, slug: str, action: str = "view", visible_as: str = "view") -> Organisation:
    """One organisation by its short name: 404 when not ``visible_as`` (a page for its
    members only is not even there for others), 403 when ``action`` is not allowed."""
    return get_object_for(user, Organisation.objects.all(), action, visible_as=visible_as, slug=slug)


def membership_get(*, user, pk, action: str = "view") -> Membership:
    return get_object_for(user, Membership.objects.select_related("organisation", "user"), action, pk=pk)
