"""Writes for prestatieafspraken: agreements and their parties, signatures, amendments,
the yearly bod, commitments, disputes and the yearly monitoring with its review.

Every write checks rights here, validates before it saves (``full_clean`` through
``core.services.save_versioned``, which also records the history user) and refuses with a
plain Dutch message when a workflow rule is broken; nothing is half-saved because every
service runs in one transaction.

Workflow rules in short:

- An agreement moves concept → onderhandeling → ondertekend → afgerond, one step at a
  time. It becomes ``ondertekend`` by itself when the last party signs.
- While in ``onderhandeling``, a change to its content withdraws the signatures already
  given (the parties signed a different text); the history says so.
- A signed agreement is read-only. It changes only through an open ``Amendment``; edits
  made then carry the amendment (``Commitment.amendment``) and their history reason names
  it. A finished (``afgerond``) agreement never changes and takes no more monitoring;
  it can be finished only when no report waits for review.
- Monitoring is written by the responsible party's bewerkers and beheerders and reviewed
  by the gemeente party's bewerkers and beheerders. Platform admins manage the platform;
  they do not sign, report or review on behalf of a party.
- Comments on monitoring: bewerkers and beheerders of every party, and every member of a
  tenants' organisation that is a party (lezers included: reading and commenting is the
  tenants' part in the monitoring).
- A bod submitted after its deadline is accepted and stored with ``submitted_late``.
  The bod for year Y is due on the gemeente's bod date (default 1 July) of year Y-1.
"""

import calendar as _calendar
import contextlib
import contextvars
import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

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
)
from core.permissions import ensure_in_scope, is_platform_admin, require
from core.queueing import queue_on_commit
from core.services import check_version, notify, save_versioned
from organisations.models import Membership, Organisation, organisation_ids_for, roles_for

User = get_user_model()

AGREEMENT_MAX_YEARS = 10

# Which party role fits which kind of organisation.
ROLE_FOR_KIND = {
    Organisation.Kind.GEMEENTE: PartyRole.GEMEENTE,
    Organisation.Kind.CORPORATIE: PartyRole.CORPORATIE,
    Organisation.Kind.HUURDERSORGANISATIE: PartyRole.HUURDERS,
    Organisation.Kind.PARTNER: PartyRole.ZORGPARTNER,
}

NO_RIGHTS = _("U heeft geen recht om deze prestatieafspraak te wijzigen.")
ONLY_BEHEERDER = _(
    "Alleen een beheerder van de gemeente of een corporatie die partij is, mag de status van "
    "deze prestatieafspraak wijzigen."
)
SIGNED_READ_ONLY = _(
    "Deze prestatieafspraak is ondertekend en kan alleen via een wijziging worden aangepast. "
    "Open eerst een wijziging (met jaar en reden) en probeer het dan opnieuw."
)
FINISHED_READ_ONLY = _("Deze prestatieafspraak is afgerond en kan niet meer worden gewijzigd.")
TARGET_NEEDS_UNIT_AND_YEAR = _("Een streefwaarde heeft een eenheid en een jaar nodig.")


# --- small helpers ----------------------------------------------------------------------


def _url(name, *args):
    """A link for a notification; empty while the page does not exist (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _people(organisation_ids, action="change"):
    """Active people of the organisations whose role allows ``action``."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id__in=list(organisation_ids),
            memberships__role__in=roles_for(action),
        ).distinct()
    )


def _is_member(user, organisation_id, action="change"):
    return Membership.objects.filter(
        user_id=user.pk, organisation_id=organisation_id, role__in=roles_for(action)
    ).exists()


_mail_off = contextvars.ContextVar("agreements_mail_off", default=False)


@contextlib.contextmanager
def without_mail():
    """Write without mailing anyone (the demo seed: history, not news). Notifications in
    the product are still made."""
    token = _mail_off.set(True)
    try:
        yield
    finally:
        _mail_off.reset(token)


def _queue_mail(recipients, subject, body):
    """Mail each person once, by a Celery task after the transaction commits."""
    if _mail_off.get():
        return
    user_ids = sorted({person.pk for person in recipients if person is not None and person.email})
    if not user_ids:
        return
    queue_on_commit("agreements.tasks.mail_people", user_ids, subject, body, what=f"mail to {user_ids}")


def _announce(recipients, *, kind, text, url=""):
    """In-product notification plus a mail for each recipient."""
    recipients = [person for person in recipients if person is not None]
    notify(recipients=recipients, kind=kind, text=text, url=url)
    body = text + (f"\n\n{settings.SITE_URL}{url}" if url else "")
    _queue_mail(recipients, f"Wijkkoers: {text[:120]}", body)


def _lock_agreement(agreement) -> Agreement:
    return Agreement.objects.select_for_update(of=("self",)).get(pk=agreement.pk)


def _require_change(actor, agreement):
    require(actor, "change", agreement, NO_RIGHTS)


def _open_amendment(agreement):
    return agreement.amendments.filter(status=Amendment.Status.OPEN).first()


