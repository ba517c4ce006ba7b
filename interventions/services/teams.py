"""Area teams: forming a team around a wijk or gebied, its members and their roles."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from areas.models import Area
from core.permissions import ensure_in_scope, is_platform_admin, require
from core.services import check_version, save_versioned
from interventions.models import (
    AreaTeam,
    Intervention,
    TeamMember,
    TeamRole,
)
from interventions.services.common import NO_TEAM_RIGHTS, TEAM_FORMING_KINDS
from organisations.models import Organisation, organisation_ids_for


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
