"""Writes for area teams, urgency assessments, interventions and their timeline.

Every write checks the actor's rights here, validates before saving (nothing is
half-saved), records who did it in the history, refuses stale edits and, for interventions,
tells the people of the team's organisations (in the product and by e-mail, as each
person prefers).
"""

import contextlib
import datetime
import re
import zipfile
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.models import Area, AreaKind
from core.models import Notification
from core.permissions import ensure_in_scope, is_platform_admin, require
from core.queueing import queue_on_commit
from core.services import check_version, notify, save_versioned
from interventions.models import (
    WORKING_ROLES,
    AreaTeam,
    Attachment,
    Intervention,
    NotificationPreference,
    ProgressUpdate,
    TeamMember,
    TeamRole,
    Theme,
    Urgency,
    UrgencyAssessment,
    may_work_in,
)
from organisations.models import Membership, Organisation, organisation_ids_for

User = get_user_model()

# Organisation kinds whose beheerders may form an area team.
TEAM_FORMING_KINDS = (Organisation.Kind.GEMEENTE, Organisation.Kind.CORPORATIE)

Status = Intervention.Status
# The status workflow: idee → gepland → in uitvoering → afgerond; any unfinished
# intervention can be stopped (with a reason).
FINAL_STATUSES = (Status.AFGEROND, Status.GESTOPT)
TRANSITIONS = {
    Status.IDEE: (Status.GEPLAND, Status.GESTOPT),
    Status.GEPLAND: (Status.IN_UITVOERING, Status.GESTOPT),
    Status.IN_UITVOERING: (Status.AFGEROND, Status.GESTOPT),
    Status.AFGEROND: (),
    Status.GESTOPT: (),
}

# Attachments: extension → (content type, label). The content is checked too.
ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "csv": "text/csv",
}
MAX_FILES_PER_UPDATE = 5

NOTIFICATION_KINDS = ("interventie_nieuw", "interventie_status")

NO_TEAM_RIGHTS = _("Alleen beheerders van een trekkende organisatie mogen het gebiedsteam wijzigen.")
NO_INTERVENTION_RIGHTS = _(
    "Alleen bewerkers van de trekker of een partner van deze interventie mogen haar wijzigen."
)


def attachment_max_mb() -> int:
    """The size limit per attachment in MB (setting ``INTERVENTION_ATTACHMENT_MAX_MB``)."""
    return settings.INTERVENTION_ATTACHMENT_MAX_MB


# --- helpers ---------------------------------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


def _in_team(team: AreaTeam, organisation_ids, roles=None):
    members = TeamMember.objects.filter(team_id=team.pk, organisation_id__in=organisation_ids)
    if roles:
        members = members.filter(role__in=roles)
    return members.exists()


def _set_m2m_quietly(obj, **relations) -> None:
    """Set many-to-many relations without a history record per change; the caller saves
    the object afterwards (or snapshots them), so the history shows one change."""
    obj.skip_history_when_saving = True
    try:
        for name, values in relations.items():
            getattr(obj, name).set(values)
    finally:
        del obj.skip_history_when_saving


def _snapshot_m2m_history(obj) -> None:
    """Copy the current many-to-many rows onto the object's latest history record (used
    after a create, whose record was written before the relations existed)."""
    record = obj.history.order_by("-history_id").first()
    if record is None:
        return
    for field in record._history_m2m_fields:
        through = getattr(obj, field.name).through
        m2m_history = next(
            rel.related_model
            for rel in type(record)._meta.related_objects
            if getattr(rel.related_model, "instance_type", None) is through
        )
        source_name = next(
            f.name for f in through._meta.fields if f.is_relation and f.related_model is type(obj)
        )
        rows = through.objects.filter(**{source_name: obj})
        names = [f.name for f in through._meta.fields]
        m2m_history.objects.bulk_create(
            [m2m_history(history=record, **{n: getattr(row, n) for n in names}) for row in rows]
        )


def _as_ids(objects) -> list[int]:
    return [getattr(o, "pk", o) for o in objects]


# --- area teams ------------------------------------------------------------------------


def _checked_members(area: Area, members) -> dict[Organisation, str]:
    """Validate a team composition: known roles, no doubles, organisations that are active
    and work in the area's gemeente."""
    errors, result, seen = [], {}, set()
    for organisation, role in members:
        if role not in TeamRole.values:
            errors.append(
                _("Kies voor %(org)s een rol: trekker, partner of meelezer.") % {"org": organisation}
            )
            continue
        if organisation.pk in seen:
            errors.append(_("%(org)s staat twee keer in het team.") % {"org": organisation})
            continue
        seen.add(organisation.pk)
        if not organisation.is_active:
            errors.append(_("%(org)s is niet actief en kan niet in een gebiedsteam.") % {"org": organisation})
        elif organisation.gemeente_code != area.gemeente_code:
            errors.append(
                _(
                    "%(org)s werkt niet in de gemeente van %(area)s (%(code)s) en kan daarom niet in dit "
                    "gebiedsteam."
                )
                % {"org": organisation, "area": area.name, "code": area.gemeente_code}
            )
        result[organisation] = role
    if errors:
        raise ValidationError({"members": errors})
    return result


