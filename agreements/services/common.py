"""The helpers every part of the agreements services shares: rights, locks, the
announcements by notification and mail, and the checks of period, gemeente and parties."""

import contextlib
import contextvars

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from agreements.models import (
    Agreement,
    Amendment,
    PartyRole,
)
from core.permissions import ensure_in_scope, is_platform_admin, require
from core.queueing import queue_on_commit
from core.services import notify, save_versioned
from core.text import shorten
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

# The longest mail subject the agreements send, prefix included: mail programs show about
# this much in a list.
MAIL_SUBJECT_LIMIT = 120
# What a notification in the product holds (``core.models.Notification.text``).
NOTIFICATION_LIMIT = 300


def _url(name, *args):
    """A link for a notification; empty while the page does not exist (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _commitment_url(commitment):
    """The page of one commitment (a notification about it links there, not to the
    agreement)."""
    return _url("agreements:commitment", commitment.pk)


def _report_url(report):
    """The monitoring of one year on its commitment's page: where the report, its review,
    its earlier reviews and its comments are."""
    url = _url("agreements:commitment", report.commitment_id)
    return f"{url}#jaar-{report.year}" if url else ""


def mail_subject(text: str) -> str:
    """``Wijkkoers: <text>`` on one line within ``MAIL_SUBJECT_LIMIT`` characters, cut
    after a whole word with an ellipsis."""
    return shorten(f"Wijkkoers: {text}", MAIL_SUBJECT_LIMIT)


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
    notify(recipients=recipients, kind=kind, text=shorten(text, NOTIFICATION_LIMIT), url=url)
    body = text + (f"\n\n{settings.SITE_URL}{url}" if url else "")
    _queue_mail(recipients, mail_subject(text), body)


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
