"""Licensed data stays with the organisations it is shared with, on every page and API.

The world: an Aedes veerkrachtkaart uploaded by the corporation (owner) and shared with
the gemeente, with one indicator, a value, a published model with a score and an import
job. corp_editor, org_admin (the corporation) and gemeente_reviewer (shared) see all of
it; tenant_rep, partner_reader, the outsider and the platform admin see none of it: 404 on
details, nothing in lists. Import jobs are seen by those who may import into the source
(the owner's bewerkers and beheerders), so not by the gemeente.
"""

import pytest
from django.urls import reverse

from scores.models import Indicator, ScoreImport, SourceKind
from scores.services import sources as services
from scores.tests.helpers import (
    licensed_source,
    model,
    published_model,
    put_scores,
    put_values,
    score_world,
)
from tests.matrix import AccessMatrix, Case

OWNER = {"corp_editor", "org_admin"}
SEE = OWNER | {"gemeente_reviewer"}
HIDDEN = {"tenant_rep", "partner_reader", "outsider", "platform_admin"}
SIGNED_IN = SEE | HIDDEN

SOURCE_NAME = "Veerkrachtkaart Velserduin"
INDICATOR_NAME = "Veerkrachtscore Velserduin"
INDICATOR_KEY = "vk_velserduin"
MODEL_KEY = "aedes-velserduin"
IMPORT_NAME = "veerkracht-velserduin-2022.csv"


def build(w):
    """The small gemeente with open CBS data and the corporation's licensed source; once
    per test."""
    if "source" in w.objects:
        return w
    sw = score_world(years=(2022,), shapes=False)
    buurt = sw.area(2022, "BU04530000")
    source = licensed_source(owner=w.corporatie, shared_with=[w.gemeente], name=SOURCE_NAME, indicators=())
    indicator = Indicator.objects.create(
        source=source, key=INDICATOR_KEY, name=INDICATOR_NAME, direction="hoger-beter"
    )
    put_values({INDICATOR_KEY: {buurt: 3.5}}, source=source)
    put_values({"a_inw": {buurt: 1200}, "p_wcorpw": {buurt: 41.0}})
    score_model = published_model(source=source, key=MODEL_KEY)
    put_scores(score_model, {buurt: (3.5, 4)})
    open_model = model("wijkkoers-veerkracht")
    put_scores(open_model, {buurt: (0.4, 4)})
    job = ScoreImport.objects.create(
        source=source,
        file_format=SourceKind.AEDES_VEERKRACHT,
        file="imports/scores/veerkracht.csv",
        original_name=IMPORT_NAME,
        year=2022,
        status=ScoreImport.Status.DONE,
        started_by=w.corp_editor,
    )
    w.objects.update(
        sw=sw,
        buurt=buurt,
        source=source,
        indicator=indicator,
        score_model=score_model,
        open_model=open_model,
        score=score_model.scores.get(),
        value=indicator.values.get(),
        job=job,
        cbs=sw.cbs,
        cbs_indicator=sw.cbs.indicators.get(key="p_wcorpw"),
    )
    return w


def _url(name, key, attr="pk"):
    return lambda w: reverse(name, args=[getattr(getattr(build(w), key), attr)])


def _list(name, query=""):
    return lambda w: build(w) and reverse(name) + query


class TestLicensedPages(AccessMatrix):
    world_setup = staticmethod(build)
    cases = [
        Case(
            "source list",
            url=_list("scores:source-list"),
            allowed=SEE,
            contains=SOURCE_NAME,
            admin_allowed=False,
        ),
        Case("source detail", url=_url("scores:source-detail", "source"), allowed=SEE, admin_allowed=False),
        Case(
            "indicator list",
            url=_list("scores:indicator-list"),
            allowed=SEE,
            contains=INDICATOR_NAME,
            admin_allowed=False,
        ),
        Case(
            "indicator list searched",
            url=_list("scores:indicator-list", "?q=velserduin"),
            allowed=SEE,
            contains=INDICATOR_NAME,
            admin_allowed=False,
        ),
        Case(
            "indicator detail",
            url=_url("scores:indicator-detail", "indicator"),
            allowed=SEE,
            admin_allowed=False,
        ),
        Case(
            "model list",
            url=_list("scores:model-list"),
            allowed=SEE,
            contains=SOURCE_NAME,
            admin_allowed=False,
        ),
        Case(
            "model detail",
            url=_url("scores:model-detail", "score_model", "key"),
            allowed=SEE,
            admin_allowed=False,
        ),
    ]


