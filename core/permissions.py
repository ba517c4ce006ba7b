"""The one place where access is decided.

Every access-controlled model uses ``RestrictedQuerySet`` as its default manager and
declares a classmethod ``access_q(user, action) -> Q`` with its domain rule (for instance
"members of the lead organisation"). ``restrict(user, action)`` combines that rule with
per-object grants made through django-guardian, to the user or to one of their groups.
Model-wide (global) permissions never open data: ``accept_global_perms=False`` in spirit.

Lists, detail pages, API viewsets, exports, map endpoints and search all start from
``Model.objects.restrict(user, action)``.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.translation import gettext as _

ACTIONS = ("view", "add", "change", "delete")


def is_platform_admin(user):
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_platform_admin or user.is_superuser)
    )


def codename_for(model, action):
    return f"{action}_{model._meta.model_name}"


def like_parent_q(field: str, parent, user, action) -> models.Q:
    """The rule of a model whose rows are visible (or changeable) exactly when the row of
    ``parent`` they belong to through ``field`` is: one subquery on the parent's rule."""
    return models.Q(**{f"{field}__in": parent.objects.filter(parent.access_q(user, action)).values("pk")})


def shared_q(user, model, action):
    """Condition on primary keys of ``model`` shared with ``user`` for ``action``.

    Grants come from django-guardian object permissions, given to the user directly or to
    a group they are in (organisations share through their groups). Runs as one subquery,
    no extra round trip.
    """
    from guardian.models import GroupObjectPermission, UserObjectPermission

    if user.pk is None:  # a person not saved has no grants (nor groups)
        return models.Q(pk__in=[])
    content_type = ContentType.objects.get_for_model(model)
    codename = codename_for(model, action)
    pk_field = model._meta.pk
    cast_to = (
        models.BigIntegerField()
        if isinstance(pk_field, models.AutoField | models.BigAutoField | models.IntegerField)
        else models.CharField(max_length=255)
    )
    direct = (
        UserObjectPermission.objects.filter(
            user_id=user.pk, content_type=content_type, permission__codename=codename
        )
        .annotate(object_key=Cast("object_pk", cast_to))
        .values("object_key")
    )
    via_group = (
        GroupObjectPermission.objects.filter(
            group__user=user.pk, content_type=content_type, permission__codename=codename
        )
        .annotate(object_key=Cast("object_pk", cast_to))
        .values("object_key")
    )
    return models.Q(pk__in=direct) | models.Q(pk__in=via_group)


# Rules built during one read that calls ``restrict()`` many times (a year report): the
# rule of a model, person and action is the same throughout, so it is built once.
_remembered: ContextVar[dict | None] = ContextVar("remembered_rules", default=None)
# A read takes at most this many grants of one person as ids into its rules; someone with
# more (an organisation that shares a whole portfolio) keeps the subqueries of ``shared_q``.
GRANTS_READ_AT_ONCE = 1000


@contextmanager
def rules_remembered():
    """Within this block ``restrict()`` builds each (model, person, action) rule once,
    and what the rules rest on is read once.

    For reads (``core.middleware.ReadRulesMiddleware`` puts every GET in it). Outside a
    read, ``access_q`` gives subqueries (never ids it read, nor a branch on
    ``.exists()``), so a write asks the database for the rights of the moment in every
    query. Within a read, the person's memberships (``organisations.models``), teams
    and agreements (``ids_for_read``) and the objects shared with them (``_grants``) are
    each read once, when a rule first needs them, and the rules carry them as ids: the
    read sees the rights as they were when it started, and its queries carry no rights
    subqueries. A read changes no rights; should anything be saved or removed during
    one all the same, what it remembered is forgotten (``forget_remembered``, on every
    save, removal and many-to-many change). A block within a block is the same read."""
    if _remembered.get() is not None:
        yield
        return
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def forget_remembered(**kwargs) -> None:
    """Forget the rules and rights remembered in this read (``core.receivers`` calls it
    on every save, removal and many-to-many change): they are built and read anew."""
    remembered = _remembered.get()
    if remembered:
        remembered.clear()


def _grants(user) -> dict[tuple[int, str], list[str]] | None:
    """The objects shared with ``user`` for each (content type id, permission codename),
    directly or through one of their groups, read in one query; None when there are more
    than ``GRANTS_READ_AT_ONCE`` (the rules then keep their subqueries)."""
    from guardian.models import GroupObjectPermission, UserObjectPermission

    if user.pk is None:  # a person not saved has no grants (nor groups)
        return {}
    fields = ("content_type_id", "permission__codename", "object_pk")
    direct = UserObjectPermission.objects.filter(user_id=user.pk).order_by().values_list(*fields)
    via_group = GroupObjectPermission.objects.filter(group__user=user.pk).order_by().values_list(*fields)
    rows = list(direct.union(via_group, all=True)[: GRANTS_READ_AT_ONCE + 1])
    if len(rows) > GRANTS_READ_AT_ONCE:
        return None
    grants = {}
    for content_type_id, codename, object_pk in rows:
        grants.setdefault((content_type_id, codename), []).append(object_pk)
    return grants


