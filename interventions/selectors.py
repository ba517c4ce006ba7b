"""Reads for area teams, urgency and interventions. Every list starts from
``restrict(user, "view")`` and loads its related rows in a fixed number of queries,
whatever the page size (no query per row)."""

import datetime
from collections import Counter

from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.manager import BaseManager
from django.utils.translation import ngettext

from agreements.models import Commitment
from areas.models import Area, AreaKind
from areas.selectors import HEAVY_FIELDS as AREA_SHAPES  # the shape columns
from core.audit import history_entries, merged_history
from core.imports import job_get
from core.permissions import get_object_for, is_platform_admin, remembered_shared_ids, shared_q
from interventions.models import (
    AreaTeam,
    Intervention,
    InterventionImport,
    NotificationPreference,
    ProgressUpdate,
    TeamMember,
    UrgencyAssessment,
    Wijkgesprek,
    WijkgesprekAction,
    member_team_ids,
    working_team_ids,
)
from organisations.models import Organisation, organisation_ids_for
from scores.models import Indicator
from scores.selectors.maps import indicator_list


def _light_areas():
    return Area.objects.defer(*AREA_SHAPES)


def _members_prefetch(lookup="members"):
    return Prefetch(
        lookup,
        queryset=TeamMember.objects.select_related("organisation").order_by("role", "organisation__name"),
    )


def _as_list(value):
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return [value]


# --- teams -----------------------------------------------------------------------------


def team_list(*, user):
    """The teams the user's organisations are in, with area, members, the number of
    interventions and the latest urgency."""
    interventions = (
        Intervention.objects.filter(team=OuterRef("pk"))
        .order_by()
        .values("team")
        .annotate(n=Count("pk"))
        .values("n")
    )
    latest = UrgencyAssessment.objects.filter(team=OuterRef("pk")).order_by("-year")
    return (
        AreaTeam.objects.restrict(user, "view")
        .select_related("area")
        .defer(*(f"area__{name}" for name in AREA_SHAPES))
        .prefetch_related(_members_prefetch())
        .annotate(
            intervention_count=Coalesce(Subquery(interventions, output_field=IntegerField()), 0),
            latest_urgency=Subquery(latest.values("urgency")[:1]),
            latest_urgency_year=Subquery(latest.values("year")[:1]),
        )
        .order_by("name", "pk")
    )


def team_detail(*, user, pk, action: str = "view", visible_as: str = "view"):
    """One team with its area and members; 404 when the user may not see it, 403 when
    ``action`` is not allowed."""
    queryset = (
        AreaTeam.objects.select_related("area", "created_by")
        .defer(*(f"area__{name}" for name in AREA_SHAPES))
        .prefetch_related(_members_prefetch())
    )
    return get_object_for(user, queryset, action, visible_as=visible_as, pk=pk)


def team_history(*, team, limit=100):
    """Everything recorded about a team: itself, its members and its urgency, newest first."""
    return merged_history(
        AreaTeam.history.filter(id=team.pk),
        TeamMember.history.filter(team_id=team.pk),
        UrgencyAssessment.history.filter(team_id=team.pk),
        limit=limit,
    )


def intervention_history(*, intervention, user=None, limit=50):
    """The recorded versions of an intervention, newest first. With ``user``, linked
    indicators and commitments that person may not see are counted, not named."""
    return _name_relations(history_entries(Intervention.history.filter(id=intervention.pk), limit), user)


# Linked objects with their own reading rights: the history names only those the reader
# may see (a licensed source's indicator, a commitment of an agreement they are no party to).
RESTRICTED_RELATIONS = (Indicator, Commitment)


