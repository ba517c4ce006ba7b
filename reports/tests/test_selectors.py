"""The year report of the small Velsen of ``reports.tests.helpers``, section by section,
against counts worked out by hand from the data in that module's docstring."""

import copy
import datetime
from dataclasses import asdict
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from agreements.models import Commitment
from areas.models import Area, AreaKind
from areas.selectors import map_data_changed
from interventions import services
from interventions.evaluation import intervention_evaluation_shared
from interventions.models import Intervention
from interventions.tests.helpers import haarlem
from reports import selectors
from reports.tests.helpers import AEDES_MODEL, AEDES_SOURCE, GEBIED_CODE, ZUID_TITLE, build_report_world
from scores import versions
from scores.models import Score
from tests.db import rolled_back


@pytest.fixture(scope="module")
def shared_report(shared_world, django_db_blocker):
    with rolled_back(django_db_blocker):
        world = copy.deepcopy(shared_world)
        build_report_world(world)
        yield world


@pytest.fixture
def w(shared_report, db):
    return copy.deepcopy(shared_report)


def report_for(user, code="GM0453", year=2025, compare=None):
    area = selectors.report_area(user=user, code=code, year=year)
    return selectors.year_report(user=user, area=area, year=year, compare=compare)


def names(rows):
    return [row.name for row in rows]


class TestScores:
    def test_models_years_and_moves(self, w):
        report = report_for(w.gemeente_reviewer)
        models = {m.key: m for m in report.scores.models}
        # Models the reader sees that have scores in the gemeente up to 2025, by name:
        # Testindex, Testsignalen, Veerkracht Velserduin (shared with the gemeente).
        assert [m.key for m in report.scores.models] == ["test-index", "test-signal", "test-aedes"]

        index = models["test-index"]
        assert (index.year, index.compare_year, index.measured_in_report_year) == (2025, 2024, True)
        assert names(index.buurten) == ["Heidebuurt", "Lagersbuurt", "Tussenbeeksbuurt", "Vogelbuurt"]
        # Lagersbuurt 1 -> 2 and Vogelbuurt 3 -> 4 up; Heidebuurt 3 -> 2 down.
        assert names(index.moved_up) == ["Lagersbuurt", "Vogelbuurt"]
        assert names(index.moved_down) == ["Heidebuurt"]
        heide = index.buurten[0]
        assert heide.boundary_changed is True
        assert (heide.previous_class, heide.score_class, heide.class_change) == (3, 2, -1)
        assert heide.change == pytest.approx(-0.2)  # -0.1 - 0.1
        assert heide.previous_value == pytest.approx(0.1)  # -0.1 - (-0.2)
        # The gemeente itself: 0.15 (class 3) against 0.0 (class 3).
        assert index.area.code == "GM0453"
        assert (index.area.score_class, index.area.previous_class) == (3, 3)
        assert index.area.change == pytest.approx(0.15)

    def test_maps_carry_what_the_exports_draw(self, w):
        index = report_for(w.gemeente_reviewer).scores.models[0]
        assert [layer.kind for layer in index.maps] == ["year", "compare", "change"]
        year, compare, change = index.maps
        years_2025 = set(Area.objects.filter(year=2025, kind=AreaKind.BUURT).values_list("pk", flat=True))
        years_2024 = set(Area.objects.filter(year=2024, kind=AreaKind.BUURT).values_list("pk", flat=True))
        assert {a.area_id for a in year.areas} <= years_2025 and len(year.areas) == 4
        assert {a.area_id for a in compare.areas} <= years_2024 and len(compare.areas) == 4
        assert {a.code: a.score_class for a in compare.areas} == {
            "BU04530100": 1,
            "BU04530101": 3,
            "BU04530200": 3,
            "BU04530201": 3,
        }
        # Classes 2, 2, 3, 4 in 2025: two buurten in class 2.
        assert {item.value: item.count for item in year.legend} == {1: 0, 2: 2, 3: 1, 4: 1}
        # Changes +0.4, -0.2, 0, +0.4; largest 0.4: stable within 0.04, strong beyond 0.24.
        # Strong rise (5): Lagersbuurt, Vogelbuurt; fall (2): Heidebuurt; same (3): Tussenbeek.
        assert {a.code: a.score_class for a in change.areas} == {
            "BU04530100": 5,
            "BU04530101": 2,
            "BU04530200": 3,
            "BU04530201": 5,
        }
        assert all(layer.text_alternative for layer in index.maps)

    def test_new_signals_both_rising_first(self, w):
        signal = report_for(w.gemeente_reviewer).scores.models[1]
        # Vogelbuurt 6 -> 9 (beide stijgen) and Lagersbuurt 5 -> 3 are new; Heidebuurt (7)
        # and Tussenbeeksbuurt (9) stayed.
        assert names(signal.new_signals) == ["Vogelbuurt", "Lagersbuurt"]
        assert [r.new_both_rising for r in signal.new_signals] == [True, False]
        assert signal.moved_up == [] and signal.moved_down == []
        assert [layer.kind for layer in signal.maps] == ["year", "compare"]

    def test_model_not_measured_in_the_year_shows_its_latest(self, w):
        aedes = report_for(w.gemeente_reviewer).scores.models[2]
        assert (aedes.year, aedes.measured_in_report_year, aedes.compare_year) == (2023, False, None)
        assert len(aedes.buurten) == 4

    def test_compare_with_another_year_follows_the_lineage(self, w):
        report = report_for(w.gemeente_reviewer, compare=2023)
        index, signal, aedes = report.scores.models
        assert index.compare_year == 2023
        # Against 2023: Lagersbuurt 1 -> 2, Vogelbuurt 3 -> 4 up; Heidebuurt 3 -> 2 and
        # Tussenbeeksbuurt 4 -> 3 down.
        assert names(index.moved_up) == ["Lagersbuurt", "Vogelbuurt"]
        assert names(index.moved_down) == ["Heidebuurt", "Tussenbeeksbuurt"]
        tussenbeek = index.buurten[2]
        assert tussenbeek.change == pytest.approx(-0.3)  # 0.3 - 0.6
        # No measurement of the signal or Aedes up to 2023 before their own year.
        assert signal.compare_year is None and aedes.compare_year is None


