"""Interventions: logging them, editing them with their areas and partners, their status
workflow, deleting and sharing them."""

import datetime
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agreements.models import Commitment
from areas.models import Area, AreaKind
from core.permissions import ensure_in_scope, is_platform_admin, require
from core.services import check_version, save_versioned
from interventions.models import (
    WORKING_ROLES,
    AreaTeam,
    Intervention,
    ProgressUpdate,
    TeamMember,
    Theme,
    WijkgesprekAction,
    may_work_in,
)
from interventions.selectors import offered_commitments
from interventions.services.common import (
    FINAL_STATUSES,
    NO_INTERVENTION_RIGHTS,
    TRANSITIONS,
    Status,
    _as_ids,
    _set_m2m_quietly,
    _snapshot_m2m_history,
    _today,
)
from interventions.services.gesprekken import NO_GESPREK_RIGHTS, action_save
from interventions.services.notifications import _notify_team
from organisations.models import Organisation, organisation_id_set
from scores.models import Indicator


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


def _catalogue_lookup(indicators) -> dict[str, list[Indicator]]:
    """Indicators by lower-case key and by lower-case name."""
    lookup: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        for text in {indicator.key.strip().lower(), indicator.name.strip().lower()}:
            if indicator not in lookup.setdefault(text, []):
                lookup[text].append(indicator)
    return lookup


def _clean_indicators(actor, values, current) -> list[Indicator]:
    """The catalogue indicators an intervention must move.

    ``values`` are indicators, their ids, or text: a key or a name, in any case (what the
    API and the import send). Each must be in the catalogue the actor may see; the ones
    already linked pass too, and those among them from a source the actor may not see
    stay linked (they cannot have been removed on purpose). Raises ``ValidationError``
    naming every value that is not in the catalogue.
    """
    current = list(current)
    current_ids = {indicator.pk for indicator in current}
    if all(isinstance(value, Indicator) for value in values) and {v.pk for v in values} == current_ids:
        return list(dict.fromkeys(values))  # the links as they are: no catalogue to read
    visible = {
        indicator.pk: indicator
        for indicator in Indicator.objects.restrict(actor, "view").select_related("source")
    }
    lookup = _catalogue_lookup([*visible.values(), *current])
    chosen, problems = [], []
    for value in values:
        if isinstance(value, Indicator) or (isinstance(value, int) and not isinstance(value, bool)):
            pk = getattr(value, "pk", value)
            indicator = visible.get(pk) or next((i for i in current if i.pk == pk), None)
            if indicator is None:
                problems.append(
                    _("Indicator %(value)s staat niet in de indicatorencatalogus die u kunt gebruiken.")
                    % {"value": value}
                )
                continue
        else:
            text = str(value).strip()
            if not text:
                continue
            candidates = lookup.get(text.lower(), [])
            linked = [indicator for indicator in candidates if indicator.pk in current_ids]
            if linked:
                candidates = linked
            if not candidates:
                problems.append(
                    _(
                        "‘%(value)s’ staat niet in de indicatorencatalogus. Kies een indicator uit de "
                        "lijst; schrijf haar sleutel (bijvoorbeeld p_wcorpw) of haar naam."
                    )
                    % {"value": text}
                )
                continue
            if len(candidates) > 1:
                problems.append(
                    _(
                        "‘%(value)s’ komt voor in meer dan één bron (%(sources)s). Kies de indicator "
                        "in het formulier, of geef in de API haar id."
                    )
                    % {"value": text, "sources": ", ".join(sorted(str(i.source) for i in candidates))}
                )
                continue
            indicator = candidates[0]
        if indicator not in chosen:
            chosen.append(indicator)
    if problems:
        raise ValidationError(problems)
    hidden = [indicator for indicator in current if indicator.pk not in visible and indicator not in chosen]
    return chosen + hidden


def _clean_commitments(actor, team: AreaTeam, values, current) -> list[Commitment]:
    """The agreement commitments an intervention delivers on (commitments or their ids).

    A newly linked commitment must be one the actor may see, of an agreement (not a bod
    proposal) of the team's gemeente; the ones already linked pass, and those among them
    that the actor may not see stay linked. Raises ``ValidationError`` naming every
    commitment that cannot be linked.
    """
    current = list(current)
    current_ids = {commitment.pk for commitment in current}
    ids = []
    problems = []
    for value in values:
        pk = getattr(value, "pk", value)
        if isinstance(pk, bool) or not isinstance(pk, int):
            problems.append(
                _("‘%(value)s’ is geen afspraak; geef het id van een afspraak.") % {"value": value}
            )
        elif pk not in ids:
            ids.append(pk)
    new_ids = [pk for pk in ids if pk not in current_ids]
    offered = set(
        offered_commitments(user=actor, team=team).filter(pk__in=new_ids).values_list("pk", flat=True)
    )
    refused = [pk for pk in new_ids if pk not in offered]
    if refused:
        seen = {
            commitment.pk: commitment
            for commitment in Commitment.objects.restrict(actor, "view")
            .filter(pk__in=refused)
            .select_related("agreement")
        }
        gemeente = team.area.gemeente_code
        for pk in refused:
            commitment = seen.get(pk)
            if commitment is None:
                problems.append(_("Afspraak %(id)s bestaat niet of u mag haar niet zien.") % {"id": pk})
            elif commitment.agreement is None:
                problems.append(
                    _(
                        "Afspraak ‘%(commitment)s’ is een voorstel in een bod; koppel de afspraak "
                        "zodra zij in de prestatieafspraken staat."
                    )
                    % {"commitment": commitment}
                )
            else:
                problems.append(
                    _(
                        "Afspraak ‘%(commitment)s’ hoort bij %(agreement)s, niet bij de "
                        "prestatieafspraken van gemeente %(gemeente)s van dit team."
                    )
                    % {
                        "commitment": commitment,
                        "agreement": commitment.agreement.title,
                        "gemeente": gemeente,
                    }
                )
    if problems:
        raise ValidationError(problems)
    by_pk = {c.pk: c for c in current}
    by_pk.update(Commitment.objects.in_bulk([pk for pk in ids if pk not in by_pk]))
    chosen = [by_pk[pk] for pk in ids]
    if current_ids <= set(ids):
        return chosen  # every linked one is kept: none to keep unseen
    visible = set(
        Commitment.objects.restrict(actor, "view").filter(pk__in=current_ids).values_list("pk", flat=True)
    )
    hidden = [
        commitment for commitment in current if commitment.pk not in visible and commitment.pk not in ids
    ]
    return chosen + hidden


