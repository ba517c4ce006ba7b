"""Amendments: the yearly update of a signed agreement, opened and closed."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import (
    Agreement,
    Amendment,
)
from agreements.services.common import (
    _ensure_agreement_scope,
    _lock_agreement,
    _open_amendment,
    _require_change,
)
from core.services import save_versioned


@transaction.atomic
def amendment_open(*, actor, agreement: Agreement, year: int, reason: str) -> Amendment:
    """Open the yearly amendment of a signed agreement; one at a time. While it is open,
    the gemeente and corporation parties can change the agreement and its commitments."""
    agreement = _lock_agreement(agreement)
    _require_change(actor, agreement)
    if agreement.status != Agreement.Status.ONDERTEKEND:
        raise ValidationError(_("Alleen een ondertekende prestatieafspraak kan een wijziging krijgen."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Geef de reden van de wijziging.")})
    if year is None or not agreement.start_year <= int(year) <= agreement.end_year:
        raise ValidationError(
            {
                "year": _("Het jaar van de wijziging moet binnen de looptijd (%(a)s–%(b)s) liggen.")
                % {"a": agreement.start_year, "b": agreement.end_year}
            }
        )
    if _open_amendment(agreement):
        raise ValidationError(_("Er staat al een wijziging open voor deze afspraak. Stel die eerst vast."))
    amendment = save_versioned(
        Amendment(agreement=agreement, year=year, reason=reason, opened_by=actor),
        actor=actor,
        reason=_("wijziging geopend"),
    )
    _ensure_agreement_scope(actor, agreement)
    return amendment


@transaction.atomic
def amendment_close(*, actor, amendment: Amendment) -> Amendment:
    """Close (vaststellen) an open amendment: the agreement is read-only again."""
    amendment = (
        Amendment.objects.select_for_update(of=("self",)).select_related("agreement").get(pk=amendment.pk)
    )
    _require_change(actor, amendment.agreement)
    if amendment.status != Amendment.Status.OPEN:
        raise ValidationError(_("Deze wijziging is al vastgesteld."))
    amendment.status = Amendment.Status.VASTGESTELD
    amendment.closed_at = timezone.now()
    save_versioned(amendment, actor=actor, reason=_("wijziging vastgesteld"))
    return amendment
