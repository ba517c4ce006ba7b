"""Reads for organisations, memberships and invitations, restricted to what a user may see."""

import datetime

from django.apps import apps
from django.db.models import Count, Q
from django.utils import timezone

from core.audit import merged_history
from core.models import ImportJob, Notification
from core.permissions import get_object_for
from organisations.models import (
    Invitation,
    Membership,
    Organisation,
    Role,
    organisation_ids_for,
    roles_for,
)


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


def manages_people(user) -> bool:
    """True when ``user`` is a beheerder of an organisation: they manage its people, so
    they must sign in with a second factor (``settings.SECOND_FACTOR_REQUIRED_FOR``)."""
    return Membership.objects.filter(user_id=user.pk, role__in=roles_for("manage")).exists()


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


# --- the start page --------------------------------------------------------------------------

FAILED_JOBS_DAYS = 14


def platform_work(*, limit: int = 10) -> dict:
    """For platform admins: import jobs that are running or failed in the last
    ``FAILED_JOBS_DAYS`` days (of every kind of import), and active organisations that
    have no beheerder, so nobody there can invite colleagues. One query per kind of
    import and one for the organisations."""
    since = timezone.now() - datetime.timedelta(days=FAILED_JOBS_DAYS)
    jobs = []
    for model in apps.get_models():
        if not issubclass(model, ImportJob):
            continue
        rows = model.objects.filter(
            Q(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
            | Q(status=ImportJob.Status.FAILED, updated_at__gte=since)
        ).order_by("-updated_at")[:limit]
        jobs += [(model._meta.verbose_name, job) for job in rows]
    jobs.sort(key=lambda pair: pair[1].updated_at, reverse=True)
    without_beheerder = (
        Organisation.objects.filter(is_active=True)
        .exclude(
            pk__in=Membership.objects.filter(role=Role.BEHEERDER, user__is_active=True).values(
                "organisation_id"
            )
        )
        .order_by("name")
    )
    return {
        "jobs": jobs[:limit],
        "without_beheerder": list(without_beheerder[:limit]),
        "without_beheerder_count": without_beheerder.count(),
    }


def unread_notifications(*, user, limit: int = 5):
    """The person's newest unread notifications and how many there are."""
    unread = Notification.objects.restrict(user, "view").unread()
    return list(unread[:limit]), unread.count()
