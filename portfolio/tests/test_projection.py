"""The projection at a horizon year and its flags, against numbers worked out by hand
(see ``portfolio.tests.helpers`` for the world), and what a shared gemeente sees."""

import pytest
from django.urls import reverse

from organisations.services import object_share
from portfolio import selectors, services
from portfolio.tests.helpers import YEAR, portfolio_world
from scores.tests.helpers import model

pytestmark = pytest.mark.django_db


def _project(world, user, horizon, slug=None):
    view = selectors.portfolio_get(user=user, slug=slug or world.corporatie.slug)
    gemeenten = selectors.projection(
        user=user, view=view, year=YEAR, horizon=horizon, model=model("wijkkoers-veerkracht")
    )
    return gemeenten, {b.code: b for g in gemeenten for b in g.buurten}


def test_projection_at_2032(world):
    portfolio_world(world.corporatie)
    gemeenten, buurten = _project(world, world.corp_editor, 2032)
    dorp = buurten["BU04530000"]
    # Today: all corporations' stock 1000 × 30 / 100 = 300 (more than the own 80 + 50).
    assert dorp.stock_today == 1000
    assert dorp.social_today == 300
    assert dorp.share_today == pytest.approx(30.0)
    # C1 sloop-nieuwbouw (2030): 100 dwellings → 150 (+50), social 80 → 120 (+40);
    # C2 verkopen (2028): social −50. Stock 1000 + 50 = 1050; social 300 + 40 − 50 = 290.
    assert dorp.stock_horizon == 1050
    assert dorp.social_horizon == 290
    assert dorp.share_horizon == pytest.approx(100 * 290 / 1050)  # 27.62 %
    haven = buurten["BU04530100"]
    # Today 500 × 20 / 100 = 100 social. C3 liberaliseren: −40; C4 new (built 2030): +20
    # dwellings, +20 social. Stock 520, social 80, share 15.38 %.
    assert (haven.stock_today, haven.social_today) == (500, 100)
    assert (haven.stock_horizon, haven.social_horizon) == (520, 80)
    assert haven.share_horizon == pytest.approx(100 * 80 / 520)
    zee = buurten["BU04530001"]
    # Today 200 × 10 / 100 = 20. C5 new (built 2026): +30 dwellings, +30 social.
    assert (zee.stock_horizon, zee.social_horizon) == (230, 50)
    [velsen] = gemeenten
    # Gemeente: today 1000 + 200 + 500 = 1700 dwellings, 300 + 20 + 100 = 420 social;
    # horizon 1050 + 230 + 520 = 1800, 290 + 50 + 80 = 420.
    assert (velsen.stock_today, velsen.social_today) == (1700, 420)
    assert (velsen.stock_horizon, velsen.social_horizon) == (1800, 420)
    assert velsen.share_horizon == pytest.approx(100 * 420 / 1800)


def test_strategies_after_the_horizon_do_not_count(world):
    portfolio_world(world.corporatie)
    _gemeenten, buurten = _project(world, world.corp_editor, 2029)
    dorp = buurten["BU04530000"]
    # Only C2 verkopen (2028) by 2029; C1's sloop-nieuwbouw (2030) not yet: 300 − 50 = 250.
    assert (dorp.stock_horizon, dorp.social_horizon) == (1000, 250)
    haven = buurten["BU04530100"]
    # C3 liberaliseren (2027): 100 − 40 = 60; C4 is built in 2030: not yet.
    assert (haven.stock_horizon, haven.social_horizon) == (500, 60)


def test_flags(world):
    portfolio_world(world.corporatie)
    _gemeenten, buurten = _project(world, world.corp_editor, 2032)
    dorp = buurten["BU04530000"]
    # Dorpskern is class 2 of 5: under pressure. C1 raises the share from 300/1000 = 30 %
    # to 340/1050 = 32.38 % (+2.38 pp ≥ 1); C2 lowers it (not flagged in a weak buurt).
    [flag] = dorp.flags
    assert (flag.kind, flag.effect.number) == ("raises", "C1")
    assert flag.change_pp == pytest.approx(100 * 340 / 1050 - 30)
    # Small social rent (in meergezins): C1 80 × 60/100 = 48 → 120 × 60/100 = 72, C2 50:
    # 98/1000 = 9.8 % → 122/1050 = 11.62 %.
    assert flag.small_change_pp == pytest.approx(100 * 122 / 1050 - 9.8)
    zee = buurten["BU04530001"]
    # Zeeheldenbuurt is class 3 but its signal is 'beide stijgen': under pressure. C5 adds
    # 30 social: 20/200 = 10 % → 50/230 = 21.74 %.
    assert zee.score.under_pressure
    assert [(f.kind, f.effect.number) for f in zee.flags] == [("raises", "C5")]
    haven = buurten["BU04530100"]
    # Havenkwartier is class 5: strong. C3 liberaliseren lowers 100/500 = 20 % to 60/500
    # = 12 % (−8 pp); C4 raises it there, which is not flagged in a strong buurt.
    assert [(f.kind, f.effect.number) for f in haven.flags] == [("lowers", "C3")]
    assert haven.flags[0].change_pp == pytest.approx(-8.0)


