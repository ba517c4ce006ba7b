"""Evaluation of an intervention: scores before and after its period beside comparable
buurten of the same gemeente without such an intervention, on the page and in the API.

The world: Velsen in the boundary years 2020, 2022 and 2024, each with the two wijken of
``helpers.velsen`` plus eight more buurten (BU045302 10…17) in wijk 02. The open
"wijkkoers-veerkracht" model has a score for every buurt in every year (set per test).
The intervention works in the Lagersbuurt (BU04530100) of 2022.
"""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from areas.models import Area, AreaKind, AreaOverlap
from interventions import services
from interventions.evaluation import (
    UnknownModel,
    intervention_evaluation,
    intervention_evaluation_shared,
    measurement_years,
)
from interventions.models import Intervention, TeamRole
from interventions.tests.helpers import area, build_intervention, build_team, gebied, velsen
from scores import versions
from scores.models import Score, ScoreModel, Source, SourceKind
from scores.tests.helpers import install_catalogue
from tests.matrix import AccessMatrix, Case

pytestmark = pytest.mark.django_db

YEARS = (2020, 2022, 2024)
OWN = "BU04530100"
SISTER = "BU04530101"  # the other buurt of the intervention's wijk
EXTRA = [f"BU045302{n}" for n in range(10, 18)]
TEAM = {"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep", "partner_reader"}


def build_years(years=YEARS):
    """Velsen per boundary year; returns ``{year: {code: Area}}``."""
    result = {}
    for year in years:
        rows = velsen(year)
        codes = dict(rows["areas"])
        for n, code in enumerate(EXTRA):
            codes[code] = area(
                code=code, name=f"Buurt {n}", kind=AreaKind.BUURT, parent=rows["other_wijk"], year=year
            )
        result[year] = codes
    return result


def score(model, area_row, value, score_class=None):
    return Score.objects.update_or_create(
        model=model,
        area=area_row,
        defaults={"year": area_row.year, "value": value, "score_class": score_class},
    )[0]


def set_scores(model, areas, values: dict[str, tuple]):
    """``values``: ``{code: (value per year in YEARS order)}``; None leaves no score."""
    for code, per_year in values.items():
        for year, value in zip(YEARS, per_year, strict=True):
            if value is not None and code in areas.get(year, {}):
                score(model, areas[year][code], value)


@pytest.fixture
def model(db):
    install_catalogue()
    return ScoreModel.objects.get(key="wijkkoers-veerkracht")


@pytest.fixture
def areas(db):
    return build_years()


@pytest.fixture
def team(world, areas):
    return build_team(world, areas[2022]["WK045301"])


def make(world, team, rows, *, code=OWN, status=Intervention.Status.AFGEROND, **overrides):
    """An intervention of ``team`` in ``code`` (of 2022), put straight into ``status``."""
    members = {member.organisation_id for member in team.members.all()}
    data = {
        "partner_organisations": [org for org in (world.gemeente,) if org.pk in members],
        "areas": [rows[2022][code]],
        "start_date": datetime.date(2022, 3, 1),
        "end_date": datetime.date(2023, 6, 30),
    }
    data.update(overrides)
    intervention = build_intervention(world, team, **data)
    Intervention.objects.filter(pk=intervention.pk).update(status=status)
    intervention.refresh_from_db()
    return intervention


# Before 2022, after 2024: the own buurt rises 0.5; the extra buurten start at 0.0, 0.1 …
# 0.7 and rise by 0.1 each; the sister buurt is part of the intervention (its wijk is not).
STANDARD = {
    OWN: (0.2, 0.0, 0.5),
    SISTER: (0.0, 0.05, 0.05),
    "BU04530200": (0.0, 3.0, 3.0),
    "BU04530201": (0.0, -3.0, -3.0),
    **{code: (0.0, n / 10, n / 10 + 0.1) for n, code in enumerate(EXTRA)},
}


# --- years -----------------------------------------------------------------------------