class TestUrgency:
    def test_urgency_beside_the_numbers_and_mismatches(self, w):
        section = report_for(w.gemeente_reviewer).urgency
        assert section.model_name == "Testindex"
        rows = {row.area_code: row for row in section.rows}
        assert set(rows) == {"WK045301", "WK045302"}  # the gebied's team set no urgency
        noord, zuid = rows["WK045301"], rows["WK045302"]
        # Noord: +0.1 and Zuid +0.2, both above the stable band of 0.04: improving.
        assert (noord.urgency, noord.direction, noord.new_strong_signals) == ("acuut", 1, 0)
        assert noord.mismatch == selectors.MISMATCH_ACUUT
        # Zuid: "laag" while Vogelbuurt is new in "beide stijgen".
        assert (zuid.urgency, zuid.direction, zuid.new_strong_signals) == ("laag", 1, 1)
        assert zuid.mismatch == selectors.MISMATCH_LAAG
        assert len(section.mismatches) == 2


class TestInterventions:
    def test_stands_groups_and_budget(self, w):
        section = report_for(w.gemeente_reviewer).interventions
        # Achter de voordeur and the cameras started in 2025, the Buurtkamer ran on from
        # 2024, the Portiekschouw finished and the Zomerschool stopped in 2025, the Plein
        # is an idea of 2025; the Oude aanpak ended in 2024 and is not counted.
        assert section.totals == {"gestart": 2, "lopend": 1, "afgerond": 1, "gestopt": 1, "gepland": 1}
        assert "Oude aanpak" not in [item.title for item in section.items]
        assert section.budget == Decimal("65000")  # 10.000 + 5.000 + 20.000 + 30.000
        groups = {(g.area_code, g.theme): g for g in section.groups}
        assert len(groups) == 4
        social = groups[("WK045301", "sociale_cohesie")]
        assert (social.counts["lopend"], social.counts["gestopt"]) == (1, 1)
        # Only the Buurtkamer has a percentage by the end of 2025: 60 (90 came in 2026).
        assert social.progress == 60
        assert groups[("WK045302", "veiligheid")].counts["gestart"] == 1
        assert [e.title for e in section.evaluations] == ["Portiekschouw"]

    def test_the_evaluation_is_the_one_the_intervention_page_keeps(self, w, django_assert_max_num_queries):
        (summary,) = report_for(w.gemeente_reviewer).interventions.evaluations
        intervention = Intervention.objects.get(pk=summary.intervention_id)
        # Kept by the report, read by the page: the models, the areas and the gemeente's
        # latest change, not the dozen queries of working it out.
        with django_assert_max_num_queries(3):
            evaluation = intervention_evaluation_shared(user=w.gemeente_reviewer, intervention=intervention)
        assert evaluation.difference == pytest.approx(summary.difference) == pytest.approx(-0.1)

    def test_the_evaluation_message_is_in_the_readers_language(self, w):
        # Without a start date there is nothing to compare: the message says what to do.
        Intervention.objects.filter(title="Portiekschouw").update(start_date=None, version=F("version") + 1)
        with translation.override("en"):
            (english,) = report_for(w.gemeente_reviewer).interventions.evaluations
        (dutch,) = report_for(w.gemeente_reviewer).interventions.evaluations
        assert "start date" in english.message
        assert "begindatum" in dutch.message

    def test_wijk_report_has_the_wijk_only(self, w):
        section = report_for(w.gemeente_reviewer, code="WK045301").interventions
        assert section.totals == {"gestart": 1, "lopend": 1, "afgerond": 1, "gestopt": 1, "gepland": 1}