def _relation_text(rows, user) -> str:
    """The objects one history record links through a many-to-many field, by name; those
    the reader may not see are counted, those deleted since are counted too."""
    record = rows.instance
    target = next(
        field
        for field in rows.model._meta.fields
        if field.is_relation and field.related_model not in (type(record), record.instance_type)
    )
    ids = {getattr(row, target.attname) for row in rows.all()}
    related = target.related_model
    existing = {obj.pk: obj for obj in related._default_manager.filter(pk__in=ids)}
    seen = set(existing)
    if user is not None and related in RESTRICTED_RELATIONS:
        seen = set(related.objects.restrict(user, "view").filter(pk__in=ids).values_list("pk", flat=True))
    names = sorted(str(existing[pk]) for pk in seen)
    hidden, deleted = len(set(existing) - seen), len(ids - set(existing))
    if hidden:
        names.append(
            ngettext("%(n)s die u niet kunt zien", "%(n)s die u niet kunt zien", hidden) % {"n": hidden}
        )
    if deleted:
        names.append(ngettext("%(n)s verwijderd", "%(n)s verwijderd", deleted) % {"n": deleted})
    return ", ".join(names)


def _name_relations(entries, user=None):
    """History entries with many-to-many changes written as names instead of the
    history's row managers."""
    for entry in entries:
        for change in entry.changes:
            for side in ("old", "new"):
                value = getattr(change, side)
                if isinstance(value, BaseManager):
                    setattr(change, side, _relation_text(value, user))
    return entries


def intervention_links(*, user, intervention) -> dict:
    """The intervention's catalogue indicators (by source) and agreement commitments that
    ``user`` may see, and how many of each they may not see."""
    indicators = list(intervention.indicators.all())
    commitments = list(intervention.commitments.all())
    seen_indicators = list(
        Indicator.objects.restrict(user, "view")
        .filter(pk__in=[i.pk for i in indicators])
        .select_related("source")
        .order_by("source__name", "name")
    )
    seen_commitments = list(
        Commitment.objects.restrict(user, "view")
        .filter(pk__in=[c.pk for c in commitments])
        .select_related("agreement", "responsible")
        .order_by("agreement__title", "number", "pk")
    )
    return {
        "indicators": seen_indicators,
        "hidden_indicators": len(indicators) - len(seen_indicators),
        "commitments": seen_commitments,
        "hidden_commitments": len(commitments) - len(seen_commitments),
    }


def offered_indicators(*, user):
    """The catalogue indicators a person can name as the ones an intervention must move:
    those of the sources they may see, by source and name."""
    return indicator_list(user=user)


def offered_commitments(*, user, team):
    """The commitments an intervention of ``team`` can deliver on for ``user``: those the
    person may see in the agreements of the team's gemeente (a bod's proposals are not
    agreed yet), by agreement and number."""
    return (
        Commitment.objects.restrict(user, "view")
        .filter(agreement__gemeente_code=team.area.gemeente_code)
        .select_related("agreement", "responsible")
        .order_by("-agreement__start_year", "agreement__title", "agreement_id", "number", "pk")
    )


# --- urgency ---------------------------------------------------------------------------


def urgency_history(*, team, user=None):
    """The team's urgency per year, newest year first (one assessment per year). Earlier
    versions of an assessment are in ``urgency_revisions``. With ``user``, restricted to
    what that person may see."""
    assessments = UrgencyAssessment.objects.all()
    if user is not None:
        assessments = UrgencyAssessment.objects.restrict(user, "view")
    return assessments.filter(team_id=team.pk).select_related("assessed_by").order_by("-year")


def urgency_revisions(*, team):
    """Every recorded version of the team's assessments (the audit trail), newest first."""
    return (
        UrgencyAssessment.history.filter(team_id=team.pk)
        .select_related("history_user")
        .order_by("-year", "-history_date", "-history_id")
    )


def urgency_map(*, user, gemeente_code, year) -> dict[str, str]:
    """``{area code: urgency}`` for the teams in a gemeente the user may see, for the
    assessment year ``year``: colours the gemeente map."""
    rows = (
        UrgencyAssessment.objects.restrict(user, "view")
        .filter(year=year, team__area__gemeente_code=gemeente_code)
        .values_list("team__area__code", "urgency")
    )
    return dict(rows)


