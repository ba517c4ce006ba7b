"""Reads for prestatieafspraken, each starting from ``Model.objects.restrict(user, action)``.

The agreement page and the reviewer's dashboard run a fixed number of queries whatever the
size of the agreement (prefetches, no per-row lookups); ``progress_per_theme`` aggregates
in the database.
"""

import datetime
import hashlib
from collections import OrderedDict, defaultdict
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from agreements.models import (
    Agreement,
    AgreementParty,
    Amendment,
    Bod,
    Commitment,
    GemeenteCalendar,
    MonitoringComment,
    MonitoringReport,
    PartyRole,
    Theme,
)
from agreements.services.bod import Deadlines
from areas.models import Area, AreaKind
from core.audit import merged_history
from core.permissions import get_object_for, is_platform_admin
from organisations.models import Organisation, organisation_ids_for


def agreement_list(
    *,
    user,
    gemeente_code: str = "",
    status: str = "",
    organisation=None,
    year: int | None = None,
    search: str = "",
    disputed: bool | None = None,
):
    """Agreements the user may read, with their parties, newest period first.

    Filters: gemeente, status, a party organisation, a year within the period, a text in
    the title, and only those with a disputed commitment.
    """
    # Counts as correlated subqueries: PostgreSQL computes them for the rows of the page
    # only, not for every agreement before the LIMIT.
    commitments = Commitment.objects.filter(agreement=OuterRef("pk")).order_by().values("agreement")
    qs = (
        Agreement.objects.restrict(user, "view")
        .annotate(
            commitment_count=Coalesce(Subquery(commitments.annotate(n=Count("pk")).values("n")), 0),
            disputed_count=Coalesce(
                Subquery(commitments.filter(is_disputed=True).annotate(n=Count("pk")).values("n")), 0
            ),
        )
        .prefetch_related(
            Prefetch("parties", queryset=AgreementParty.objects.select_related("organisation", "signed_by"))
        )
    )
    if gemeente_code:
        qs = qs.filter(gemeente_code=gemeente_code.strip().upper())
    if status:
        qs = qs.filter(status=status)
    if organisation is not None:
        qs = qs.filter(pk__in=AgreementParty.objects.filter(organisation=organisation).values("agreement_id"))
    if year:
        qs = qs.filter(start_year__lte=year, end_year__gte=year)
    if search:
        qs = qs.filter(title__icontains=search)
    if disputed:
        qs = qs.filter(pk__in=Commitment.objects.filter(is_disputed=True).values("agreement_id"))
    return qs.order_by("-start_year", "title", "pk")


def _report_queryset():
    return MonitoringReport.objects.select_related("submitted_by", "reviewed_by").order_by("year")


def agreement_detail(*, user, pk, years=None, commitments=True):
    """One agreement for its page (404 when the user may not read it), with everything
    the page shows already loaded: parties and signatures, amendments, and the
    commitments with responsible party, areas and monitoring reports.

    ``agreement.themes`` lists ``(theme, label, commitments)`` in the order of the themes;
    each commitment has ``reports_by_year`` (year → report). A bounded number of queries,
    whatever the size of the agreement. ``years`` (a list) limits the reports loaded to
    those years, for a page that shows one or two years of a large agreement. With
    ``commitments=False`` only the agreement, parties and amendments are loaded (a page
    that takes its commitment tables from the cache); ``agreement_commitments_load``
    adds them later.
    """
    prefetches = [
        Prefetch(
            "parties",
            queryset=AgreementParty.objects.select_related("organisation", "signed_by").order_by(
                "role", "organisation__name"
            ),
        ),
        Prefetch("amendments", queryset=Amendment.objects.select_related("opened_by")),
    ]
    if commitments:
        prefetches.append(Prefetch("commitments", queryset=_commitment_queryset(years)))
    queryset = Agreement.objects.select_related("created_by").prefetch_related(*prefetches)
    agreement = get_object_for(user, queryset, "view", pk=pk)
    agreement.years = list(range(agreement.start_year, agreement.end_year + 1))
    agreement.open_amendment = next(
        (a for a in agreement.amendments.all() if a.status == Amendment.Status.OPEN), None
    )
    if commitments:
        _group_by_theme(agreement, agreement.commitments.all())
    return agreement