@transaction.atomic
def team_create(
    *,
    actor,
    area: Area,
    name: str,
    members: list[tuple[Organisation, str]] | None = None,
    description: str = "",
    trekker: Organisation | None = None,
) -> AreaTeam:
    """Form the area team of a wijk or gebied.

    ``members`` lists (organisation, team role); ``trekker`` alone starts a team with that
    one trekker (the others join with ``team_member_add``).

    Allowed for beheerders of a gemeente or corporation working in the area's gemeente
    (their organisation must be in the team) and for platform admins. The team has at
    least one trekker; every member organisation works in the same gemeente.
    """
    if not AreaTeam.may_work_on(area):
        if area.is_water:
            message = _("Een gebiedsteam werkt niet aan water. Kies een wijk of gebied op het land.")
        else:
            message = _("Een gebiedsteam hoort bij een wijk of een gebied, niet bij een %(kind)s.") % {
                "kind": area.get_kind_display()
            }
        raise ValidationError({"area": message})
    managing_ids = set()
    if not is_platform_admin(actor):
        managing_ids = set(
            Organisation.objects.filter(
                pk__in=organisation_ids_for(actor, "manage"),
                kind__in=TEAM_FORMING_KINDS,
                gemeente_code=area.gemeente_code,
                is_active=True,
            ).values_list("pk", flat=True)
        )
        if not managing_ids:
            raise PermissionDenied(
                _(
                    "Alleen beheerders van een gemeente of woningcorporatie die in deze gemeente werkt, "
                    "mogen een gebiedsteam vormen."
                )
            )
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Geef het gebiedsteam een naam.")})
    existing = AreaTeam.objects.filter(area=area).first()
    if existing is not None:
        raise ValidationError(
            {
                "area": _("%(area)s heeft al een gebiedsteam: %(team)s.")
                % {"area": area.name, "team": existing}
            }
        )
    members = list(members or [])
    if trekker is not None and all(org.pk != trekker.pk for org, _role in members):
        members.insert(0, (trekker, TeamRole.TREKKER))
    roles = _checked_members(area, members)
    if TeamRole.TREKKER not in roles.values():
        raise ValidationError({"members": _("Een gebiedsteam heeft ten minste één trekker.")})
    if managing_ids and not managing_ids & {org.pk for org in roles}:
        raise ValidationError(
            {"members": _("Uw eigen organisatie moet deelnemen aan het gebiedsteam dat u vormt.")}
        )
    team = save_versioned(
        AreaTeam(area=area, name=name, description=description.strip(), created_by=actor), actor=actor
    )
    for organisation, role in roles.items():
        save_versioned(TeamMember(team=team, organisation=organisation, role=role), actor=actor)
    if not is_platform_admin(actor):
        ensure_in_scope(actor, team, "view")
    return team


@transaction.atomic
def team_update(*, actor, team: AreaTeam, version: int, **fields) -> AreaTeam:
    """Change the team's name or description (beheerders of a trekker, platform admins)."""
    team = AreaTeam.objects.select_for_update().get(pk=team.pk)
    require(actor, "change", team, NO_TEAM_RIGHTS)
    check_version(team, version)
    unknown = set(fields) - {"name", "description"}
    if unknown:
        raise ValidationError(_("Deze velden kunnen niet worden gewijzigd: %s") % ", ".join(sorted(unknown)))
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise ValidationError({"name": _("Geef het gebiedsteam een naam.")})
    if "description" in fields:
        fields["description"] = (fields["description"] or "").strip()
    changed = [name for name, value in fields.items() if getattr(team, name) != value]
    if not changed:
        return team
    for name in changed:
        setattr(team, name, fields[name])
    save_versioned(team, actor=actor)
    ensure_in_scope(actor, team, "change")
    return team


def _lock_team_for_members(actor, team: AreaTeam) -> AreaTeam:
    # Member changes of one team run one after the other, so two removals cannot both
    # leave the team without a trekker.
    team = AreaTeam.objects.select_for_update().select_related("area").get(pk=team.pk)
    require(actor, "change", team, NO_TEAM_RIGHTS)
    return team


def _other_trekkers(member: TeamMember):
    return TeamMember.objects.filter(team_id=member.team_id, role=TeamRole.TREKKER).exclude(pk=member.pk)