def urgency_table(*, user, gemeente_code, year) -> list[dict]:
    """The visible teams of a gemeente as table rows beside the map: area code and name,
    team, urgency and rationale of ``year`` (or None) and the number of interventions."""
    assessment = UrgencyAssessment.objects.filter(team=OuterRef("pk"), year=year)
    interventions = (
        Intervention.objects.filter(team=OuterRef("pk"))
        .order_by()
        .values("team")
        .annotate(n=Count("pk"))
        .values("n")
    )
    teams = (
        AreaTeam.objects.restrict(user, "view")
        .filter(area__gemeente_code=gemeente_code)
        .annotate(
            urgency=Subquery(assessment.values("urgency")[:1]),
            rationale=Subquery(assessment.values("rationale")[:1]),
            intervention_count=Coalesce(Subquery(interventions, output_field=IntegerField()), 0),
        )
        .values(
            "pk",
            "name",
            "area__code",
            "area__name",
            "area__kind",
            "urgency",
            "rationale",
            "intervention_count",
        )
        .order_by("area__code")
    )
    return [
        {
            "team_id": row["pk"],
            "team": row["name"],
            "code": row["area__code"],
            "name": row["area__name"],
            "kind": row["area__kind"],
            "urgency": row["urgency"],
            "rationale": row["rationale"] or "",
            "interventions": row["intervention_count"],
        }
        for row in teams
    ]


# --- interventions ---------------------------------------------------------------------


def _areas_matching(area):
    if isinstance(area, Area):
        return [area]
    if isinstance(area, int) or (isinstance(area, str) and area.isdigit()):
        return list(_light_areas().filter(pk=int(area)))
    return list(_light_areas().filter(code=str(area).strip().upper()))


def _area_q(area) -> Q:
    """Interventions that touch an area: for a gemeente all teams in it; for a wijk or
    gebied its team and anything named in it; for a buurt what names the buurt or its wijk."""
    through = Intervention.areas.through.objects
    condition = Q(pk__in=[])
    for row in _areas_matching(area):
        if row.kind == AreaKind.GEMEENTE:
            condition |= Q(team__area__gemeente_code=row.gemeente_code, team__area__year=row.year)
            continue
        ids = [row.pk]
        if row.kind == AreaKind.WIJK:
            ids += list(Area.objects.filter(parent_id=row.pk).values_list("pk", flat=True))
        elif row.kind == AreaKind.GEBIED:
            ids += list(row.members.values_list("pk", flat=True))
        elif row.parent_id:
            ids.append(row.parent_id)
        condition |= Q(pk__in=through.filter(area_id__in=ids).values("intervention_id"))
        if row.kind in (AreaKind.WIJK, AreaKind.GEBIED):
            condition |= Q(team__area_id=row.pk)
    return condition


def _with_progress(queryset):
    """The date of the latest progress update and the latest percentage, per row."""
    latest = ProgressUpdate.objects.filter(intervention=OuterRef("pk")).order_by("-date", "-created_at")
    return queryset.annotate(
        last_update_on=Subquery(latest.values("date")[:1]),
        latest_progress=Subquery(latest.filter(progress__isnull=False).values("progress")[:1]),
    )


def _with_related(queryset):
    return _with_progress(
        # Team, area and lead come by prefetch, not by join: with a join PostgreSQL may pick
        # a nested loop over the whole team table when it underestimates a filtered page.
        queryset.prefetch_related(
            Prefetch(
                "team",
                queryset=AreaTeam.objects.select_related("area").defer(
                    *(f"area__{name}" for name in AREA_SHAPES)
                ),
            ),
            Prefetch("lead_organisation", queryset=Organisation.objects.all()),
            Prefetch("areas", queryset=_light_areas().order_by("kind", "code")),
            Prefetch("partner_organisations", queryset=Organisation.objects.order_by("name")),
        )
    )