def agreement_commitments_load(*, agreement, years=None) -> None:
    """Load the commitments of an agreement got with ``agreement_detail(...,
    commitments=False)`` (so already checked for the person), as ``agreement_detail``
    gives them."""
    _group_by_theme(agreement, _commitment_queryset(years).filter(agreement=agreement))


def _commitment_queryset(years):
    reports = _report_queryset()
    if years is not None:
        reports = reports.filter(year__in=list(years))
    return (
        Commitment.objects.select_related(
            "responsible", "disputed_by", "amendment", "adopted_from__bod__corporation"
        )
        .prefetch_related(
            # Only what a list shows: an area's shapes are large.
            Prefetch(
                "areas", queryset=Area.objects.only("id", "year", "kind", "code", "name", "gemeente_code")
            ),
            Prefetch("reports", queryset=reports),
        )
        .order_by("theme", "number", "pk")
    )


def _group_by_theme(agreement, commitments) -> None:
    by_theme = defaultdict(list)
    for commitment in commitments:
        commitment.reports_by_year = {report.year: report for report in commitment.reports.all()}
        by_theme[commitment.theme].append(commitment)
    agreement.themes = [(theme, theme.label, by_theme[theme]) for theme in Theme if by_theme.get(theme)]


def agreement_commitments_stamp(*, agreement) -> str:
    """A stamp of everything the commitment tables of an agreement's page show: it
    changes with every commitment or monitoring report of the agreement that is added,
    changed (a service raises its version, any save its ``updated_at``) or removed (the
    count; a new row raises the highest id), with a rename of a responsible organisation,
    and with the agreement itself (its years). Two small aggregate queries, like the
    boundary versions of ``areas.selectors.map_version``."""
    commitments = Commitment.objects.filter(agreement=agreement).aggregate(
        count=Count("pk"),
        top=Max("pk"),
        versions=Sum("version"),
        last=Max("updated_at"),
        responsible=Max("responsible__updated_at"),
    )
    reports = MonitoringReport.objects.filter(commitment__agreement=agreement).aggregate(
        count=Count("pk"), top=Max("pk"), versions=Sum("version"), last=Max("updated_at")
    )
    parts = [
        agreement.pk,
        agreement.version,
        agreement.updated_at.isoformat() if agreement.updated_at else "",
        *(commitments[k] for k in ("count", "top", "versions", "last", "responsible")),
        *(reports[k] for k in ("count", "top", "versions", "last")),
    ]
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24]


def agreement_roles(*, user, agreement) -> dict:
    """What the user can do on the agreement's page, for showing buttons (the services
    decide again when the button is used). Uses the prefetched parties when present."""
    from organisations.models import Membership, roles_for

    memberships = dict(Membership.objects.filter(user_id=user.pk).values_list("organisation_id", "role"))
    change_roles = set(roles_for("change"))
    parties = list(agreement.parties.all())
    editor_of = [p for p in parties if memberships.get(p.organisation_id) in change_roles]
    beheerder_of = [p for p in parties if memberships.get(p.organisation_id) == "beheerder"]
    gemeente_or_corp = {PartyRole.GEMEENTE, PartyRole.CORPORATIE}
    status = agreement.status
    return {
        "is_platform_admin": is_platform_admin(user),
        "parties": editor_of,
        "can_edit": (is_platform_admin(user) or any(p.role in gemeente_or_corp for p in editor_of))
        and (
            status in (Agreement.Status.CONCEPT, Agreement.Status.ONDERHANDELING)
            or (status == Agreement.Status.ONDERTEKEND and getattr(agreement, "open_amendment", None))
        ),
        "can_transition": is_platform_admin(user) or any(p.role in gemeente_or_corp for p in beheerder_of),
        "can_sign": status == Agreement.Status.ONDERHANDELING and any(not p.signed_at for p in editor_of),
        "can_review": any(p.role == PartyRole.GEMEENTE for p in editor_of),
        "can_dispute": bool(editor_of) and status != Agreement.Status.AFGEROND,
        "can_comment": bool(editor_of)
        or any(p.role == PartyRole.HUURDERS and p.organisation_id in memberships for p in parties),
        "reporting_for": {p.organisation_id for p in editor_of},
    }


