"""Wijkgesprekken: a team records how it reads the year's numbers and what it decided,
with actions that can become interventions."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.permissions import allowed, ensure_in_scope
from core.services import check_version, save_versioned
from interventions.models import (
    AreaTeam,
    Intervention,
    TeamMember,
    Wijkgesprek,
    WijkgesprekAction,
    may_work_in,
)
from interventions.services.common import _set_m2m_quietly, _snapshot_m2m_history
from interventions.services.notifications import notify_team
from organisations.models import Organisation

NO_GESPREK_RIGHTS = _(
    "Alleen bewerkers van de trekker en de partners van het gebiedsteam leggen een wijkgesprek vast."
)
MAX_ACTIONS = 30
GESPREK_FIELDS = ("date", "year", "participants", "duiding", "decisions")


def gesprek_url(gesprek: Wijkgesprek) -> str:
    return reverse("interventions:gesprek", args=[gesprek.pk])


def _clean_gesprek(team: AreaTeam, data: dict) -> dict:
    """The checked values of a wijkgesprek, or a ``ValidationError`` naming each field."""
    errors = {}
    date = data.get("date")
    if not isinstance(date, datetime.date):
        errors["date"] = _("Vul de datum van het gesprek in.")
    elif date > timezone.localdate() + datetime.timedelta(days=1):
        errors["date"] = _(
            "Een wijkgesprek wordt vastgelegd nadat het is gevoerd; de datum ligt in de toekomst."
        )
    try:
        year = int(data.get("year"))
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = _("Kies het meetjaar waarover het gesprek ging (tussen 2000 en 2100).")
        year = None
    participants = list(data.get("participants") or [])
    team_orgs = set(TeamMember.objects.filter(team_id=team.pk).values_list("organisation_id", flat=True))
    if not participants:
        errors["participants"] = _("Kies de organisaties die aan het gesprek deelnamen.")
    elif any(getattr(org, "pk", org) not in team_orgs for org in participants):
        errors["participants"] = _(
            "Alleen organisaties uit het gebiedsteam kunnen als deelnemer worden gekozen."
        )
    duiding = (data.get("duiding") or "").strip()
    if not duiding:
        errors["duiding"] = _(
            "Schrijf de duiding: hoe leest het team de cijfers van dit jaar, en wat ziet het in de wijk?"
        )
    if errors:
        raise ValidationError(errors)
    return {
        "date": date,
        "year": year,
        "participants": participants,
        "duiding": duiding,
        "decisions": (data.get("decisions") or "").strip(),
    }


def _clean_actions(actions: Iterable[str]) -> list[str]:
    texts = [text.strip() for text in actions if text and text.strip()]
    if len(texts) > MAX_ACTIONS:
        raise ValidationError(
            {"actions": _("Leg ten hoogste %(n)s acties per gesprek vast.") % {"n": MAX_ACTIONS}}
        )
    too_long = [text for text in texts if len(text) > 500]
    if too_long:
        raise ValidationError({"actions": _("Een actie is ten hoogste 500 tekens lang.")})
    return texts


@transaction.atomic
def wijkgesprek_create(
    *,
    actor,
    team: AreaTeam,
    date: datetime.date,
    year: int,
    participants: Iterable[Organisation],
    duiding: str,
    decisions: str = "",
    actions: Iterable[str] = (),
) -> Wijkgesprek:
    """Record a wijkgesprek of a team (bewerkers of its trekker and partners), with its
    actions. The people of the team's organisations are notified."""
    team = AreaTeam.objects.select_for_update().select_related("area").get(pk=team.pk)
    if not may_work_in(actor, team):
        raise PermissionDenied(NO_GESPREK_RIGHTS)
    cleaned = _clean_gesprek(
        team,
        {
            "date": date,
            "year": year,
            "participants": participants,
            "duiding": duiding,
            "decisions": decisions,
        },
    )
    texts = _clean_actions(actions)
    participants = cleaned.pop("participants")
    gesprek = Wijkgesprek(team=team, created_by=actor, **cleaned)
    save_versioned(gesprek, actor=actor)
    _set_m2m_quietly(gesprek, participants=participants)
    _snapshot_m2m_history(gesprek)
    for text in texts:
        action_save(WijkgesprekAction(gesprek=gesprek, text=text), actor=actor)
    ensure_in_scope(actor, gesprek, "change")
    notify_team(
        actor=actor,
        team=team,
        kind="wijkgesprek",
        text=_("Wijkgesprek in %(team)s vastgelegd (%(date)s)")
        % {"team": team, "date": gesprek.date.strftime("%d-%m-%Y")},
        url=gesprek_url(gesprek),
    )
    return gesprek


def _lock(gesprek: Wijkgesprek) -> Wijkgesprek:
    return Wijkgesprek.objects.select_for_update(of=("self",)).select_related("team").get(pk=gesprek.pk)