def visible_interventions(user):
    """``Intervention.objects.restrict(user, "view")``, with the same rule repeated as a
    filter on indexed columns: the ids of the user's teams and of the interventions shared
    with them, read first in one small query.

    restrict() joins the team rule and the object shares with OR, which PostgreSQL can only
    check row by row over the whole table; with the literal ids it reads just the candidate
    rows through the team and primary key indexes (BitmapOr), so counts and pages stay fast
    on a large table. The result is exactly the restricted set.
    """
    visible = Intervention.objects.restrict(user, "view")
    if user is None or not user.is_authenticated or not user.is_active or is_platform_admin(user):
        return visible
    team_ids, shared_ids = _team_and_shared_ids(user)
    return visible.filter(Q(team_id__in=team_ids) | Q(pk__in=shared_ids))


TEAM, SHARED = 1, 2


def _team_and_shared_ids(user) -> tuple[list[int], list[int]]:
    """The user's team ids and the ids of interventions shared with them: within a read,
    those the read took once (``core.permissions.rules_remembered``); else in one query
    (a UNION of parts that each start from a small table: team members, the share tables)."""
    known = remembered_shared_ids(user, Intervention, "view")
    if known is not None:
        return list(member_team_ids(user)), known
    teams = (
        TeamMember.objects.filter(organisation_id__in=organisation_ids_for(user, "view"))
        .order_by()
        .annotate(part=Value(TEAM))
        .values_list("part", "team_id")
    )
    rule = shared_q(user, Intervention, "view")
    share_rules = rule.children if rule.connector == Q.OR and not rule.negated else [rule]
    shared = [
        Intervention.objects.filter(part if isinstance(part, Q) else Q(part))
        .order_by()
        .annotate(part=Value(SHARED))
        .values_list("part", "pk")
        for part in share_rules
    ]
    team_ids, shared_ids = [], []
    for part, pk in teams.union(*shared):
        (team_ids if part == TEAM else shared_ids).append(pk)
    return team_ids, shared_ids


def intervention_list(
    *,
    user,
    team=None,
    area=None,
    theme=None,
    status=None,
    organisation=None,
    period_from=None,
    period_to=None,
    q: str = "",
):
    """The interventions the user may see, filtered, most recently active first.

    ``area`` is an Area, its id or its code; ``theme`` and ``status`` one value or a list;
    ``organisation`` leads or partners; the period keeps interventions that run on some day
    between ``period_from`` and ``period_to`` (an open start or end counts as running).
    ``q`` searches title, description and funder (every word must occur).

    Loads the page and its team (with area), lead, areas and partners in six queries
    whatever the number of rows (one small query first finds the user's teams and shares,
    see ``visible_interventions``), and annotates ``last_update_on`` and ``latest_progress`` (from the timeline).
    """
    interventions = visible_interventions(user)
    if team is not None:
        interventions = interventions.filter(team_id=getattr(team, "pk", team))
    if area not in (None, ""):
        interventions = interventions.filter(_area_q(area))
    if theme:
        interventions = interventions.filter(theme__in=_as_list(theme))
    if status:
        interventions = interventions.filter(status__in=_as_list(status))
    if organisation:
        org_id = getattr(organisation, "pk", organisation)
        partner_of = Intervention.partner_organisations.through.objects.filter(organisation_id=org_id)
        interventions = interventions.filter(
            Q(lead_organisation_id=org_id) | Q(pk__in=partner_of.values("intervention_id"))
        )
    if period_from:
        interventions = interventions.filter(Q(end_date__isnull=True) | Q(end_date__gte=period_from))
    if period_to:
        interventions = interventions.filter(Q(start_date__isnull=True) | Q(start_date__lte=period_to))
    for word in (q or "").split():
        interventions = interventions.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(funder__icontains=word)
        )
    return _with_related(interventions).order_by("-updated_at", "-pk")