def reviewer_queue(*, user):
    """Submitted monitoring reports waiting for review by the user's gemeente: reports of
    agreements where the user is a bewerker or beheerder of the gemeente party. Oldest
    submission first."""
    gemeente_agreements = AgreementParty.objects.filter(
        role=PartyRole.GEMEENTE, organisation_id__in=organisation_ids_for(user, "change")
    ).values("agreement_id")
    # From the agreements to their commitments to the reports (an index lookup each),
    # rather than scanning every submitted report in the country.
    commitments = Commitment.objects.filter(agreement_id__in=gemeente_agreements).values("pk")
    return (
        MonitoringReport.objects.restrict(user, "view")
        .filter(state=MonitoringReport.State.SUBMITTED, commitment_id__in=commitments)
        .select_related("commitment__agreement", "commitment__responsible", "submitted_by")
        .order_by("submitted_at", "pk")
    )


# Where a commitment stands in a year, in the order the page shows it: the stands a
# report gives, then no report (draft or none).
NOT_REPORTED = "niet_gerapporteerd"
STANDS = (*MonitoringReport.Progress.values, NOT_REPORTED)


def unit_key(unit: str) -> str:
    """Units that differ only in case or spacing are the same unit."""
    return " ".join(unit.split()).casefold()


def _add(total, value):
    """A sum that stays None until there is something to add."""
    if value is None:
        return total
    return value if total is None else total + value