def _clip(reason, limit=100):
    """History reasons are stored in 100 characters."""
    return reason if len(reason) <= limit else reason[: limit - 1] + "…"


def _amendment_reason(amendment, what):
    if amendment is None:
        return _clip(what)
    return _clip(
        _("%(what)s (via wijziging %(year)s: %(reason)s)")
        % {"what": what, "year": amendment.year, "reason": amendment.reason}
    )


def _withdraw_signatures(agreement, actor):
    """A change during negotiation voids the signatures already given; the parties that
    signed hear that they have to sign again."""
    withdrawn = list(agreement.parties.select_for_update(of=("self",)).filter(signed_at__isnull=False))
    for party in withdrawn:
        party.signed_at = None
        party.signed_by = None
        save_versioned(
            party, actor=actor, reason=_("handtekening vervallen door een wijziging van de inhoud")
        )
    if withdrawn:
        _announce(
            [p for p in _people(party.organisation_id for party in withdrawn) if p.pk != actor.pk],
            kind="signature_withdrawn",
            text=_("%(agreement)s is gewijzigd na uw handtekening. Bekijk de wijziging en teken opnieuw.")
            % {"agreement": agreement.title},
            url=_url("agreements:detail", agreement.pk),
        )


def _content_edit(agreement, actor):
    """Check that the agreement's content may change now and prepare for it.

    Returns the open amendment the change goes through (None outside the signed state).
    Raises a Dutch ``ValidationError`` when the agreement is read-only.
    """
    if agreement.status == Agreement.Status.AFGEROND:
        raise ValidationError(FINISHED_READ_ONLY)
    if agreement.status == Agreement.Status.ONDERTEKEND:
        amendment = _open_amendment(agreement)
        if amendment is None:
            raise ValidationError(SIGNED_READ_ONLY)
        return amendment
    if agreement.status == Agreement.Status.ONDERHANDELING:
        _withdraw_signatures(agreement, actor)
    return None


def _parties_of_actor(actor, agreement, action="change"):
    """The agreement's parties in which ``actor`` holds a role that allows ``action``."""
    return list(
        agreement.parties.select_related("organisation").filter(
            organisation_id__in=organisation_ids_for(actor, action)
        )
    )


def _check_period(start_year, end_year):
    if start_year is None or end_year is None:
        raise ValidationError(_("Vul het eerste en het laatste jaar van de looptijd in."))
    if end_year < start_year:
        raise ValidationError({"end_year": _("Het laatste jaar kan niet vóór het eerste jaar liggen.")})
    if end_year - start_year + 1 > AGREEMENT_MAX_YEARS:
        raise ValidationError(
            {"end_year": _("Een prestatieafspraak loopt hoogstens %(n)s jaar.") % {"n": AGREEMENT_MAX_YEARS}}
        )


def _normalise_gemeente_code(code):
    code = (code or "").strip().upper()
    if len(code) != 6 or not code.startswith("GM") or not code[2:].isdigit():
        raise ValidationError(
            {"gemeente_code": _("Een gemeentecode is GM gevolgd door vier cijfers, bijvoorbeeld GM0453.")}
        )
    return code


def _party_role(organisation, role):
    """The party role, checked against the kind of organisation (derived when empty)."""
    fitting = ROLE_FOR_KIND[Organisation.Kind(organisation.kind)]
    if not role:
        return fitting
    if role != fitting:
        raise ValidationError(
            _("%(org)s is een %(kind)s en kan alleen partij zijn als %(role)s.")
            % {
                "org": organisation,
                "kind": organisation.get_kind_display(),
                "role": fitting.label,
            }
        )
    return role


def _check_composition(gemeente_code, parties):
    """``parties`` is a list of (organisation, role). Raises when the set is incomplete."""
    seen = set()
    for organisation, _role in parties:
        if organisation.pk in seen:
            raise ValidationError(_("%(org)s staat twee keer bij de partijen.") % {"org": organisation})
        seen.add(organisation.pk)
        if not organisation.is_active:
            raise ValidationError(_("%(org)s is niet actief.") % {"org": organisation})
    gemeenten = [org for org, role in parties if role == PartyRole.GEMEENTE]
    if len(gemeenten) != 1:
        raise ValidationError(_("Een prestatieafspraak heeft precies één gemeente als partij."))
    if gemeenten[0].gemeente_code != gemeente_code:
        raise ValidationError(
            _("De gemeente %(org)s hoort niet bij gemeentecode %(code)s.")
            % {"org": gemeenten[0], "code": gemeente_code}
        )
    roles = [role for _org, role in parties]
    if PartyRole.CORPORATIE not in roles:
        raise ValidationError(_("Een prestatieafspraak heeft minstens één woningcorporatie als partij."))
    if PartyRole.HUURDERS not in roles:
        raise ValidationError(_("Een prestatieafspraak heeft minstens één huurdersorganisatie als partij."))


