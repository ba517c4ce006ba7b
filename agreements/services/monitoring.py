"""The yearly monitoring of a commitment: drafts, submission, the gemeente's review and
comments."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import (
    Agreement,
    Commitment,
    MonitoringComment,
    MonitoringReport,
    PartyRole,
)
from agreements.services.common import _announce, _is_member, _people, _report_url
from core.permissions import ensure_in_scope, require
from core.services import check_version, notify, save_versioned
from organisations.models import organisation_ids_for


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


def _lock_report(actor, report) -> MonitoringReport:
    """The report locked for this transaction, with its commitment and agreement; only
    for a party of the agreement."""
    report = (
        MonitoringReport.objects.select_for_update(of=("self",))
        .select_related("commitment__agreement", "commitment__responsible")
        .get(pk=report.pk)
    )
    require(actor, "view", report.commitment.agreement, _("U bent geen partij bij deze prestatieafspraak."))
    return report


@transaction.atomic
def report_submit(*, actor, report: MonitoringReport, version: int | None = None) -> MonitoringReport:
    """Submit a draft (or returned) report for review; the gemeente party is notified.

    A submission starts a new round: the review of an earlier round (a return with its
    comment) is no longer the report's review; it stays in the report's history, where
    ``selectors.commitment_reports`` finds it as an earlier review.
    """
    report = _lock_report(actor, report)
    commitment = report.commitment
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
    report.reviewed_at = None
    report.reviewed_by = None
    report.review_comment = ""
    save_versioned(report, actor=actor, reason=_("ingediend"))
    gemeente = _gemeente_party(commitment.agreement)
    _announce(
        _people([gemeente.organisation_id]),
        kind="report_submitted",
        text=_("%(org)s heeft de monitoring %(year)s van afspraak %(c)s ingediend.")
        % {"org": commitment.responsible, "year": report.year, "c": commitment},
        url=_report_url(report),
    )
    return report


def _review(actor, report, state, comment, reason):
    report = _lock_report(actor, report)
    commitment = report.commitment
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
        url=_report_url(report),
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
        url=_report_url(report),
    )
    return comment