def test_thresholds_are_the_beheerders(world):
    pw = portfolio_world(world.corporatie)
    services.portfolio_update(
        actor=world.org_admin,
        portfolio=pw.portfolio,
        version=pw.portfolio.version,
        raise_threshold=5.0,
        lower_threshold=10.0,
        pressure_classes=2,
        strong_classes=2,
    )
    _gemeenten, buurten = _project(world, world.corp_editor, 2032)
    # C1's +2.38 pp and C3's −8 pp are under the new thresholds; C5's +11.74 pp is not.
    assert buurten["BU04530000"].flags == []
    assert buurten["BU04530100"].flags == []
    assert [f.effect.number for f in buurten["BU04530001"].flags] == ["C5"]


def test_a_shared_gemeente_sees_its_own_buurten_only(world, client):
    pw = portfolio_world(world.corporatie, with_haarlem=True)
    # Before sharing: not found.
    client.force_login(world.gemeente_reviewer)
    url = reverse("portfolio:projection", args=[world.corporatie.slug])
    assert client.get(url).status_code == 404
    services.portfolio_share(
        actor=world.org_admin, portfolio=pw.portfolio, organisations=[world.gemeente, world.other_gemeente]
    )
    gemeenten, buurten = _project(world, world.gemeente_reviewer, 2032)
    assert {g.code for g in gemeenten} == {"GM0453"}
    assert "BU03920000" not in buurten
    _gemeenten, haarlem = _project(world, world.outsider, 2032)
    assert set(haarlem) == {"BU03920000"}
    response = client.get(url)
    assert response.status_code == 200
    assert "Dorpskern" in response.content.decode() and "Haarlem Centrum" not in response.content.decode()
    # The portfolio page redirects to the projection; complexes stay hidden.
    assert client.get(reverse("portfolio:detail", args=[world.corporatie.slug])).status_code == 302
    assert client.get(reverse("portfolio:complex-detail", args=[pw.complexes["C1"].pk])).status_code == 404
    assert client.get(reverse("complex-list")).json()["count"] == 0


def test_sharing_only_with_gemeenten_and_only_by_beheerders(world):
    pw = portfolio_world(world.corporatie)
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError):
        services.portfolio_share(actor=world.org_admin, portfolio=pw.portfolio, organisations=[world.partner])
    with pytest.raises(PermissionDenied):
        services.portfolio_share(
            actor=world.corp_editor, portfolio=pw.portfolio, organisations=[world.gemeente]
        )
    with pytest.raises(PermissionDenied):
        object_share(actor=world.corp_editor, obj=pw.portfolio, action="view", organisation=world.gemeente)
    services.portfolio_share(actor=world.org_admin, portfolio=pw.portfolio, organisations=[world.gemeente])
    assert services.shared_organisations(pw.portfolio) == [world.gemeente]
    services.portfolio_share(actor=world.org_admin, portfolio=pw.portfolio, organisations=[])
    assert services.shared_organisations(pw.portfolio) == []


def test_projection_export_is_formula_safe(world, client):
    pw = portfolio_world(world.corporatie)
    from areas.models import Area

    Area.objects.filter(pk=pw.buurten["BU04530000"].pk).update(name="=HYPERLINK(1)")
    client.force_login(world.corp_editor)
    url = reverse("portfolio:projection", args=[world.corporatie.slug])
    response = client.get(url, {"horizon": 2032, "formaat": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    assert "BU04530000" in text
    assert client.get(url, {"formaat": "xlsx"}).status_code == 200
    assert client.get(url, {"formaat": "pdf"}).status_code == 404


def test_small_social_rent_alone_can_raise_a_flag(world):
    pw = portfolio_world(world.corporatie)
    from portfolio.models import ComplexStrategy
    from portfolio.tests.helpers import make_complex, strategy

    dorp = pw.buurten["BU04530000"]
    # 40 eengezins social rent replaced by 40 social rent, all small (meergezins): the
    # share of social rent stays 300/1000 (C1 and C2 are out of the way: horizon 2029
    # only counts C2 −50, so 250/1000 before and after C6), the small share rises by
    # 40/1000 = 4 pp.
    c6 = make_complex(world.corporatie, dorp, "C6", single=40, social=40)
    strategy(
        c6,
        "sloop_nieuwbouw",
        2029,
        planned_social_rent=40,
        planned_mid_rent=0,
        planned_free_sector=0,
        planned_small_social=40,
    )
    _gemeenten, buurten = _project(world, world.corp_editor, 2029)
    flags = [f for f in buurten["BU04530000"].flags if f.effect.number == "C6"]
    [flag] = flags
    assert flag.change_pp == pytest.approx(0.0)
    assert flag.small_change_pp == pytest.approx(4.0)
    # Without the planned small ones, the complex's present proportion (no meergezins)
    # brings back no small dwellings: no flag.
    ComplexStrategy.objects.filter(complex=c6).update(planned_small_social=None)
    _gemeenten, buurten = _project(world, world.corp_editor, 2029)
    assert [f for f in buurten["BU04530000"].flags if f.effect.number == "C6"] == []