class TestAgreements:
    def test_commitments_per_theme_and_unit(self, w):
        section = report_for(w.gemeente_reviewer).agreements
        assert len(section.agreements) == 1
        themes = {t.theme: t for t in section.themes}
        assert list(themes) == ["beschikbaarheid", "betaalbaarheid", "leefbaarheid"]
        beschikbaarheid = themes["beschikbaarheid"]
        assert beschikbaarheid.commitments == 2
        assert beschikbaarheid.stands == {
            "op_koers": 1,
            "risico": 1,
            "achter": 0,
            "gerealiseerd": 0,
            "niet_gerapporteerd": 0,
        }
        # "woningen" and "Woningen " are one unit: target of 2025 only (100), realised
        # 40 + 10 = 50 (submitted and approved), approved 40.
        (unit,) = beschikbaarheid.units
        assert (unit.unit, unit.commitments, unit.target, unit.realised, unit.approved) == (
            "Woningen",
            2,
            Decimal("100"),
            Decimal("50"),
            Decimal("40"),
        )
        # 4.1's report is a draft: not reported, nothing realised.
        leefbaarheid = themes["leefbaarheid"]
        assert leefbaarheid.stands["niet_gerapporteerd"] == 1
        assert (leefbaarheid.units[0].target, leefbaarheid.units[0].realised) == (Decimal("5000"), None)
        assert [c.number for c in section.disputed] == ["2.1"]
        assert section.disputed[0].disputed_by == "Huurdersvereniging Velsen"
        assert [r.number for r in section.awaiting_review] == ["1.2"]
        assert [(b.year, b.status) for b in section.boden] == [(2026, "ingediend")]

    def test_gebied_report_has_the_commitments_that_name_its_buurten(self, w):
        section = report_for(w.gemeente_reviewer, code=GEBIED_CODE).agreements
        # 1.1 names Lagersbuurt (2024), 1.2 Tussenbeeksbuurt: both buurten of the gebied.
        assert [(t.theme, t.commitments) for t in section.themes] == [("beschikbaarheid", 2)]


