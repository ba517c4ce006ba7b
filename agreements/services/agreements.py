"""Prestatieafspraken: creating and editing them, their parties, the status workflow,
signing and the signed document."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import (
    Agreement,
    AgreementParty,
    MonitoringReport,
    PartyRole,
)
from agreements.services.common import (
    FINISHED_READ_ONLY,
    NO_RIGHTS,
    ONLY_BEHEERDER,
    _amendment_reason,
    _announce,
    _check_composition,
    _check_period,
    _content_edit,
    _ensure_agreement_scope,
    _lock_agreement,
    _normalise_gemeente_code,
    _open_amendment,
    _parties_of_actor,
    _party_role,
    _people,
    _require_change,
    _url,
)
from core.permissions import is_platform_admin, require
from core.services import check_version, save_versioned
from organisations.models import Organisation, organisation_ids_for


@transaction.atomic
def agreement_create(
    *,
    actor,
    title: str,
    gemeente_code: str,
    start_year: int,
    end_year: int,
    parties: list[tuple[Organisation, str | None]],
    summary: str = "",
) -> Agreement:
    """Draft a new agreement (status concept) with its parties.

    ``parties`` is a list of ``(organisation, role)``; ``role`` may be empty, it then
    follows from the kind of organisation. Allowed for a beheerder of a gemeente or
    corporation that is itself among the parties, and for platform admins. The parties
    must be exactly one gemeente (of ``gemeente_code``), at least one corporation and at
    least one tenants' organisation; care partners are optional.
    """
    parties = [(organisation, _party_role(organisation, role)) for organisation, role in parties]
    if not is_platform_admin(actor):
        managed = set(
            Organisation.objects.filter(pk__in=organisation_ids_for(actor, "manage")).values_list(
                "pk", flat=True
            )
        )
        if not any(
            org.pk in managed and role in (PartyRole.GEMEENTE, PartyRole.CORPORATIE) for org, role in parties
        ):
            raise PermissionDenied(
                _(
                    "Alleen een beheerder van de gemeente of van een woningcorporatie die zelf "
                    "partij is, mag een prestatieafspraak opstellen."
                )
            )
    gemeente_code = _normalise_gemeente_code(gemeente_code)
    _check_period(start_year, end_year)
    _check_composition(gemeente_code, parties)
    agreement = Agreement(
        title=(title or "").strip(),
        gemeente_code=gemeente_code,
        start_year=start_year,
        end_year=end_year,
        summary=summary,
        created_by=actor,
    )
    save_versioned(agreement, actor=actor, reason=_("opgesteld"))
    for organisation, role in parties:
        save_versioned(AgreementParty(agreement=agreement, organisation=organisation, role=role), actor=actor)
    _ensure_agreement_scope(actor, agreement)
    return agreement


@transaction.atomic
def agreement_update(*, actor, agreement: Agreement, version: int, **fields) -> Agreement:
    """Change title, summary or period (bewerkers and beheerders of the gemeente and
    corporation parties). A signed agreement changes only through an open amendment."""
    agreement = _lock_agreement(agreement)
    _require_change(actor, agreement)
    check_version(agreement, version)
    allowed = {"title", "summary", "start_year", "end_year"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            _("Deze velden kunnen hier niet worden gewijzigd: %s") % ", ".join(sorted(unknown))
        )
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()
    changed = [name for name, value in fields.items() if getattr(agreement, name) != value]
    if not changed:
        return agreement
    amendment = _content_edit(agreement, actor)
    for name in changed:
        setattr(agreement, name, fields[name])
    if {"start_year", "end_year"} & set(changed):
        _check_period(agreement.start_year, agreement.end_year)
        outside = agreement.commitments.filter(
            Q(target_year__lt=agreement.start_year) | Q(target_year__gt=agreement.end_year)
        ).count()
        if outside:
            raise ValidationError(
                _(
                    "%(n)s afspraak/afspraken hebben een streefjaar buiten de nieuwe looptijd. "
                    "Pas die eerst aan."
                )
                % {"n": outside}
            )
    save_versioned(agreement, actor=actor, reason=_amendment_reason(amendment, _("gewijzigd")))
    _ensure_agreement_scope(actor, agreement)
    return agreement


def _party_membership_check(agreement):
    parties = [(p.organisation, p.role) for p in agreement.parties.select_related("organisation")]
    _check_composition(agreement.gemeente_code, parties)


@transaction.atomic
def party_add(*, actor, agreement: Agreement, organisation: Organisation, role: str = "") -> AgreementParty:
    """Add a party (concept or onderhandeling only). Signatures given so far are withdrawn."""
    agreement = _lock_agreement(agreement)
    _require_change(actor, agreement)
    if agreement.status not in (Agreement.Status.CONCEPT, Agreement.Status.ONDERHANDELING):
        raise ValidationError(
            _(
                "Partijen kunnen alleen worden toegevoegd zolang de afspraak in concept of in onderhandeling is."
            )
        )
    role = _party_role(organisation, role)
    if agreement.parties.filter(organisation=organisation).exists():
        raise ValidationError(_("%(org)s is al partij bij deze afspraak.") % {"org": organisation})
    if role == PartyRole.GEMEENTE:
        raise ValidationError(_("Een prestatieafspraak heeft precies één gemeente als partij."))
    _content_edit(agreement, actor)
    party = save_versioned(
        AgreementParty(agreement=agreement, organisation=organisation, role=role),
        actor=actor,
        reason=_("partij toegevoegd"),
    )
    _party_membership_check(agreement)
    _ensure_agreement_scope(actor, agreement)
    return party


@transaction.atomic
def party_remove(*, actor, party: AgreementParty) -> None:
    """Remove a party (concept or onderhandeling only). The agreement keeps its one
    gemeente, a corporation and a tenants' organisation; a party that is responsible
    for a commitment stays until the commitment moves to another party."""
    party = AgreementParty.objects.select_related("organisation").get(pk=party.pk)
    agreement = _lock_agreement(party.agreement)
    _require_change(actor, agreement)
    if agreement.status not in (Agreement.Status.CONCEPT, Agreement.Status.ONDERHANDELING):
        raise ValidationError(
            _(
                "Partijen kunnen alleen worden verwijderd zolang de afspraak in concept of in onderhandeling is."
            )
        )
    if agreement.commitments.filter(responsible_id=party.organisation_id).exists():
        raise ValidationError(
            _("%(org)s is verantwoordelijk voor afspraken. Wijs die eerst aan een andere partij toe.")
            % {"org": party.organisation}
        )
    remaining = [
        (p.organisation, p.role)
        for p in agreement.parties.select_related("organisation").exclude(pk=party.pk)
    ]
    _check_composition(agreement.gemeente_code, remaining)
    _content_edit(agreement, actor)
    party._history_user = actor
    party._change_reason = _("partij verwijderd")
    party.delete()
    _ensure_agreement_scope(actor, agreement)


@transaction.atomic
def agreement_transition(*, actor, agreement: Agreement, to_status: str, version: int) -> Agreement:
    """Move the agreement one step forward: concept → onderhandeling → ondertekend →
    afgerond. Allowed for beheerders of the gemeente or a corporation party (and platform
    admins). ``ondertekend`` needs every party's signature; normally the last signature
    moves the agreement there by itself."""
    agreement = _lock_agreement(agreement)
    require(actor, "view", agreement, NO_RIGHTS)
    if (
        not is_platform_admin(actor)
        and not agreement.parties.filter(
            role__in=[PartyRole.GEMEENTE, PartyRole.CORPORATIE],
            organisation_id__in=organisation_ids_for(actor, "manage"),
        ).exists()
    ):
        raise PermissionDenied(ONLY_BEHEERDER)
    check_version(agreement, version)
    if to_status not in Agreement.Status.values:
        raise ValidationError(_("Onbekende status: %s") % to_status)
    current = Agreement.STATUS_ORDER.index(Agreement.Status(agreement.status))
    target = Agreement.STATUS_ORDER.index(Agreement.Status(to_status))
    if target != current + 1:
        if target == current:
            raise ValidationError(
                _("De afspraak heeft de status %(status)s al.") % {"status": agreement.get_status_display()}
            )
        next_label = (
            Agreement.STATUS_ORDER[current + 1].label if current + 1 < len(Agreement.STATUS_ORDER) else None
        )
        if next_label is None:
            raise ValidationError(_("Een afgeronde prestatieafspraak verandert niet meer van status."))
        raise ValidationError(
            _("Van %(from)s kan de afspraak alleen naar %(next)s, niet naar %(to)s.")
            % {
                "from": agreement.get_status_display(),
                "next": next_label,
                "to": Agreement.Status(to_status).label,
            }
        )
    if to_status == Agreement.Status.ONDERTEKEND:
        unsigned = [
            str(p.organisation) for p in agreement.parties.select_related("organisation") if not p.signed_at
        ]
        if unsigned:
            raise ValidationError(
                _(
                    "De afspraak is pas ondertekend als alle partijen getekend hebben. Nog niet getekend: %(names)s."
                )
                % {"names": ", ".join(unsigned)}
            )
    if to_status == Agreement.Status.AFGEROND:
        if _open_amendment(agreement):
            raise ValidationError(_("Er staat nog een wijziging open. Stel die eerst vast."))
        waiting = MonitoringReport.objects.filter(
            commitment__agreement=agreement, state=MonitoringReport.State.SUBMITTED
        ).count()
        if waiting:
            raise ValidationError(
                _(
                    "Er wachten nog %(n)s monitoringrapportage(s) op beoordeling door de gemeente. "
                    "Rond die eerst af."
                )
                % {"n": waiting}
            )
    agreement.status = to_status
    save_versioned(agreement, actor=actor, reason=_("status: %s") % Agreement.Status(to_status).label)
    _ensure_agreement_scope(actor, agreement)
    people = _people(agreement.parties.values_list("organisation_id", flat=True))
    _announce(
        [p for p in people if p.pk != actor.pk],
        kind="agreement_status",
        text=_("%(agreement)s is nu %(status)s.")
        % {"agreement": agreement.title, "status": agreement.get_status_display()},
        url=_url("agreements:detail", agreement.pk),
    )
    return agreement


@transaction.atomic
def agreement_sign(*, actor, agreement: Agreement, party: AgreementParty | None = None) -> AgreementParty:
    """Sign for the actor's own party (beheerder or bewerker of that party's organisation).

    When the actor works for several parties of the agreement, ``party`` says for which
    one. Only while the agreement is in onderhandeling; a party signs once. The last
    signature makes the agreement ``ondertekend``.
    """
    agreement = _lock_agreement(agreement)
    require(actor, "view", agreement, _("U bent geen partij bij deze prestatieafspraak."))
    if agreement.status != Agreement.Status.ONDERHANDELING:
        raise ValidationError(
            _("Tekenen kan alleen als de afspraak in onderhandeling is (nu: %(status)s).")
            % {"status": agreement.get_status_display()}
        )
    own = _parties_of_actor(actor, agreement, "change")
    if party is not None:
        party = next((p for p in own if p.pk == party.pk), None)
        if party is None:
            raise PermissionDenied(
                _("U kunt alleen tekenen voor een partij waar u beheerder of bewerker bent.")
            )
    elif not own:
        raise PermissionDenied(
            _("Alleen beheerders en bewerkers van een partij kunnen voor die partij tekenen.")
        )
    elif len(own) > 1:
        raise ValidationError(
            _("U werkt voor meerdere partijen (%(names)s). Kies voor welke partij u tekent.")
            % {"names": ", ".join(str(p.organisation) for p in own)}
        )
    else:
        party = own[0]
    party = (
        AgreementParty.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=party.pk)
    )
    if party.signed_at:
        raise ValidationError(
            _("%(org)s heeft deze afspraak al getekend (op %(date)s).")
            % {"org": party.organisation, "date": timezone.localtime(party.signed_at).strftime("%d-%m-%Y")}
        )
    party.signed_at = timezone.now()
    party.signed_by = actor
    save_versioned(party, actor=actor, reason=_("getekend"))
    if not agreement.parties.filter(signed_at__isnull=True).exists():
        agreement.status = Agreement.Status.ONDERTEKEND
        save_versioned(agreement, actor=actor, reason=_("alle partijen hebben getekend"))
        people = _people(agreement.parties.values_list("organisation_id", flat=True))
        _announce(
            people,
            kind="agreement_signed",
            text=_("%(agreement)s is door alle partijen ondertekend.") % {"agreement": agreement.title},
            url=_url("agreements:detail", agreement.pk),
        )
    return party


def _check_pdf(file):
    max_mb = settings.AGREEMENT_DOCUMENT_MAX_MB
    name = getattr(file, "name", "") or ""
    if not name.lower().endswith(".pdf"):
        raise ValidationError({"file": _("Alleen PDF-bestanden (.pdf) kunnen worden toegevoegd.")})
    size = getattr(file, "size", None)
    if size is not None and size > max_mb * 1024 * 1024:
        raise ValidationError(
            {
                "file": _("Het bestand is groter dan %(mb)s MB. Maak het kleiner en probeer het opnieuw.")
                % {"mb": max_mb}
            }
        )
    file.seek(0)
    head = file.read(5)
    file.seek(0)
    if not head.startswith(b"%PDF"):
        raise ValidationError(
            {
                "file": _(
                    "Dit bestand is geen geldige PDF. Sla het document op als PDF en probeer het opnieuw."
                )
            }
        )


@transaction.atomic
def agreement_attach_document(*, actor, agreement: Agreement, file) -> Agreement:
    """Attach the (signed) document as PDF: checked by extension and by its first bytes,
    at most ``AGREEMENT_DOCUMENT_MAX_MB`` MB. Replaces an earlier document;
    the history keeps the earlier name. Allowed after signing too (the signed document
    comes after the signatures); not for a finished agreement."""
    agreement = _lock_agreement(agreement)
    _require_change(actor, agreement)
    if agreement.status == Agreement.Status.AFGEROND:
        raise ValidationError(FINISHED_READ_ONLY)
    _check_pdf(file)
    import os

    agreement.signed_document.save(os.path.basename(file.name), file, save=False)
    save_versioned(agreement, actor=actor, reason=_("document toegevoegd"))
    _ensure_agreement_scope(actor, agreement)
    return agreement