def _interventions_led_by(member: TeamMember):
    return Intervention.objects.filter(team_id=member.team_id, lead_organisation_id=member.organisation_id)


LAST_TREKKER = _(
    "Een gebiedsteam heeft altijd ten minste één trekker. Maak eerst een andere organisatie trekker."
)


@transaction.atomic
def team_member_add(*, actor, team: AreaTeam, organisation: Organisation, role: str) -> TeamMember:
    """Add an organisation to the team with a team role (beheerders of a trekker)."""
    team = _lock_team_for_members(actor, team)
    _checked_members(team.area, [(organisation, role)])
    if TeamMember.objects.filter(team=team, organisation=organisation).exists():
        raise ValidationError(
            {"organisation": _("%(org)s zit al in dit gebiedsteam.") % {"org": organisation}}
        )
    member = save_versioned(TeamMember(team=team, organisation=organisation, role=role), actor=actor)
    ensure_in_scope(actor, team, "change")
    return member


@transaction.atomic
def team_member_change_role(*, actor, member: TeamMember, role: str, version: int) -> TeamMember:
    """Give a member organisation another team role. The last trekker stays trekker, and an
    organisation that leads interventions of the team cannot become meelezer."""
    _lock_team_for_members(actor, member.team)
    member = TeamMember.objects.select_for_update().select_related("organisation").get(pk=member.pk)
    check_version(member, version)
    if role not in TeamRole.values:
        raise ValidationError({"role": _("Kies een rol: trekker, partner of meelezer.")})
    if role == member.role:
        return member
    if member.role == TeamRole.TREKKER and not _other_trekkers(member).exists():
        raise ValidationError({"role": LAST_TREKKER})
    if role == TeamRole.MEELEZER:
        led = _interventions_led_by(member).count()
        if led:
            raise ValidationError(
                {
                    "role": _(
                        "%(org)s is trekker van %(n)s interventie(s) van dit team en kan daarom geen "
                        "meelezer worden. Draag die interventies eerst over."
                    )
                    % {"org": member.organisation, "n": led}
                }
            )
    member.role = role
    save_versioned(member, actor=actor, reason=_("rol in het team gewijzigd"))
    ensure_in_scope(actor, member.team, "change")
    return member


@transaction.atomic
def team_member_remove(*, actor, member: TeamMember) -> None:
    """Take an organisation out of the team. Not the last trekker, and not an organisation
    that still leads or partners interventions of the team."""
    team = _lock_team_for_members(actor, member.team)
    member = TeamMember.objects.select_for_update().select_related("organisation").get(pk=member.pk)
    if member.role == TeamRole.TREKKER and not _other_trekkers(member).exists():
        raise ValidationError(LAST_TREKKER)
    involved = Intervention.objects.filter(team_id=team.pk).filter(
        Q(lead_organisation_id=member.organisation_id)
        | Q(
            pk__in=Intervention.partner_organisations.through.objects.filter(
                organisation_id=member.organisation_id
            ).values("intervention_id")
        )
    )
    count = involved.count()
    if count:
        raise ValidationError(
            _(
                "%(org)s is trekker of partner van %(n)s interventie(s) van dit team. Haal de organisatie "
                "daar eerst weg."
            )
            % {"org": member.organisation, "n": count}
        )
    member._history_user = actor
    member.delete()
    ensure_in_scope(actor, team, "change")


# --- urgency ---------------------------------------------------------------------------


