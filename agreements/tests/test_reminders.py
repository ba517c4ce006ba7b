"""Deadline reminders: the right people, once, by e-mail and in the product, and never for
another gemeente's work."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from agreements import services
from agreements.models import GemeenteCalendar, ReminderSent
from agreements.services.reminders import _claim_reminders
from agreements.tasks import send_deadline_reminders
from agreements.tests.test_services import make_agreement, make_bod, signed_agreement, to_negotiation
from core.models import Notification
from tests import factories

D = datetime.date


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the reminders for a day, with the queued mails sent."""

    def go(today):
        with django_capture_on_commit_callbacks(execute=True):
            return services.reminders_send(today=today)

    return go


def recipients():
    return sorted(m.to[0] for m in mail.outbox)


def reminded(kind):
    return set(ReminderSent.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def negotiating(world):
    agreement = make_agreement(world)
    to_negotiation(world, agreement)
    services.agreement_sign(actor=world.tenant_rep, agreement=agreement)
    return agreement


class TestSigning:
    def test_unsigned_parties_are_reminded_once(self, world, run):
        negotiating(world)
        mail.outbox.clear()
        assert run(D(2026, 12, 5)) == 3
        # Gemeente and corporation; tenants signed already; the partner has only a lezer.
        assert recipients() == [
            "corp.editor@example.nl",
            "gemeente.reviewer@example.nl",
            "org.admin@example.nl",
        ]
        assert "15 december 2026" in mail.outbox[0].body
        assert Notification.objects.filter(kind="reminder_signing").count() == 3
        mail.outbox.clear()
        assert run(D(2026, 12, 5)) == 0
        assert run(D(2026, 12, 6)) == 0
        assert mail.outbox == []
        assert Notification.objects.filter(kind="reminder_signing").count() == 3

    def test_outside_the_window_nothing(self, world, run):
        negotiating(world)
        assert run(D(2026, 11, 30)) == 0  # 15 days ahead, the window is 14
        assert run(D(2026, 12, 16)) == 0  # next deadline is a year away
        assert not ReminderSent.objects.exists()

    def test_next_year_is_a_new_deadline(self, world, run):
        negotiating(world)
        assert run(D(2026, 12, 5)) == 3
        assert run(D(2027, 12, 5)) == 3

    def test_calendar_sets_the_window(self, world, run):
        negotiating(world)
        GemeenteCalendar.objects.create(gemeente_code="GM0453", reminder_days_ahead=3)
        assert run(D(2026, 12, 5)) == 0
        assert run(D(2026, 12, 12)) == 3

    def test_a_reminder_claimed_by_a_parallel_run_is_not_sent_again(self, world, run):
        agreement = negotiating(world)
        ReminderSent.objects.create(
            kind="signing",
            object_key=f"agreement:{agreement.pk}",
            due_date=D(2026, 12, 15),
            recipient=world.corp_editor,
        )
        mail.outbox.clear()
        assert run(D(2026, 12, 5)) == 2
        assert "corp.editor@example.nl" not in recipients()


class TestOtherGemeente:
    def test_none_for_other_gemeenten(self, world, run):
        negotiating(world)
        haarlem_corp = factories.organisation(name="Haarlemse Woonstichting", gemeente_code="GM0392")
        haarlem_tenants = factories.organisation(
            name="Huurders Haarlem", kind="huurdersorganisatie", gemeente_code="GM0392"
        )
        haarlem = services.agreement_create(
            actor=world.outsider,
            title="Afspraken Haarlem",
            gemeente_code="GM0392",
            start_year=2026,
            end_year=2027,
            parties=[(world.other_gemeente, ""), (haarlem_corp, ""), (haarlem_tenants, "")],
        )
        services.agreement_transition(
            actor=world.outsider, agreement=haarlem, to_status="onderhandeling", version=haarlem.version
        )
        # Haarlem signs by 1 December; Velsen by the default 15 December.
        GemeenteCalendar.objects.create(gemeente_code="GM0392", signing_month=12, signing_day=1)
        mail.outbox.clear()
        assert run(D(2026, 11, 25)) == 1
        assert recipients() == ["outsider@example.nl"]
        assert "Afspraken Haarlem" in mail.outbox[0].body
        mail.outbox.clear()
        assert run(D(2026, 12, 5)) == 3
        assert "outsider@example.nl" not in recipients()


class TestBod:
    def test_corporation_that_owes_the_bod(self, world, run):
        signed_agreement(world)  # 2025–2028: a bod for 2027 is due on 1 July 2026
        mail.outbox.clear()
        assert run(D(2026, 6, 20)) == 2
        assert recipients() == ["corp.editor@example.nl", "org.admin@example.nl"]
        assert "Het bod voor 2027 voor Gemeente Velsen moet uiterlijk 1 juli 2026" in mail.outbox[0].body
        assert run(D(2026, 6, 21)) == 0

    def test_submitted_bod_is_not_reminded(self, world, run):
        signed_agreement(world)
        bod = make_bod(world, year=2027)
        services.bod_submit(actor=world.corp_editor, bod=bod)
        assert run(D(2026, 6, 20)) == 0

    def test_concept_bod_without_agreement_is_reminded(self, world, run):
        make_bod(world, year=2027)
        assert run(D(2026, 6, 20)) == 2
        assert reminded("bod") == {"corp.editor@example.nl", "org.admin@example.nl"}


def report(world, commitment, submit=False):
    draft = services.report_save_draft(
        actor=world.corp_editor,
        commitment=commitment,
        year=2025,
        realised_value=Decimal(3),
        progress="risico",
    )
    return services.report_submit(actor=world.corp_editor, report=draft) if submit else draft


class TestMonitoringAndReview:
    def test_monitoring_reminder_for_the_responsible_party(self, world, run):
        _agreement, (first, _second) = signed_agreement(world, commitments=2)
        report(world, first)  # a draft is not enough
        mail.outbox.clear()
        assert run(D(2026, 2, 20)) == 2
        assert recipients() == ["corp.editor@example.nl", "org.admin@example.nl"]
        assert "2 afspraak/afspraken" in mail.outbox[0].body and "over 2025" in mail.outbox[0].body
        assert run(D(2026, 2, 21)) == 0

    def test_no_monitoring_reminder_when_all_submitted(self, world, run):
        _agreement, (first,) = signed_agreement(world)
        report(world, first, submit=True)
        assert run(D(2026, 2, 20)) == 0

    def test_review_reminder_for_the_gemeente(self, world, run):
        _agreement, (first,) = signed_agreement(world)
        report(world, first, submit=True)
        mail.outbox.clear()
        assert run(D(2026, 4, 20)) == 1
        assert recipients() == ["gemeente.reviewer@example.nl"]
        assert reminded("review") == {"gemeente.reviewer@example.nl"}
        assert run(D(2026, 4, 20)) == 0

    def test_one_mail_per_person_per_run(self, world, run):
        _agreement, (_first,) = signed_agreement(world)
        # Move the bod date next to the monitoring date: two reminders, one mail each.
        GemeenteCalendar.objects.create(gemeente_code="GM0453", bod_month=3, bod_day=5)
        mail.outbox.clear()
        assert run(D(2026, 2, 25)) == 4
        assert recipients() == ["corp.editor@example.nl", "org.admin@example.nl"]
        assert "2 herinneringen" in mail.outbox[0].subject
        assert (
            Notification.objects.filter(recipient=world.corp_editor, kind__startswith="reminder_").count()
            == 2
        )


def test_task_reminds_for_the_day_it_runs(world, monkeypatch):
    """The beat task takes today's date. An agreement in negotiation with the default
    signing deadline of 15 December: on 1 October that is 75 days off, outside the 14-day
    window, so nothing; on 5 December it is 10 days off, so the three editors who have not
    signed (gemeente bewerker, corporation bewerker and beheerder; the tenants signed, the
    partner only reads) are reminded; the same day again sends nothing new."""
    from django.utils import timezone

    negotiating(world)
    today = D(2026, 10, 1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)
    assert send_deadline_reminders() == 0
    today = D(2026, 12, 5)
    assert send_deadline_reminders() == 3
    assert reminded("signing") == {
        "corp.editor@example.nl",
        "gemeente.reviewer@example.nl",
        "org.admin@example.nl",
    }
    assert send_deadline_reminders() == 0


class TestCalendar:
    def test_gemeente_beheerder_sets_the_deadlines(self, world):
        beheerder = factories.member(world.gemeente, role="beheerder")
        cal = services.calendar_save(actor=beheerder, gemeente_code="GM0453", bod_month=6, bod_day=15)
        assert (cal.bod_month, cal.bod_day, cal.version) == (6, 15, 1)
        cal = services.calendar_save(
            actor=beheerder, gemeente_code="GM0453", version=1, reminder_days_ahead=21
        )
        assert cal.reminder_days_ahead == 21 and cal.history.first().history_user == beheerder
        from core.exceptions import ConflictError

        with pytest.raises(ConflictError):
            services.calendar_save(actor=beheerder, gemeente_code="GM0453", version=1, bod_day=20)

    @pytest.mark.parametrize("persona", ["gemeente_reviewer", "corp_editor", "org_admin", "outsider"])
    def test_others_may_not(self, world, persona):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            services.calendar_save(actor=world.users[persona], gemeente_code="GM0453", bod_month=6)
        assert not GemeenteCalendar.objects.exists()

    def test_impossible_day_falls_on_month_end(self, world):
        services.calendar_save(actor=world.platform_admin, gemeente_code="GM0453", bod_month=6, bod_day=31)
        bod = make_bod(world, year=2027)
        assert services.bod_due_date(bod) == D(2026, 6, 30)

    def test_bad_month(self, world):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            services.calendar_save(actor=world.platform_admin, gemeente_code="GM0453", bod_month=13)
        assert not GemeenteCalendar.objects.exists()


def test_claim_is_atomic_per_row(world):
    """Two runs claiming the same rows: the second gets none of those the first took."""
    rows = [("signing", "agreement:1", D(2026, 12, 15), world.corp_editor.pk)]
    assert _claim_reminders(rows) == {("signing", "agreement:1", "2026-12-15", world.corp_editor.pk)}
    more = [*rows, ("signing", "agreement:1", D(2026, 12, 15), world.org_admin.pk)]
    assert _claim_reminders(more) == {("signing", "agreement:1", "2026-12-15", world.org_admin.pk)}
    assert ReminderSent.objects.count() == 2