def _ensure_agreement_scope(actor, agreement):
    if not is_platform_admin(actor):
        ensure_in_scope(actor, agreement, "view")


# --- agreements -------------------------------------------------------------------------


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


# --- amendments -------------------------------------------------------------------------


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


# --- bod --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadlines:
    """The yearly deadlines of one gemeente (its ``GemeenteCalendar`` or the defaults)."""

    gemeente_code: str
    bod: tuple = (7, 1)
    signing: tuple = (12, 15)
    monitoring: tuple = (3, 1)
    review: tuple = (5, 1)
    reminder_days_ahead: int = 14

    @classmethod
    def from_calendar(cls, cal: GemeenteCalendar):
        return cls(
            gemeente_code=cal.gemeente_code,
            bod=(cal.bod_month, cal.bod_day),
            signing=(cal.signing_month, cal.signing_day),
            monitoring=(cal.monitoring_month, cal.monitoring_day),
            review=(cal.review_month, cal.review_day),
            reminder_days_ahead=cal.reminder_days_ahead,
        )

    @staticmethod
    def on(year, month_day):
        month, day = month_day
        return datetime.date(year, month, min(day, _calendar.monthrange(year, month)[1]))

    def bod_due(self, year):
        """The bod for ``year`` is due on the bod date of the year before."""
        return self.on(year - 1, self.bod)

    def signing_due(self, start_year):
        """An agreement starting in ``start_year`` is signed by the signing date before."""
        return self.on(start_year - 1, self.signing)

    def monitoring_due(self, year):
        """The report over ``year`` is due on the monitoring date of the year after."""
        return self.on(year + 1, self.monitoring)

    def review_due(self, year):
        """Reports over ``year`` are reviewed by the review date of the year after."""
        return self.on(year + 1, self.review)


def deadlines_for(gemeente_code) -> Deadlines:
    """The deadlines of a gemeente: its calendar, or the defaults when it has none."""
    cal = GemeenteCalendar.objects.filter(gemeente_code=gemeente_code).first()
    return Deadlines.from_calendar(cal) if cal else Deadlines(gemeente_code=gemeente_code)


def bod_due_date(bod: Bod) -> datetime.date:
    """When the bod is due: the gemeente's bod date in the year before the bod's year."""
    return deadlines_for(bod.gemeente_code).bod_due(bod.year)


CALENDAR_FIELDS = (
    "bod_month",
    "bod_day",
    "signing_month",
    "signing_day",
    "monitoring_month",
    "monitoring_day",
    "review_month",
    "review_day",
    "reminder_days_ahead",
)


def calendar_can_change(user, gemeente_code: str) -> bool:
    """Whether ``user`` may set the deadlines of ``gemeente_code``: a beheerder of that
    gemeente's own organisation, or a platform admin."""
    if is_platform_admin(user):
        return True
    return Organisation.objects.filter(
        pk__in=organisation_ids_for(user, "manage"),
        kind=Organisation.Kind.GEMEENTE,
        gemeente_code=_normalise_gemeente_code(gemeente_code),
    ).exists()


@transaction.atomic
def calendar_save(*, actor, gemeente_code: str, version: int | None = None, **fields) -> GemeenteCalendar:
    """Set a gemeente's deadlines (its beheerders, or a platform admin). Creates the
    calendar the first time (``version`` None); later changes need the current version.
    A day that a month does not have (31 June) falls on the month's last day."""
    gemeente_code = _normalise_gemeente_code(gemeente_code)
    unknown = set(fields) - set(CALENDAR_FIELDS)
    if unknown:
        raise ValidationError(
            _("Deze velden kunnen hier niet worden gewijzigd: %s") % ", ".join(sorted(unknown))
        )
    if not calendar_can_change(actor, gemeente_code):
        raise PermissionDenied(_("Alleen beheerders van de gemeente stellen haar termijnen vast."))
    cal = GemeenteCalendar.objects.select_for_update(of=("self",)).filter(gemeente_code=gemeente_code).first()
    if cal is None:
        if version is not None:
            raise ValidationError(_("Deze kalender bestaat niet meer. Laad de pagina opnieuw."))
        cal = GemeenteCalendar(gemeente_code=gemeente_code)
    else:
        check_version(cal, version)
    for name, value in fields.items():
        setattr(cal, name, value)
    save_versioned(cal, actor=actor, reason=_("termijnen vastgesteld"))
    return cal


def _check_recipients(gemeente_code, recipients):
    recipients = list(recipients)
    for org in recipients:
        if org.gemeente_code != gemeente_code or org.kind not in (
            Organisation.Kind.GEMEENTE,
            Organisation.Kind.HUURDERSORGANISATIE,
        ):
            raise ValidationError(
                {
                    "recipients": _(
                        "%(org)s kan het bod niet ontvangen: alleen de gemeente en huurdersorganisaties "
                        "van %(code)s ontvangen het bod."
                    )
                    % {"org": org, "code": gemeente_code}
                }
            )
    if sum(org.kind == Organisation.Kind.GEMEENTE for org in recipients) != 1:
        raise ValidationError({"recipients": _("Het bod gaat naar de gemeente; kies die als ontvanger.")})
    if not any(org.kind == Organisation.Kind.HUURDERSORGANISATIE for org in recipients):
        raise ValidationError(
            {"recipients": _("Het bod gaat ook naar de huurders; kies minstens één huurdersorganisatie.")}
        )
    return recipients