@transaction.atomic
def urgency_record(
    *,
    actor,
    team: AreaTeam,
    year: int,
    urgency: str,
    rationale: str,
    version: int | None = None,
) -> UrgencyAssessment:
    """Record the team's urgency for a year (bewerkers of a trekker or partner).

    One assessment per team per year: when the year already has one it is updated, and
    then ``version`` must be the one the user started from. Earlier versions stay in the
    history.
    """
    team = AreaTeam.objects.select_for_update().get(pk=team.pk)
    if not may_work_in(actor, team):
        raise PermissionDenied(
            _("Alleen bewerkers van de trekker en de partners van het gebiedsteam leggen de urgentie vast.")
        )
    errors = {}
    try:
        year = int(year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = _("Kies een jaar tussen 2000 en 2100.")
    if urgency not in Urgency.values:
        errors["urgency"] = _("Kies een urgentie: laag, verhoogd, hoog of acuut.")
    rationale = (rationale or "").strip()
    if not rationale:
        errors["rationale"] = _("Geef een onderbouwing: waarom is dit de urgentie van het gebied?")
    if errors:
        raise ValidationError(errors)
    assessment = UrgencyAssessment.objects.select_for_update().filter(team=team, year=year).first()
    if assessment is None:
        assessment = UrgencyAssessment(team=team, year=year)
        reason = ""
    else:
        check_version(assessment, version)
        if assessment.urgency == urgency and assessment.rationale == rationale:
            return assessment
        reason = _("urgentie bijgesteld")
    assessment.urgency = urgency
    assessment.rationale = rationale
    assessment.assessed_by = actor
    save_versioned(assessment, actor=actor, reason=reason)
    ensure_in_scope(actor, assessment, "change")
    return assessment


# --- interventions ---------------------------------------------------------------------


def parse_budget(value) -> Decimal | None:
    """A budget in euros from a number or text ("12500", "12.500,50", "€ 1500"), or None.
    Raises ``ValidationError`` with a Dutch message for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError({"budget": _("Het budget moet een bedrag in euro's zijn, bijvoorbeeld 12500.")})
    if isinstance(value, float):
        value = str(value)
    if isinstance(value, str):
        text = value.strip().replace("€", "").replace(" ", "").replace("\u00a0", "")
        if "," in text and "." in text:
            # The last separator marks the cents: 12.500,50 (Dutch) or 12,500.50.
            if text.rfind(",") > text.rfind("."):
                text = text.replace(".", "").replace(",", ".")
            else:
                text = text.replace(",", "")
        elif "," in text:
            text = text.replace(",", ".")
        elif re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
            text = text.replace(".", "")  # 12.500 is twelve thousand five hundred
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            text = "x"
        value = text
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationError(
            {"budget": _("Het budget moet een bedrag in euro's zijn, bijvoorbeeld 12500 of 12500,50.")}
        )
    if amount < 0:
        raise ValidationError({"budget": _("Het budget kan niet negatief zijn.")})
    amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount >= Decimal("1e10"):
        raise ValidationError({"budget": _("Het budget is te groot (maximaal 9.999.999.999,99 euro).")})
    return amount


def allowed_area_ids(team: AreaTeam) -> set[int]:
    """The areas an intervention of the team may name: the team's wijk or gebied itself and
    the land buurten in it (of the same boundary year)."""
    area = team.area
    buurten = Area.objects.filter(kind=AreaKind.BUURT, year=area.year, is_water=False)
    if area.kind == AreaKind.GEBIED:
        buurten = buurten.filter(gebieden=area)
    else:
        buurten = buurten.filter(parent_id=area.pk)
    return {area.pk, *buurten.values_list("pk", flat=True)}


def _clean_intervention(team: AreaTeam, data: dict, *, actor) -> dict:
    """Validate intervention fields against each other and the team. Returns the cleaned
    values; raises one ``ValidationError`` listing every problem per field."""
    errors: dict[str, list] = {}

    def error(field, message):
        errors.setdefault(field, []).append(message)

    cleaned = dict(data)
    cleaned["title"] = (data.get("title") or "").strip()
    if not cleaned["title"]:
        error("title", _("Geef de interventie een titel."))
    cleaned["description"] = (data.get("description") or "").strip()
    cleaned["funder"] = (data.get("funder") or "").strip()
    if data.get("theme") not in Theme.values:
        error("theme", _("Kies een thema uit de lijst."))

    members = dict(TeamMember.objects.filter(team_id=team.pk).values_list("organisation_id", "role"))
    lead = data.get("lead_organisation")
    if lead is None:
        error("lead_organisation", _("Kies de trekker: de organisatie die de interventie leidt."))
    elif members.get(lead.pk) not in WORKING_ROLES:
        if lead.pk in members:
            error(
                "lead_organisation",
                _(
                    "De trekker moet deelnemen aan het gebiedsteam als trekker of partner; %(org)s leest alleen mee."
                )
                % {"org": lead},
            )
        else:
            error(
                "lead_organisation",
                _("De trekker moet deelnemen aan het gebiedsteam. %(org)s hoort niet bij %(team)s.")
                % {"org": lead, "team": team},
            )
    partners = [
        p for p in dict.fromkeys(data.get("partner_organisations") or ()) if lead is None or p != lead
    ]
    for partner in partners:
        if partner.pk not in members:
            error(
                "partner_organisations",
                _("Partner %(org)s hoort niet bij het gebiedsteam %(team)s.")
                % {"org": partner, "team": team},
            )
    cleaned["partner_organisations"] = partners

    areas = list(dict.fromkeys(data.get("areas") or ()))
    if not areas:
        error("areas", _("Kies ten minste één gebied: de wijk of buurten waar de interventie plaatsvindt."))
    else:
        allowed = allowed_area_ids(team)
        for area in areas:
            if area.pk not in allowed:
                error(
                    "areas",
                    _("%(area)s ligt niet in het gebied van dit team (%(team_area)s, indeling %(year)s).")
                    % {"area": area, "team_area": team.area.name, "year": team.area.year},
                )
    cleaned["areas"] = areas

    start, end = data.get("start_date"), data.get("end_date")
    for field, value in (("start_date", start), ("end_date", end)):
        if value is not None and not isinstance(value, datetime.date):
            error(field, _("Vul een geldige datum in."))
    if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end < start:
        error("end_date", _("De einddatum ligt voor de begindatum."))

    try:
        cleaned["budget"] = parse_budget(data.get("budget"))
    except ValidationError as exc:
        errors.setdefault("budget", []).extend(exc.message_dict["budget"])

    keys = []
    for key in data.get("indicator_keys") or ():
        key = str(key).strip()
        if key and key not in keys:
            keys.append(key)
    cleaned["indicator_keys"] = keys

    if lead is not None and not is_platform_admin(actor) and "lead_organisation" not in errors:
        editable = set(organisation_ids_for(actor, "change").values_list("organisation_id", flat=True))
        if not editable & {lead.pk, *(p.pk for p in partners)}:
            error(
                "lead_organisation",
                _(
                    "Uw organisatie moet trekker of partner van de interventie zijn; anders kunt u haar "
                    "daarna niet meer bijwerken."
                ),
            )
    if errors:
        raise ValidationError(errors)
    return cleaned


def intervention_url(intervention: Intervention) -> str:
    """The path of the intervention page (empty while the pages are not installed)."""
    for kwargs in ({"pk": intervention.pk}, {"intervention_id": intervention.pk}):
        try:
            return reverse("interventions:detail", kwargs=kwargs)
        except NoReverseMatch:
            continue
    return ""


@transaction.atomic
def intervention_create(
    *,
    actor,
    team: AreaTeam,
    title: str,
    description: str,
    theme: str,
    areas: Iterable[Area],
    lead_organisation: Organisation,
    partner_organisations: Iterable[Organisation] = (),
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    budget: Decimal | str | int | None = None,
    funder: str = "",
    status: str = Status.IDEE,
    indicator_keys: Iterable[str] = (),
    stop_reason: str = "",
) -> Intervention:
    """Log an intervention of an area team.

    The actor edits for a trekker or partner organisation of the team; the lead
    organisation is a trekker or partner of the team, the partners are in the team, and the
    areas are the team's wijk or gebied or buurten in it. The people of the team's
    organisations are notified.
    """
    team = AreaTeam.objects.select_related("area").get(pk=team.pk)
    if not may_work_in(actor, team):
        raise PermissionDenied(
            _("Alleen bewerkers van de trekker en de partners van het gebiedsteam leggen interventies vast.")
        )
    cleaned = _clean_intervention(
        team,
        {
            "title": title,
            "description": description,
            "theme": theme,
            "areas": list(areas),
            "lead_organisation": lead_organisation,
            "partner_organisations": list(partner_organisations),
            "start_date": start_date,
            "end_date": end_date,
            "budget": budget,
            "funder": funder,
            "indicator_keys": list(indicator_keys),
        },
        actor=actor,
    )
    if status not in Status.values:
        raise ValidationError({"status": _("Kies een status uit de lijst.")})
    stop_reason = (stop_reason or "").strip()
    if status == Status.GESTOPT and not stop_reason:
        raise ValidationError({"stop_reason": _("Geef aan waarom de interventie gestopt is.")})
    areas_, partners = cleaned.pop("areas"), cleaned.pop("partner_organisations")
    intervention = Intervention(
        team=team, status=status, stop_reason=stop_reason, created_by=actor, **cleaned
    )
    save_versioned(intervention, actor=actor)
    _set_m2m_quietly(intervention, areas=areas_, partner_organisations=partners)
    _snapshot_m2m_history(intervention)
    ensure_in_scope(actor, intervention, "change")
    _notify_team(
        actor=actor,
        intervention=intervention,
        kind="interventie_nieuw",
        text=_("Nieuwe interventie in %(team)s: %(title)s") % {"team": team, "title": intervention.title},
    )
    return intervention


UPDATABLE_FIELDS = (
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
    "indicator_keys",
)


def _lock_intervention(intervention: Intervention) -> Intervention:
    return (
        Intervention.objects.select_for_update(of=("self",))
        .select_related("team", "team__area", "lead_organisation")
        .get(pk=intervention.pk)
    )


@transaction.atomic
def intervention_update(*, actor, intervention: Intervention, version: int, **fields) -> Intervention:
    """Change an intervention's details (bewerkers of its lead and partner organisations).

    A stale ``version`` raises ``ConflictError`` carrying the current intervention, so the
    page can show the other person's changes; nothing is overwritten. The status changes
    through ``intervention_change_status``.
    """
    intervention = _lock_intervention(intervention)
    require(actor, "change", intervention, NO_INTERVENTION_RIGHTS)
    check_version(intervention, version)
    unknown = set(fields) - set(UPDATABLE_FIELDS)
    if unknown:
        if "status" in unknown:
            raise ValidationError({"status": _("Wijzig de status met een statuswijziging, niet hier.")})
        raise ValidationError(_("Deze velden kunnen niet worden gewijzigd: %s") % ", ".join(sorted(unknown)))
    current = {
        "title": intervention.title,
        "description": intervention.description,
        "theme": intervention.theme,
        "areas": list(intervention.areas.all()),
        "lead_organisation": intervention.lead_organisation,
        "partner_organisations": list(intervention.partner_organisations.all()),
        "start_date": intervention.start_date,
        "end_date": intervention.end_date,
        "budget": intervention.budget,
        "funder": intervention.funder,
        "indicator_keys": list(intervention.indicator_keys or []),
    }
    merged = {
        **current,
        **{
            k: (list(v) if k in {"areas", "partner_organisations", "indicator_keys"} else v)
            for k, v in fields.items()
        },
    }
    cleaned = _clean_intervention(intervention.team, merged, actor=actor)
    areas_, partners = cleaned.pop("areas"), cleaned.pop("partner_organisations")
    changed = [name for name, value in cleaned.items() if getattr(intervention, name) != value]
    areas_changed = set(_as_ids(areas_)) != set(_as_ids(current["areas"]))
    partners_changed = set(_as_ids(partners)) != set(_as_ids(current["partner_organisations"]))
    if not (changed or areas_changed or partners_changed):
        return intervention
    for name in changed:
        setattr(intervention, name, cleaned[name])
    intervention._history_user = actor
    relations = {}
    if areas_changed:
        relations["areas"] = areas_
    if partners_changed:
        relations["partner_organisations"] = partners
    if relations:
        _set_m2m_quietly(intervention, **relations)
    save_versioned(intervention, actor=actor)
    ensure_in_scope(actor, intervention, "change")
    return intervention


def _check_update_date(date) -> datetime.date:
    if date is None:
        return _today()
    if not isinstance(date, datetime.date):
        raise ValidationError({"date": _("Vul een geldige datum in.")})
    if date > _today():
        raise ValidationError(
            {"date": _("De datum ligt in de toekomst. Voortgang meldt u als het gebeurd is.")}
        )
    return date


@transaction.atomic
def intervention_change_status(
    *,
    actor,
    intervention: Intervention,
    to_status: str | None = None,
    version: int | None = None,
    reason: str = "",
    date: datetime.date | None = None,
    status: str | None = None,
) -> Intervention:
    """Move an intervention along idee → gepland → in uitvoering → afgerond, or stop it
    (gestopt, with a reason) while it is unfinished. Adds a timeline entry by itself and
    notifies the team. ``status`` is accepted as another name for ``to_status``."""
    to_status = to_status if to_status is not None else status
    intervention = _lock_intervention(intervention)
    require(actor, "change", intervention, NO_INTERVENTION_RIGHTS)
    check_version(intervention, version)
    if to_status not in Status.values:
        raise ValidationError({"status": _("Kies een status uit de lijst.")})
    from_status = intervention.status
    if to_status not in TRANSITIONS[Status(from_status)]:
        if from_status in FINAL_STATUSES:
            message = _("Deze interventie is %(status)s; de status kan niet meer veranderen.") % {
                "status": intervention.get_status_display()
            }
        else:
            options = " of ".join(str(Status(s).label) for s in TRANSITIONS[Status(from_status)])
            message = _("Van %(from)s kan de status alleen naar %(options)s.") % {
                "from": intervention.get_status_display(),
                "options": options,
            }
        raise ValidationError({"status": message})
    reason = (reason or "").strip()
    if to_status == Status.GESTOPT and not reason:
        raise ValidationError({"reason": _("Geef aan waarom de interventie stopt.")})
    date = _check_update_date(date)
    from_label, to_label = Status(from_status).label, Status(to_status).label
    intervention.status = to_status
    if to_status == Status.GESTOPT:
        intervention.stop_reason = reason
    save_versioned(
        intervention,
        actor=actor,
        reason=_("status: %(from)s → %(to)s") % {"from": from_label, "to": to_label},
    )
    text = _("Status gewijzigd van %(from)s naar %(to)s") % {"from": from_label, "to": to_label}
    if reason:
        text = f"{text}. {_('Reden')}: {reason}"
    update = ProgressUpdate(
        intervention=intervention,
        date=date,
        text=text,
        status_from=from_status,
        status_to=to_status,
        author=actor,
        progress=100 if to_status == Status.AFGEROND else None,
    )
    update.full_clean()
    update._history_user = actor
    update.save()
    if not is_platform_admin(actor):
        # Stopping or finishing does not change who may edit; the check keeps the rule.
        ensure_in_scope(actor, intervention, "change")
    _notify_team(
        actor=actor,
        intervention=intervention,
        kind="interventie_status",
        text=_("%(title)s (%(team)s): status gewijzigd van %(from)s naar %(to)s")
        % {"title": intervention.title, "team": intervention.team, "from": from_label, "to": to_label},
    )
    return intervention


# --- progress updates and attachments --------------------------------------------------


def _file_kind(upload) -> tuple[str, str]:
    """Check one uploaded file: allowed extension, content that matches it, size limit.
    Returns (extension, content type)."""
    name = PurePath(getattr(upload, "name", "") or "").name
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            _(
                "%(name)s: dit bestandstype is niet toegestaan. Voeg een PDF, PNG, JPEG, DOCX, XLSX, ODT "
                "of CSV toe."
            )
            % {"name": name or _("bestand")}
        )
    size = getattr(upload, "size", None)
    max_mb = attachment_max_mb()
    if size is None or size > max_mb * 1024 * 1024:
        raise ValidationError(
            _("%(name)s is groter dan %(max)s MB. Verklein het bestand of deel het op.")
            % {"name": name, "max": max_mb}
        )
    if size == 0:
        raise ValidationError(_("%(name)s is leeg.") % {"name": name})
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if isinstance(head, str):
        head = head.encode()
    if not _content_matches(extension, head, upload):
        raise ValidationError(
            _("%(name)s: de inhoud past niet bij een .%(ext)s-bestand. Controleer het bestand.")
            % {"name": name, "ext": extension}
        )
    return extension, ATTACHMENT_TYPES[extension]


ZIP_MARKERS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


def _content_matches(extension: str, head: bytes, upload) -> bool:
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in {"jpg", "jpeg"}:
        return head.startswith(b"\xff\xd8\xff")
    if extension in {"docx", "xlsx", "odt"}:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
                if extension == "odt":
                    return (
                        "mimetype" in names
                        and archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text"
                    )
                return ZIP_MARKERS[extension] in names
        except (zipfile.BadZipFile, OSError, KeyError):
            return False
        finally:
            upload.seek(0)
    if extension == "csv":
        # Text without NUL bytes, in UTF-8 or Windows-1252 (the encodings CSV files come in).
        if b"\x00" in head:
            return False
        for encoding in ("utf-8", "cp1252"):
            try:
                head.decode(encoding)
                return True
            except UnicodeDecodeError as exc:
                # A multi-byte character cut off at the end of the sample is fine.
                if encoding == "utf-8" and exc.start >= len(head) - 3:
                    return True
        return False
    return False


@transaction.atomic
def progress_add(
    *,
    actor,
    intervention: Intervention,
    date: datetime.date,
    text: str,
    progress: int | None = None,
    files: Iterable = (),
) -> ProgressUpdate:
    """Add a dated entry to an intervention's timeline, with up to five attachments.

    Bewerkers of the lead and partner organisations. Every file is checked (type by
    extension and content, size) before anything is saved: all or nothing.
    """
    intervention = _lock_intervention(intervention)
    require(actor, "change", intervention, NO_INTERVENTION_RIGHTS)
    errors = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("Beschrijf de voortgang.")]
    try:
        date = _check_update_date(date) if date is not None else None
        if date is None:
            errors["date"] = [_("Vul de datum in.")]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if progress not in (None, ""):
        try:
            progress = int(progress)
            if not 0 <= progress <= 100:
                raise ValueError
        except (TypeError, ValueError):
            errors["progress"] = [_("De voortgang is een percentage van 0 tot en met 100.")]
    else:
        progress = None
    files = list(files or ())
    checked = []
    if len(files) > MAX_FILES_PER_UPDATE:
        errors["files"] = [
            _("U kunt maximaal %(n)s bestanden per voortgangsbericht toevoegen.")
            % {"n": MAX_FILES_PER_UPDATE}
        ]
    else:
        file_errors = []
        for upload in files:
            try:
                checked.append((upload, *_file_kind(upload)))
            except ValidationError as exc:
                file_errors.extend(exc.messages)
        if file_errors:
            errors["files"] = file_errors
    if errors:
        raise ValidationError(errors)

    update = ProgressUpdate(intervention=intervention, date=date, text=text, progress=progress, author=actor)
    update.full_clean()
    update._history_user = actor
    update.save()
    stored = []
    try:
        for upload, _extension, content_type in checked:
            name = PurePath(upload.name).name[:255]
            attachment = Attachment(
                update=update,
                original_name=name,
                content_type=content_type,
                size=upload.size,
                uploaded_by=actor,
            )
            attachment.file.save(name, upload, save=False)
            stored.append(attachment.file.name)
            attachment.full_clean()
            attachment.save()
    except Exception:
        _delete_files(stored)
        raise
    # The list shows recently active interventions first; no new version, no conflict.
    Intervention.objects.filter(pk=intervention.pk).update(updated_at=timezone.now())
    return update


def _delete_files(names) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


@transaction.atomic
def intervention_delete(*, actor, intervention: Intervention) -> None:
    """Delete an intervention with its timeline and files (beheerders of the lead
    organisation, platform admins)."""
    intervention = _lock_intervention(intervention)
    require(actor, "view", intervention, _("Niet gevonden."))
    if (
        not is_platform_admin(actor)
        and not Membership.objects.filter(
            user_id=actor.pk,
            organisation_id=intervention.lead_organisation_id,
            organisation_id__in=organisation_ids_for(actor, "manage"),
        ).exists()
    ):
        raise PermissionDenied(
            _("Alleen beheerders van de trekkende organisatie mogen een interventie verwijderen.")
        )
    files = list(Attachment.objects.filter(update__intervention=intervention).values_list("file", flat=True))
    intervention._history_user = actor
    intervention.delete()
    transaction.on_commit(lambda: _delete_files(files))


# --- notifications ---------------------------------------------------------------------


def team_people(team: AreaTeam, *, exclude=None):
    """Active people in the team's organisations (any organisation role), except ``exclude``."""
    people = User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(
            organisation_id__in=TeamMember.objects.filter(team_id=team.pk).values("organisation_id")
        ).values("user_id"),
    )
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    return people