def progress_per_theme(*, agreement) -> list[dict]:
    """Per theme: how many commitments stand where in each year, and targets against
    realised values summed per unit, for the agreement's progress page. Two aggregate
    queries.

    Returns one dict per theme that has commitments::

        {"theme": "beschikbaarheid", "label": "beschikbaarheid en nieuwbouw",
         "commitments": 5, "quantitative": 3, "disputed": 1,
         "years": [{"year": 2025, "op_koers": 1, "risico": 0, "achter": 1,
                    "gerealiseerd": 0, "niet_gerapporteerd": 3}, ...],
         "units": [{"unit": "sociale huurwoningen", "commitments": 2,
                    "years": [{"year": 2025, "target": None, "realised": Decimal("40"),
                               "approved": Decimal("40"), "reports": 1}, ...]}, ...]}

    A commitment stands in a year where its report over that year puts it (submitted,
    returned or approved: a draft is not reported yet); without one it is
    ``niet_gerapporteerd``. The counts of a year add up to the theme's commitments.

    Targets and realised values are added up only within one unit (units that differ in
    case or spacing only are one), never across units: 150 new homes and 8.500 homes in
    stock are no sum. Per unit and year: ``target`` sums the targets of that target
    year, ``realised`` the realised values reported over that year and ``approved`` the
    approved ones among them; None where there is nothing to add. A unit lists only the
    years with a target or a report; qualitative commitments have no unit and no sums.
    """
    commitments = (
        Commitment.objects.filter(agreement=agreement)
        .values("theme", "target_unit", "target_year")
        .annotate(
            n=Count("pk"),
            quantitative=Count("pk", filter=Q(target_value__isnull=False)),
            disputed=Count("pk", filter=Q(is_disputed=True)),
            target=Sum("target_value"),
        )
        .order_by()
    )
    measured = Q(commitment__target_value__isnull=False)
    reports = (
        MonitoringReport.objects.filter(commitment__agreement=agreement)
        .exclude(state=MonitoringReport.State.DRAFT)
        .values("commitment__theme", "commitment__target_unit", "year")
        .annotate(
            measured=Count("pk", filter=measured),
            realised=Sum("realised_value", filter=measured),
            approved=Sum("realised_value", filter=measured & Q(state=MonitoringReport.State.APPROVED)),
            **{
                progress: Count("pk", filter=Q(progress=progress))
                for progress in MonitoringReport.Progress.values
            },
        )
        .order_by()
    )
    years = list(range(agreement.start_year, agreement.end_year + 1))
    themes = OrderedDict(
        (
            theme.value,
            {
                "theme": theme.value,
                "label": str(theme.label),
                "commitments": 0,
                "quantitative": 0,
                "disputed": 0,
                "years": {year: {"year": year, **dict.fromkeys(STANDS, 0)} for year in years},
                "units": {},
            },
        )
        for theme in Theme
    )

    def unit_cell(entry, unit, year):
        found = entry["units"].setdefault(unit_key(unit), {"spellings": set(), "commitments": 0, "years": {}})
        found["spellings"].add(" ".join(unit.split()))
        return found, found["years"].setdefault(
            year, {"year": year, "target": None, "realised": None, "approved": None, "reports": 0}
        )

    for row in commitments:
        entry = themes[row["theme"]]
        entry["commitments"] += row["n"]
        entry["quantitative"] += row["quantitative"]
        entry["disputed"] += row["disputed"]
        if row["quantitative"]:
            unit, cell = unit_cell(entry, row["target_unit"], row["target_year"])
            unit["commitments"] += row["quantitative"]
            cell["target"] = _add(cell["target"], row["target"])
    for entry in themes.values():
        for cell in entry["years"].values():
            cell[NOT_REPORTED] = entry["commitments"]
    for row in reports:
        entry = themes[row["commitment__theme"]]
        if row["year"] not in entry["years"]:
            continue
        cell = entry["years"][row["year"]]
        for progress in MonitoringReport.Progress.values:
            cell[progress] += row[progress]
            cell[NOT_REPORTED] -= row[progress]
        if row["measured"]:
            _unit, unit_year = unit_cell(entry, row["commitment__target_unit"], row["year"])
            unit_year["reports"] += row["measured"]
            unit_year["realised"] = _add(unit_year["realised"], row["realised"])
            unit_year["approved"] = _add(unit_year["approved"], row["approved"])
    result = []
    for entry in themes.values():
        if not entry["commitments"]:
            continue
        entry["years"] = list(entry["years"].values())
        units = []
        for found in entry["units"].values():
            in_period = [found["years"][year] for year in years if year in found["years"]]
            if in_period:
                units.append(
                    {"unit": min(found["spellings"]), "commitments": found["commitments"], "years": in_period}
                )
        entry["units"] = sorted(units, key=lambda unit: (unit["unit"].casefold(), unit["unit"]))
        result.append(entry)
    return result


def bod_list(*, user, year: int | None = None, gemeente_code: str = "", status: str = "", corporation=None):
    """Boden the user may read: the corporation's own, and submitted ones it received."""
    qs = (
        Bod.objects.restrict(user, "view")
        .select_related("corporation", "submitted_by", "agreement")
        .prefetch_related("recipients")
        .annotate(proposal_count=Count("proposals", distinct=True))
    )
    if year:
        qs = qs.filter(year=year)
    if gemeente_code:
        qs = qs.filter(gemeente_code=gemeente_code.strip().upper())
    if status:
        qs = qs.filter(status=status)
    if corporation is not None:
        qs = qs.filter(corporation=corporation)
    return qs.order_by("-year", "corporation__name", "pk")


def bod_detail(*, user, pk, action: str = "view", visible_as: str = "view"):
    """One bod with its recipients and proposals (404 when not readable, 403 when
    ``action`` is not allowed)."""
    queryset = Bod.objects.select_related("corporation", "submitted_by", "agreement").prefetch_related(
        "recipients",
        Prefetch(
            "proposals",
            queryset=Commitment.objects.select_related("responsible").prefetch_related("areas", "adoptions"),
        ),
    )
    return get_object_for(user, queryset, action, visible_as=visible_as, pk=pk)