def _require_corporation_editor(actor, corporation):
    if corporation.kind != Organisation.Kind.CORPORATIE:
        raise ValidationError(_("Alleen een woningcorporatie brengt een bod uit."))
    if not _is_member(actor, corporation.pk, "change"):
        raise PermissionDenied(
            _("Alleen bewerkers en beheerders van %(org)s kunnen het bod opstellen.") % {"org": corporation}
        )


@transaction.atomic
def bod_create(
    *,
    actor,
    corporation: Organisation,
    gemeente_code: str,
    year: int,
    recipients,
    summary: str = "",
) -> Bod:
    """Draft the corporation's bod for ``year`` in a gemeente (its bewerkers and
    beheerders). Recipients: the gemeente and the tenants' organisation(s) there."""
    gemeente_code = _normalise_gemeente_code(gemeente_code)
    _require_corporation_editor(actor, corporation)
    recipients = _check_recipients(gemeente_code, recipients)
    if Bod.objects.filter(corporation=corporation, gemeente_code=gemeente_code, year=year).exists():
        raise ValidationError(
            _("%(org)s heeft al een bod voor %(year)s in deze gemeente.") % {"org": corporation, "year": year}
        )
    bod = save_versioned(
        Bod(corporation=corporation, gemeente_code=gemeente_code, year=year, summary=summary),
        actor=actor,
        reason=_("opgesteld"),
    )
    bod.recipients.set(recipients)
    ensure_in_scope(actor, bod)
    return bod


@transaction.atomic
def bod_update(*, actor, bod: Bod, version: int, summary=None, recipients=None) -> Bod:
    """Change a bod that is still a concept."""
    bod = Bod.objects.select_for_update(of=("self",)).select_related("corporation").get(pk=bod.pk)
    require(actor, "change", bod, _("Alleen de corporatie zelf kan haar bod wijzigen."))
    check_version(bod, version)
    if bod.status != Bod.Status.CONCEPT:
        raise ValidationError(_("Dit bod is al ingediend en kan niet meer worden gewijzigd."))
    if summary is not None:
        bod.summary = summary
    if recipients is not None:
        recipients = _check_recipients(bod.gemeente_code, recipients)
    save_versioned(bod, actor=actor, reason=_("gewijzigd"))
    if recipients is not None:
        bod.recipients.set(recipients)
    ensure_in_scope(actor, bod)
    return bod


@transaction.atomic
def bod_submit(*, actor, bod: Bod) -> Bod:
    """Submit the bod to its recipients. After the deadline it is still accepted but
    marked ``submitted_late``. The recipients' bewerkers and beheerders are notified."""
    bod = Bod.objects.select_for_update(of=("self",)).select_related("corporation").get(pk=bod.pk)
    require(actor, "change", bod, _("Alleen de corporatie zelf kan haar bod indienen."))
    if not _is_member(actor, bod.corporation_id, "change"):
        raise PermissionDenied(_("Alleen bewerkers en beheerders van de corporatie dienen het bod in."))
    if bod.status != Bod.Status.CONCEPT:
        raise ValidationError(_("Dit bod is al ingediend."))
    recipients = list(bod.recipients.all())
    _check_recipients(bod.gemeente_code, recipients)
    now = timezone.now()
    bod.status = Bod.Status.INGEDIEND
    bod.submitted_at = now
    bod.submitted_by = actor
    bod.submitted_late = timezone.localdate(now) > bod_due_date(bod)
    save_versioned(
        bod, actor=actor, reason=_("ingediend") + (" " + _("(na de termijn)") if bod.submitted_late else "")
    )
    _announce(
        _people(org.pk for org in recipients),
        kind="bod_submitted",
        text=_("%(org)s heeft het bod voor %(year)s ingediend.") % {"org": bod.corporation, "year": bod.year},
        url=_url("agreements:bod-detail", bod.pk),
    )
    return bod


# --- commitments ------------------------------------------------------------------------


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
        url=_url("agreements:detail", commitment.agreement_id),
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


# --- monitoring -------------------------------------------------------------------------


def _require_responsible(actor, commitment):
    if not _is_member(actor, commitment.responsible_id, "change"):
        raise PermissionDenied(
            _(
                "Alleen de verantwoordelijke partij (%(org)s) rapporteert over deze afspraak. "
                "Vraag een bewerker van %(org)s om de monitoring in te vullen."
            )
            % {"org": commitment.responsible}
        )


def _gemeente_party(agreement):
    return agreement.parties.select_related("organisation").get(role=PartyRole.GEMEENTE)