def _clean_intervention(team: AreaTeam, data: dict, *, actor, current: dict | None = None) -> dict:
    """Validate intervention fields against each other and the team. Returns the cleaned
    values; raises one ``ValidationError`` listing every problem per field. ``current`` are
    the stored values of an intervention being edited."""
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
    partners = list(dict.fromkeys(data.get("partner_organisations") or ()))
    for partner in partners:
        if lead is not None and partner.pk == lead.pk:
            error(
                "partner_organisations",
                _(
                    "%(org)s is de trekker van deze interventie en kan niet ook partner zijn. "
                    "Haal %(org)s weg bij de partners, of kies een andere trekker."
                )
                % {"org": partner},
            )
        elif partner.pk not in members:
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

    current = current or {}
    try:
        cleaned["indicators"] = _clean_indicators(
            actor, data.get("indicators") or (), current.get("indicators") or ()
        )
    except ValidationError as exc:
        errors.setdefault("indicators", []).extend(exc.messages)
    try:
        cleaned["commitments"] = _clean_commitments(
            actor, team, data.get("commitments") or (), current.get("commitments") or ()
        )
    except ValidationError as exc:
        errors.setdefault("commitments", []).extend(exc.messages)

    if lead is not None and not is_platform_admin(actor) and "lead_organisation" not in errors:
        editable = organisation_id_set(actor, "change")
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
    indicators: Iterable[Indicator | int | str] = (),
    commitments: Iterable[Commitment | int] = (),
    stop_reason: str = "",
    from_action: WijkgesprekAction | None = None,
) -> Intervention:
    """Log an intervention of an area team; ``from_action``, an action of one of the
    team's wijkgesprekken, then points to it.

    The actor edits for a trekker or partner organisation of the team; the lead
    organisation is a trekker or partner of the team, the partners are other organisations
    in the team, and the areas are the team's wijk or gebied or buurten in it.
    ``indicators`` come from the catalogue the actor may see (as indicators, ids, keys or
    names); ``commitments`` from the agreements of the team's gemeente the actor may see.
    The people of the team's organisations are notified.
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
            "indicators": list(indicators),
            "commitments": list(commitments),
        },
        actor=actor,
    )
    if status not in Status.values:
        raise ValidationError({"status": _("Kies een status uit de lijst.")})
    stop_reason = (stop_reason or "").strip()
    if status == Status.GESTOPT and not stop_reason:
        raise ValidationError({"stop_reason": _("Geef aan waarom de interventie gestopt is.")})
    relations = {name: cleaned.pop(name) for name in Intervention.MANY_FIELDS}
    intervention = Intervention(
        team=team, status=status, stop_reason=stop_reason, created_by=actor, **cleaned
    )
    save_versioned(intervention, actor=actor)
    _set_m2m_quietly(intervention, **relations)
    _snapshot_m2m_history(intervention)
    ensure_in_scope(actor, intervention, "change")
    if from_action is not None:
        action = (
            WijkgesprekAction.objects.select_for_update().select_related("gesprek").get(pk=from_action.pk)
        )
        if action.gesprek.team_id != team.pk:
            raise ValidationError(_("Deze actie komt uit een wijkgesprek van een ander gebiedsteam."))
        require(actor, "change", action.gesprek, NO_GESPREK_RIGHTS)
        if action.intervention_id is not None:
            raise ValidationError(_("Van deze actie is al een interventie gemaakt."))
        action.intervention = intervention
        action_save(action, actor=actor)
    _notify_team(
        actor=actor,
        intervention=intervention,
        kind="interventie_nieuw",
        text=_("Nieuwe interventie in %(team)s: %(title)s") % {"team": team, "title": intervention.title},
    )
    return intervention


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
    unknown = set(fields) - set(Intervention.DETAIL_FIELDS)
    if unknown:
        if "status" in unknown:
            raise ValidationError({"status": _("Wijzig de status met een statuswijziging, niet hier.")})
        raise ValidationError(_("Deze velden kunnen niet worden gewijzigd: %s") % ", ".join(sorted(unknown)))
    current = intervention.detail_values()
    merged = {
        **current,
        **{k: (list(v) if k in Intervention.MANY_FIELDS else v) for k, v in fields.items()},
    }
    cleaned = _clean_intervention(intervention.team, merged, actor=actor, current=current)
    relations = {
        name: values
        for name, values in ((name, cleaned.pop(name)) for name in Intervention.MANY_FIELDS)
        if set(_as_ids(values)) != set(_as_ids(current[name]))
    }
    changed = [name for name, value in cleaned.items() if getattr(intervention, name) != value]
    if not (changed or relations):
        return intervention
    for name in changed:
        setattr(intervention, name, cleaned[name])
    intervention._history_user = actor
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