def agreement_history(*, agreement, limit=200):
    """Everything recorded about an agreement: itself, its parties and signatures, its
    amendments, its commitments and their monitoring, newest first."""
    return merged_history(
        Agreement.history.filter(id=agreement.pk),
        AgreementParty.history.filter(agreement_id=agreement.pk),
        Amendment.history.filter(agreement_id=agreement.pk),
        Commitment.history.filter(agreement_id=agreement.pk),
        MonitoringReport.history.filter(
            commitment_id__in=Commitment.objects.filter(agreement_id=agreement.pk).values("pk")
        ),
        limit=limit,
    )


# --- single objects and choices behind the pages ------------------------------------------


def agreement_get(*, user, pk, action: str = "view", visible_as: str = "view") -> Agreement:
    """One agreement: 404 when it is not visible, 403 when ``action`` is not allowed."""
    return get_object_for(user, Agreement.objects.all(), action, visible_as=visible_as, pk=pk)


def commitment_get(*, user, pk, action: str = "view", visible_as: str = "view") -> Commitment:
    """One commitment of an agreement or proposal of a bod, with what its pages show."""
    queryset = Commitment.objects.select_related(
        "agreement", "bod__corporation", "responsible", "disputed_by"
    )
    return get_object_for(user, queryset, action, visible_as=visible_as, pk=pk)


def report_get(*, user, pk) -> MonitoringReport:
    queryset = MonitoringReport.objects.select_related("commitment__agreement", "commitment__responsible")
    return get_object_for(user, queryset, pk=pk)


def amendment_get(*, user, pk, action: str = "view") -> Amendment:
    return get_object_for(user, Amendment.objects.select_related("agreement"), action, pk=pk)


@dataclass(frozen=True)
class EarlierReview:
    """The gemeente's review of an earlier round of a report (a return, after which the
    report was submitted again)."""

    state: str
    state_label: str
    reviewed_at: object
    reviewed_by: object
    comment: str
    submitted_at: object


def _attach_earlier_reviews(reports) -> None:
    """Give each report ``earlier_reviews``: the reviews of its earlier rounds, oldest
    first, read from the report's history (one query for all reports). A review is the
    history record where ``reviewed_at`` got its value; the review of the current round
    is the report's own and is left out."""
    by_report = {report.pk: report for report in reports}
    for report in reports:
        report.earlier_reviews = []
    if not by_report:
        return
    records = (
        MonitoringReport.history.filter(
            id__in=list(by_report),
            reviewed_at__isnull=False,
            state__in=MonitoringReport.REVIEWED_STATES,
        )
        .select_related("reviewed_by")
        .order_by("id", "reviewed_at", "history_date", "history_id")
    )
    states = dict(MonitoringReport.State.choices)
    seen = set()
    for record in records:
        report = by_report[record.id]
        key = (record.id, record.reviewed_at)
        if key in seen or (report.is_reviewed and record.reviewed_at == report.reviewed_at):
            continue
        seen.add(key)
        report.earlier_reviews.append(
            EarlierReview(
                state=record.state,
                state_label=states.get(record.state, record.state),
                reviewed_at=record.reviewed_at,
                reviewed_by=record.reviewed_by,
                comment=record.review_comment,
                submitted_at=record.submitted_at,
            )
        )


def commitment_reports(*, commitment) -> dict[int, MonitoringReport]:
    """The commitment's monitoring per year, with who submitted and reviewed it, the
    comments and ``earlier_reviews`` (the reviews of earlier rounds)."""
    reports = list(
        commitment.reports.select_related("submitted_by", "reviewed_by").prefetch_related(
            Prefetch("comments", queryset=MonitoringComment.objects.select_related("author", "organisation"))
        )
    )
    _attach_earlier_reviews(reports)
    return {report.year: report for report in reports}


def agreement_gemeenten(*, user) -> list[str]:
    """The gemeente codes of the agreements the user may see, for the list's filter."""
    return list(
        Agreement.objects.restrict(user, "view")
        .order_by("gemeente_code")
        .values_list("gemeente_code", flat=True)
        .distinct()
    )


