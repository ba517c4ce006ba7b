"""Wijkgesprekken: who may read and record them, what the services accept, actions that
become interventions, and the area page as the wijk's shared table.

The world is the team of ``test_access``: the corporation is trekker, the gemeente and
the welzijn partner are partners, the tenants read along; so corp_editor, org_admin and
gemeente_reviewer record wijkgesprekken, tenant_rep and partner_reader read them and the
outsider sees nothing.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.exceptions import ConflictError
from core.models import Notification
from interventions import services
from interventions.models import Intervention, Wijkgesprek, WijkgesprekAction
from interventions.tests.helpers import build_intervention, build_team, haarlem, velsen
from tests.matrix import AccessMatrix, Case

TEAM = {"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep", "partner_reader"}
EDITORS = {"corp_editor", "org_admin", "gemeente_reviewer"}
READERS = TEAM - EDITORS
DUIDING = "De veerkracht van de Lagersbuurt daalt; achter de cijfers zien we vooral schulden."
ACTION = "Vroegsignalering van huurachterstanden"


def build(w):
    """The team, an intervention and a wijkgesprek with one action; once per class."""
    if "gesprek" in w.objects:
        return w
    areas = velsen()
    team = build_team(w, areas["wijk"])
    intervention = build_intervention(w, team)
    gesprek = services.wijkgesprek_create(
        actor=w.corp_editor,
        team=team,
        date=datetime.date(2025, 10, 1),
        year=2024,
        participants=[w.corporatie, w.gemeente],
        duiding=DUIDING,
        decisions="Urgentie blijft hoog.",
        actions=[ACTION],
    )
    w.objects.update(
        team=team,
        intervention=intervention,
        gesprek=gesprek,
        action=gesprek.actions.get(),
        wijk=areas["wijk"],
    )
    return w


def _url(name, *keys):
    return lambda w: reverse(name, args=[getattr(build(w), key).pk for key in keys])


def _form(w):
    build(w)
    return {
        "date": "2025-11-01",
        "year": "2024",
        "participants": [w.corporatie.pk, w.gemeente.pk],
        "duiding": "Tweede gesprek: de overlast neemt af.",
        "decisions": "",
        "actions": "Schouw met bewoners\nPlein opknappen",
    }


class TestGesprekPages(AccessMatrix):
    world_setup = staticmethod(build)
    cases = [
        # Pages of one team: the outsider gets 404 (contents are checked by the tests below).
        Case("list", url=_url("interventions:gesprekken", "team"), allowed=TEAM),
        Case("detail", url=_url("interventions:gesprek", "gesprek"), allowed=TEAM),
        Case(
            "export csv",
            url=lambda w: reverse("interventions:gesprek-export", args=[build(w).team.pk, "csv"]),
            allowed=TEAM,
        ),
        Case(
            "export xlsx",
            url=lambda w: reverse("interventions:gesprek-export", args=[build(w).team.pk, "xlsx"]),
            allowed=TEAM,
        ),
        Case(
            "create page", url=_url("interventions:gesprek-create", "team"), allowed=EDITORS, visible=READERS
        ),
        Case(
            "create",
            method="post",
            url=_url("interventions:gesprek-create", "team"),
            data=_form,
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "edit page", url=_url("interventions:gesprek-edit", "gesprek"), allowed=EDITORS, visible=READERS
        ),
        Case(
            "edit",
            method="post",
            url=_url("interventions:gesprek-edit", "gesprek"),
            data=lambda w: {**_form(w), "version": build(w).gesprek.version},
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "add action",
            method="post",
            url=_url("interventions:gesprek", "gesprek"),
            data={"text": "Bewonersavond organiseren"},
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "link action",
            method="post",
            url=_url("interventions:gesprek-action-link", "action"),
            data=lambda w: {f"actie-{build(w).action.pk}-intervention": w.intervention.pk},
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "remove action",
            method="post",
            url=_url("interventions:gesprek-action-remove", "action"),
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "delete page",
            url=_url("interventions:gesprek-delete", "gesprek"),
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "delete",
            method="post",
            url=_url("interventions:gesprek-delete", "gesprek"),
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "intervention from action page",
            url=lambda w: reverse("interventions:create") + f"?team={build(w).team.pk}&actie={w.action.pk}",
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "urgency from gesprek page",
            url=lambda w: (
                reverse("interventions:urgency", args=[build(w).team.pk]) + f"?wijkgesprek={w.gesprek.pk}"
            ),
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "wijk page shows the gesprek",
            url=lambda w: reverse("areas:detail", args=[build(w).wijk.year, "WK045301"]),
            allowed=TEAM,
            contains=DUIDING[:40],
        ),
    ]


class TestGesprekApi(AccessMatrix):
    world_setup = staticmethod(build)
    cases = [
        Case(
            "api list",
            api=True,
            url=lambda w: build(w) and reverse("wijkgesprek-list"),
            allowed=TEAM,
            contains=DUIDING[:40],
        ),
        Case("api detail", api=True, url=_url("wijkgesprek-detail", "gesprek"), allowed=TEAM),
        Case(
            "api create",
            api=True,
            method="post",
            url=lambda w: reverse("wijkgesprek-list"),
            data=lambda w: {
                "team": build(w).team.pk,
                "date": "2025-11-01",
                "year": 2024,
                "participants": [w.corporatie.slug],
                "duiding": "Via de API vastgelegd.",
                "action_texts": ["Schouw"],
            },
            allowed=EDITORS,
            visible=READERS,
            hidden_status=400,
        ),
        Case(
            "api change",
            api=True,
            method="patch",
            url=_url("wijkgesprek-detail", "gesprek"),
            data=lambda w: {"decisions": "Nieuw besluit.", "version": build(w).gesprek.version},
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "api add action",
            api=True,
            method="post",
            url=_url("wijkgesprek-add-action", "gesprek"),
            data=lambda w: {"text": "Bewonersavond", "intervention": build(w).intervention.pk},
            allowed=EDITORS,
            visible=READERS,
        ),
    ]


# --- services ------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(world):
    return build_team(world, velsen()["wijk"])


def _create(world, team, **overrides):
    data = {
        "actor": world.corp_editor,
        "team": team,
        "date": datetime.date(2025, 10, 1),
        "year": 2024,
        "participants": [world.corporatie, world.gemeente],
        "duiding": DUIDING,
        "decisions": "",
        "actions": [ACTION],
    }
    data.update(overrides)
    return services.wijkgesprek_create(**data)


def test_create_records_everything_and_notifies_the_team(world, team):
    gesprek = _create(world, team)
    assert [org.name for org in gesprek.participants.order_by("name")] == sorted(
        [world.corporatie.name, world.gemeente.name]
    )
    assert list(gesprek.actions.values_list("text", flat=True)) == [ACTION]
    assert gesprek.history.count() == 1 and gesprek.history.first().history_user == world.corp_editor
    notes = Notification.objects.filter(kind="wijkgesprek")
    recipients = set(notes.values_list("recipient__email", flat=True))
    assert world.corp_editor.email not in recipients  # never the actor
    assert world.tenant_rep.email in recipients and world.outsider.email not in recipients
    assert notes.first().url == reverse("interventions:gesprek", args=[gesprek.pk])


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"duiding": "   "}, "duiding"),
        ({"participants": []}, "participants"),
        ({"year": 1999}, "year"),
        ({"date": datetime.date.today() + datetime.timedelta(days=10)}, "date"),
        ({"actions": ["x" * 501]}, "actions"),
    ],
)
def test_create_refuses_bad_input_and_saves_nothing(world, team, overrides, field):
    with pytest.raises(ValidationError) as caught:
        _create(world, team, **overrides)
    assert field in caught.value.message_dict
    assert not Wijkgesprek.objects.exists()


def test_participants_must_be_in_the_team(world, team):
    with pytest.raises(ValidationError) as caught:
        _create(world, team, participants=[world.other_gemeente])
    assert "gebiedsteam" in caught.value.message_dict["participants"][0]


def test_readers_and_outsiders_may_not_record(world, team):
    for person in (world.tenant_rep, world.partner_reader, world.outsider):
        with pytest.raises(PermissionDenied):
            _create(world, team, actor=person)
    assert not Wijkgesprek.objects.exists()


def test_stale_update_is_refused_and_keeps_the_other_change(world, team):
    gesprek = _create(world, team)
    stale = gesprek.version
    services.wijkgesprek_update(actor=world.gemeente_reviewer, gesprek=gesprek, version=stale, decisions="A")
    with pytest.raises(ConflictError):
        services.wijkgesprek_update(actor=world.corp_editor, gesprek=gesprek, version=stale, decisions="B")
    gesprek.refresh_from_db()
    assert gesprek.decisions == "A" and gesprek.version == stale + 1


def test_an_unchanged_update_writes_no_version(world, team):
    gesprek = _create(world, team)
    same = services.wijkgesprek_update(
        actor=world.corp_editor, gesprek=gesprek, version=gesprek.version, duiding=DUIDING
    )
    assert same.version == gesprek.version and gesprek.history.count() == 1


def test_an_action_becomes_an_intervention_of_the_same_team(world, team):
    action = _create(world, team).actions.get()
    intervention = build_intervention(world, team, title=action.text, from_action=action)
    action.refresh_from_db()
    assert action.intervention == intervention


def test_an_action_cannot_point_to_another_teams_intervention(world, team):
    other_team = build_team(world, velsen()["other_wijk"], name="Gebiedsteam IJmuiden-Zuid")
    elsewhere = build_intervention(world, other_team)
    action = _create(world, team).actions.get()
    with pytest.raises(ValidationError):
        services.wijkgesprek_action_link(actor=world.corp_editor, action=action, intervention=elsewhere)
    with pytest.raises(ValidationError):
        build_intervention(world, other_team, title="Elders", from_action=action)
    assert not Intervention.objects.filter(title="Elders").exists()  # all or nothing
    action.refresh_from_db()
    assert action.intervention is None


def test_api_action_with_an_invisible_intervention_reads_as_unknown(world, team, client):
    """An intervention id the person may not see answers like one that does not exist."""
    haarlem_team = build_team(
        world,
        haarlem()["wijk"],
        name="Team Haarlem",
        members=[(world.other_gemeente, "trekker")],
        actor=world.platform_admin,
    )
    hidden = build_intervention(
        world,
        haarlem_team,
        actor=world.outsider,
        lead_organisation=world.other_gemeente,
        partner_organisations=[],
    )
    gesprek = _create(world, team)
    client.force_login(world.corp_editor)
    url = reverse("wijkgesprek-add-action", args=[gesprek.pk])
    answers = []
    for pk in (hidden.pk, 999999):
        response = client.post(url, {"text": "x", "intervention": pk}, content_type="application/json")
        assert response.status_code == 400
        answers.append(response.json()["intervention"][0].replace(str(pk), "…"))
    assert answers[0] == answers[1]
    assert not WijkgesprekAction.objects.filter(text="x").exists()


def test_urgency_form_starts_from_the_duiding(world, team, client):
    gesprek = _create(world, team)
    client.force_login(world.gemeente_reviewer)
    html = client.get(
        reverse("interventions:urgency", args=[team.pk]), {"wijkgesprek": gesprek.pk}
    ).content.decode()
    assert DUIDING in html and 'value="2024"' in html


def test_export_holds_the_actions_and_their_interventions(world, team, client):
    gesprek = _create(world, team)
    build_intervention(world, team, title="Huurachterstand eropaf", from_action=gesprek.actions.get())
    client.force_login(world.tenant_rep)
    body = client.get(reverse("interventions:gesprek-export", args=[team.pk, "csv"])).content.decode(
        "utf-8-sig"
    )
    assert f"{ACTION} → Huurachterstand eropaf" in body and DUIDING in body


# --- the wijk page ----------------------------------------------------------------------------


def test_wijk_page_of_a_later_vintage_shows_the_teams_work(world, team, client):
    """The team was formed on the 2022 wijk; the 2025 page of the same wijk shows its
    urgency, interventions and wijkgesprek."""
    later = velsen(2025)
    services.urgency_record(
        actor=world.gemeente_reviewer, team=team, year=2025, urgency="acuut", rationale="Overlast stijgt."
    )
    build_intervention(world, team, title="Buurtconciërge")
    _create(world, team)
    client.force_login(world.partner_reader)
    html = client.get(reverse("areas:detail", args=[2025, later["wijk"].code])).content.decode()
    assert "Urgentie en team" in html and "acuut" in html and "Overlast stijgt." in html
    assert "Buurtconciërge" in html and DUIDING in html
    assert "gevormd op de indeling 2022" in html
    # A reader sees the work but not the buttons to change it.
    assert reverse("interventions:gesprek-create", args=[team.pk]) not in html


def test_wijk_page_queries_do_not_grow_with_the_work(world, team, client, django_assert_max_num_queries):
    for n in range(3):
        build_intervention(world, team, title=f"Interventie {n}")
        _create(world, team, duiding=f"Gesprek {n}")
    client.force_login(world.corp_editor)
    url = reverse("areas:detail", args=[team.area.year, team.area.code])
    client.get(url)  # warm the caches (content types, catalogue)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(3, 30):
        build_intervention(world, team, title=f"Interventie {n}")
        _create(world, team, duiding=f"Gesprek {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert "Interventie 29" in html


def test_delete_keeps_the_interventions_and_the_history(world, team):
    gesprek = _create(world, team)
    intervention = build_intervention(world, team, title="Uit de actie", from_action=gesprek.actions.get())
    with pytest.raises(PermissionDenied):
        services.wijkgesprek_delete(actor=world.tenant_rep, gesprek=gesprek)
    services.wijkgesprek_delete(actor=world.gemeente_reviewer, gesprek=gesprek)
    assert not Wijkgesprek.objects.exists() and not WijkgesprekAction.objects.exists()
    assert Intervention.objects.filter(pk=intervention.pk).exists()
    deleted = Wijkgesprek.history.filter(id=gesprek.pk, history_type="-").get()
    assert deleted.history_user == world.gemeente_reviewer


def test_history_names_the_participants(world, team, client):
    gesprek = _create(world, team)
    services.wijkgesprek_update(
        actor=world.corp_editor, gesprek=gesprek, version=gesprek.version, participants=[world.corporatie]
    )
    client.force_login(world.tenant_rep)
    html = client.get(reverse("interventions:gesprek", args=[gesprek.pk])).content.decode()
    assert "Historical" not in html
    # Before the change both took part, after it only the corporation.
    history = html.split("Geschiedenis", 1)[1]
    assert f"<del>{world.gemeente.name}, {world.corporatie.name}</del>" in history or (
        f"<del>{world.corporatie.name}, {world.gemeente.name}</del>" in history
    )


@pytest.mark.parametrize(
    "url",
    [
        lambda team: reverse("interventions:gesprekken", args=[team.pk]),
        lambda team: reverse("wijkgesprek-list"),
        lambda team: reverse("interventions:gesprek-export", args=[team.pk, "csv"]),
    ],
    ids=["page", "api", "export"],
)
def test_gesprek_lists_keep_their_query_count(world, team, client, django_assert_max_num_queries, url):
    """Participants and actions come in a fixed number of queries, however many
    wijkgesprekken there are."""
    _create(world, team)
    client.force_login(world.tenant_rep)
    client.get(url(team))  # warm the caches (content types)
    with CaptureQueriesContext(connection) as few:
        client.get(url(team))
    for n in range(6):
        _create(world, team, duiding=f"Gesprek {n}", actions=[f"Actie {n}", f"Tweede actie {n}"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url(team))
    assert response.status_code == 200 and "Gesprek 5" in response.content.decode("utf-8-sig")


def test_an_action_becomes_an_intervention_once_and_only_for_a_team_worker(world, team):
    action = _create(world, team).actions.get()
    # The partner organisation's bewerker works in the team; a reader does not.
    with pytest.raises(PermissionDenied):
        build_intervention(world, team, actor=world.tenant_rep, title="Meelezer", from_action=action)
    first = build_intervention(world, team, title="Eerste", from_action=action)
    with pytest.raises(ValidationError):
        build_intervention(world, team, title="Tweede", from_action=action)
    action.refresh_from_db()
    assert action.intervention == first
    assert not Intervention.objects.filter(title__in=["Meelezer", "Tweede"]).exists()
