"""The "Afspraken in deze wijk" section on the page of a wijk, gebied or buurt: which
commitments name the area (its buurten, its wijk, across boundary years), who sees them,
their latest monitoring, their order, and a fixed number of queries however many there are.

The module's Velsen, built once:

| area (2022)                   | named by                                     |
| ----------------------------- | -------------------------------------------- |
| WK045301 IJmuiden-Noord       | 2.1 (Prestatieafspraken Velsen)              |
|   BU04530100 Lagersbuurt      | 1.1 (Prestatieafspraken Velsen)              |
|   BU04530101 Heidebuurt       | 9.1 (agreement without the welzijn partner)  |
| WK045302 IJmuiden-Zuid        | 3.1 (Prestatieafspraken Velsen)              |
| WK045303 Velsen-Zuid          | nothing                                      |

2025 has WK045301 again with only BU04530100, and a gebied GB0453001 made of that buurt.
Commitment 1.1 has an approved report for 2025 (op koers) and a draft for 2026 (risico).
"""

import copy
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements import selectors, services
from agreements.models import Agreement, Commitment, MonitoringReport, Theme
from agreements.tests.test_services import add_commitment, make_agreement, sign_all, to_negotiation
from areas.models import AreaKind
from areas.tests.helpers import make_area, make_gebied
from tests.db import rolled_back

HEADING = "Afspraken in deze wijk"


def build_velsen(world):
    gemeente = make_area(year=2022, kind=AreaKind.GEMEENTE, code="GM0453", name="Velsen")
    noord = make_area(year=2022, kind=AreaKind.WIJK, code="WK045301", name="IJmuiden-Noord", parent=gemeente)
    lagersbuurt = make_area(
        year=2022, kind=AreaKind.BUURT, code="BU04530100", name="Lagersbuurt", parent=noord
    )
    heidebuurt = make_area(year=2022, kind=AreaKind.BUURT, code="BU04530101", name="Heidebuurt", parent=noord)
    zuid = make_area(year=2022, kind=AreaKind.WIJK, code="WK045302", name="IJmuiden-Zuid", parent=gemeente)
    make_area(year=2022, kind=AreaKind.BUURT, code="BU04530200", name="Vogelbuurt", parent=zuid)
    make_area(year=2022, kind=AreaKind.WIJK, code="WK045303", name="Velsen-Zuid", parent=gemeente)
    gemeente_2025 = make_area(year=2025, kind=AreaKind.GEMEENTE, code="GM0453", name="Velsen")
    noord_2025 = make_area(
        year=2025, kind=AreaKind.WIJK, code="WK045301", name="Wijk 01 IJmuiden-Noord", parent=gemeente_2025
    )
    lagersbuurt_2025 = make_area(
        year=2025, kind=AreaKind.BUURT, code="BU04530100", name="Lagersbuurt", parent=noord_2025
    )
    make_gebied(
        year=2025,
        code="GB0453001",
        name="Havengebied",
        organisation=world.gemeente,
        buurten=[lagersbuurt_2025],
    )

    agreement = make_agreement(world)
    on_buurt = add_commitment(
        world,
        agreement,
        number="1.1",
        text="Honderd sociale huurwoningen in de Lagersbuurt",
        target_value=Decimal("100"),
        areas=[lagersbuurt],
    )
    on_wijk = add_commitment(
        world,
        agreement,
        number="2.1",
        theme=Theme.LEEFBAARHEID,
        text="Een buurtbeheerder in IJmuiden-Noord",
        target_value=None,
        target_unit="",
        target_year=None,
        areas=[noord],
    )
    on_zuid = add_commitment(world, agreement, number="3.1", text="Groen in IJmuiden-Zuid", areas=[zuid])
    to_negotiation(world, agreement)
    sign_all(world, agreement)
    approved = services.report_save_draft(
        actor=world.corp_editor,
        commitment=on_buurt,
        year=2025,
        progress="op_koers",
        realised_value=Decimal(30),
    )
    approved = services.report_submit(actor=world.corp_editor, report=approved, version=approved.version)
    services.report_approve(actor=world.gemeente_reviewer, report=approved)
    services.report_save_draft(
        actor=world.corp_editor, commitment=on_buurt, year=2026, progress="risico", realised_value=Decimal(45)
    )

    # The welzijn partner is no party here: its people do not see this commitment.
    private = make_agreement(world, with_partner=False, title="Afspraken zonder welzijnspartner")
    on_heidebuurt = add_commitment(
        world, private, number="9.1", text="Sloop en nieuwbouw in de Heidebuurt", areas=[heidebuurt]
    )
    world.objects.update(
        agreement=agreement,
        private=private,
        on_buurt=on_buurt,
        on_wijk=on_wijk,
        on_zuid=on_zuid,
        on_heidebuurt=on_heidebuurt,
        noord=noord,
        lagersbuurt=lagersbuurt,
        velsen_zuid_code="WK045303",
    )
    return world


