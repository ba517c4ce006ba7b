"""The yearly urgency a team records for its wijk or gebied."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.permissions import ensure_in_scope
from core.services import check_version, save_versioned
from interventions.models import (
    AreaTeam,
    Urgency,
    UrgencyAssessment,
    may_work_in,
)


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
