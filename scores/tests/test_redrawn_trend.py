"""Trends that follow the land: an area that keeps its code but was redrawn is compared
with the land it covers now, through the overlaps, and says so ("grens gewijzigd").

Built on the real Velsen extracts: Keetbergbuurt (BU04530406) keeps its code from 2022 to
2025 but takes a corner of Zuidzijdebuurt (BU04530303)."""

import copy
import csv
import io

import numpy as np
import pytest
from django.urls import reverse

from areas import services as area_services
from areas.demo import data_dir
from areas.models import Area, AreaKind, AreaOverlap, BoundaryImport
from scores import versions
from scores.models import Score, ScoreModel
from scores.services.compute import scores_recompute
from scores.services.score_data import RecomputeData, ScoreRows
from scores.services.score_kinds import set_trends
from scores.tests.helpers import model, put_scores
from tests.db import rolled_back

pytestmark = pytest.mark.django_db

KEETBERG, ZUIDZIJDE, DORP = "BU04530406", "BU04530303", "BU04530000"
# Leefbaarometer-style published scores (value, class).
SCORES_2022 = {KEETBERG: (0.10, 5), ZUIDZIJDE: (0.30, 6), DORP: (0.20, 5)}
SCORES_2025 = {KEETBERG: (0.40, 7), ZUIDZIJDE: (0.35, 6), DORP: (0.25, 5)}


def _import_velsen(world):
    files = {
        2022: ("gemeente_2022.geojson", "wijken_2022.geojson", "buurten_2022.geojson"),
        # 2025 has only a buurt file; its gemeente and wijken take the 2022 shapes.
        2025: ("gemeente_2022.geojson", "wijken_2022.geojson", "buurten_2025.geojson"),
    }
    for year, names in files.items():
        for name in names:
            job = area_services.boundary_import_file(
                actor=world.platform_admin, path=data_dir() / name, year=year
            )
            assert job.status == BoundaryImport.Status.DONE, job.errors


def _area(year, code):
    return Area.objects.get(year=year, code=code, kind=AreaKind.BUURT)


@pytest.fixture(scope="module")
def velsen_world(shared_world, django_db_blocker):
    """Velsen 2022 and 2025 imported with their overlaps and published scores, recomputed
    once for the module."""
    with rolled_back(django_db_blocker):
        world = copy.deepcopy(shared_world)
        _import_velsen(world)
        lbm = model("leefbaarometer")
        for year, scores in ((2022, SCORES_2022), (2025, SCORES_2025)):
            put_scores(lbm, {_area(year, code): value for code, value in scores.items()})
        scores_recompute(model_ids=[lbm.pk])
        yield world


@pytest.fixture
def world(velsen_world, db):
    return copy.deepcopy(velsen_world)


@pytest.fixture(autouse=True)
def _clean_memory():
    versions._local.clear()
    yield


def _row(code, year=2025):
    return Score.objects.get(model__key="leefbaarometer", area=_area(year, code))


def _share_of_2025(code_2022, code_2025):
    """Share of the 2025 area's surface that lies in the 2022 area (0 without overlap)."""
    found = AreaOverlap.objects.filter(
        source__year=2022, source__code=code_2022, target__year=2025, target__code=code_2025
    ).first()
    return found.share_of_target if found else 0.0


def test_keetbergbuurt_is_compared_with_the_land_it_covers_now(world):
    # Keetbergbuurt 2025 lies for 45 % in Keetbergbuurt 2022 and for 55 % in the corner
    # it took from Zuidzijdebuurt 2022; no other 2022 buurt counts.
    keet, corner = _share_of_2025(KEETBERG, KEETBERG), _share_of_2025(ZUIDZIJDE, KEETBERG)
    assert (keet, corner) == pytest.approx((0.450, 0.550), abs=0.001)
    assert set(
        AreaOverlap.objects.filter(target=_area(2025, KEETBERG)).values_list("source__code", flat=True)
    ) == {KEETBERG, ZUIDZIJDE}
    # By hand: previous = (0.450 × 0.10 + 0.550 × 0.30) / (0.450 + 0.550)
    #                   = (0.045 + 0.165) / 1.000 = 0.210,
    # so the change is 0.40 − 0.210 = +0.190 (against the old, smaller shape alone it
    # would have been 0.40 − 0.10 = +0.30).
    expected_previous = (keet * 0.10 + corner * 0.30) / (keet + corner)
    assert expected_previous == pytest.approx(0.210, abs=0.001)
    row = _row(KEETBERG)
    assert row.trend == pytest.approx(0.40 - expected_previous, abs=1e-6)
    assert row.trend == pytest.approx(0.190, abs=0.001)
    assert row.previous_year == 2022 and row.boundary_changed
    # Classes 5 and 6 weighted 0.45/0.55 → 5.55, rounded to class 6 as for a new code.
    assert row.previous_class == 6