def _shared_ids(model, action, grants) -> list:
    """The primary keys of ``model`` shared for ``action`` in ``grants`` (see ``_grants``),
    as the primary key's type; a key that cannot be one shares nothing."""
    object_pks = grants.get((ContentType.objects.get_for_model(model).pk, codename_for(model, action)), ())
    pk_field = model._meta.pk
    ids = set()
    for object_pk in object_pks:
        try:
            ids.add(pk_field.to_python(object_pk))
        except ValidationError:
            continue
    return sorted(ids, key=str)


def read_once(key, compute):
    """Within ``rules_remembered``: what ``compute()`` returns, computed once per read
    under ``key`` (for what a rule depends on, such as a person's memberships); outside
    one, None: the caller then builds its subquery."""
    remembered = _remembered.get()
    if remembered is None:
        return None
    if key not in remembered:
        remembered[key] = compute()
    return remembered[key]


def ids_for_read(key, queryset, field: str):
    """The ``field`` values of ``queryset`` for an ``__in`` rule: a subquery, read with
    the query; within a read (``rules_remembered``) a list, read once under ``key`` for
    the whole read. For what a person's rights rest on (their teams, their agreements)."""
    ids = read_once(key, lambda: sorted(set(queryset.values_list(field, flat=True))))
    return queryset.values(field) if ids is None else ids


def remembered_shared_ids(user, model, action) -> list | None:
    """Within ``rules_remembered``: the ids of ``model`` shared with ``user`` for
    ``action``, as that read took them (see ``_grants``); None outside one, or when the
    person has too many grants (then ``shared_q`` asks the database)."""
    grants = read_once(("grants", user.pk), lambda: _grants(user))
    return None if grants is None else _shared_ids(model, action, grants)


def _rule(user, model, action):
    """The access rule of ``model`` for ``user`` and ``action``: None for everything,
    else a ``Q`` (the model's own rule or the objects shared with the user). Within
    ``rules_remembered``, the shared objects are the ids that read took."""
    access_q = getattr(model, "access_q", None)
    rule = access_q(user, action) if access_q else models.Q(pk__in=[])
    if not rule:
        # An empty Q is "no condition": everything. (``Q() | other`` would drop it and
        # leave only the shared objects.)
        return None
    shared = remembered_shared_ids(user, model, action)
    if shared is None:
        return rule | shared_q(user, model, action)
    return rule | models.Q(pk__in=shared) if shared else rule


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows how to limit itself to what a user may do."""

    def restrict(self, user, action="view"):
        """Objects of this queryset that ``user`` may perform ``action`` on."""
        if action not in ACTIONS + tuple(getattr(self.model, "extra_actions", ())):
            raise ValueError(f"Unknown action {action!r} for {self.model.__name__}")
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if is_platform_admin(user) and getattr(self.model, "platform_admin_sees_all", True):
            return self
        remembered = _remembered.get()
        if remembered is None:
            rule = _rule(user, self.model, action)
        else:
            key = (self.model, user.pk, action)
            if key not in remembered:
                remembered[key] = _rule(user, self.model, action)
            rule = remembered[key]
        return self if rule is None else self.filter(rule)


def allowed(user, action, obj):
    """True when ``user`` may perform ``action`` on ``obj``."""
    return type(obj)._default_manager.restrict(user, action).filter(pk=obj.pk).exists()


def require(user, action, obj, message=None):
    """Raise ``PermissionDenied`` with a Dutch message unless the user may act on ``obj``."""
    if not allowed(user, action, obj):
        raise PermissionDenied(message or _("U heeft geen recht om dit te doen."))


def ensure_in_scope(user, obj, action="change"):
    """After a write: the object must still be within the user's reach.

    Called inside the service's transaction, so a failure rolls the write back and nobody
    can move an object out of their own reach.
    """
    if not allowed(user, action, obj):
        raise PermissionDenied(
            _("Deze wijziging zou het object buiten uw eigen bereik plaatsen en is daarom niet opgeslagen.")
        )


def get_object_for(user, queryset, action="view", *, visible_as="view", **lookup):
    """Fetch one object for a page or endpoint.

    Not visible at all (``visible_as``, normally ``view``): 404, so existence is not
    revealed. Visible but ``action`` is not allowed: 403. A lookup value that cannot be
    an id at all (``AAA``, ``null``, ``true`` from a URL or a request body) is also
    an object that does not exist: 404, not a server error.
    """
    model_qs = queryset if isinstance(queryset, models.QuerySet) else queryset.all()
    try:
        obj = model_qs.restrict(user, visible_as).get(**lookup)
    except (model_qs.model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404(_("Niet gevonden.")) from exc
    if action != "view" and not allowed(user, action, obj):
        raise PermissionDenied(_("U mag dit wel bekijken, maar niet wijzigen."))
    return obj