def _require_gemeente_reviewer(actor, agreement):
    gemeente = _gemeente_party(agreement)
    if not _is_member(actor, gemeente.organisation_id, "change"):
        raise PermissionDenied(
            _(
                "Alleen de gemeente (%(org)s) keurt monitoring goed of stuurt die terug. "
                "U bent geen bewerker of beheerder van de gemeente bij deze afspraak."
            )
            % {"org": gemeente.organisation}
        )
    return gemeente


EDITABLE_REPORT_STATES = (MonitoringReport.State.DRAFT, MonitoringReport.State.RETURNED)


@transaction.atomic
def report_save_draft(
    *,
    actor,
    commitment: Commitment,
    year: int,
    progress: str,
    realised_value=None,
    explanation: str = "",
    version: int | None = None,
) -> MonitoringReport:
    """Create or update the monitoring of a commitment for one year, as a draft.

    Only bewerkers and beheerders of the responsible party; the agreement must be
    signed; the year lies within the period and is not in the future; a submitted or
    approved report cannot change (a returned one can). Updating an existing report needs
    the ``version`` the form started from.
    """
    commitment = Commitment.objects.select_related("agreement", "responsible").get(pk=commitment.pk)
    agreement = commitment.agreement
    if agreement is None:
        raise ValidationError(_("Over een voorstel in een bod wordt niet gerapporteerd."))
    require(actor, "view", agreement, _("U bent geen partij bij deze prestatieafspraak."))
    _require_responsible(actor, commitment)
    if agreement.status != Agreement.Status.ONDERTEKEND:
        raise ValidationError(
            _("Monitoring kan alleen bij een ondertekende prestatieafspraak (nu: %(status)s).")
            % {"status": agreement.get_status_display()}
        )
    if year is None or not agreement.start_year <= int(year) <= agreement.end_year:
        raise ValidationError(
            {
                "year": _("Het jaar moet binnen de looptijd (%(a)s–%(b)s) liggen.")
                % {"a": agreement.start_year, "b": agreement.end_year}
            }
        )
    if int(year) > timezone.localdate().year:
        raise ValidationError(
            {"year": _("Over een jaar dat nog moet komen kan nog niet worden gerapporteerd.")}
        )
    report = (
        MonitoringReport.objects.select_for_update(of=("self",))
        .filter(commitment=commitment, year=year)
        .first()
    )
    if report is None:
        if version is not None:
            raise ValidationError(_("Deze monitoring bestaat niet meer. Laad de pagina opnieuw."))
        report = MonitoringReport(commitment=commitment, year=year)
        reason = _("concept opgeslagen")
    else:
        check_version(report, version)
        if report.state not in EDITABLE_REPORT_STATES:
            raise ValidationError(
                _("Deze monitoring is %(state)s en kan niet meer worden gewijzigd.")
                % {"state": report.get_state_display()}
            )
        reason = _("concept gewijzigd")
    report.realised_value = realised_value
    report.progress = progress
    report.explanation = (explanation or "").strip()
    save_versioned(report, actor=actor, reason=reason)
    ensure_in_scope(actor, report)
    return report


@transaction.atomic
def report_submit(*, actor, report: MonitoringReport, version: int | None = None) -> MonitoringReport:
    """Submit a draft (or returned) report for review; the gemeente party is notified."""
    report = (
        MonitoringReport.objects.select_for_update(of=("self",))
        .select_related("commitment__agreement", "commitment__responsible")
        .get(pk=report.pk)
    )
    commitment = report.commitment
    require(actor, "view", commitment.agreement, _("U bent geen partij bij deze prestatieafspraak."))
    _require_responsible(actor, commitment)
    if version is not None:
        check_version(report, version)
    if report.state not in EDITABLE_REPORT_STATES:
        raise ValidationError(_("Deze monitoring is al %(state)s.") % {"state": report.get_state_display()})
    if commitment.agreement.status != Agreement.Status.ONDERTEKEND:
        raise ValidationError(_("Monitoring kan alleen bij een ondertekende prestatieafspraak."))
    report.state = MonitoringReport.State.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    save_versioned(report, actor=actor, reason=_("ingediend"))
    gemeente = _gemeente_party(commitment.agreement)
    _announce(
        _people([gemeente.organisation_id]),
        kind="report_submitted",
        text=_("%(org)s heeft de monitoring %(year)s van afspraak %(c)s ingediend.")
        % {"org": commitment.responsible, "year": report.year, "c": commitment},
        url=_url("agreements:reviewer-queue"),
    )
    return report