def with_links(queryset, *, user):
    """Interventions with the catalogue indicators (and their sources) and the agreement
    commitments ``user`` may see, in two more queries whatever the number of rows."""
    return queryset.prefetch_related(
        Prefetch(
            "indicators",
            queryset=Indicator.objects.restrict(user, "view")
            .select_related("source")
            .only("id", "key", "name", "source__id", "source__name")
            .order_by("source__name", "name"),
        ),
        # Lists and exports name a commitment by its id.
        Prefetch("commitments", queryset=Commitment.objects.restrict(user, "view").only("id").order_by("pk")),
    )


def intervention_detail(*, user, pk):
    """One intervention with team, areas, partners and its timeline (authors and
    attachments loaded); 404 when the user may not see it."""
    queryset = (
        _with_related(Intervention.objects.all())
        .select_related("created_by")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=ProgressUpdate.objects.select_related("author")
                .prefetch_related("attachments")
                .order_by("-date", "-created_at", "-pk"),
            ),
            _members_prefetch("team__members"),
        )
    )
    return get_object_for(user, queryset, "view", pk=pk)


# --- single objects and choices behind the pages ------------------------------------------


def intervention_get(*, user, pk, action: str = "view", visible_as: str = "view") -> Intervention:
    """One intervention with its team's area and its trekker: 404 when not visible, 403
    when ``action`` is not allowed."""
    queryset = Intervention.objects.select_related("team__area", "lead_organisation").defer(
        *(f"team__area__{name}" for name in AREA_SHAPES)
    )
    return get_object_for(user, queryset, action, visible_as=visible_as, pk=pk)


def member_get(*, user, pk, action: str = "view") -> TeamMember:
    return get_object_for(user, TeamMember.objects.select_related("team", "organisation"), action, pk=pk)


def loggable_teams(*, user):
    """Teams in which the person may log an intervention: bewerkers of a trekker or
    partner (platform admins in every team)."""
    if is_platform_admin(user):
        return AreaTeam.objects.select_related("area").order_by("name")
    return (
        AreaTeam.objects.restrict(user, "view")
        .filter(pk__in=working_team_ids(user))
        .select_related("area")
        .distinct()
        .order_by("name")
    )


def changeable_intervention_ids(*, user, ids) -> set[int]:
    """Those of the intervention ``ids`` the user may change, in one query."""
    if not ids:
        return set()
    return set(Intervention.objects.restrict(user, "change").filter(pk__in=ids).values_list("pk", flat=True))


def working_in(*, user, teams) -> set[int]:
    """The ids of those of ``teams`` the person works in (``may_work_in``), in one small
    query."""
    ids = [team.pk for team in teams]
    if not ids:
        return set()
    if is_platform_admin(user):
        return set(ids)
    return set(working_team_ids(user).filter(team_id__in=ids).values_list("team_id", flat=True))


def may_log_somewhere(user) -> bool:
    """Whether ``loggable_teams`` has any team, in one small query."""
    if is_platform_admin(user):
        return AreaTeam.objects.exists()
    return working_team_ids(user).exists()


def organisations_to_lead(*, user):
    """Gemeente and corporation organisations whose beheerder the person is: they may form
    a team (platform admins for any of them)."""
    organisations = Organisation.objects.filter(
        kind__in=[Organisation.Kind.GEMEENTE, Organisation.Kind.CORPORATIE], is_active=True
    ).order_by("name")
    if is_platform_admin(user):
        return organisations
    return organisations.filter(pk__in=organisation_ids_for(user, "manage"))


def urgency_of(*, team, year: int) -> UrgencyAssessment | None:
    """The team's assessment of ``year``, if it has one."""
    return UrgencyAssessment.objects.filter(team=team, year=year).first()


