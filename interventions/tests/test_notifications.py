"""Team members hear of new interventions and status changes: in the product always, by
e-mail per event, in a daily digest, or not by e-mail, as each person prefers."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import Notification
from interventions import services, tasks
from interventions.models import NotificationPreference
from interventions.tests.helpers import build_intervention, build_team, velsen

pytestmark = pytest.mark.django_db

TEAM_PEOPLE = {"org_admin", "gemeente_reviewer", "tenant_rep", "partner_reader"}


@pytest.fixture
def team(world):
    return build_team(world, velsen()["wijk"])


def recipients(world, kind=None):
    notes = Notification.objects.all()
    if kind:
        notes = notes.filter(kind=kind)
    by_pk = {user.pk: name for name, user in world.users.items()}
    return sorted(by_pk[pk] for pk in notes.values_list("recipient_id", flat=True))


def mailed_to(world):
    by_email = {user.email: name for name, user in world.users.items()}
    return sorted(by_email[address] for message in mail.outbox for address in message.to)


def test_new_intervention_notifies_the_team_but_not_the_actor(
    world, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        intervention = build_intervention(world, team)
    assert recipients(world, "interventie_nieuw") == sorted(TEAM_PEOPLE)
    note = Notification.objects.filter(recipient=world.tenant_rep).get()
    assert note.text == f"Nieuwe interventie in {team.name}: {intervention.title}"
    # Nobody chose otherwise: everyone gets the event by e-mail, once.
    assert mailed_to(world) == sorted(TEAM_PEOPLE)
    assert all(intervention.title in message.subject for message in mail.outbox)


def test_outsider_and_platform_admin_hear_nothing(world, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        build_intervention(world, team, actor=world.platform_admin)
    names = recipients(world)
    assert "outsider" not in names and "platform_admin" not in names
    assert "corp_editor" in names  # the actor was the platform admin this time


def test_status_change_notifies(world, team, django_capture_on_commit_callbacks):
    intervention = build_intervention(world, team)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.intervention_change_status(
            actor=world.gemeente_reviewer, intervention=intervention, to_status="gepland", version=1
        )
    assert recipients(world, "interventie_status") == sorted(
        {"corp_editor", "org_admin", "tenant_rep", "partner_reader"}
    )
    assert (
        "status gewijzigd van idee naar gepland"
        in Notification.objects.filter(kind="interventie_status")[0].text
    )
    assert "gemeente_reviewer" not in mailed_to(world)


def test_preferences_direct_digest_none(world, team, django_capture_on_commit_callbacks):
    services.preference_set(actor=world.tenant_rep, mode="dagelijks")
    services.preference_set(actor=world.partner_reader, mode="geen")
    with django_capture_on_commit_callbacks(execute=True):
        build_intervention(world, team)
    assert mailed_to(world) == ["gemeente_reviewer", "org_admin"]
    # In the product everyone has it.
    assert recipients(world) == sorted(TEAM_PEOPLE)


def test_mail_is_sent_after_commit_only(world, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        build_intervention(world, team)
    assert mail.outbox == [] and len(callbacks) == 1


def test_failed_create_notifies_nobody(world, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        build_intervention(world, team, budget="veel")
    assert not Notification.objects.exists() and mail.outbox == []


def test_event_mail_skips_people_who_switched_to_digest_meanwhile(world, team):
    intervention = build_intervention(world, team)
    ids = list(Notification.objects.values_list("pk", flat=True))
    services.preference_set(actor=world.org_admin, mode="dagelijks")
    assert tasks.notification_mail_send.apply(args=[ids]).get() == 3
    assert "org_admin" not in mailed_to(world)
    assert intervention.title in mail.outbox[0].body


def test_event_mail_retries_only_the_failed_messages(world, team, monkeypatch):
    build_intervention(world, team)
    ids = sorted(Notification.objects.values_list("pk", flat=True))
    failing = Notification.objects.get(recipient=world.tenant_rep).pk

    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages

    def flaky(self, messages):
        if world.tenant_rep.email in messages[0].to:
            raise smtplib.SMTPServerDisconnected("weg")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    retried = []

    def fake_retry(*, args, exc, countdown):
        retried.append(args)
        return RuntimeError("retry")

    monkeypatch.setattr(tasks.notification_mail_send, "retry", fake_retry)
    with pytest.raises(RuntimeError):
        tasks.notification_mail_send.run(ids)
    assert retried == [[[failing]]]  # the task is queued again with the failed ids only
    assert mailed_to(world) == sorted(TEAM_PEOPLE - {"tenant_rep"})


def test_preference_set_validates(world):
    with pytest.raises(ValidationError):
        services.preference_set(actor=world.tenant_rep, mode="wekelijks")
    preference = services.preference_set(actor=world.tenant_rep, mode="dagelijks")
    assert preference.last_digest_at is not None
    assert services.preference_set(actor=world.tenant_rep, mode="direct").mode == "direct"


class TestDigest:
    def _digest_readers(self, world, *names, last=None):
        last = last or timezone.now() - datetime.timedelta(days=1)
        for name in names:
            services.preference_set(actor=world.users[name], mode="dagelijks")
        NotificationPreference.objects.filter(mode="dagelijks").update(last_digest_at=last)

    def test_one_summary_per_person_once_per_day(self, world, team, django_capture_on_commit_callbacks):
        self._digest_readers(world, "tenant_rep", "partner_reader")
        with django_capture_on_commit_callbacks(execute=True):
            intervention = build_intervention(world, team)
            build_intervention(world, team, title="Buurtkamer Heidebuurt")
            services.intervention_change_status(
                actor=world.corp_editor, intervention=intervention, to_status="gepland", version=1
            )
        mail.outbox.clear()
        assert tasks.digest_send.apply().get() == 2
        assert mailed_to(world) == ["partner_reader", "tenant_rep"]
        body = mail.outbox[0].body
        assert "Er zijn 3 nieuwe berichten" in body
        assert "Buurtkamer Heidebuurt" in body and "status gewijzigd van idee naar gepland" in body
        assert mail.outbox[0].subject == "Wijkkoers: dagelijks overzicht van uw gebiedsteams"

        # Same day again: nothing, even with something new (that goes in tomorrow's).
        with django_capture_on_commit_callbacks(execute=True):
            build_intervention(world, team, title="Opzoomeren")
        mail.outbox.clear()
        assert tasks.digest_send.apply().get() == 0
        assert mail.outbox == []

    def test_next_period_carries_only_new_notifications(self, world, team):
        self._digest_readers(world, "tenant_rep")
        build_intervention(world, team, title="Oud nieuws")
        tasks.digest_send.apply()
        NotificationPreference.objects.filter(user=world.tenant_rep).update(
            last_digest_at=timezone.now() - datetime.timedelta(days=1)
        )
        Notification.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
        build_intervention(world, team, title="Vers nieuws")
        mail.outbox.clear()
        assert tasks.digest_send.apply().get() == 1
        assert "Vers nieuws" in mail.outbox[0].body and "Oud nieuws" not in mail.outbox[0].body
        assert "Er is 1 nieuw bericht" in mail.outbox[0].body

    def test_nothing_new_sends_nothing(self, world, team):
        self._digest_readers(world, "tenant_rep")
        assert tasks.digest_send.apply().get() == 0
        assert mail.outbox == []

    def test_direct_and_none_readers_get_no_digest(self, world, team):
        services.preference_set(actor=world.partner_reader, mode="geen")
        build_intervention(world, team)
        mail.outbox.clear()
        assert tasks.digest_send.apply().get() == 0

    def test_failed_digest_stays_due(self, world, team, monkeypatch):
        self._digest_readers(world, "tenant_rep")
        build_intervention(world, team)
        from django.core.mail.backends.locmem import EmailBackend

        def broken(self, messages):
            raise smtplib.SMTPServerDisconnected("weg")

        with monkeypatch.context() as patch:
            patch.setattr(EmailBackend, "send_messages", broken)
            assert tasks.digest_send.apply().get() == 0
        mail.outbox.clear()
        assert tasks.digest_send.apply().get() == 1


class TestEventMail:
    def test_long_subject_is_cut_between_words_with_an_ellipsis(self, world, team):
        # "Wijkkoers: Nieuwe interventie in Gebiedsteam IJmuiden-Noord: " is 61 characters;
        # the title is 15 words of 9 letters with spaces between (149 characters), so the
        # subject would be 210. The first 199 (room for the ellipsis) end inside the 14th
        # word (61 + 13 * 10 = 191 is where it starts), so 13 whole words stay:
        # 61 + 13 * 9 + 12 = 190 characters, plus the ellipsis.
        build_intervention(world, team, title=" ".join(["huisbezoe"] * 15))
        note = Notification.objects.filter(recipient=world.tenant_rep).get()
        subject = tasks._event_message(note).subject
        assert subject == (
            "Wijkkoers: Nieuwe interventie in Gebiedsteam IJmuiden-Noord: "
            + " ".join(["huisbezoe"] * 13)
            + "…"
        )
        assert len(subject) == 191

    def test_short_subject_is_left_whole(self, world, team):
        build_intervention(world, team, title="Buurtkamer")
        note = Notification.objects.filter(recipient=world.tenant_rep).get()
        assert tasks._event_message(note).subject == (
            "Wijkkoers: Nieuwe interventie in Gebiedsteam IJmuiden-Noord: Buurtkamer"
        )

    def test_subject_helper_cuts_at_the_last_space_before_the_limit(self):
        # 11 + 187 = 198 characters, a space at 199 and a word that crosses 200: the word
        # goes, the space too.
        assert tasks._subject("a" * 187 + " bbbbbbbbbb") == "Wijkkoers: " + "a" * 187 + "…"
        # A cut that falls on a space keeps the whole word before it: 11 + 188 = 199.
        assert tasks._subject("a" * 188 + " bbbbbbbbbb") == "Wijkkoers: " + "a" * 188 + "…"
        # One word longer than the limit can only be cut inside the word.
        assert tasks._subject("x" * 300) == "Wijkkoers: " + "x" * 188 + "…"
        # Line breaks never reach a mail header.
        assert tasks._subject("Twee\nregels") == "Wijkkoers: Twee regels"

    def test_intervention_mail_links_to_the_intervention(
        self, world, team, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            intervention = build_intervention(world, team)
        assert f"http://testserver/interventies/{intervention.pk}/" in mail.outbox[0].body

    def test_wijkgesprek_mail_links_to_the_gesprek(self, world, team, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            gesprek = services.wijkgesprek_create(
                actor=world.corp_editor,
                team=team,
                date=datetime.date(2025, 3, 1),
                year=2024,
                participants=[world.corporatie, world.gemeente],
                duiding="De overlast stijgt in de Lagersbuurt.",
            )
        assert mail.outbox
        for message in mail.outbox:
            assert f"http://testserver/interventies/wijkgesprekken/{gesprek.pk}/" in message.body
        assert Notification.objects.filter(
            kind="wijkgesprek", url=f"/interventies/wijkgesprekken/{gesprek.pk}/"
        )