def _notify_team(*, actor, intervention: Intervention, kind: str, text: str) -> list[Notification]:
    """Notify the team's people (never the actor) in the product, and queue the e-mail for
    those who want each event by mail. Digest readers get it in the daily overview."""
    people = list(team_people(intervention.team, exclude=actor))
    if not people:
        return []
    notes = notify(recipients=people, kind=kind, text=text, url=intervention_url(intervention))
    modes = dict(NotificationPreference.objects.filter(user__in=people).values_list("user_id", "mode"))
    direct = [
        note.pk
        for note in notes
        if modes.get(note.recipient_id, NotificationPreference.Mode.DIRECT)
        == NotificationPreference.Mode.DIRECT
    ]
    if direct:
        queue_on_commit("interventions.tasks.notification_mail_send", direct, what=f"team news mail {direct}")
    return notes


@transaction.atomic
def preference_set(*, actor, mode: str) -> NotificationPreference:
    """Choose how the actor hears about their teams: each event by e-mail, a daily digest,
    or only in the product."""
    if mode not in NotificationPreference.Mode.values:
        raise ValidationError(
            {"mode": _("Kies: direct per e-mail, een dagelijks overzicht of alleen in Wijkkoers.")}
        )
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=actor)
    if mode == NotificationPreference.Mode.DIGEST and (
        preference.mode != mode or preference.last_digest_at is None
    ):
        # The first overview covers what happens from now on, not all earlier events.
        preference.last_digest_at = timezone.now()
    preference.mode = mode
    preference.full_clean()
    preference.save()
    return preference