@pytest.fixture(scope="module")
def shared_velsen(shared_world, django_db_blocker):
    with rolled_back(django_db_blocker):
        world = copy.deepcopy(shared_world)
        build_velsen(world)
        yield world


@pytest.fixture
def w(shared_velsen, db):
    return copy.deepcopy(shared_velsen)


def _page(client, user, year, code):
    client.force_login(user)
    response = client.get(reverse("areas:detail", args=[year, code]))
    assert response.status_code == 200
    return response.content.decode()


def _section(html):
    """The section's HTML, or None when the page has none."""
    if 'aria-labelledby="afspraken-titel"' not in html:
        return None
    return html.split('aria-labelledby="afspraken-titel"', 1)[1].split("</section>", 1)[0]


def _row(section, text):
    rows = [row for row in section.split("<tr")[2:] if text in row]
    assert len(rows) == 1, text
    return rows[0]


def _rows(section):
    return len(section.split("<tr")) - 2  # minus the text before the table and the header


class TestWhatAPageShows:
    def test_wijk_shows_commitments_on_itself_and_its_buurten(self, client, w):
        section = _section(_page(client, w.tenant_rep, 2022, "WK045301"))

        assert HEADING in section
        assert _rows(section) == 3  # 1.1 (Lagersbuurt), 2.1 (the wijk), 9.1 (Heidebuurt)
        row = _row(section, "Honderd sociale huurwoningen in de Lagersbuurt")
        assert reverse("agreements:commitment", args=[w.on_buurt.pk]) in row
        assert reverse("agreements:detail", args=[w.agreement.pk]) in row
        assert "Prestatieafspraken Velsen 2025–2028" in row
        assert "Woningcorporatie Velserduin" in row
        assert "beschikbaarheid en nieuwbouw" in row
        assert "100 sociale huurwoningen in 2027" in row
        assert "Noemt Lagersbuurt" in row
        assert "kwalitatief" in _row(section, "Een buurtbeheerder in IJmuiden-Noord")
        assert "Groen in IJmuiden-Zuid" not in section

    def test_same_code_of_another_boundary_year(self, client, w):
        section = _section(_page(client, w.tenant_rep, 2025, "WK045301"))

        # Named with the areas of 2022; 9.1's Heidebuurt is no buurt of the wijk in 2025.
        assert _rows(section) == 2
        assert "Noemt Lagersbuurt (indeling 2022)" in _row(section, "Honderd sociale huurwoningen")
        assert "Noemt IJmuiden-Noord (indeling 2022)" in _row(section, "Een buurtbeheerder")
        assert "Sloop en nieuwbouw" not in section

    def test_buurt_shows_commitments_on_its_wijk(self, client, w):
        section = _section(_page(client, w.corp_editor, 2022, "BU04530101"))

        assert "Afspraken in deze buurt" in section
        assert _rows(section) == 2
        assert "Een buurtbeheerder in IJmuiden-Noord" in section
        assert "Sloop en nieuwbouw in de Heidebuurt" in section
        assert "Lagersbuurt" not in section

    def test_gebied_shows_commitments_on_its_buurten(self, client, w):
        section = _section(_page(client, w.gemeente_reviewer, 2025, "GB0453001"))

        assert "Afspraken in dit gebied" in section
        assert _rows(section) == 1
        assert "Honderd sociale huurwoningen in de Lagersbuurt" in section

    def test_latest_monitoring(self, client, w):
        section = _section(_page(client, w.partner_reader, 2022, "WK045301"))

        row = _row(section, "Honderd sociale huurwoningen")
        status = row.split('class="utrecht-table__cell"')[-1]
        assert f'{reverse("agreements:commitment", args=[w.on_buurt.pk])}#jaar-2026">2026</a>' in status
        assert "utrecht-status-badge--warning" in status and ">risico<" in status
        assert "utrecht-status-badge--neutral" in status and ">concept<" in status
        assert ">2025<" not in status and "goedgekeurd" not in status
        assert "Nog niet gerapporteerd." in _row(section, "Een buurtbeheerder")

    def test_nothing_named_yet(self, client, w):
        section = _section(_page(client, w.corp_editor, 2022, w.velsen_zuid_code))

        assert HEADING in section
        assert "Nog geen afspraak noemt deze wijk." in section
        assert "<table" not in section