class TestCooperation:
    def test_gesprekken_updates_and_quiet_teams(self, w):
        section = report_for(w.gemeente_reviewer).cooperation
        teams = {team.area_code: team for team in section.teams}
        assert len(teams) == 3
        noord = teams["WK045301"]
        assert [g.date for g in noord.gesprekken] == [datetime.date(2025, 10, 1)]  # not the one of 2024
        assert noord.gesprekken[0].participants == ["Gemeente Velsen", "Woningcorporatie Velserduin"]
        assert noord.gesprekken[0].duiding == "Duiding van 2025-10-01."
        # Updates dated 2025 (status changes count): Achter de voordeur 3, Buurtkamer 1,
        # Portiekschouw 1, Zomerschool 2 = 7; the cameras in Zuid 2.
        assert noord.updates == 7
        assert teams["WK045302"].updates == 2
        assert section.quiet_teams == ["Gebiedsteam Lagers en Tussenbeek"]
        # Per lead organisation: corporation 3 + 2, gemeente 1 + 2, welzijn 1.
        assert [(o.organisation, o.updates, o.interventions) for o in section.organisations] == [
            ("Woningcorporatie Velserduin", 5, 2),
            ("Gemeente Velsen", 3, 2),
            ("Stichting Welzijn IJmond", 1, 1),
        ]


class TestSources:
    def test_sources_with_year_and_import_date(self, w):
        section = report_for(w.gemeente_reviewer).sources
        found = [(s.name, s.year, s.imported_at is not None) for s in section.sources]
        cbs = found[0][0]
        assert found == [(cbs, 2025, True), (cbs, 2024, True), (AEDES_SOURCE, 2023, False)]


class TestHiddenParts:
    def test_reader_who_sees_everything(self, w):
        assert report_for(w.gemeente_reviewer).parts_hidden is False

    def test_reader_without_the_licence(self, w):
        report = report_for(w.tenant_rep)
        assert report.parts_hidden is True
        assert [m.key for m in report.scores.models] == ["test-index", "test-signal"]
        assert [s.year for s in report.sources.sources] == [2025, 2024]
        text = repr(selectors.report_as_dict(report))
        assert AEDES_MODEL not in text and AEDES_SOURCE not in text

    def test_reader_outside_a_team(self, w):
        # The tenants read along in Noord only: Zuid's cameras and team are left out.
        report = report_for(w.tenant_rep)
        assert report.interventions.totals["gestart"] == 1
        assert ZUID_TITLE not in [item.title for item in report.interventions.items]
        assert [team.area_code for team in report.cooperation.teams] == ["WK045301"]

    def test_reader_who_is_no_party(self, w):
        report = report_for(w.partner_reader)
        assert report.parts_hidden is True
        assert report.agreements.themes == [] and report.agreements.agreements == []


class TestEmptyYear:
    def test_area_and_year_without_data_have_every_section_empty(self, w):
        haarlem(year=2025)
        report = report_for(w.gemeente_reviewer, code="GM0392")
        assert [section.is_empty for section in report.sections] == [True] * 6
        assert all(section.empty_text for section in report.sections)
        assert report.parts_hidden is False

    def test_earlier_year(self, w):
        report = report_for(w.gemeente_reviewer, year=2023)
        # No urgency for 2023 and no agreement running then; the Oude aanpak started in 2023.
        assert report.urgency.is_empty and report.agreements.is_empty
        assert report.interventions.totals["gestart"] == 1
        assert [m.year for m in report.scores.models] == [2023, 2023]  # index and Aedes

    def test_unknown_code_and_year(self, w):
        with pytest.raises(selectors.ReportNotFound, match="XX0000"):
            selectors.report_area(user=w.gemeente_reviewer, code="XX0000", year=2025)
        with pytest.raises(selectors.ReportNotFound, match="2019"):
            selectors.report_area(user=w.gemeente_reviewer, code="GM0453", year=2019)