def digest_due_user_ids(*, now=None) -> list[int]:
    """The people who chose the daily digest and have not had one in this period (day)."""
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        NotificationPreference.objects.filter(mode=NotificationPreference.Mode.DIGEST, user__is_active=True)
        .filter(Q(last_digest_at__isnull=True) | Q(last_digest_at__lt=start_of_day))
        .values_list("user_id", flat=True)
    )


def digest_claim(*, user_id: int, now=None) -> list[Notification] | None:
    """Within the caller's transaction: lock the person's preference, and return the
    notifications since their last digest (marking this period as done), or None when a
    digest is not due. If sending fails, the caller's rollback leaves it due."""
    now = now or timezone.now()
    preference = (
        NotificationPreference.objects.select_for_update()
        .select_related("user")
        .filter(user_id=user_id, mode=NotificationPreference.Mode.DIGEST)
        .first()
    )
    if preference is None:
        return None
    last = preference.last_digest_at
    if last is not None and timezone.localdate(last) >= timezone.localdate(now):
        return None
    since = last or now - datetime.timedelta(days=1)
    notes = list(
        Notification.objects.select_related("recipient")
        .filter(recipient_id=user_id, kind__in=NOTIFICATION_KINDS, created_at__gt=since, created_at__lte=now)
        .order_by("created_at", "pk")
    )
    preference.last_digest_at = now
    preference.save(update_fields=["last_digest_at"])
    return notes
