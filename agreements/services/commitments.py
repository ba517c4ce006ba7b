"""Commitments of an agreement or proposals in a bod: their content, adoption into an
agreement and disputes."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agreements.models import (
    Agreement,
    Bod,
    Commitment,
)
from agreements.services.common import (
    FINISHED_READ_ONLY,
    TARGET_NEEDS_UNIT_AND_YEAR,
    _amendment_reason,
    _announce,
    _clip,
    _commitment_url,
    _content_edit,
    _lock_agreement,
    _parties_of_actor,
    _people,
    _require_change,
)
from core.permissions import ensure_in_scope, require
from core.services import check_version, save_versioned
from organisations.models import Organisation


def _check_commitment(commitment: Commitment, areas):
    """Validate a commitment against its agreement or bod. Raises Dutch messages."""
    errors = {}
    if commitment.target_value is not None and (
        not commitment.target_unit.strip() or not commitment.target_year
    ):
        errors["target_value"] = TARGET_NEEDS_UNIT_AND_YEAR
    if commitment.target_value is None and commitment.target_unit.strip():
        errors["target_unit"] = _(
            "Een eenheid zonder streefwaarde: vul de streefwaarde in of laat de eenheid leeg."
        )
    if commitment.agreement_id:
        agreement = commitment.agreement
        party_ids = set(agreement.parties.values_list("organisation_id", flat=True))
        if commitment.responsible_id not in party_ids:
            errors["responsible"] = _("De verantwoordelijke moet een partij van de prestatieafspraak zijn.")
        first, last, code = agreement.start_year, agreement.end_year, agreement.gemeente_code
    else:
        bod = commitment.bod
        allowed_ids = {bod.corporation_id, *bod.recipients.values_list("pk", flat=True)}
        if commitment.responsible_id not in allowed_ids:
            errors["responsible"] = _(
                "De verantwoordelijke moet de corporatie of een ontvanger van het bod zijn."
            )
        first, last, code = bod.year, bod.year + 3, bod.gemeente_code
    if commitment.target_year and not first <= commitment.target_year <= last:
        errors["target_year"] = _("Het streefjaar moet binnen de looptijd (%(a)s–%(b)s) liggen.") % {
            "a": first,
            "b": last,
        }
    outside = [area for area in areas if area.gemeente_code != code]
    if outside:
        errors["areas"] = _(
            "Deze gebieden liggen niet in de gemeente van de afspraak (%(code)s): %(names)s."
        ) % {
            "code": code,
            "names": ", ".join(area.name for area in outside),
        }
    if not (commitment.text or "").strip():
        errors["text"] = _("Beschrijf de afspraak.")
    if errors:
        raise ValidationError(errors)


def _commitment_container_edit(actor, commitment_or_none, *, agreement=None, bod=None):
    """Rights and state for editing commitments of an agreement or a bod proposal.
    Returns the amendment the change goes through (or None)."""
    if agreement is not None:
        _require_change(actor, agreement)
        return _content_edit(agreement, actor)
    require(actor, "change", bod, _("Alleen de corporatie zelf kan de voorstellen in haar bod wijzigen."))
    if bod.status != Bod.Status.CONCEPT:
        raise ValidationError(_("Dit bod is al ingediend; de voorstellen kunnen niet meer worden gewijzigd."))
    return None


@transaction.atomic
def commitment_create(
    *,
    actor,
    theme: str,
    text: str,
    responsible: Organisation,
    agreement: Agreement | None = None,
    bod: Bod | None = None,
    target_value=None,
    target_unit: str = "",
    target_year: int | None = None,
    number: str = "",
    areas=(),
) -> Commitment:
    """Add a commitment to an agreement, or, with ``bod=``, a proposal to a concept bod.

    In an agreement: bewerkers and beheerders of the gemeente and corporation parties;
    in a signed agreement only through an open amendment (recorded on the commitment).
    A proposal: bewerkers and beheerders of the corporation.
    """
    if (agreement is None) == (bod is None):
        raise ValidationError(_("Een afspraak hoort bij een prestatieafspraak of bij een bod."))
    if agreement is not None:
        agreement = _lock_agreement(agreement)
    else:
        bod = Bod.objects.select_for_update(of=("self",)).get(pk=bod.pk)
    amendment = _commitment_container_edit(actor, None, agreement=agreement, bod=bod)
    areas = list(areas)
    commitment = Commitment(
        agreement=agreement,
        bod=bod,
        theme=theme,
        text=(text or "").strip(),
        responsible=responsible,
        target_value=target_value,
        target_unit=(target_unit or "").strip(),
        target_year=target_year,
        number=(number or "").strip(),
        amendment=amendment,
    )
    _check_commitment(commitment, areas)
    save_versioned(commitment, actor=actor, reason=_amendment_reason(amendment, _("afspraak toegevoegd")))
    if areas:
        commitment.areas.set(areas)
    ensure_in_scope(actor, commitment)
    return commitment


@transaction.atomic
def commitment_update(*, actor, commitment: Commitment, version: int, **fields) -> Commitment:
    """Change a commitment's theme, text, responsible party, target, number or areas."""
    commitment = Commitment.objects.select_for_update(of=("self",)).get(pk=commitment.pk)
    agreement = _lock_agreement(commitment.agreement) if commitment.agreement_id else None
    bod = commitment.bod if agreement is None else None
    if agreement is not None:
        commitment.agreement = agreement
    allowed = {
        "theme",
        "text",
        "responsible",
        "target_value",
        "target_unit",
        "target_year",
        "number",
        "areas",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            _("Deze velden kunnen hier niet worden gewijzigd: %s") % ", ".join(sorted(unknown))
        )
    # Rights first, so nobody learns about versions of what they may not change.
    if agreement is not None:
        _require_change(actor, agreement)
    else:
        require(actor, "change", bod, _("Alleen de corporatie zelf kan de voorstellen in haar bod wijzigen."))
    check_version(commitment, version)
    areas = fields.pop("areas", None)
    for name in ("text", "target_unit", "number"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    changed = [name for name, value in fields.items() if getattr(commitment, name) != value]
    areas_list = list(areas) if areas is not None else None
    areas_changed = areas_list is not None and {a.pk for a in areas_list} != set(
        commitment.areas.values_list("pk", flat=True)
    )
    if not changed and not areas_changed:
        return commitment
    amendment = _commitment_container_edit(actor, commitment, agreement=agreement, bod=bod)
    for name in changed:
        setattr(commitment, name, fields[name])
    if amendment is not None:
        commitment.amendment = amendment
    _check_commitment(commitment, areas_list if areas_list is not None else list(commitment.areas.all()))
    save_versioned(commitment, actor=actor, reason=_amendment_reason(amendment, _("afspraak gewijzigd")))
    if areas_changed:
        commitment.areas.set(areas_list)
    ensure_in_scope(actor, commitment)
    return commitment


@transaction.atomic
def commitment_delete(*, actor, commitment: Commitment) -> None:
    """Remove a commitment (or a proposal from a concept bod). A commitment with
    monitoring keeps its history and cannot be removed."""
    commitment = Commitment.objects.select_for_update(of=("self",)).get(pk=commitment.pk)
    agreement = _lock_agreement(commitment.agreement) if commitment.agreement_id else None
    amendment = _commitment_container_edit(
        actor, commitment, agreement=agreement, bod=commitment.bod if agreement is None else None
    )
    if commitment.reports.exists():
        raise ValidationError(
            _("Over deze afspraak is al gerapporteerd; zij kan niet meer worden verwijderd.")
        )
    commitment._history_user = actor
    commitment._change_reason = _amendment_reason(amendment, _("afspraak verwijderd"))
    commitment.delete()


@transaction.atomic
def commitment_adopt(*, actor, proposal: Commitment, agreement: Agreement) -> Commitment:
    """Copy a proposal from a submitted bod into the agreement (``adopted_from`` set).

    By bewerkers and beheerders of the agreement's gemeente and corporation parties,
    while the agreement may change (concept, onderhandeling, or an open amendment). The
    bod's corporation must be a party and the bod must be for the agreement's gemeente.
    """
    agreement = _lock_agreement(agreement)
    proposal = Commitment.objects.select_related("bod").get(pk=proposal.pk)
    _require_change(actor, agreement)
    bod = proposal.bod
    if bod is None:
        raise ValidationError(_("Alleen een voorstel uit een bod kan worden overgenomen."))
    require(actor, "view", bod, _("U kunt dit bod niet inzien."))
    if bod.status != Bod.Status.INGEDIEND:
        raise ValidationError(_("Een voorstel kan pas worden overgenomen als het bod is ingediend."))
    if bod.gemeente_code != agreement.gemeente_code:
        raise ValidationError(_("Het bod is voor een andere gemeente dan deze prestatieafspraak."))
    if not agreement.parties.filter(organisation_id=bod.corporation_id).exists():
        raise ValidationError(_("De corporatie van dit bod is geen partij bij deze prestatieafspraak."))
    if agreement.commitments.filter(adopted_from=proposal).exists():
        raise ValidationError(_("Dit voorstel is al in deze prestatieafspraak overgenomen."))
    amendment = _content_edit(agreement, actor)
    areas = list(proposal.areas.all())
    commitment = Commitment(
        agreement=agreement,
        adopted_from=proposal,
        theme=proposal.theme,
        text=proposal.text,
        responsible_id=proposal.responsible_id,
        target_value=proposal.target_value,
        target_unit=proposal.target_unit,
        target_year=proposal.target_year,
        number=proposal.number,
        amendment=amendment,
    )
    _check_commitment(commitment, areas)
    save_versioned(
        commitment,
        actor=actor,
        reason=_amendment_reason(amendment, _("overgenomen uit %(bod)s") % {"bod": bod}),
    )
    if areas:
        commitment.areas.set(areas)
    if bod.agreement_id is None:
        Bod.objects.filter(pk=bod.pk).update(agreement=agreement)
    ensure_in_scope(actor, commitment)
    return commitment


def _dispute_party(actor, commitment, party):
    own = _parties_of_actor(actor, commitment.agreement, "change")
    if party is not None:
        own = [p for p in own if p.organisation_id == getattr(party, "organisation_id", party.pk)]
    if not own:
        raise PermissionDenied(
            _("Alleen bewerkers en beheerders van een partij kunnen een geschil melden of oplossen.")
        )
    if len(own) > 1:
        raise ValidationError(
            _("U werkt voor meerdere partijen (%(names)s). Kies namens welke partij u dit doet.")
            % {"names": ", ".join(str(p.organisation) for p in own)}
        )
    return own[0]


@transaction.atomic
def commitment_dispute(*, actor, commitment: Commitment, note: str, party=None) -> Commitment:
    """Mark a commitment as disputed (geschil), by a bewerker or beheerder of any party.

    Not an edit of the agreement's content, so also possible when it is signed.
    ``party`` (an ``AgreementParty`` or ``Organisation``) is needed only for people who
    work for several parties.
    """
    commitment = (
        Commitment.objects.select_for_update(of=("self",)).select_related("agreement").get(pk=commitment.pk)
    )
    if commitment.agreement is None:
        raise ValidationError(_("Over een voorstel in een bod kan geen geschil worden gemeld."))
    require(actor, "view", commitment.agreement, _("U bent geen partij bij deze prestatieafspraak."))
    own = _dispute_party(actor, commitment, party)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Licht het geschil toe: wat is er aan de hand?")})
    if commitment.is_disputed:
        raise ValidationError(
            _("Deze afspraak staat al in geschil (gemeld door %(org)s).") % {"org": commitment.disputed_by}
        )
    if commitment.agreement.status == Agreement.Status.AFGEROND:
        raise ValidationError(FINISHED_READ_ONLY)
    commitment.is_disputed = True
    commitment.dispute_note = note
    commitment.disputed_by = own.organisation
    save_versioned(commitment, actor=actor, reason=_("geschil gemeld"))
    people = _people(commitment.agreement.parties.values_list("organisation_id", flat=True))
    _announce(
        [p for p in people if p.pk != actor.pk],
        kind="commitment_disputed",
        text=_("%(org)s meldt een geschil over afspraak %(c)s.") % {"org": own.organisation, "c": commitment},
        url=_commitment_url(commitment),
    )
    return commitment


@transaction.atomic
def commitment_resolve_dispute(*, actor, commitment: Commitment, note: str = "") -> Commitment:
    """End a dispute: by the party that raised it, or by the gemeente or corporation
    parties' bewerkers and beheerders."""
    commitment = (
        Commitment.objects.select_for_update(of=("self",)).select_related("agreement").get(pk=commitment.pk)
    )
    if not commitment.is_disputed:
        raise ValidationError(_("Deze afspraak staat niet in geschil."))
    require(actor, "view", commitment.agreement, _("U bent geen partij bij deze prestatieafspraak."))
    own_org_ids = {p.organisation_id for p in _parties_of_actor(actor, commitment.agreement, "change")}
    from core.permissions import allowed

    if commitment.disputed_by_id not in own_org_ids and not allowed(actor, "change", commitment.agreement):
        raise PermissionDenied(
            _(
                "Alleen de partij die het geschil meldde, de gemeente of een corporatie kan het geschil oplossen."
            )
        )
    commitment.is_disputed = False
    commitment.dispute_note = ""
    commitment.disputed_by = None
    reason = _("geschil opgelost")
    if (note or "").strip():
        reason = f"{reason}: {note.strip()}"
    save_versioned(commitment, actor=actor, reason=_clip(reason))
    return commitment