def _intervention(start, end, status=Intervention.Status.AFGEROND):
    return Intervention(start_date=start, end_date=end, status=status)


@pytest.mark.parametrize(
    ("start", "end", "status", "expected"),
    [
        # Finished: before = last measurement ≤ start year, after = first ≥ end year.
        ((2022, 3, 1), (2023, 6, 30), "afgerond", (2022, 2024, False)),
        ((2021, 3, 1), (2022, 6, 30), "afgerond", (2020, 2022, False)),
        ((2020, 1, 1), (2020, 12, 31), "afgerond", (2020, 2022, False)),
        # Still running: the latest measurement so far.
        ((2021, 3, 1), (2022, 6, 30), "in_uitvoering", (2020, 2024, True)),
        ((2021, 3, 1), None, "afgerond", (2020, 2024, True)),
        # Ended after the latest measurement: the latest so far.
        ((2021, 3, 1), (2025, 6, 30), "afgerond", (2020, 2024, True)),
        # Nothing after the start yet; nothing before the start.
        ((2024, 3, 1), None, "in_uitvoering", (2024, None, False)),
        ((2019, 3, 1), (2023, 1, 1), "afgerond", (None, None, False)),
    ],
)
def test_measurement_years(start, end, status, expected):
    intervention = _intervention(datetime.date(*start), datetime.date(*end) if end else None, status)
    assert measurement_years(intervention, list(YEARS)) == expected


def test_no_start_date_means_no_years():
    assert measurement_years(_intervention(None, None), list(YEARS)) == (None, None, False)


# --- comparison ------------------------------------------------------------------------


def test_before_after_and_nearest_comparable_buurten(world, model, areas, team):
    set_scores(model, areas, STANDARD)
    intervention = make(world, team, areas)
    result = intervention_evaluation(user=world.tenant_rep, intervention=intervention)
    assert result.model == model
    assert (result.before_year, result.after_year, result.after_so_far) == (2022, 2024, False)
    assert result.empty == ""
    [row] = result.areas
    assert (row.code, row.before.value, row.after.value, row.change) == (OWN, 0.0, 0.5, 0.5)
    [comparison] = result.comparisons
    # Nearest to a start of 0.0: the sister buurt is the intervention's own wijk's but not
    # in the intervention, so it counts; then the extra buurten starting 0.0 … 0.3.
    codes = [c.code for c in comparison.comparables]
    assert codes == [EXTRA[0], SISTER, EXTRA[1], EXTRA[2], EXTRA[3]]
    assert comparison.start_range == (0.0, 0.3)
    assert comparison.mean_change == pytest.approx((0.1 + 0.0 + 0.1 + 0.1 + 0.1) / 5)
    assert comparison.difference == pytest.approx(0.5 - 0.08)
    assert result.difference == pytest.approx(0.42)


def test_wijk_intervention_compares_each_of_its_buurten(world, model, areas, team):
    set_scores(model, areas, STANDARD)
    score(model, areas[2022]["WK045301"], 0.02)
    score(model, areas[2024]["WK045301"], 0.3)
    intervention = make(world, team, areas, code="WK045301")
    result = intervention_evaluation(user=world.tenant_rep, intervention=intervention)
    [row] = result.areas
    assert (row.kind, row.before.value, row.after.value) == ("wijk", 0.02, 0.3)
    assert [c.buurt.code for c in result.comparisons] == [OWN, SISTER]
    for comparison in result.comparisons:
        assert not {OWN, SISTER} & {c.code for c in comparison.comparables}
    expected = [c.buurt.change - c.mean_change for c in result.comparisons]
    assert result.difference == pytest.approx(sum(expected) / 2)


def test_gebied_intervention_compares_its_member_buurten(world, model, areas):
    set_scores(model, areas, STANDARD)
    focus = gebied(buurten=[areas[2022][OWN], areas[2022][EXTRA[0]]], organisation=world.gemeente)
    team = build_team(world, focus, name="Team IJmuiden-Noord (gebied)")
    intervention = make(world, team, areas, code=OWN, areas=[focus])
    result = intervention_evaluation(user=world.tenant_rep, intervention=intervention)
    assert [c.buurt.code for c in result.comparisons] == [OWN, EXTRA[0]]
    for comparison in result.comparisons:
        assert len(comparison.comparables) == 5
        assert not {OWN, EXTRA[0]} & {c.code for c in comparison.comparables}