def test_an_area_that_lost_land_is_marked_and_an_unchanged_one_is_not(world):
    # Zuidzijdebuurt lost 9.3 % of its 2022 surface (more than 5 %); all of its 2025 shape
    # lies in its 2022 shape, so its previous value is that of 2022: 0.35 − 0.30 = +0.05.
    zuid = _row(ZUIDZIJDE)
    assert zuid.trend == pytest.approx(0.05) and zuid.boundary_changed
    dorp = _row(DORP)
    assert dorp.trend == pytest.approx(0.05) and not dorp.boundary_changed
    assert not _row(KEETBERG, year=2022).boundary_changed  # the first measurement


def test_recomputing_again_keeps_the_marks(world):
    scores_recompute(model_ids=[_row(KEETBERG).model_id], years=[2022])
    row = _row(KEETBERG)
    assert row.boundary_changed and row.trend == pytest.approx(0.190, abs=0.001)


def test_signal_cell_of_a_redrawn_area_is_kept_only_when_its_predecessors_agree(world):
    signal = ScoreModel(key="signal-test", kind=ScoreModel.Kind.SIGNAL)
    data = RecomputeData()
    before_areas = data.areas(2022)
    keet_2025 = _area(2025, KEETBERG).pk

    def previous_cell(keet_cell, zuid_cell):
        before = ScoreRows(
            np.array([_area(2022, KEETBERG).pk, _area(2022, ZUIDZIJDE).pk]),
            np.array([keet_cell, zuid_cell], dtype=float),
            np.array([keet_cell, zuid_cell], dtype=float),
            np.zeros(2, bool),
        )
        assert (before_areas.index(before.area_ids) >= 0).all()
        rows = ScoreRows(np.array([keet_2025]), np.array([9.0]), np.array([9.0]), np.zeros(1, bool))
        set_trends(data, signal, rows, 2025, 2022, before)
        cell = rows.previous_class[0]
        return None if np.isnan(cell) else int(cell), bool(rows.boundary_changed[0])

    # Both predecessors in cell 5: that is the previous cell, so 9 is new.
    assert previous_cell(5, 5) == (5, True)
    assert Score.entered_cell(model_kind=signal.kind, score_class=9, previous_class=5)
    # Cells 3 and 7 disagree: no previous cell (not their mean 5.2), so not "nieuw".
    assert previous_cell(3, 7) == (None, True)
    assert not Score.entered_cell(model_kind=signal.kind, score_class=9, previous_class=None)


def test_api_shows_the_mark(client, world):
    client.force_login(world.users["partner_reader"])
    rows = client.get(reverse("score-list"), {"model": "leefbaarometer", "gemeente": "GM0453"}).json()
    marks = {r["area"]["code"]: r["boundary_changed"] for r in rows["results"] if r["year"] == 2025}
    assert marks[KEETBERG] is True and marks[DORP] is False


def test_map_table_area_section_and_export_show_the_mark(client, world):
    client.force_login(world.users["partner_reader"])
    query = "kaart=model:leefbaarometer&jaar=2025&niveau=buurt&gemeente=GM0453"
    html = client.get(reverse("scores:map") + "?" + query + "&sorteer=code").content.decode()

    def table_row(code):
        at = html.index(f">{code}</td>")
        return html[html.rindex("<tr", 0, at) : at]

    assert "data-boundary-changed" in table_row(KEETBERG)
    assert "data-boundary-changed" not in table_row(DORP)

    # The section is on wijk and gebied pages. The Velsen wijken were not redrawn, so mark
    # one wijk's stored row by hand: the section shows what is stored.
    wijk = Area.objects.get(year=2025, code="WK045304")
    assert Score.objects.filter(model__key="leefbaarometer", area=wijk).update(boundary_changed=True) == 1

    def section_row(code):
        page = client.get(reverse("areas:detail", args=[2025, code])).content.decode()
        section = page[page.index('id="scores-in-het-kort"') :]
        row = section[section.index('data-model="leefbaarometer"') :]
        return row[: row.index("</tr>")]

    assert "data-boundary-changed" in section_row("WK045304")
    assert "data-boundary-changed" not in section_row("WK045300")

    response = client.get(f"{reverse('scores:export')}?{query}&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    column = rows[0].index("Grens gewijzigd")
    by_code = {r[0]: r for r in rows[1:] if r}
    assert by_code[KEETBERG][column] == "ja" and by_code[DORP][column] == "nee"