class TestWhoSeesWhat:
    def test_only_agreements_the_person_is_party_to(self, client, w):
        section = _section(_page(client, w.partner_reader, 2022, "WK045301"))

        assert "Honderd sociale huurwoningen" in section
        assert "Sloop en nieuwbouw in de Heidebuurt" not in section
        assert "Afspraken zonder welzijnspartner" not in section

    def test_no_section_without_agreements_in_the_gemeente(self, client, w):
        html = _page(client, w.outsider, 2022, "WK045301")

        assert _section(html) is None
        assert HEADING not in html
        assert "Honderd sociale huurwoningen" not in html

    def test_proposals_in_a_bod_are_no_agreed_commitments(self, w):
        bod = services.bod_create(
            actor=w.corp_editor,
            corporation=w.corporatie,
            gemeente_code="GM0453",
            year=2027,
            recipients=[w.gemeente, w.huurders],
        )
        services.commitment_create(
            actor=w.corp_editor,
            bod=bod,
            theme=Theme.KWALITEIT,
            text="Voorstel: isoleren in de Lagersbuurt",
            responsible=w.corporatie,
            areas=[w.lagersbuurt],
        )

        found = selectors.area_commitments(user=w.corp_editor, area=w.noord)

        assert "Voorstel: isoleren in de Lagersbuurt" not in [c.text for c in found.commitments]
        assert found.total == 3


class TestOrderAndSize:
    def test_running_agreements_first_then_newest(self, w):
        year = timezone.localdate().year
        wijk = make_area(
            year=2022, kind=AreaKind.WIJK, code="WK045304", name="Driehuis", parent=w.noord.parent
        )
        made = {}
        for key, first, last in [
            ("old", year - 5, year - 1),
            ("finished", year, year + 3),
            ("running_old", year - 1, year + 2),
            ("running_new", year, year + 3),
        ]:
            agreement = services.agreement_create(
                actor=w.org_admin,
                title=f"Afspraken {key}",
                gemeente_code="GM0453",
                start_year=first,
                end_year=last,
                parties=[(w.gemeente, "gemeente"), (w.corporatie, "corporatie"), (w.huurders, "huurders")],
            )
            add_commitment(
                w, agreement, text=key, target_value=None, target_unit="", target_year=None, areas=[wijk]
            )
            made[key] = agreement
        # Finished early: the status alone makes it no longer running.
        Agreement.objects.filter(pk=made["finished"].pk).update(status=Agreement.Status.AFGEROND)

        found = selectors.area_commitments(user=w.corp_editor, area=wijk)

        assert [c.text for c in found.commitments] == ["running_new", "running_old", "finished", "old"]

    def test_at_most_the_limit_with_the_count_of_the_rest(self, w):
        found = selectors.area_commitments(user=w.corp_editor, area=w.noord, limit=2)

        # 1.1, 2.1 and 9.1 name the wijk or its buurten: 3 - 2 shown = 1 more.
        assert len(found.commitments) == 2
        assert (found.total, found.more) == (3, 1)

    def test_selector_queries(self, w, django_assert_num_queries):
        with django_assert_num_queries(3):  # the rows with their total, latest reports, named areas
            found = selectors.area_commitments(user=w.corp_editor, area=w.noord)
            seen = [
                (c.agreement.title, c.responsible.name, c.latest_report, [a.name for a in c.named_areas])
                for c in found.commitments
            ]
        assert len(seen) == 3
        with django_assert_num_queries(2):  # no rows, then: any agreement of the gemeente?
            selectors.area_commitments(user=w.outsider, area=w.noord)

    def test_page_queries_do_not_grow_with_commitments(self, client, w, django_assert_max_num_queries):
        client.force_login(w.corp_editor)
        url = reverse("areas:detail", args=[2022, "WK045301"])
        client.get(url)  # caches warm, as on a running site
        with CaptureQueriesContext(connection) as few:
            response = client.get(url)
        assert _rows(_section(response.content.decode())) == 3
        grow(w, w.agreement, w.lagersbuurt, 30)

        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(url)

        section = _section(response.content.decode())
        # 3 + 30 = 33 commitments name the wijk or its buurten; 25 shown, 33 - 25 = 8 more.
        assert _rows(section) == 25
        assert "En nog 8 afspraken." in section


def grow(world, agreement, area, commitments):
    """Many commitments naming ``area``, each with two reports, written in bulk (volume,
    not workflow, is tested)."""
    made = Commitment.objects.bulk_create(
        [
            Commitment(
                agreement=agreement,
                theme=Theme.KWALITEIT,
                number=f"5.{i}",
                text=f"Verduurzaming blok {i}",
                responsible=world.corporatie,
            )
            for i in range(commitments)
        ]
    )
    Commitment.areas.through.objects.bulk_create(
        [Commitment.areas.through(commitment=c, area=area) for c in made]
    )
    MonitoringReport.objects.bulk_create(
        [
            MonitoringReport(commitment=c, year=year, progress="op_koers", state="ingediend")
            for c in made
            for year in (2025, 2026)
        ]
    )
    return made