def test_buurten_with_an_overlapping_same_theme_intervention_are_not_comparable(world, model, areas, team):
    set_scores(model, areas, STANDARD)
    intervention = make(world, team, areas)
    # Another team (not the tenants'): same theme, overlapping period, in EXTRA[0] and [1].
    other_team = build_team(
        world, areas[2022]["WK045302"], name="Team Zuid", members=[(world.corporatie, TeamRole.TREKKER)]
    )
    hidden = make(
        world,
        other_team,
        areas,
        code=EXTRA[0],
        title="Geheime aanpak Zuid",
        start_date=datetime.date(2023, 1, 1),
        end_date=datetime.date(2024, 1, 1),
    )
    hidden.areas.add(areas[2022][EXTRA[1]])
    # Not excluding: another theme, a period that does not overlap, only an idea.
    make(world, other_team, areas, code=EXTRA[2], theme="veiligheid")
    make(
        world,
        other_team,
        areas,
        code=EXTRA[3],
        start_date=datetime.date(2019, 1, 1),
        end_date=datetime.date(2021, 1, 1),
    )
    make(world, team, areas, code=SISTER, status=Intervention.Status.IDEE)

    result = intervention_evaluation(user=world.tenant_rep, intervention=intervention)
    codes = [c.code for c in result.comparisons[0].comparables]
    assert codes == [SISTER, EXTRA[2], EXTRA[3], EXTRA[4], EXTRA[5]]
    assert (result.excluded_buurten, result.excluded_interventions) == (2, 1)

    page = _page(_client_for(world.tenant_rep), intervention)
    assert "2 buurten tellen niet mee als vergelijkbaar" in page
    assert "Geheime aanpak Zuid" not in page


def test_a_whole_wijk_intervention_of_the_same_theme_excludes_its_buurten(world, model, areas, team):
    set_scores(model, areas, STANDARD)
    intervention = make(world, team, areas)
    other_team = build_team(world, areas[2022]["WK045302"], name="Team Zuid")
    make(world, other_team, areas, code="WK045302")
    result = intervention_evaluation(user=world.tenant_rep, intervention=intervention)
    assert [c.code for c in result.comparisons[0].comparables] == [SISTER]
    assert result.excluded_buurten == len(EXTRA) + 2


def test_redrawn_buurt_is_followed_through_its_overlaps(world, model, areas, team):
    set_scores(model, areas, STANDARD)
    # In 2024 the Lagersbuurt is split into two new buurten: 75% and 25% of its surface.
    old_2024 = areas[2024][OWN]
    Score.objects.filter(area=old_2024).delete()
    Area.objects.filter(pk=old_2024.pk).update(code="BU04530199", is_water=True)
    north = area(
        code="BU04530110", name="Lagers-Noord", kind=AreaKind.BUURT, parent=areas[2024]["WK045301"], year=2024
    )
    south = area(
        code="BU04530111", name="Lagers-Zuid", kind=AreaKind.BUURT, parent=areas[2024]["WK045301"], year=2024
    )
    own_2022 = areas[2022][OWN]
    AreaOverlap.objects.create(source=own_2022, target=north, share_of_source=0.75, share_of_target=1.0)
    AreaOverlap.objects.create(source=own_2022, target=south, share_of_source=0.25, share_of_target=1.0)
    score(model, north, 1.0, score_class=5)
    score(model, south, 0.2, score_class=3)

    intervention = make(world, team, areas)
    result = intervention_evaluation(user=world.tenant_rep, intervention=intervention)
    [row] = result.areas
    assert row.after.derived and row.after.score_class is None
    assert row.after.value == pytest.approx(0.75 * 1.0 + 0.25 * 0.2)
    # The new buurten continue the intervention's buurt: never comparable with it.
    codes = {c.code for c in result.comparisons[0].comparables}
    assert not codes & {"BU04530110", "BU04530111"}
    assert result.comparisons[0].difference == pytest.approx(0.8 - 0.08)