def gemeente_names(*, user, codes) -> dict[str, str]:
    """The name of each gemeente code, for the pages that show a gemeente: the name of its
    gemeente area in the newest boundary year (a renamed gemeente shows its current name),
    as the area and score pages name it; for a code without boundaries yet, the name of
    the gemeente's organisation; else the code itself. One query, two when some code has
    no boundaries."""
    codes = {code for code in codes if code}
    if not codes:
        return {}
    names = {}
    rows = (
        Area.objects.restrict(user, "view")
        .filter(kind=AreaKind.GEMEENTE, code__in=codes)
        .order_by("year")
        .values_list("code", "name")
    )
    for code, name in rows:
        names[code] = name  # a newer boundary year comes later and wins
    missing = codes - names.keys()
    if missing:
        organisations = (
            Organisation.objects.restrict(user, "view")
            .filter(kind=Organisation.Kind.GEMEENTE, gemeente_code__in=missing)
            .order_by("-is_active", "name")
            .values_list("gemeente_code", "name")
        )
        for code, name in organisations:
            names.setdefault(code, name)
    return {code: names.get(code, code) for code in codes}


def gemeente_choices(*, user, codes) -> list[tuple[str, str]]:
    """``(code, name)`` of the gemeente codes by name: the options of a gemeente select."""
    names = gemeente_names(user=user, codes=codes)
    return sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))


def calendar_gemeenten(*, user) -> list[str]:
    """The gemeenten whose deadlines a person works with, for the calendar's select: those
    of their organisations, of the agreements and of the boden they read. A platform
    admin (who may set any gemeente's deadlines) gets every gemeente that has a gemeente
    organisation."""
    gemeente_orgs = Organisation.objects.filter(kind=Organisation.Kind.GEMEENTE).exclude(gemeente_code="")
    if is_platform_admin(user):
        return sorted(set(gemeente_orgs.values_list("gemeente_code", flat=True)))
    own = (
        Organisation.objects.filter(pk__in=organisation_ids_for(user, "view"))
        .exclude(gemeente_code="")
        .values_list("gemeente_code", flat=True)
    )
    boden = Bod.objects.restrict(user, "view").values_list("gemeente_code", flat=True)
    return sorted(set(own) | set(agreement_gemeenten(user=user)) | set(boden))


def bod_gemeenten() -> list[str]:
    """The gemeenten a bod can go to: those with an active gemeente organisation (the bod
    is addressed to it)."""
    return sorted(
        set(
            Organisation.objects.filter(kind=Organisation.Kind.GEMEENTE, is_active=True)
            .exclude(gemeente_code="")
            .values_list("gemeente_code", flat=True)
        )
    )


def agreement_gemeente_parties(*, user):
    """The gemeente organisations a person may name as the gemeente of a new agreement:
    any active one for a beheerder of a corporation (it makes agreements with the
    gemeenten where it works) and for a platform admin; a gemeente's own beheerder only
    their own gemeente. Only gemeenten with their CBS code, which the agreement takes."""
    gemeenten = (
        Organisation.objects.filter(kind=Organisation.Kind.GEMEENTE, is_active=True)
        .exclude(gemeente_code="")
        .order_by("name")
    )
    if is_platform_admin(user):
        return gemeenten
    managed = Organisation.objects.filter(pk__in=organisation_ids_for(user, "manage"))
    if managed.filter(kind=Organisation.Kind.CORPORATIE).exists():
        return gemeenten
    return gemeenten.filter(pk__in=managed.values("pk"))


def changeable_agreements(*, user, gemeente_code: str = ""):
    """Agreements the user may change (to adopt a bod's proposal into), unfinished, of one
    gemeente when given."""
    agreements = Agreement.objects.restrict(user, "change")
    if gemeente_code:
        agreements = agreements.filter(gemeente_code=gemeente_code)
    return agreements.exclude(status=Agreement.Status.AFGEROND).order_by("-start_year", "title")


