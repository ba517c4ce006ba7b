"""The yearly bod of a corporation and the deadlines of each gemeente (GemeenteCalendar)."""

import calendar as _calendar
import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import (
    Bod,
    GemeenteCalendar,
)
from agreements.services.common import _announce, _is_member, _normalise_gemeente_code, _people, _url
from core.permissions import ensure_in_scope, is_platform_admin, require
from core.services import check_version, save_versioned
from organisations.models import Organisation, organisation_ids_for


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
