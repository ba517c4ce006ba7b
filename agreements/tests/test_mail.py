"""Mails and notifications of the agreements: subjects cut after a whole word with an
ellipsis within the limit, and a notification about a commitment or a report links to
that commitment or that report, not to the agreement."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from agreements import services
from agreements.services.common import mail_subject
from agreements.tests.test_services import make_agreement, signed_agreement, to_negotiation
from core.models import Notification
from core.text import shorten

LONG_TEXT = (
    "Velserduin bouwt honderdvijftig nieuwe sociale huurwoningen, vooral in IJmuiden en "
    "Velsen-Noord, waarvan een derde geschikt voor ouderen en mensen met een beperking."
)


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run a service with its mails sent; the outbox starts empty."""

    def go(do):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            return do()

    return go


class TestShorten:
    def test_cut_after_a_whole_word_within_the_limit(self):
        # 22 characters > 20. Room for 19 and the ellipsis: "Een bod voor twee j" ends
        # inside "jaar", so that word goes: "Een bod voor twee" (17) + "…" = 18 ≤ 20.
        assert shorten("Een bod voor twee jaar", 20) == "Een bod voor twee…"

    def test_a_cut_on_a_word_end_keeps_that_word(self):
        # Room for 14: "Aaaa bbbb cccc" (4 + 1 + 4 + 1 + 4) ends a word, the 15th is a space.
        assert shorten("Aaaa bbbb cccc dddd eeee", 15) == "Aaaa bbbb cccc…"

    def test_short_text_unchanged_but_on_one_line(self):
        assert shorten("Monitoring\n 2025  ingediend", 120) == "Monitoring 2025 ingediend"

    def test_one_word_longer_than_the_limit(self):
        assert shorten("Woningcorporatieverenigingen", 10) == "Woningcor…"


def test_commitment_named_after_whole_words():
    from agreements.models import Commitment

    # Room for 59 of the text's 165 characters: they end inside "huurwoningen," (48–60),
    # so the name ends after "sociale" (46) with the ellipsis: 47 ≤ 60.
    commitment = Commitment(number="1.1", text=LONG_TEXT)
    assert str(commitment) == "1.1 Velserduin bouwt honderdvijftig nieuwe sociale…"


def test_mail_subject_of_a_long_commitment(world, sent):
    """The old subject was ``text[:120]``: cut wherever the 120th character fell."""
    _agreement, (commitment,) = signed_agreement(world)
    commitment.text = LONG_TEXT.replace(" nieuwe", "\nnieuwe")  # a line break in a subject breaks the mail
    commitment.save()
    report = services.report_save_draft(
        actor=world.corp_editor, commitment=commitment, year=2025, progress="op_koers"
    )
    sent(lambda: services.report_submit(actor=world.corp_editor, report=report))
    # "Wijkkoers: " (11) + "Woningcorporatie Velserduin" (27) + " heeft de monitoring 2025 van
    # afspraak " (39) = 77, then "1.1 Velserduin bouwt honderdvijftig nieuwe sociale…
    # ingediend.": 139 in all. Room for 119: 42 more, which end after "nieuwe" (the next
    # character is a space), so the word stays and the ellipsis makes 120.
    assert {message.subject for message in mail.outbox} == {
        "Wijkkoers: Woningcorporatie Velserduin heeft de monitoring 2025 van afspraak "
        "1.1 Velserduin bouwt honderdvijftig nieuwe…"
    }


def test_reminder_subject_cut_after_a_whole_word(world, django_capture_on_commit_callbacks):
    title = "Prestatieafspraken wonen, zorg en leefbaarheid in Velsen, IJmuiden, Santpoort en Velserbroek 2027–2030"
    agreement = make_agreement(world, title=title)
    to_negotiation(world, agreement)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(today=datetime.date(2026, 12, 5))
    # "Wijkkoers: herinnering – " (25) + the title (102) + the rest: over 120. Room for 119:
    # 94 characters of the title, ending in "2" of "2027–2030", which goes; "...Velserbroek"
    # (92) + "…" = 118.
    assert {message.subject for message in mail.outbox} == {
        "Wijkkoers: herinnering – Prestatieafspraken wonen, zorg en leefbaarheid in Velsen, IJmuiden, "
        "Santpoort en Velserbroek…"
    }
    assert mail_subject("kort") == "Wijkkoers: kort"


class TestLinks:
    """Each notification, in the product and in the mail, links to the object it is about."""

    @pytest.fixture
    def report(self, world):
        _agreement, (commitment,) = signed_agreement(world)
        return services.report_save_draft(
            actor=world.corp_editor,
            commitment=commitment,
            year=2025,
            realised_value=Decimal("40"),
            progress="op_koers",
        )

    def _link(self, user, kind):
        return Notification.objects.get(recipient=user, kind=kind).url

    def _mailed_to(self, address):
        (message,) = [m for m in mail.outbox if m.to == [address]]
        return message.body

    def test_submitted_report_links_to_its_year_on_the_commitment(self, world, report, sent):
        sent(lambda: services.report_submit(actor=world.corp_editor, report=report))
        url = reverse("agreements:commitment", args=[report.commitment_id]) + "#jaar-2025"
        assert self._link(world.gemeente_reviewer, "report_submitted") == url
        assert self._mailed_to("gemeente.reviewer@example.nl").endswith(f"\n\nhttp://testserver{url}")

    @pytest.mark.parametrize("decision", ["approve", "return"])
    def test_reviewed_report_links_to_its_year_on_the_commitment(self, world, report, sent, decision):
        report = services.report_submit(actor=world.corp_editor, report=report)
        if decision == "approve":
            sent(lambda: services.report_approve(actor=world.gemeente_reviewer, report=report))
            kind = "report_goedgekeurd"
        else:
            sent(
                lambda: services.report_return(
                    actor=world.gemeente_reviewer, report=report, comment="Per wijk"
                )
            )
            kind = "report_teruggestuurd"
        url = reverse("agreements:commitment", args=[report.commitment_id]) + "#jaar-2025"
        assert self._link(world.corp_editor, kind) == url
        assert self._mailed_to("corp.editor@example.nl").endswith(f"\n\nhttp://testserver{url}")

    def test_comment_links_to_the_report(self, world, report):
        report = services.report_submit(actor=world.corp_editor, report=report)
        services.report_comment(actor=world.tenant_rep, report=report, text="Hoeveel in Zeewijk?")
        url = reverse("agreements:commitment", args=[report.commitment_id]) + "#jaar-2025"
        assert self._link(world.corp_editor, "report_comment") == url

    def test_dispute_links_to_the_commitment(self, world, sent):
        _agreement, (commitment,) = signed_agreement(world)
        sent(
            lambda: services.commitment_dispute(
                actor=world.tenant_rep, commitment=commitment, note="Te weinig"
            )
        )
        url = reverse("agreements:commitment", args=[commitment.pk])
        assert self._link(world.gemeente_reviewer, "commitment_disputed") == url
        assert self._mailed_to("gemeente.reviewer@example.nl").endswith(f"\n\nhttp://testserver{url}")