def calendar_get(*, user, gemeente_code: str) -> GemeenteCalendar | None:
    return GemeenteCalendar.objects.restrict(user, "view").filter(gemeente_code=gemeente_code).first()


def own_corporations(*, user):
    """The corporations where the user edits: those they may write a bod for."""
    return Organisation.objects.filter(
        pk__in=organisation_ids_for(user, "change"), kind=Organisation.Kind.CORPORATIE
    ).order_by("name")


def party_organisations(*, agreement):
    return Organisation.objects.filter(agreement_parties__agreement=agreement).order_by("name")


# --- the area page ------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaCommitments:
    """The commitments that name an area, for the section on the area's page."""

    # At most ``limit`` commitments, each with ``latest_report`` (or None) and
    # ``named_areas`` (the areas it names that put it on this page).
    commitments: list
    # All commitments that name the area and that the user may read.
    total: int
    # Whether the user reads any agreement of the area's gemeente at all.
    has_agreements: bool

    @property
    def more(self) -> int:
        return self.total - len(self.commitments)


def named_areas_q(area: Area) -> Q:
    """Areas whose naming in a commitment puts the commitment on ``area``'s page: the
    area itself, a wijk's buurten, a gebied's member buurten, a buurt's wijk.

    Matched by kind and code in any boundary year, so a commitment that names a wijk of
    an older vintage still shows on the page of the same wijk in a newer one.
    """
    named = Q(kind=area.kind, code=area.code)
    if area.kind == AreaKind.WIJK:
        buurten = Area.objects.filter(parent=area, kind=AreaKind.BUURT).values("code")
        named |= Q(kind=AreaKind.BUURT, code__in=buurten)
    elif area.kind == AreaKind.GEBIED:
        members = area.members.filter(kind=AreaKind.BUURT).values("code")
        named |= Q(kind=AreaKind.BUURT, code__in=members)
    elif area.kind == AreaKind.BUURT and area.parent_id:
        wijk = Area.objects.filter(pk=area.parent_id, kind=AreaKind.WIJK).values("code")
        named |= Q(kind=AreaKind.WIJK, code__in=wijk)
    return named


def area_commitments(*, user, area: Area, limit: int = 25) -> AreaCommitments:
    """The agreement commitments the user may read that name ``area`` (see
    ``named_areas_q``), with the latest monitoring report of each.

    Commitments of agreements still running (not afgerond, last year not passed) come
    first, then the newest agreement first; within an agreement in the agreement's own
    order. Proposals in a bod are not agreed yet and are left out.

    Three queries whatever the number of commitments (the rows with the total count, the
    latest reports, the named areas); with no commitments, one more to learn whether the
    user reads any agreement of the gemeente.
    """
    named = Area.objects.restrict(user, "view").filter(named_areas_q(area))
    naming = Commitment.areas.through.objects.filter(area_id__in=named.values("pk")).values("commitment_id")
    this_year = timezone.localdate().year
    running = Q(agreement__end_year__gte=this_year) & ~Q(agreement__status=Agreement.Status.AFGEROND)
    latest = (
        MonitoringReport.objects.restrict(user, "view")
        .filter(commitment_id=OuterRef("commitment_id"))
        .order_by("-year")
        .values("pk")[:1]
    )
    commitments = list(
        Commitment.objects.restrict(user, "view")
        .filter(agreement__isnull=False, pk__in=naming)
        .select_related("agreement", "responsible")
        .annotate(
            running=Case(When(running, then=Value(1)), default=Value(0), output_field=IntegerField()),
            # Counted over all matching rows before the LIMIT: no second query for the total.
            total=Window(Count("pk")),
        )
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=MonitoringReport.objects.filter(pk=Subquery(latest)).order_by(),
                to_attr="latest_reports",
            ),
            Prefetch(
                "areas",
                queryset=named.only("id", "year", "kind", "code", "name").order_by("-year", "name"),
                to_attr="named_areas",
            ),
        )
        .order_by(
            "-running", "-agreement__start_year", "agreement__title", "agreement_id", "theme", "number", "pk"
        )[:limit]
    )
    for commitment in commitments:
        commitment.latest_report = commitment.latest_reports[0] if commitment.latest_reports else None
    if commitments:
        return AreaCommitments(commitments=commitments, total=commitments[0].total, has_agreements=True)
    has_agreements = (
        Agreement.objects.restrict(user, "view").filter(gemeente_code=area.gemeente_code).exists()
    )
    return AreaCommitments(commitments=[], total=0, has_agreements=has_agreements)