class TestLicensedApi(AccessMatrix):
    world_setup = staticmethod(build)
    cases = [
        Case(
            "api sources",
            api=True,
            url=_list("score-source-list"),
            allowed=SEE,
            contains=SOURCE_NAME,
            admin_allowed=False,
        ),
        Case(
            "api source",
            api=True,
            url=_url("score-source-detail", "source"),
            allowed=SEE,
            admin_allowed=False,
        ),
        Case(
            "api indicators",
            api=True,
            url=_list("indicator-list"),
            allowed=SEE,
            contains=INDICATOR_KEY,
            admin_allowed=False,
        ),
        Case(
            "api indicator",
            api=True,
            url=_url("indicator-detail", "indicator"),
            allowed=SEE,
            admin_allowed=False,
        ),
        Case(
            "api indicator values",
            api=True,
            url=_list("indicator-value-list"),
            allowed=SEE,
            contains=INDICATOR_KEY,
            admin_allowed=False,
        ),
        Case(
            "api indicator values by key",
            api=True,
            url=_list("indicator-value-list", f"?key={INDICATOR_KEY}&gemeente=GM0453&level=buurt"),
            allowed=SEE,
            contains=INDICATOR_KEY,
            admin_allowed=False,
        ),
        Case(
            "api indicator value",
            api=True,
            url=_url("indicator-value-detail", "value"),
            allowed=SEE,
            admin_allowed=False,
        ),
        Case(
            "api score models",
            api=True,
            url=_list("score-model-list"),
            allowed=SEE,
            contains=MODEL_KEY,
            admin_allowed=False,
        ),
        Case(
            "api score model",
            api=True,
            url=_url("score-model-detail", "score_model", "key"),
            allowed=SEE,
            admin_allowed=False,
        ),
        Case(
            "api scores",
            api=True,
            url=_list("score-list"),
            allowed=SEE,
            contains=MODEL_KEY,
            admin_allowed=False,
        ),
        Case(
            "api scores of the model",
            api=True,
            url=_list("score-list", f"?model={MODEL_KEY}&year=2022&area=BU04530000"),
            allowed=SEE,
            contains=MODEL_KEY,
            admin_allowed=False,
        ),
        Case("api score", api=True, url=_url("score-detail", "score"), allowed=SEE, admin_allowed=False),
        Case(
            "api score imports",
            api=True,
            url=_list("score-import-list"),
            allowed=OWNER,
            contains=IMPORT_NAME,
            admin_allowed=False,
        ),
        Case(
            "api score import",
            api=True,
            url=_url("score-import-detail", "job"),
            allowed=OWNER,
            admin_allowed=False,
        ),
    ]


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


@pytest.mark.django_db
def test_open_data_stays_visible_to_everyone(client, world):
    """The same lists still show the open CBS source, indicator and scores to those who
    do not see the licensed one."""
    build(world)
    for persona in HIDDEN:
        user = world.users[persona]
        assert "CBS kerncijfers" in _get(client, user, reverse("scores:source-list")).content.decode()
        scores = _get(client, user, reverse("score-list")).json()
        assert {row["model"] for row in scores["results"]} == {"wijkkoers-veerkracht"}
        values = _get(client, user, reverse("indicator-value-list")).json()
        assert {row["indicator"]["key"] for row in values["results"]} == {"a_inw", "p_wcorpw"}


@pytest.mark.django_db
def test_unsharing_hides_the_source_again(client, world):
    build(world)
    gemeente_user = world.gemeente_reviewer
    assert (
        _get(client, gemeente_user, reverse("scores:source-detail", args=[world.source.pk])).status_code
        == 200
    )

    services.source_share(
        actor=world.org_admin, source=world.source, organisations=[], version=world.source.version
    )

    assert (
        _get(client, gemeente_user, reverse("scores:source-detail", args=[world.source.pk])).status_code
        == 404
    )
    assert SOURCE_NAME not in _get(client, gemeente_user, reverse("scores:source-list")).content.decode()
    for name in ("score-list", "indicator-value-list", "score-model-list", "indicator-list"):
        body = _get(client, gemeente_user, reverse(name)).content.decode()
        assert MODEL_KEY not in body and INDICATOR_KEY not in body, name
    assert _get(client, gemeente_user, reverse("score-detail", args=[world.score.pk])).status_code == 404
    # The owner still sees it.
    assert _get(client, world.corp_editor, reverse("score-detail", args=[world.score.pk])).status_code == 200


@pytest.mark.django_db
def test_sharing_with_the_tenants_shows_it_to_them(client, world):
    build(world)
    tenant = world.tenant_rep
    url = reverse("score-detail", args=[world.score.pk])
    assert _get(client, tenant, url).status_code == 404
    services.source_share(
        actor=world.org_admin,
        source=world.source,
        organisations=[world.gemeente, world.huurders],
        version=world.source.version,
    )
    assert _get(client, tenant, url).status_code == 200
    assert _get(client, world.partner_reader, url).status_code == 404


@pytest.mark.django_db
def test_admin_site_does_not_show_licensed_data_to_platform_admins(client, world):
    build(world)
    admin_user = world.platform_admin
    admin_user.is_staff = True
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    for name in ("source", "indicator", "scoremodel", "score", "indicatorvalue", "scoreimport"):
        response = client.get(reverse(f"admin:scores_{name}_changelist"))
        assert response.status_code == 200, name
        body = response.content.decode()
        assert SOURCE_NAME not in body and INDICATOR_NAME not in body and IMPORT_NAME not in body, name
    assert "CBS kerncijfers" in client.get(reverse("admin:scores_source_changelist")).content.decode()
    # Django's admin answers an object outside its list with a redirect to the admin
    # index and "does not exist", exactly as for an id that was never used.
    response = client.get(reverse("admin:scores_source_change", args=[world.source.pk]), follow=True)
    assert response.redirect_chain == [(reverse("admin:index"), 302)]
    body = response.content.decode()
    assert f"met ID ‘{world.source.pk}’ bestaat niet" in body
    assert SOURCE_NAME not in body