def lagersbuurt(report, key="test-index"):
    model = next(m for m in report.scores.models if m.key == key)
    return next(r for r in model.buurten if r.code == "BU04530100")


@pytest.fixture
def made(monkeypatch):
    """The keys of the models whose part was worked out (not read from the cache), per
    report, in order."""
    calls = []
    original = selectors._model_parts

    def recording(**kwargs):
        calls.append(sorted(m.key for m in kwargs["models"]))
        return original(**kwargs)

    monkeypatch.setattr(selectors, "_model_parts", recording)
    return calls


ALL = ["test-aedes", "test-index", "test-signal"]
OPEN = ["test-index", "test-signal"]


class TestScoreParts:
    """Each score model's part of the report is kept in the cache: the same part serves
    every reader who may see the model, a new import or recomputation (the scores' data
    version) or a boundary change (the boundary year's version) makes a new one at once,
    and a reader who may not see a model never gets its part."""

    @pytest.fixture(autouse=True)
    def _new_data_version(self):
        # A data version of this test's own: one kept in process memory from an earlier
        # test would change under the test when it runs out.
        versions.data_changed()

    def test_the_second_report_reads_the_parts_from_the_cache(self, w, made):
        with CaptureQueriesContext(connection) as first:
            cold = report_for(w.gemeente_reviewer)
        with CaptureQueriesContext(connection) as second:
            warm = report_for(w.gemeente_reviewer)
        # The index, the signal typology and the corporation's licensed model, worked out
        # once; the second report reads them.
        assert made == [ALL]
        # The areas in scope, the gebied team's members and the scores are not read again.
        assert len(second) < len(first)
        assert not [q for q in second.captured_queries if '"scores_score"."value"' in q["sql"]]
        assert asdict(warm) | {"generated_at": None} == asdict(cold) | {"generated_at": None}

    def test_a_recomputation_makes_a_new_part(self, w, made):
        assert lagersbuurt(report_for(w.gemeente_reviewer)).value == pytest.approx(-0.2)
        # As the compute service stores new scores: the rows, then a new data version.
        Score.objects.filter(model=w.index, area__code="BU04530100", year=2025).update(value=F("value") + 1)
        versions.data_changed()
        assert lagersbuurt(report_for(w.gemeente_reviewer)).value == pytest.approx(0.8)  # -0.2 + 1
        assert made == [ALL, ALL]

    def test_a_boundary_change_makes_a_new_part(self, w, made):
        assert lagersbuurt(report_for(w.gemeente_reviewer)).name == "Lagersbuurt"
        # As a boundary import writes a changed area, and then says the year's maps changed.
        Area.objects.filter(year=2025, code="BU04530100").update(
            name="Lagersbuurt-Oost", updated_at=timezone.now()
        )
        map_data_changed(2025)
        assert lagersbuurt(report_for(w.gemeente_reviewer)).name == "Lagersbuurt-Oost"
        # Every part leans on the report area's boundary year (a gebied's members).
        assert made == [ALL, ALL]

    def test_a_part_is_kept_per_language(self, w, made):
        report_for(w.gemeente_reviewer)
        with translation.override("en"):
            report_for(w.gemeente_reviewer)
        report_for(w.gemeente_reviewer)
        assert made == [ALL, ALL]

    def test_a_reader_without_the_licence_never_gets_its_part(self, w, made):
        # The gemeente may see the corporation's licensed model: its part is in the cache.
        assert AEDES_MODEL in [m.name for m in report_for(w.gemeente_reviewer).scores.models]
        # The tenants may not: they read the open models only (worked out again, as they
        # see one team, see below) and nothing of the licensed model.
        report = report_for(w.tenant_rep)
        assert made == [ALL, OPEN]
        assert [m.key for m in report.scores.models] == OPEN
        assert AEDES_MODEL not in repr(asdict(report))
        assert report.parts_hidden is True

    def test_readers_who_see_the_same_teams_share_the_parts(self, w, made):
        # The urgency rows lean on the team areas in scope: a reader who sees fewer teams has
        # parts of their own, with the same scores; readers who see the same share them.
        full = report_for(w.gemeente_reviewer)
        tenants = report_for(w.tenant_rep)
        report_for(w.tenant_rep)
        assert made == [ALL, OPEN]
        assert lagersbuurt(tenants) == lagersbuurt(full)
        assert [row.area_code for row in tenants.urgency.rows] == ["WK045301"]

    def test_the_page_keeps_the_html_of_a_part_with_it(self, client, w):
        # The gemeente's own index value is on the page: 0.15 (the module docstring).
        client.force_login(w.gemeente_reviewer)
        url = reverse("reports:report", args=["GM0453", 2025])
        assert "(0,150)" in client.get(url).content.decode()
        Score.objects.filter(model=w.index, area__code="GM0453", year=2025).update(value=1.15)
        versions.data_changed()
        html = client.get(url).content.decode()
        assert "(1,150)" in html and AEDES_MODEL in html
        # The tenants get the open models' HTML only.
        client.force_login(w.tenant_rep)
        html = client.get(url).content.decode()
        assert "(1,150)" in html and AEDES_MODEL not in html