# --- the start page --------------------------------------------------------------------------

START_LIMIT = 10
DEADLINE_DAYS = 60


@dataclass
class AgreementWork:
    """What waits for one person in the agreements: reports to review, reports returned
    to revise, commitments to report on, and the deadlines of the coming days."""

    to_review: list
    to_review_count: int
    returned: list
    to_report: list
    to_report_count: int
    report_year: int
    deadlines: list

    def __bool__(self):
        return bool(self.to_review or self.returned or self.to_report or self.deadlines)


def _deadlines_ahead(*, user, today, days: int) -> list[dict]:
    """The bod, signing, monitoring and review dates of the gemeenten of the person's
    agreements that fall in the next ``days`` days, soonest first."""
    codes = agreement_gemeenten(user=user)
    if not codes:
        return []
    calendars = {
        cal.gemeente_code: cal
        for cal in GemeenteCalendar.objects.restrict(user, "view").filter(gemeente_code__in=codes)
    }
    names = gemeente_names(user=user, codes=codes)
    horizon = today + datetime.timedelta(days=days)
    found = []
    for code in codes:
        deadlines = (
            Deadlines.from_calendar(calendars[code]) if code in calendars else Deadlines(gemeente_code=code)
        )
        for which in ("bod", "signing", "monitoring", "review"):
            month_day = getattr(deadlines, which)
            for year in (today.year, today.year + 1):
                due = Deadlines.on(year, month_day)
                if today <= due <= horizon:
                    found.append(
                        {
                            "date": due,
                            "kind": which,
                            "gemeente": names.get(code, code),
                            "days": (due - today).days,
                        }
                    )
    return sorted(found, key=lambda row: (row["date"], row["gemeente"]))


def start_work(*, user, today=None) -> AgreementWork:
    """What waits for ``user`` in the agreements, most urgent first; a fixed number of
    queries whatever the numbers."""
    today = today or timezone.localdate()
    queue = reviewer_queue(user=user)
    editable = organisation_ids_for(user, "change")
    returned = list(
        MonitoringReport.objects.restrict(user, "view")
        .filter(state=MonitoringReport.State.RETURNED, commitment__responsible_id__in=editable)
        .select_related("commitment__agreement", "reviewed_by")
        .order_by("reviewed_at", "pk")[:START_LIMIT]
    )
    # Commitments of running agreements this person reports on, without a submitted or
    # approved report over last year.
    report_year = today.year - 1
    done = MonitoringReport.objects.filter(
        year=report_year,
        state__in=[MonitoringReport.State.SUBMITTED, MonitoringReport.State.APPROVED],
    ).values("commitment_id")
    to_report = (
        Commitment.objects.restrict(user, "view")
        .filter(
            responsible_id__in=editable,
            agreement__status=Agreement.Status.ONDERTEKEND,
            agreement__start_year__lte=report_year,
            agreement__end_year__gte=report_year,
        )
        .exclude(pk__in=done)
        .exclude(reports__year=report_year, reports__state=MonitoringReport.State.RETURNED)
        .select_related("agreement")
        .order_by("agreement__gemeente_code", "agreement_id", "pk")
    )
    return AgreementWork(
        # The start page shows the commitment, its responsible party and the dates only.
        to_review=list(queue.select_related(None).select_related("commitment__responsible")[:START_LIMIT]),
        to_review_count=queue.count(),
        returned=returned,
        to_report=list(to_report[:START_LIMIT]),
        to_report_count=to_report.count(),
        report_year=report_year,
        deadlines=_deadlines_ahead(user=user, today=today, days=DEADLINE_DAYS),
    )