def assessed_years(*, user, gemeente_code: str) -> list[int]:
    """The years in which a team of the gemeente that the user sees assessed its urgency,
    newest first."""
    return list(
        UrgencyAssessment.objects.restrict(user, "view")
        .filter(team__area__gemeente_code=gemeente_code)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def team_gemeente_codes(*, user) -> list[str]:
    """The gemeenten of the teams the user sees, for the urgency map's choice."""
    codes = AreaTeam.objects.restrict(user, "view").values_list("area__gemeente_code", flat=True).distinct()
    return sorted(set(codes))


def notification_preference(*, user) -> NotificationPreference | None:
    return NotificationPreference.objects.filter(user=user).first()


# --- wijkgesprekken --------------------------------------------------------------------


def _gesprek_related(queryset):
    return queryset.select_related("team", "team__area", "created_by").prefetch_related(
        Prefetch("participants", queryset=Organisation.objects.order_by("name")),
        Prefetch(
            "actions",
            queryset=WijkgesprekAction.objects.select_related("intervention").order_by("created_at", "pk"),
        ),
    )


def gesprek_list(*, user, team=None, teams=None):
    """The wijkgesprekken the user may see (of one team, or of several), newest first,
    with participants and actions in three queries."""
    gesprekken = Wijkgesprek.objects.restrict(user, "view")
    if team is not None:
        gesprekken = gesprekken.filter(team_id=getattr(team, "pk", team))
    if teams is not None:
        gesprekken = gesprekken.filter(team_id__in=[getattr(t, "pk", t) for t in teams])
    return (
        _gesprek_related(gesprekken)
        .defer(*(f"team__area__{name}" for name in AREA_SHAPES))
        .order_by("-date", "-pk")
    )


def team_gesprekken(*, user, teams, limit: int = 3):
    """The newest wijkgesprekken of ``teams`` that the user may see. A team can be
    visible through a share while its wijkgesprekken are not, so they are restricted on
    their own."""
    return list(gesprek_list(user=user, teams=teams)[:limit])


def gesprek_get(*, user, pk, action: str = "view", visible_as: str = "view") -> Wijkgesprek:
    """One wijkgesprek with its team, participants and actions: 404 when not visible, 403
    when ``action`` is not allowed."""
    queryset = _gesprek_related(Wijkgesprek.objects.all()).defer(
        *(f"team__area__{name}" for name in AREA_SHAPES)
    )
    return get_object_for(user, queryset, action, visible_as=visible_as, pk=pk)


def gesprek_action_get(*, user, pk, action: str = "change") -> WijkgesprekAction:
    return get_object_for(user, WijkgesprekAction.objects.select_related("gesprek"), action, pk=pk)


def gesprek_history(*, gesprek, limit=100):
    """Everything recorded about a wijkgesprek and its actions, newest first."""
    return _name_relations(
        merged_history(
            Wijkgesprek.history.filter(id=gesprek.pk),
            WijkgesprekAction.history.filter(gesprek_id=gesprek.pk),
            limit=limit,
        )
    )


def team_interventions_choice(*, user, team):
    """The team's interventions the user sees, for linking an action (by title)."""
    return visible_interventions(user).filter(team_id=team.pk).order_by("title", "pk")


# --- the wijk as the partners' shared table ------------------------------------------------

# Interventions on the area page: running work first.
STATUS_RANK = Case(
    *(
        When(status=status, then=Value(rank))
        for rank, status in enumerate(
            [
                Intervention.Status.IN_UITVOERING,
                Intervention.Status.GEPLAND,
                Intervention.Status.IDEE,
                Intervention.Status.AFGEROND,
                Intervention.Status.GESTOPT,
            ]
        )
    ),
    output_field=IntegerField(),
)


def same_area_q(area) -> Q:
    """Interventions that touch this wijk or buurt on any boundary vintage (the team may
    have been formed on an earlier one), matched by CBS code in subqueries: for a wijk
    what names it or its buurten and its teams' work; for a buurt what names it or its
    wijk. A gebied is its own (``_area_q``)."""
    if area.kind == AreaKind.GEBIED:
        return _area_q(area)
    through = Intervention.areas.through.objects
    if area.kind == AreaKind.WIJK:
        named = through.filter(
            Q(area__kind=AreaKind.WIJK, area__code=area.code)
            | Q(area__kind=AreaKind.BUURT, area__parent__code=area.code)
        )
        return Q(pk__in=named.values("intervention_id")) | Q(
            team__area__kind=AreaKind.WIJK, team__area__code=area.code
        )
    codes = [area.code]
    if area.parent_id is not None:
        codes.append(area.parent.code)
    named = through.filter(area__code__in=codes, area__kind__in=[AreaKind.BUURT, AreaKind.WIJK])
    return Q(pk__in=named.values("intervention_id"))


def area_teams(*, user, area):
    """The teams the user sees that work on this wijk or gebied, on any vintage of it (a
    buurt: its wijk's team), with members and the latest urgency."""
    if area.kind == AreaKind.GEBIED:
        same = Area.objects.filter(pk=area.pk)
    elif area.kind == AreaKind.BUURT:
        if area.parent_id is None:
            return AreaTeam.objects.none()
        same = Area.objects.filter(
            kind=AreaKind.WIJK, code__in=Area.objects.filter(pk=area.parent_id).values("code")
        )
    else:
        same = Area.objects.filter(kind=area.kind, code=area.code)
    return team_list(user=user).filter(area__in=same.values("pk"))


def interventions_in_area(*, user, area):
    """The interventions the user sees in this area, on any vintage of it (its buurten,
    the teams on it): a queryset whose visibility is read once, to share between the
    sections of one page."""
    return visible_interventions(user).filter(same_area_q(area))


def interventions_in_area_by_id(*, user, area) -> dict[int, str]:
    """``interventions_in_area`` read at once, as id → status (one query): the sections of
    an area page count, list and follow the same interventions by id, instead of each
    asking the rule again."""
    return dict(interventions_in_area(user=user, area=area).order_by().values_list("pk", "status"))


def area_interventions(*, user, area, limit: int = 25, statuses=None):
    """The interventions the user sees in this area (any vintage of it, its buurten, the
    teams on it), running ones first: ``(rows, counts per status, total)``. Three queries
    (with ``statuses`` from ``interventions_in_area_by_id``, two) for the counts, the
    first ``limit`` rows and their leads, whatever the total."""
    if statuses is None:
        statuses = interventions_in_area_by_id(user=user, area=area)
    counts = Counter(statuses.values())
    if not counts:
        return [], [], 0
    # The area page shows title, status, progress, lead, period and budget: the lead by
    # prefetch (see ``_with_related``), nothing else related.
    rows = list(
        _with_progress(visible_interventions(user).filter(pk__in=list(statuses)))
        .prefetch_related(Prefetch("lead_organisation", queryset=Organisation.objects.all()))
        .annotate(rank=STATUS_RANK)
        .order_by("rank", "-updated_at", "-pk")[:limit]
    )
    per_status = [
        (value, label, counts[value]) for value, label in Intervention.Status.choices if counts.get(value)
    ]
    return rows, per_status, sum(counts.values())


def area_activity(*, user, teams, area, limit: int = 10, statuses=None) -> list[dict]:
    """What happened lately in this area, newest first: progress updates of its
    interventions, urgency decisions and wijkgesprekken of its teams. At most ``limit``
    of each are read (three queries), then merged."""
    # A progress update is visible with its intervention (``ProgressUpdate.access_q``),
    # and the interventions come from ``restrict()``. Urgencies and wijkgesprekken are
    # restricted on their own: a team shared with someone does not share its work.
    team_ids = [team.pk for team in teams]
    if statuses is None:
        statuses = interventions_in_area_by_id(user=user, area=area)
    updates = (
        ProgressUpdate.objects.restrict(user, "view")
        .filter(intervention_id__in=list(statuses))
        .select_related("intervention", "author")
        .order_by("-created_at", "-pk")[:limit]
    )
    urgencies = (
        UrgencyAssessment.objects.restrict(user, "view")
        .filter(team_id__in=team_ids)
        .select_related("team", "assessed_by")
        .order_by("-updated_at", "-pk")[:limit]
    )
    gesprekken = (
        Wijkgesprek.objects.restrict(user, "view")
        .filter(team_id__in=team_ids)
        .select_related("team", "created_by")
        .order_by("-created_at", "-pk")[:limit]
    )
    if not team_ids:
        urgencies = gesprekken = []
    entries = [
        {"kind": "voortgang", "when": update.created_at, "object": update, "who": update.author}
        for update in updates
    ]
    entries += [
        {
            "kind": "urgentie",
            "when": assessment.updated_at,
            "object": assessment,
            "who": assessment.assessed_by,
        }
        for assessment in urgencies
    ]
    entries += [
        {"kind": "wijkgesprek", "when": gesprek.created_at, "object": gesprek, "who": gesprek.created_by}
        for gesprek in gesprekken
    ]
    entries.sort(key=lambda entry: entry["when"], reverse=True)
    return entries[:limit]


# --- the start page --------------------------------------------------------------------------

STALE_AFTER_DAYS = 90


def start_teams(*, user, limit: int = 20):
    """The person's teams with their wijk, latest urgency and the date of the latest
    wijkgesprek: the team list's reads without its members and counts, which the start
    page does not show."""
    last_gesprek = Wijkgesprek.objects.filter(team=OuterRef("pk")).order_by("-date").values("date")[:1]
    latest = UrgencyAssessment.objects.filter(team=OuterRef("pk")).order_by("-year")
    own_teams = TeamMember.objects.filter(organisation_id__in=organisation_ids_for(user, "view")).values(
        "team_id"
    )
    return (
        AreaTeam.objects.restrict(user, "view")
        .filter(pk__in=own_teams)
        .select_related("area")
        .only("id", "name", "area__id", "area__code", "area__name", "area__year", "area__kind")
        .annotate(
            latest_urgency=Subquery(latest.values("urgency")[:1]),
            latest_urgency_year=Subquery(latest.values("year")[:1]),
            last_gesprek_on=Subquery(last_gesprek),
        )
        .order_by("name", "pk")[:limit]
    )


def stale_led_interventions(*, user, today, limit: int = 10):
    """Running interventions led by the person's organisations (as bewerker) with no
    progress update for ``STALE_AFTER_DAYS`` days, the longest silent first."""
    since = today - datetime.timedelta(days=STALE_AFTER_DAYS)
    latest = ProgressUpdate.objects.filter(intervention=OuterRef("pk")).order_by("-date").values("date")[:1]
    return (
        Intervention.objects.restrict(user, "view")
        .filter(
            lead_organisation_id__in=organisation_ids_for(user, "change"),
            status__in=[Intervention.Status.GEPLAND, Intervention.Status.IN_UITVOERING],
        )
        .annotate(last_update_on=Subquery(latest))
        .filter(Q(last_update_on__lt=since) | Q(last_update_on__isnull=True, created_at__date__lt=since))
        .select_related("team")
        .order_by(F("last_update_on").asc(nulls_first=True), "pk")[:limit]
    )


# --- imports ------------------------------------------------------------------------------


def intervention_import_list(*, user):
    """The person's own intervention imports, newest first (also for a platform admin,
    who may open anyone's: this is the list on their upload page)."""
    return InterventionImport.objects.restrict(user, "view").filter(started_by_id=user.pk)


def intervention_import_get(*, user, pk: int) -> InterventionImport:
    return job_get(user, InterventionImport.objects.select_related("started_by"), pk=pk)