def _review(actor, report, state, comment, reason):
    report = (
        MonitoringReport.objects.select_for_update(of=("self",))
        .select_related("commitment__agreement", "commitment__responsible")
        .get(pk=report.pk)
    )
    commitment = report.commitment
    require(actor, "view", commitment.agreement, _("U bent geen partij bij deze prestatieafspraak."))
    _require_gemeente_reviewer(actor, commitment.agreement)
    if report.state != MonitoringReport.State.SUBMITTED:
        raise ValidationError(
            _("Alleen ingediende monitoring kan worden beoordeeld; deze is %(state)s.")
            % {"state": report.get_state_display()}
        )
    report.state = state
    report.reviewed_at = timezone.now()
    report.reviewed_by = actor
    report.review_comment = comment
    save_versioned(report, actor=actor, reason=reason)
    _announce(
        _people([commitment.responsible_id]),
        kind=f"report_{state}",
        text=_("De gemeente heeft de monitoring %(year)s van afspraak %(c)s %(state)s.")
        % {"year": report.year, "c": commitment, "state": report.get_state_display()},
        url=_url("agreements:detail", commitment.agreement_id),
    )
    return report


@transaction.atomic
def report_approve(*, actor, report: MonitoringReport, comment: str = "") -> MonitoringReport:
    """Approve a submitted report: bewerkers and beheerders of the gemeente party only."""
    return _review(actor, report, MonitoringReport.State.APPROVED, (comment or "").strip(), _("goedgekeurd"))