@transaction.atomic
def wijkgesprek_update(*, actor, gesprek: Wijkgesprek, version: int, **fields) -> Wijkgesprek:
    """Change a wijkgesprek's date, year, participants, duiding or decisions. A stale
    ``version`` raises ``ConflictError``; nothing is overwritten."""
    gesprek = _lock(gesprek)
    if not allowed(actor, "change", gesprek):
        raise PermissionDenied(NO_GESPREK_RIGHTS)
    check_version(gesprek, version)
    unknown = set(fields) - set(GESPREK_FIELDS)
    if unknown:
        raise ValidationError(_("Deze velden kunnen niet worden gewijzigd: %s") % ", ".join(sorted(unknown)))
    current = {
        "date": gesprek.date,
        "year": gesprek.year,
        "participants": list(gesprek.participants.all()),
        "duiding": gesprek.duiding,
        "decisions": gesprek.decisions,
    }
    cleaned = _clean_gesprek(gesprek.team, {**current, **fields})
    participants = cleaned.pop("participants")
    changed = [name for name, value in cleaned.items() if getattr(gesprek, name) != value]
    participants_changed = {getattr(o, "pk", o) for o in participants} != {
        o.pk for o in current["participants"]
    }
    if not (changed or participants_changed):
        return gesprek
    for name in changed:
        setattr(gesprek, name, cleaned[name])
    if participants_changed:
        _set_m2m_quietly(gesprek, participants=participants)
    save_versioned(gesprek, actor=actor)
    ensure_in_scope(actor, gesprek, "change")
    return gesprek


def action_save(action: WijkgesprekAction, *, actor) -> WijkgesprekAction:
    action.full_clean()
    action._history_user = actor
    action.save()
    return action


def _check_intervention(actor, gesprek: Wijkgesprek, intervention: Intervention | None) -> None:
    if intervention is None:
        return
    if intervention.team_id != gesprek.team_id or not allowed(actor, "view", intervention):
        raise ValidationError({"intervention": _("Kies een interventie van hetzelfde gebiedsteam.")})


@transaction.atomic
def wijkgesprek_action_add(
    *, actor, gesprek: Wijkgesprek, text: str, intervention: Intervention | None = None
) -> WijkgesprekAction:
    """Add an action to a wijkgesprek, optionally pointing to an existing intervention."""
    gesprek = _lock(gesprek)
    if not allowed(actor, "change", gesprek):
        raise PermissionDenied(NO_GESPREK_RIGHTS)
    texts = _clean_actions([text])
    if not texts:
        raise ValidationError({"text": _("Beschrijf de actie.")})
    if gesprek.actions.count() >= MAX_ACTIONS:
        raise ValidationError(
            {"text": _("Leg ten hoogste %(n)s acties per gesprek vast.") % {"n": MAX_ACTIONS}}
        )
    _check_intervention(actor, gesprek, intervention)
    return action_save(
        WijkgesprekAction(gesprek=gesprek, text=texts[0], intervention=intervention), actor=actor
    )


@transaction.atomic
def wijkgesprek_action_link(
    *, actor, action: WijkgesprekAction, intervention: Intervention | None
) -> WijkgesprekAction:
    """Point an action at an intervention of the same team (or at none)."""
    action = WijkgesprekAction.objects.select_for_update().select_related("gesprek").get(pk=action.pk)
    if not allowed(actor, "change", action.gesprek):
        raise PermissionDenied(NO_GESPREK_RIGHTS)
    _check_intervention(actor, action.gesprek, intervention)
    if action.intervention_id == getattr(intervention, "pk", None):
        return action
    action.intervention = intervention
    return action_save(action, actor=actor)


@transaction.atomic
def wijkgesprek_action_remove(*, actor, action: WijkgesprekAction) -> None:
    """Remove an action from a wijkgesprek (the history keeps it)."""
    action = WijkgesprekAction.objects.select_for_update().select_related("gesprek").get(pk=action.pk)
    if not allowed(actor, "change", action.gesprek):
        raise PermissionDenied(NO_GESPREK_RIGHTS)
    action._history_user = actor
    action.delete()


@transaction.atomic
def wijkgesprek_delete(*, actor, gesprek: Wijkgesprek) -> None:
    """Delete a wijkgesprek recorded by mistake, with its actions (bewerkers of the
    trekker and partners). Interventions its actions became stay; the history keeps the
    gesprek and who deleted it."""
    gesprek = _lock(gesprek)
    if not allowed(actor, "delete", gesprek):
        raise PermissionDenied(NO_GESPREK_RIGHTS)
    for action in gesprek.actions.all():
        action._history_user = actor
        action.delete()
    gesprek._history_user = actor
    gesprek.delete()
