"""Services and pages for sources, sharing, indicators and score models: the rules, the
Dutch messages, stale edits and what a delete takes with it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.exceptions import ConflictError
from scores.models import (
    Indicator,
    IndicatorValue,
    ModelIndicator,
    Score,
    ScoreImport,
    ScoreModel,
    Source,
    SourceKind,
)
from scores.selectors import sources as selectors
from scores.services import sources as services
from scores.tests.helpers import index_model, licensed_source, published_model, put_scores
from scores.tests.test_licensed import SOURCE_NAME, build

pytestmark = pytest.mark.django_db


def _create(actor, **kwargs):
    defaults = {"name": "Bewonersenquête Zeewijk", "kind": SourceKind.GENERIC, "is_licensed": True}
    defaults.update(kwargs)
    return services.source_create(actor=actor, **defaults)


# --- source_create ---------------------------------------------------------------------


def test_bewerker_creates_a_licensed_source_for_own_organisation(world):
    source = _create(world.corp_editor, owner_organisation=world.corporatie)
    assert source.owner_organisation == world.corporatie
    assert source.created_by == world.corp_editor
    assert source.history.first().history_user == world.corp_editor


def test_own_open_source_is_allowed(world):
    source = _create(world.gemeente_reviewer, owner_organisation=world.gemeente, is_licensed=False)
    assert not source.is_licensed
    assert Source.objects.restrict(world.outsider, "view").filter(pk=source.pk).exists()


def test_lezer_and_other_organisation_may_not_create(world):
    with pytest.raises(PermissionDenied):
        _create(world.partner_reader, owner_organisation=world.partner)
    with pytest.raises(PermissionDenied):
        _create(world.outsider, owner_organisation=world.corporatie)


def test_only_platform_admins_create_a_source_without_owner(world):
    with pytest.raises(PermissionDenied, match="landelijke bron"):
        _create(world.org_admin, is_licensed=False)
    source = _create(world.platform_admin, is_licensed=False)
    assert source.owner_organisation is None


def test_licensed_source_needs_an_owner(world):
    with pytest.raises(ValidationError) as exc:
        _create(world.platform_admin, is_licensed=True)
    assert "Kies de eigenaar" in str(exc.value.message_dict["owner_organisation"])


def test_aedes_source_is_always_licensed(world):
    with pytest.raises(ValidationError) as exc:
        _create(
            world.corp_editor,
            kind=SourceKind.AEDES_VEERKRACHT,
            is_licensed=False,
            owner_organisation=world.corporatie,
        )
    assert "altijd gelicentieerd" in str(exc.value.message_dict["is_licensed"])
    assert not Source.objects.filter(name="Bewonersenquête Zeewijk").exists()


def test_duplicate_name_is_refused(world):
    _create(world.corp_editor, owner_organisation=world.corporatie)
    with pytest.raises(ValidationError) as exc:
        _create(world.corp_editor, owner_organisation=world.corporatie)
    assert "name" in exc.value.message_dict


# --- source_update and source_share ----------------------------------------------------


def test_update_refuses_a_stale_version(world):
    source = build(world).source
    services.source_update(
        actor=world.corp_editor, source=source, version=source.version, description="Eerste."
    )
    with pytest.raises(ConflictError):
        services.source_update(
            actor=world.org_admin, source=source, version=source.version, description="Oud."
        )
    source.refresh_from_db()
    assert source.description == "Eerste."
    assert source.version == 2


def test_only_beheerders_open_a_licensed_source(world):
    source = build(world).source
    with pytest.raises(PermissionDenied, match="open of gelicentieerd"):
        services.source_update(
            actor=world.corp_editor, source=source, version=source.version, is_licensed=False
        )
    with pytest.raises(ValidationError):
        # An Aedes veerkrachtkaart cannot be opened at all.
        services.source_update(
            actor=world.org_admin, source=source, version=source.version, is_licensed=False
        )


def test_reader_of_a_shared_source_may_not_change_it(world):
    source = build(world).source
    with pytest.raises(PermissionDenied):
        services.source_update(actor=world.gemeente_reviewer, source=source, version=source.version, name="X")


def test_share_leaves_the_owner_out_and_records_history(world):
    source = build(world).source
    services.source_share(
        actor=world.org_admin,
        source=source,
        organisations=[world.corporatie, world.huurders],
        version=source.version,
    )
    source.refresh_from_db()
    assert set(source.shared_with.all()) == {world.huurders}
    assert source.history.first().history_change_reason == "delen gewijzigd"


def test_share_is_for_the_owners_beheerders(world):
    source = build(world).source
    with pytest.raises(PermissionDenied):
        services.source_share(
            actor=world.corp_editor, source=source, organisations=[], version=source.version
        )


def test_an_open_source_cannot_be_shared(world):
    cbs = build(world).cbs
    with pytest.raises(ValidationError, match="open"):
        services.source_share(
            actor=world.platform_admin, source=cbs, organisations=[world.gemeente], version=1
        )


def test_share_refuses_inactive_organisations(world):
    source = build(world).source
    world.other_gemeente.is_active = False
    world.other_gemeente.save()
    with pytest.raises(ValidationError, match="niet meer actief"):
        services.source_share(
            actor=world.org_admin, source=source, organisations=[world.other_gemeente], version=source.version
        )


# --- source_delete ---------------------------------------------------------------------


def test_delete_takes_everything_derived_with_it(world):
    w = build(world)
    services.source_delete(actor=world.org_admin, source=w.source)
    assert not Source.objects.filter(pk=w.source.pk).exists()
    assert not Indicator.objects.filter(pk=w.indicator.pk).exists()
    assert not IndicatorValue.objects.filter(indicator_id=w.indicator.pk).exists()
    assert not ScoreModel.objects.filter(pk=w.score_model.pk).exists()
    assert not Score.objects.filter(model_id=w.score_model.pk).exists()
    assert not ScoreImport.objects.filter(pk=w.job.pk).exists()
    # The open data is untouched.
    assert Score.objects.filter(model=w.open_model).exists()


def test_delete_is_refused_while_another_model_uses_an_indicator(world):
    w = build(world)
    index_model(key="eigen-index", components=[(w.indicator, 1.0)])
    with pytest.raises(ValidationError, match="eigen-index"):
        services.source_delete(actor=world.org_admin, source=w.source)
    assert Source.objects.filter(pk=w.source.pk).exists()


def test_bewerker_may_not_delete(world):
    with pytest.raises(PermissionDenied):
        services.source_delete(actor=world.corp_editor, source=build(world).source)


# --- indicator_update ------------------------------------------------------------------


def _indicator_fields(indicator, **changes):
    fields = {
        "name": indicator.name,
        "unit": indicator.unit,
        "description": indicator.description,
        "direction": indicator.direction,
        "aggregation": indicator.aggregation,
        "decimals": indicator.decimals,
        "is_key": indicator.is_key,
        "version": indicator.version,
    }
    fields.update(changes)
    return fields


def test_indicator_update_and_stale_version(world):
    indicator = build(world).indicator
    services.indicator_update(
        actor=world.corp_editor, indicator=indicator, **_indicator_fields(indicator, unit="klasse")
    )
    indicator.refresh_from_db()
    assert indicator.unit == "klasse" and indicator.version == 2
    with pytest.raises(ConflictError):
        services.indicator_update(
            actor=world.org_admin, indicator=indicator, **_indicator_fields(indicator, version=1)
        )


def test_indicator_update_validates(world):
    indicator = build(world).indicator
    with pytest.raises(ValidationError) as exc:
        services.indicator_update(
            actor=world.corp_editor, indicator=indicator, **_indicator_fields(indicator, decimals=9)
        )
    assert "decimals" in exc.value.message_dict


def test_indicator_of_open_source_is_for_platform_admins(world):
    indicator = build(world).cbs_indicator
    with pytest.raises(PermissionDenied):
        services.indicator_update(
            actor=world.corp_editor, indicator=indicator, **_indicator_fields(indicator, unit="x")
        )
    services.indicator_update(
        actor=world.platform_admin, indicator=indicator, **_indicator_fields(indicator, unit="x")
    )


# --- score_model_update ----------------------------------------------------------------


def _model_fields(model, **changes):
    fields = {
        "name": model.name,
        "description": model.description,
        "cutoffs": list(model.cutoffs),
        "min_population": model.min_population,
        "weighting": model.weighting,
        "stable_band": model.stable_band,
        "is_active": model.is_active,
        "components": [
            (c.indicator, c.weight, c.role) for c in model.components.select_related("indicator__source")
        ],
        "version": model.version,
    }
    fields.update(changes)
    return fields


def test_score_model_update_saves_weights_and_recomputes_after_commit(
    world, django_capture_on_commit_callbacks
):
    model = build(world).open_model
    components = [
        (c.indicator, 3.0 if i == 0 else c.weight, c.role) for i, c in enumerate(model.components.all())
    ]
    with django_capture_on_commit_callbacks() as callbacks:
        services.score_model_update(
            actor=world.platform_admin,
            model=model,
            **_model_fields(model, components=components, min_population=80),
        )
    assert len(callbacks) == 1
    model.refresh_from_db()
    assert model.min_population == 80 and model.version == 2
    assert model.components.order_by("-weight").first().weight == 3.0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cutoffs": [-0.5, 0.5]}, "precies 4 klassengrenzen"),
        ({"cutoffs": [0.75, 0.25, -0.25, -0.75]}, "van laag naar hoog"),
        ({"components": []}, "ten minste één indicator"),
    ],
)
def test_score_model_update_validation(world, changes, message):
    model = build(world).open_model
    with pytest.raises(ValidationError, match=message):
        services.score_model_update(
            actor=world.platform_admin, model=model, **_model_fields(model, **changes)
        )
    model.refresh_from_db()
    assert model.version == 1


def test_score_model_refuses_negative_weights_and_licensed_indicators(world):
    w = build(world)
    model = w.open_model
    with pytest.raises(ValidationError, match="negatief"):
        services.score_model_update(
            actor=world.platform_admin,
            model=model,
            **_model_fields(model, components=[(w.cbs_indicator, -1, "")]),
        )
    with pytest.raises(ValidationError, match="gelicentieerde bron"):
        services.score_model_update(
            actor=world.platform_admin,
            model=model,
            **_model_fields(model, components=[(w.cbs_indicator, 1, ""), (w.indicator, 1, "")]),
        )


def test_signal_model_needs_both_roles(world):
    w = build(world)
    signal = ScoreModel.objects.get(kind=ScoreModel.Kind.SIGNAL)
    only_one = [(w.cbs_indicator, 1.0, ModelIndicator.Role.VULNERABILITY)]
    with pytest.raises(ValidationError, match="zowel"):
        services.score_model_update(
            actor=world.platform_admin, model=signal, **_model_fields(signal, components=only_one)
        )


def test_score_models_are_for_platform_admins_only(world):
    model = build(world).open_model
    with pytest.raises(PermissionDenied):
        services.score_model_update(actor=world.org_admin, model=model, **_model_fields(model))


def test_score_model_stale_version(world):
    model = build(world).open_model
    services.score_model_update(actor=world.platform_admin, model=model, **_model_fields(model, name="Index"))
    with pytest.raises(ConflictError):
        services.score_model_update(
            actor=world.platform_admin, model=model, **_model_fields(model, version=1)
        )


# --- pages -----------------------------------------------------------------------------


def test_create_page_makes_a_source_and_shows_errors_in_dutch(client, world):
    client.force_login(world.corp_editor)
    response = client.post(
        reverse("scores:source-create"),
        {"name": "Veerkracht 2025", "kind": "aedes-veerkracht", "owner_organisation": world.corporatie.pk},
    )
    assert response.status_code == 200
    assert "altijd gelicentieerd" in response.content.decode()
    response = client.post(
        reverse("scores:source-create"),
        {
            "name": "Veerkracht 2025",
            "kind": "aedes-veerkracht",
            "owner_organisation": world.corporatie.pk,
            "is_licensed": "on",
        },
    )
    source = Source.objects.get(name="Veerkracht 2025")
    assert response.status_code == 302 and response["Location"] == reverse(
        "scores:source-detail", args=[source.pk]
    )


def test_create_page_offers_only_own_organisations(client, world):
    client.force_login(world.corp_editor)
    body = client.get(reverse("scores:source-create")).content.decode()
    assert world.corporatie.name in body and world.gemeente.name not in body


def test_stale_edit_page_shows_conflict_and_keeps_input(client, world):
    source = build(world).source
    services.source_update(
        actor=world.org_admin, source=source, version=source.version, description="Door beheerder."
    )
    client.force_login(world.corp_editor)
    response = client.post(
        reverse("scores:source-update", args=[source.pk]),
        {"name": SOURCE_NAME, "kind": source.kind, "licence": "", "description": "Mijn tekst.", "version": 1},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Door beheerder." in body and "Mijn tekst." in body
    assert "Iemand anders heeft dit intussen gewijzigd" in body


def test_stale_indicator_edit_answers_409(client, world):
    indicator = build(world).indicator
    services.indicator_update(
        actor=world.org_admin, indicator=indicator, **_indicator_fields(indicator, unit="klasse")
    )
    client.force_login(world.corp_editor)
    data = _indicator_fields(indicator, unit="punten", version=1, is_key="")
    response = client.post(reverse("scores:indicator-detail", args=[indicator.pk]), data)
    assert response.status_code == 409
    assert "punten" in response.content.decode()


def test_source_detail_shows_sharing_indicators_and_imports(client, world):
    w = build(world)
    client.force_login(world.org_admin)
    body = client.get(reverse("scores:source-detail", args=[w.source.pk])).content.decode()
    assert world.gemeente.name in body and w.indicator.name in body and w.job.original_name in body
    assert reverse("scores:source-share", args=[w.source.pk]) in body
    client.force_login(world.gemeente_reviewer)
    body = client.get(reverse("scores:source-detail", args=[w.source.pk])).content.decode()
    assert w.job.original_name not in body
    assert reverse("scores:source-share", args=[w.source.pk]) not in body


def test_source_list_counts_years_of_scores_and_the_score_models(client, world):
    w = build(world)
    # An Aedes veerkrachtkaart publishes scores only: no indicators, no values.
    aedes = licensed_source(owner=world.corporatie, name="Aedes veerkrachtkaart Velsen", indicators=())
    aedes_model = published_model(source=aedes, key="aedes-velsen")
    put_scores(aedes_model, {w.buurt: (1.0, 2)})
    later = w.sw.area(2022, "BU04530001")
    Score.objects.create(model=aedes_model, area=later, year=2024, value=2.0, score_class=3)

    assert selectors.source_years(aedes) == [2024, 2022]
    sources = {s.pk: s for s in selectors.source_list(world.corp_editor)}
    assert (sources[aedes.pk].indicator_count, sources[aedes.pk].model_count) == (0, 1)
    assert (sources[w.source.pk].indicator_count, sources[w.source.pk].model_count) == (1, 1)
    assert sources[w.cbs.pk].model_count == 0 and sources[w.cbs.pk].indicator_count > 1

    client.force_login(world.corp_editor)
    response = client.get(reverse("scores:source-list"))
    body = response.content.decode()
    assert "Scoremodellen</th>" in body
    row = body[body.index("Aedes veerkrachtkaart Velsen") :]
    row = row[: row.index("</tr>")]
    assert "2024, 2022" in row
    detail = client.get(reverse("scores:source-detail", args=[aedes.pk])).content.decode()
    assert "Jaren met gegevens" in detail and "2024, 2022" in detail


def test_model_detail_explains_the_index(client, world):
    w = build(world)
    client.force_login(world.tenant_rep)
    body = client.get(reverse("scores:model-detail", args=[w.open_model.key])).content.decode()
    assert "z-score" in body and "zeer kwetsbaar" in body
    # Class colours through the one swatch of the scores pages, not an inline box.
    assert body.count('class="wk-score-swatch"') == len(w.open_model.classes)
    assert "display:inline-block" not in body
    assert "gewogen gemiddelde" in body
    for component in w.open_model.components.select_related("indicator"):
        assert component.indicator.name in body


def test_model_update_page_shows_component_errors(client, world):
    model = build(world).open_model
    client.force_login(world.platform_admin)
    data = {
        "name": model.name,
        "description": "",
        "cutoffs": "1; 0",
        "min_population": "50",
        "weighting": "inwoners",
        "stable_band": "0,1",
        "is_active": "on",
        "version": model.version,
        "components-TOTAL_FORMS": "1",
        "components-INITIAL_FORMS": "0",
        "components-MIN_NUM_FORMS": "0",
        "components-MAX_NUM_FORMS": "1000",
        "components-0-indicator": model.components.first().indicator_id,
        "components-0-weight": "0",
        "components-0-role": "",
    }
    response = client.post(reverse("scores:model-update", args=[model.key]), data)
    assert response.status_code == 200
    assert "precies 4 klassengrenzen" in response.content.decode()
    data["cutoffs"] = "-0,75; -0,25; 0,25; 0,75"
    response = client.post(reverse("scores:model-update", args=[model.key]), data)
    assert response.status_code == 200
    assert "groter dan 0" in response.content.decode()
    model.refresh_from_db()
    assert model.version == 1


def test_list_pages_have_bounded_queries(client, world, django_assert_max_num_queries):
    w = build(world)
    for number in range(5):
        services.source_create(
            actor=world.corp_editor,
            name=f"Enquête {number}",
            kind=SourceKind.GENERIC,
            is_licensed=True,
            owner_organisation=world.corporatie,
        )
    client.force_login(world.corp_editor)
    for name in ("scores:source-list", "scores:indicator-list", "scores:model-list"):
        with django_assert_max_num_queries(14):
            assert client.get(reverse(name)).status_code == 200
    assert w.source.name in client.get(reverse("scores:source-list")).content.decode()


@pytest.mark.parametrize(
    ("url", "current", "aria"),
    [
        (lambda w: reverse("scores:map"), "Kaart", "page"),
        (lambda w: reverse("scores:source-list"), "Bronnen", "page"),
        (lambda w: reverse("scores:source-detail", args=[w.source.pk]), "Bronnen", "true"),
        (lambda w: reverse("scores:indicator-list"), "Indicatoren", "page"),
        (lambda w: reverse("scores:indicator-detail", args=[w.indicator.pk]), "Indicatoren", "true"),
        (lambda w: reverse("scores:model-list"), "Scoremodellen", "page"),
        (lambda w: reverse("scores:model-detail", args=[w.score_model.key]), "Scoremodellen", "true"),
        (lambda w: reverse("scores:import-list"), "Imports", "page"),
        (lambda w: reverse("scores:import-detail", args=[w.job.pk]), "Imports", "true"),
        (lambda w: reverse("scores:area", args=[2022, "BU04530000"]), None, None),
    ],
)
def test_every_scores_page_has_the_same_navigation_with_the_current_part_marked(
    client, world, url, current, aria
):
    w = build(world)
    client.force_login(world.corp_editor)
    nav = _score_nav(client.get(url(w)).content.decode())
    for name in ("scores:map", "scores:source-list", "scores:indicator-list", "scores:model-list"):
        assert f'href="{reverse(name)}"' in nav, name
    assert f'href="{reverse("scores:import-list")}"' in nav  # the corporation imports its own
    marked = [link for link in nav.split("<a ")[1:] if "aria-current" in link]
    if current is None:
        assert marked == []
    else:
        # The list page is the current page; a page under it marks its part of the scores.
        assert len(marked) == 1 and f'aria-current="{aria}">{current}</a>' in marked[0]


def _score_nav(body: str) -> str:
    start = body.index("data-score-nav")
    return body[start : body.index("</nav>", start)]


def test_imports_are_in_the_navigation_only_for_who_may_import(client, world):
    build(world)
    for user, shown in (
        (world.corp_editor, True),
        (world.gemeente_reviewer, False),
        (world.tenant_rep, False),
    ):
        client.force_login(user)
        nav = _score_nav(client.get(reverse("scores:source-list")).content.decode())
        assert (f'href="{reverse("scores:import-list")}"' in nav) == shown, user