@transaction.atomic
def report_return(*, actor, report: MonitoringReport, comment: str) -> MonitoringReport:
    """Return a submitted report for revision, with a comment that says what to change.
    Bewerkers and beheerders of the gemeente party only."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Schrijf erbij wat er aan de monitoring moet veranderen.")})
    return _review(actor, report, MonitoringReport.State.RETURNED, comment, _("teruggestuurd"))


@transaction.atomic
def report_comment(*, actor, report: MonitoringReport, text: str) -> MonitoringComment:
    """Comment on a monitoring report: bewerkers and beheerders of any party, and every
    member of a tenants' organisation that is a party. The responsible party hears of it."""
    report = MonitoringReport.objects.select_related("commitment__agreement", "commitment__responsible").get(
        pk=report.pk
    )
    agreement = report.commitment.agreement
    require(actor, "view", agreement, _("U bent geen partij bij deze prestatieafspraak."))
    parties = agreement.parties.filter(
        Q(organisation_id__in=organisation_ids_for(actor, "change"))
        | Q(role=PartyRole.HUURDERS, organisation_id__in=organisation_ids_for(actor, "view"))
    ).order_by("role", "pk")
    # Speak for the tenants first: commenting is their part in the monitoring.
    party = next((p for p in parties if p.role == PartyRole.HUURDERS), None) or parties.first()
    if party is None:
        raise PermissionDenied(
            _("Alleen bewerkers van een partij en leden van de huurdersorganisatie kunnen reageren.")
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Schrijf een opmerking.")})
    comment = MonitoringComment(report=report, author=actor, organisation_id=party.organisation_id, text=text)
    comment.full_clean()
    comment._history_user = actor
    comment.save()
    notify(
        recipients=[p for p in _people([report.commitment.responsible_id]) if p.pk != actor.pk],
        kind="report_comment",
        text=_("Nieuwe opmerking bij de monitoring %(year)s van afspraak %(c)s.")
        % {"year": report.year, "c": report.commitment},
        url=_url("agreements:detail", agreement.pk),
    )
    return comment


# --- deadline reminders -----------------------------------------------------------------


@dataclass
class _Due:
    kind: str
    object_key: str
    due_date: datetime.date
    recipient_ids: set
    text: str
    url: str = ""


def _next_on_or_after(today, month_day):
    this_year = Deadlines.on(today.year, month_day)
    return this_year if this_year >= today else Deadlines.on(today.year + 1, month_day)


def _people_ids_by_org(organisation_ids, action="change"):
    result = defaultdict(set)
    for org_id, user_id in Membership.objects.filter(
        organisation_id__in=list(organisation_ids), role__in=roles_for(action), user__is_active=True
    ).values_list("organisation_id", "user_id"):
        result[org_id].add(user_id)
    return result


def _date_nl(day):
    from django.utils import formats, translation

    with translation.override("nl"):
        return formats.date_format(day, "j F Y")


def _open_windows(today, all_deadlines, which):
    """Gemeenten whose ``which`` deadline falls within their reminder window, grouped by
    due date (gemeenten on the default calendar share one group, so one query)."""
    groups = defaultdict(list)
    for deadlines in all_deadlines:
        due = _next_on_or_after(today, getattr(deadlines, which))
        if due <= today + datetime.timedelta(days=deadlines.reminder_days_ahead):
            groups[due].append(deadlines.gemeente_code)
    return sorted(groups.items())


def _bod_reminders(due, codes, names):
    """Corporations that still owe the bod for next year: those with a concept bod, and
    the corporations of running agreements that have not submitted one."""
    year = due.year + 1
    owing = set(
        AgreementParty.objects.filter(
            role=PartyRole.CORPORATIE,
            agreement__gemeente_code__in=codes,
            agreement__status__in=[Agreement.Status.ONDERHANDELING, Agreement.Status.ONDERTEKEND],
            agreement__start_year__lte=year,
            agreement__end_year__gte=year,
        ).values_list("organisation_id", "agreement__gemeente_code")
    ) | set(
        Bod.objects.filter(gemeente_code__in=codes, year=year).values_list("corporation_id", "gemeente_code")
    )
    owing -= set(
        Bod.objects.filter(gemeente_code__in=codes, year=year, status=Bod.Status.INGEDIEND).values_list(
            "corporation_id", "gemeente_code"
        )
    )
    people = _people_ids_by_org({corporation_id for corporation_id, _code in owing})
    return [
        _Due(
            kind="bod",
            object_key=f"bod:{corporation_id}:{code}:{year}",
            due_date=due,
            recipient_ids=people.get(corporation_id, set()),
            text=_("Het bod voor %(year)s voor %(gemeente)s moet uiterlijk %(date)s zijn ingediend.")
            % {"year": year, "gemeente": names.get(code, code), "date": _date_nl(due)},
            url=_url("agreements:bod-list"),
        )
        for corporation_id, code in sorted(owing)
    ]


def _signing_reminders(due, codes, names):
    """The parties of agreements in negotiation that have not signed yet."""
    unsigned = list(
        AgreementParty.objects.filter(
            agreement__gemeente_code__in=codes,
            agreement__status=Agreement.Status.ONDERHANDELING,
            signed_at__isnull=True,
        ).values_list("agreement_id", "agreement__title", "organisation_id")
    )
    people = _people_ids_by_org({org_id for _a, _t, org_id in unsigned})
    by_agreement, titles = defaultdict(set), {}
    for agreement_id, title, org_id in unsigned:
        by_agreement[agreement_id] |= people.get(org_id, set())
        titles[agreement_id] = title
    return [
        _Due(
            kind="signing",
            object_key=f"agreement:{agreement_id}",
            due_date=due,
            recipient_ids=recipient_ids,
            text=_("%(title)s moet uiterlijk %(date)s door uw organisatie zijn ondertekend.")
            % {"title": titles[agreement_id], "date": _date_nl(due)},
            url=_url("agreements:detail", agreement_id),
        )
        for agreement_id, recipient_ids in sorted(by_agreement.items())
    ]


def _monitoring_reminders(due, codes, names):
    """Commitments without a submitted or approved report over last year, per agreement
    and responsible party."""
    year = due.year - 1
    done = MonitoringReport.objects.filter(
        commitment_id=OuterRef("pk"),
        year=year,
        state__in=[MonitoringReport.State.SUBMITTED, MonitoringReport.State.APPROVED],
    )
    rows = list(
        Commitment.objects.filter(
            agreement__gemeente_code__in=codes,
            agreement__status=Agreement.Status.ONDERTEKEND,
            agreement__start_year__lte=year,
            agreement__end_year__gte=year,
        )
        .filter(~Exists(done))
        .values("agreement_id", "agreement__title", "responsible_id")
        .annotate(n=Count("pk"))
        .order_by("agreement_id", "responsible_id")
    )
    people = _people_ids_by_org({row["responsible_id"] for row in rows})
    return [
        _Due(
            kind="monitoring",
            object_key=f"monitoring:{row['agreement_id']}:{row['responsible_id']}:{year}",
            due_date=due,
            recipient_ids=people.get(row["responsible_id"], set()),
            text=_(
                "%(n)s afspraak/afspraken uit %(title)s wachten op uw monitoring over %(year)s "
                "(uiterlijk %(date)s)."
            )
            % {"n": row["n"], "title": row["agreement__title"], "year": year, "date": _date_nl(due)},
            url=_url("agreements:detail", row["agreement_id"]),
        )
        for row in rows
    ]


def _review_reminders(due, codes, names):
    """Submitted reports waiting for the gemeente party's review."""
    agreements = Agreement.objects.filter(gemeente_code__in=codes).values("pk")
    rows = list(
        MonitoringReport.objects.filter(
            state=MonitoringReport.State.SUBMITTED,
            commitment_id__in=Commitment.objects.filter(agreement_id__in=agreements).values("pk"),
        )
        .values("commitment__agreement_id", "commitment__agreement__title")
        .annotate(n=Count("pk"))
        .order_by("commitment__agreement_id")
    )
    gemeente_orgs = dict(
        AgreementParty.objects.filter(
            role=PartyRole.GEMEENTE, agreement_id__in=[row["commitment__agreement_id"] for row in rows]
        ).values_list("agreement_id", "organisation_id")
    )
    people = _people_ids_by_org(set(gemeente_orgs.values()))
    return [
        _Due(
            kind="review",
            object_key=f"review:{row['commitment__agreement_id']}",
            due_date=due,
            recipient_ids=people.get(gemeente_orgs.get(row["commitment__agreement_id"]), set()),
            text=_("%(n)s monitoring(en) van %(title)s wachten op uw beoordeling (uiterlijk %(date)s).")
            % {"n": row["n"], "title": row["commitment__agreement__title"], "date": _date_nl(due)},
            url=_url("agreements:reviewer-queue"),
        )
        for row in rows
    ]


REMINDER_KINDS = (
    ("bod", _bod_reminders),
    ("signing", _signing_reminders),
    ("monitoring", _monitoring_reminders),
    ("review", _review_reminders),
)


def _claim_reminders(rows):
    """Insert ``(kind, object_key, due_date, recipient_id)`` rows into ``ReminderSent``;
    return the ones this call inserted. ``ON CONFLICT DO NOTHING RETURNING`` (PostgreSQL
    and SQLite) makes the claim atomic: of two runs at the same moment, exactly one gets
    each row, so nobody is reminded twice."""
    from django.db import connection

    from agreements.models import ReminderSent

    table = connection.ops.quote_name(ReminderSent._meta.db_table)
    now = timezone.now()
    claimed = set()
    rows = list(rows)
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
        params = []
        for kind, object_key, due_date, recipient_id in chunk:
            params += [kind, object_key, due_date, recipient_id, now]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (kind, object_key, due_date, recipient_id, sent_at) VALUES {values} "
                "ON CONFLICT (kind, object_key, due_date, recipient_id) DO NOTHING "
                "RETURNING kind, object_key, due_date, recipient_id",
                params,
            )
            for kind, object_key, due_date, recipient_id in cursor.fetchall():
                claimed.add((kind, object_key, str(due_date), recipient_id))
    return claimed