# --- empty states ----------------------------------------------------------------------


def _client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _page(client, intervention, **params):
    response = client.get(reverse("interventions:detail", args=[intervention.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_empty_state_without_scores(world, model, areas, team):
    intervention = make(world, team, areas)
    result = intervention_evaluation(user=world.tenant_rep, intervention=intervention)
    assert result.empty == "no_scores"
    assert "Er zijn nog geen scores van Wijkkoers veerkracht-index" in _page(
        _client_for(world.tenant_rep), intervention
    )


@pytest.mark.parametrize(
    ("overrides", "status", "empty", "text"),
    [
        ({"start_date": None, "end_date": None}, "idee", "no_start", "heeft nog geen begindatum"),
        ({"start_date": datetime.date(2019, 1, 1)}, "afgerond", "no_before", "de eerste meting is van 2020"),
        (
            {"start_date": datetime.date(2024, 2, 1), "end_date": None},
            "in_uitvoering",
            "no_after",
            "Er is nog geen meting",
        ),
    ],
)
def test_empty_states(world, model, areas, team, overrides, status, empty, text):
    set_scores(model, areas, STANDARD)
    intervention = make(world, team, areas, status=status, **overrides)
    assert intervention_evaluation(user=world.tenant_rep, intervention=intervention).empty == empty
    assert text in _page(_client_for(world.tenant_rep), intervention)


def test_empty_state_without_comparable_buurten(world, model, areas, team):
    set_scores(model, areas, {OWN: STANDARD[OWN]})
    intervention = make(world, team, areas)
    result = intervention_evaluation(user=world.tenant_rep, intervention=intervention)
    assert result.empty == "no_comparables"
    assert result.areas[0].change == 0.5
    assert "Er zijn geen vergelijkbare buurten" in _page(_client_for(world.tenant_rep), intervention)


# --- licensed models -------------------------------------------------------------------


@pytest.fixture
def licensed(world, areas):
    source = Source.objects.create(
        name="Aedes veerkrachtkaart Velserduin",
        kind=SourceKind.AEDES_VEERKRACHT,
        is_licensed=True,
        owner_organisation=world.corporatie,
    )
    model = ScoreModel.objects.create(
        key="aedes-veerkracht-velserduin",
        name="Aedes veerkracht Velserduin",
        kind=ScoreModel.Kind.PUBLISHED,
        source=source,
        classes=[{"value": 1, "label": "laag"}, {"value": 5, "label": "zeer hoog"}],
    )
    set_scores(model, areas, STANDARD)
    return model


def _api(client, intervention, **params):
    return client.get(reverse("intervention-evaluation", args=[intervention.pk]), params)


def test_licensed_model_only_for_its_organisations(world, model, areas, team, licensed):
    intervention = make(world, team, areas)
    # The owner sees and chooses it; the scores of the open model are not there, so it is
    # even the default.
    owner = _client_for(world.corp_editor)
    data = _api(owner, intervention).json()
    assert data["model"]["key"] == licensed.key and data["model"]["is_licensed"]
    assert data["comparisons"][0]["difference"] == pytest.approx(0.42)
    assert licensed.name in _page(owner, intervention)

    for persona in ("tenant_rep", "platform_admin"):
        client = _client_for(world.users[persona])
        assert _api(client, intervention, model=licensed.key).status_code == 404
        data = _api(client, intervention).json()
        assert licensed.key not in {m["key"] for m in data["models"]}
        assert data["empty"] == "no_scores"
        page = _page(client, intervention, model=licensed.key)
        assert licensed.name not in page
        assert "Dit scoremodel bestaat niet of u mag het niet zien" in page


def test_shared_licensed_model_is_visible_to_the_organisation_it_is_shared_with(world, areas, team, licensed):
    licensed.source.shared_with.add(world.huurders)
    intervention = make(world, team, areas)
    response = _api(_client_for(world.tenant_rep), intervention, model=licensed.key)
    assert response.status_code == 200
    assert response.json()["areas"][0]["change"] == pytest.approx(0.5)


def test_unknown_model_is_404_in_the_api(world, model, areas, team):
    intervention = make(world, team, areas)
    client = _client_for(world.corp_editor)
    assert _api(client, intervention, model="bestaat-niet").status_code == 404
    assert _api(client, intervention, model="signalen").status_code == 404  # not for evaluation


# --- page and API ----------------------------------------------------------------------


def test_page_section_and_htmx_partial(world, model, areas, team):
    set_scores(model, areas, STANDARD)
    score(model, areas[2022]["WK045301"], 0.1)
    intervention = make(world, team, areas)
    client = _client_for(world.partner_reader)
    page = _page(client, intervention)
    assert 'id="evaluatie"' in page and "Hoe leest u dit?" in page
    assert "Verschil met vergelijkbare buurten" in page
    assert reverse("areas:detail", args=[2022, EXTRA[1]]) in page  # a comparable buurt links to its page
    url = reverse("interventions:evaluation", args=[intervention.pk])
    partial = client.get(url, {"model": model.key}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    body = partial.content.decode()
    assert body.lstrip().startswith('<section aria-labelledby="evaluatie-title"') and "<html" not in body
    plain = client.get(url, {"model": model.key})
    assert plain.status_code == 302 and plain["Location"].endswith(f"?model={model.key}#evaluatie")
    assert _client_for(world.outsider).get(url, headers={"HX-Request": "true"}).status_code == 404


def test_running_intervention_is_labelled_so_far(world, model, areas, team):
    set_scores(model, areas, STANDARD)
    intervention = make(world, team, areas, status=Intervention.Status.IN_UITVOERING)
    data = _api(_client_for(world.corp_editor), intervention).json()
    assert (data["before_year"], data["after_year"], data["after_so_far"]) == (2022, 2024, True)
    assert "(tot nu toe)" in _page(_client_for(world.corp_editor), intervention)


def test_query_count_does_not_grow_with_the_buurten(world, model, team, areas):
    set_scores(model, areas, STANDARD)
    intervention = make(world, team, areas, code="WK045301")
    counts = []
    for extra in (0, 30):
        for year in YEARS:
            for n in range(extra):
                code = f"BU0453029{n:02d}"
                row = area(
                    code=code, name=code, kind=AreaKind.BUURT, parent=areas[year]["WK045302"], year=year
                )
                score(model, row, n / 50)
        with CaptureQueriesContext(connection) as queries:
            result = intervention_evaluation(user=world.tenant_rep, intervention=intervention)
        assert result.comparisons
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8


def _access_world(w):
    if "intervention" not in w.objects:
        install_catalogue()
        years = build_years((2022,))
        team = build_team(w, years[2022]["WK045301"])
        w.objects["intervention"] = build_intervention(w, team, areas=[years[2022][OWN]])
    return w.objects["intervention"]


class TestEvaluationAccess(AccessMatrix):
    """The evaluation API is readable exactly like its intervention: the team reads it,
    the outsider gets 404."""

    world_setup = staticmethod(_access_world)
    cases = [
        Case(
            "evaluation api",
            api=True,
            url=lambda w: reverse("intervention-evaluation", args=[_access_world(w).pk]),
            allowed=TEAM,
        ),
        Case(
            "evaluation partial",
            url=lambda w: reverse("interventions:evaluation", args=[_access_world(w).pk]),
            allowed=TEAM,
        ),
    ]


# --- the evaluation kept in the cache ----------------------------------------------------
# ``intervention_evaluation_shared``: shared by the people who may evaluate with the same
# score models, new at once after a write to what it reads, and never handed to someone
# who may see other models.


def _shared(user, intervention, **kwargs):
    intervention.refresh_from_db()
    return intervention_evaluation_shared(user=user, intervention=intervention, **kwargs)


def test_the_same_as_computed_and_cheap_when_kept(world, model, areas, team):
    set_scores(model, areas, STANDARD)
    intervention = make(world, team, areas)
    first = _shared(world.tenant_rep, intervention)
    computed = intervention_evaluation(user=world.tenant_rep, intervention=intervention)
    assert (first.before_year, first.after_year) == (2022, 2024)
    with CaptureQueriesContext(connection) as queries:
        again = intervention_evaluation_shared(user=world.partner_reader, intervention=intervention)
    # The models the person may evaluate with, the intervention's areas, and the latest
    # change to the interventions of its gemeente: three queries, not the dozen it takes.
    assert len(queries) <= 3
    for result in (first, again):
        assert result.intervention == intervention and result.model == model
        assert [c.buurt.code for c in result.comparisons] == [c.buurt.code for c in computed.comparisons]
        assert [[r.code for r in c.comparables] for c in result.comparisons] == [
            [r.code for r in c.comparables] for c in computed.comparisons
        ]
        # The kept evaluation is the computed one (0.42, as in the licensed-model test).
        assert result.difference == pytest.approx(computed.difference) == pytest.approx(0.42)


def test_a_change_to_the_intervention_shows_at_once(world, model, areas, team):
    set_scores(model, areas, STANDARD)
    intervention = make(world, team, areas)
    client = _client_for(world.tenant_rep)
    assert "(tot nu toe)" not in _page(client, intervention)
    intervention.refresh_from_db()
    services.intervention_update(
        actor=world.corp_editor, intervention=intervention, version=intervention.version, end_date=None
    )
    # Without an end date the after year is the latest measurement so far.
    assert "(tot nu toe)" in _page(client, intervention)


def test_finishing_the_intervention_shows_at_once(world, model, areas, team):
    set_scores(model, areas, STANDARD)
    intervention = make(world, team, areas, status=Intervention.Status.IN_UITVOERING)
    running = _shared(world.tenant_rep, intervention)
    assert (running.after_year, running.after_so_far) == (2024, True)
    services.intervention_change_status(
        actor=world.corp_editor, intervention=intervention, to_status="afgerond", version=intervention.version
    )
    finished = _shared(world.tenant_rep, intervention)
    assert (finished.after_year, finished.after_so_far) == (2024, False)


def test_another_intervention_of_the_same_theme_counts_at_once(world, model, areas, team):
    set_scores(model, areas, STANDARD)
    intervention = make(world, team, areas)
    assert _shared(world.tenant_rep, intervention).excluded_buurten == 0
    other_team = build_team(world, areas[2022]["WK045302"], name="Gebiedsteam wijk 02")
    make(world, other_team, areas, code=EXTRA[1], status="in_uitvoering")
    evaluation = _shared(world.tenant_rep, intervention)
    assert evaluation.excluded_buurten == 1
    assert EXTRA[1] not in {r.code for c in evaluation.comparisons for r in c.comparables}


def test_a_change_elsewhere_that_the_evaluation_does_not_read_keeps_it(
    world, model, areas, team, monkeypatch
):
    from interventions import evaluation

    set_scores(model, areas, STANDARD)
    intervention = make(world, team, areas)
    other_team = build_team(world, areas[2022]["WK045302"], name="Gebiedsteam wijk 02")
    other = make(world, other_team, areas, code=EXTRA[1], status="in_uitvoering")
    kept = _shared(world.tenant_rep, intervention)
    assert kept.excluded_buurten == 1
    # A funder and a progress update of the other intervention: the evaluation reads
    # neither, so it is not made again.
    monkeypatch.setattr(evaluation, "intervention_evaluation", lambda **kwargs: pytest.fail("made again"))
    other = services.intervention_update(
        actor=world.corp_editor, intervention=other, version=other.version, funder="Het fonds"
    )
    services.progress_add(
        actor=world.corp_editor, intervention=other, date=datetime.date(2024, 1, 5), text="Loopt."
    )
    assert _shared(world.tenant_rep, intervention).difference == pytest.approx(kept.difference)
    # Its period moved before this one's: it no longer counts, at once.
    monkeypatch.undo()
    other.refresh_from_db()
    services.intervention_update(
        actor=world.corp_editor,
        intervention=other,
        version=other.version,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 12, 31),
    )
    assert _shared(world.tenant_rep, intervention).excluded_buurten == 0


def test_new_scores_show_at_once(world, model, areas, team):
    set_scores(model, areas, STANDARD)
    intervention = make(world, team, areas)
    assert _shared(world.tenant_rep, intervention).areas[0].change == pytest.approx(0.5)
    score(model, areas[2024][OWN], 0.9)
    versions.data_changed()  # what every import and recomputation does
    assert _shared(world.tenant_rep, intervention).areas[0].change == pytest.approx(0.9)


def test_a_person_who_may_not_see_the_model_never_gets_its_evaluation(world, model, areas, team, licensed):
    intervention = make(world, team, areas)
    owner = _shared(world.corp_editor, intervention)
    assert owner.model == licensed and owner.comparisons
    # The tenants see only the open model (without scores here), whatever is kept.
    tenant = _shared(world.tenant_rep, intervention)
    assert tenant.model == model and tenant.empty == "no_scores"
    assert licensed not in tenant.models
    with pytest.raises(UnknownModel):
        _shared(world.tenant_rep, intervention, model_key=licensed.key)
    assert licensed.name not in _page(_client_for(world.tenant_rep), intervention, model=licensed.key)
    # Shared with the tenants: their evaluation has it at once.
    licensed.source.shared_with.add(world.huurders)
    shared = _shared(world.tenant_rep, intervention, model_key=licensed.key)
    assert shared.model == licensed and shared.difference == pytest.approx(owner.difference)


def test_kept_evaluation_does_not_keep_the_intervention_as_it_was(world, model, areas, team):
    set_scores(model, areas, STANDARD)
    intervention = make(world, team, areas)
    _shared(world.tenant_rep, intervention)
    intervention.refresh_from_db()
    services.intervention_update(
        actor=world.corp_editor, intervention=intervention, version=intervention.version, title="Nieuwe titel"
    )
    assert _shared(world.tenant_rep, intervention).intervention.title == "Nieuwe titel"


def test_the_section_is_kept_rendered_per_language_and_fallback_note(world, model, areas, team):
    set_scores(model, areas, STANDARD)
    intervention = make(world, team, areas)
    client = _client_for(world.tenant_rep)
    url = reverse("interventions:detail", args=[intervention.pk])
    section = "interventions/_evaluation.html"

    def rendered(response):
        return section in {template.name for template in response.templates}

    first = client.get(url)
    again = client.get(url)
    assert rendered(first) and not rendered(again)  # the second page takes the kept HTML
    assert 'id="evaluatie-title">Evaluatie<' in again.content.decode()
    assert again.content.decode().count('data-testid="evaluation-comparisons"') == 1
    # Another language gets its own section, not the Dutch one kept.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url)
    assert rendered(english) and 'id="evaluatie-title">Evaluation<' in english.content.decode()
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    # A model that does not exist falls back to the same evaluation, with its note.
    unknown = client.get(url, {"model": "bestaat-niet"}).content.decode()
    assert "Dit scoremodel bestaat niet" in unknown
    assert "Dit scoremodel bestaat niet" not in client.get(url).content.decode()
    # The model choice swaps in the same section.
    part = client.get(reverse("interventions:evaluation", args=[intervention.pk]), HTTP_HX_REQUEST="true")
    assert part.status_code == 200 and not rendered(part)
    assert part.content.decode().startswith('<section aria-labelledby="evaluatie-title"')
    # New scores: a new evaluation, so a new section.
    score(model, areas[2024][OWN], 0.9)
    versions.data_changed()
    assert rendered(client.get(url))
