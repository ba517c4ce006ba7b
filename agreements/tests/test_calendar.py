import datetime

from django.urls import reverse

from agreements.models import GemeenteCalendar
from agreements.services import deadlines_for
from organisations.models import Role
from tests import factories
from tests.matrix import AccessMatrix, Case

SIGNED_IN = {"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep", "partner_reader", "outsider"}

CALENDAR = {
    "bod_day": "15",
    "bod_month": "6",
    "signing_day": "1",
    "signing_month": "12",
    "monitoring_day": "1",
    "monitoring_month": "4",
    "review_day": "31",
    "review_month": "6",
    "reminder_days_ahead": "21",
    "version": "",
    "gemeente": "GM0453",
}


class TestCalendarPage(AccessMatrix):
    cases = [
        Case(
            "calendar", url=lambda w: reverse("agreements:calendar") + "?gemeente=GM0453", allowed=SIGNED_IN
        ),
        Case(
            "calendar save",
            method="post",
            url=lambda w: reverse("agreements:calendar"),
            data=CALENDAR,
            # Only the gemeente's own beheerders (none of the personas) and platform admins.
            visible=SIGNED_IN,
        ),
    ]


def test_defaults_until_the_gemeente_sets_its_own(client, world):
    client.force_login(world.gemeente_reviewer)
    page = client.get(reverse("agreements:calendar")).content.decode()  # opens on the own gemeente
    # By name (no boundaries in this world: the gemeente organisation's name).
    assert "Termijnen van Gemeente Velsen" in page
    assert "GM0453" not in page.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert "standaardtermijnen" in page
    assert "Termijnen vaststellen" not in page  # a bewerker reads, does not set


def test_gemeente_beheerder_sets_the_deadlines_and_reminders_follow(client, world):
    beheerder = factories.member(world.gemeente, role=Role.BEHEERDER)
    client.force_login(beheerder)
    assert "Termijnen vaststellen" in client.get(reverse("agreements:calendar")).content.decode()
    response = client.post(reverse("agreements:calendar"), CALENDAR)
    assert response.status_code == 302
    calendar = GemeenteCalendar.objects.get(gemeente_code="GM0453")
    assert (calendar.bod_month, calendar.bod_day, calendar.reminder_days_ahead) == (6, 15, 21)
    assert deadlines_for("GM0453").bod_due(2027) == datetime.date(2026, 6, 15)
    assert calendar.history.first().history_user == beheerder
    # A second save from the same (now stale) form is refused and changes nothing.
    stale = client.post(reverse("agreements:calendar"), {**CALENDAR, "bod_day": "20", "version": "0"})
    assert stale.status_code == 409
    body = stale.content.decode()
    assert "Iemand anders heeft dit intussen gewijzigd" in body
    # Beside the kept input: who saved last and the deadlines as they are now.
    assert "Opgeslagen door" in body and "De huidige gegevens" in body
    assert GemeenteCalendar.objects.get(gemeente_code="GM0453").bod_day == 15


def test_bad_input_gets_a_dutch_message_and_saves_nothing(client, world):
    client.force_login(factories.member(world.gemeente, role=Role.BEHEERDER))
    response = client.post(
        reverse("agreements:calendar"), {**CALENDAR, "bod_day": "32", "reminder_days_ahead": "x"}
    )
    assert response.status_code == 200
    assert not GemeenteCalendar.objects.exists()
    assert "utrecht-form-field-error-message" in response.content.decode()


def test_another_gemeentes_beheerder_may_not_set_these_deadlines(client, world):
    client.force_login(world.outsider)  # beheerder of Gemeente Haarlem
    assert client.post(reverse("agreements:calendar"), CALENDAR).status_code == 403
    assert not GemeenteCalendar.objects.exists()


def test_the_next_deadlines_are_all_still_to_come(client, world):
    from django.utils import timezone

    client.force_login(world.tenant_rep)
    response = client.get(reverse("agreements:calendar") + "?gemeente=GM0453")
    dates = [date for _label, date in response.context["due"]]
    assert len(dates) == 4
    assert dates == sorted(dates)
    assert all(timezone.localdate() <= date for date in dates)
    assert all((date - timezone.localdate()).days <= 366 for date in dates)