@transaction.atomic
def reminders_send(*, today: datetime.date) -> int:
    """Remind people of the deadlines coming up within each gemeente's reminder window
    (its ``GemeenteCalendar``, or the defaults: bod 1 July, signing 15 December,
    monitoring 1 March, review 1 May, 14 days ahead).

    - bod: the bewerkers and beheerders of corporations that owe next year's bod;
    - signing: those of the parties of agreements in negotiation that have not signed;
    - monitoring: those of the responsible party, for commitments without a submitted or
      approved report over last year;
    - review: the gemeente party's bewerkers and beheerders, for submitted reports.

    Each (kind, object, due date, person) is reminded once, ever: ``ReminderSent`` has a
    unique constraint and rows are claimed atomically, so a second run, even a parallel
    one, sends nothing again. Every new reminder is a notification in the product; each
    person gets one mail per run listing their reminders. Returns the number sent.
    """
    from agreements.models import ReminderSent

    codes = set(
        Agreement.objects.exclude(status=Agreement.Status.CONCEPT).values_list("gemeente_code", flat=True)
    ) | set(Bod.objects.values_list("gemeente_code", flat=True))
    calendars = {cal.gemeente_code: cal for cal in GemeenteCalendar.objects.filter(gemeente_code__in=codes)}
    all_deadlines = [
        Deadlines.from_calendar(calendars[code]) if code in calendars else Deadlines(gemeente_code=code)
        for code in sorted(codes)
    ]
    names = dict(
        Organisation.objects.filter(kind=Organisation.Kind.GEMEENTE, gemeente_code__in=codes).values_list(
            "gemeente_code", "name"
        )
    )
    due_items = []
    for which, find in REMINDER_KINDS:
        for due, group in _open_windows(today, all_deadlines, which):
            due_items += find(due, group, names)
    if not due_items:
        return 0

    already = set(
        ReminderSent.objects.filter(
            kind__in={item.kind for item in due_items},
            due_date__in={item.due_date for item in due_items},
            object_key__in={item.object_key for item in due_items},
        ).values_list("kind", "object_key", "due_date", "recipient_id")
    )
    wanted = [
        (item.kind, item.object_key, item.due_date, user_id)
        for item in due_items
        for user_id in sorted(item.recipient_ids)
        if (item.kind, item.object_key, item.due_date, user_id) not in already
    ]
    claimed = _claim_reminders(wanted)
    sent = defaultdict(list)  # person id → [item, ...]
    for item in due_items:
        for user_id in sorted(item.recipient_ids):
            if (item.kind, item.object_key, str(item.due_date), user_id) in claimed:
                sent[user_id].append(item)
    if not sent:
        return 0

    from core.models import Notification

    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=user_id, kind=f"reminder_{item.kind}", text=item.text[:300], url=item.url
            )
            for user_id, items in sent.items()
            for item in items
        ]
    )
    for user_id, items in sent.items():
        subject = (
            _("Wijkkoers: herinnering – %(text)s") % {"text": items[0].text}
            if len(items) == 1
            else _("Wijkkoers: %(n)s herinneringen aan termijnen") % {"n": len(items)}
        )
        lines = [_("Deze termijnen komen eraan:"), ""]
        for item in items:
            lines.append(f"- {item.text}")
            if item.url:
                lines.append(f"  {settings.SITE_URL}{item.url}")
        body = "\n".join(lines)
        queue_on_commit(
            "agreements.tasks.mail_person", user_id, subject[:200], body, what=f"reminder mail to {user_id}"
        )
    return sum(len(items) for items in sent.values())