def _grow(w, n):
    """``n`` more buurten in each year, ``n`` more interventions (some finished in 2025)
    and ``n`` more commitments."""
    from scores.models import ScoreModel

    index = ScoreModel.objects.get(key="test-index")
    for year in (2024, 2025):
        wijk = Area.objects.get(year=year, code="WK045301")
        for i in range(n):
            buurt = Area.objects.create(
                year=year,
                code=f"BU045301{50 + i}",
                name=f"Nieuwbouw {i}",
                kind=AreaKind.BUURT,
                parent=wijk,
                gemeente_code="GM0453",
            )
            Score.objects.create(model=index, area=buurt, year=year, value=0.1 * i, score_class=1 + i % 4)
        # As the boundary import and the score computation say after their writes.
        map_data_changed(year)
    versions.data_changed()
    for i in range(n):
        item = services.intervention_create(
            actor=w.gemeente_reviewer,
            team=w.noord,
            title=f"Extra {i}",
            description="",
            theme="leefbaarheid",
            areas=[w.noord.area],
            lead_organisation=w.gemeente,
            start_date=datetime.date(2025, 2, 1),
            budget=Decimal("100"),
        )
        for status, day in (("gepland", "2025-01-02"), ("in_uitvoering", "2025-02-01")):
            item = services.intervention_change_status(
                actor=w.gemeente_reviewer,
                intervention=item,
                to_status=status,
                version=item.version,
                date=datetime.date.fromisoformat(day),
            )
        if i % 2:
            services.intervention_change_status(
                actor=w.gemeente_reviewer,
                intervention=item,
                to_status="afgerond",
                version=item.version,
                date=datetime.date(2025, 9, 1),
            )
        Commitment.objects.create(
            agreement_id=w.noord.area.pk
            and Commitment.objects.values_list("agreement_id", flat=True).first(),
            number=f"9.{i}",
            theme="kwaliteit",
            text="Extra",
            responsible=w.corporatie,
            target_value=Decimal(i + 1),
            target_unit="woningen",
            target_year=2025,
        )


def test_queries_do_not_grow_with_the_data(w, django_assert_max_num_queries):
    # The small world, then eight more buurten, interventions (four finished, so the
    # evaluations reach their limit of five) and commitments: the same bound.
    bound = 75
    with django_assert_max_num_queries(bound):
        small = report_for(w.gemeente_reviewer)
    _grow(w, 8)
    with django_assert_max_num_queries(bound):
        large = report_for(w.gemeente_reviewer)
    assert len(large.scores.models[0].buurten) == len(small.scores.models[0].buurten) + 8
    assert len(large.interventions.items) == len(small.interventions.items) + 8
    assert len(large.interventions.evaluations) == 5  # 1 + 4 finished, at the limit
