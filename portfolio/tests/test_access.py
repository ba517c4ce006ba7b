"""Who may see and do what on every portfolio page and API endpoint.

The portfolio belongs to the personas' corporation: its bewerker (corp_editor) and
beheerder (org_admin) see it; only the beheerder sets thresholds and shares. The
gemeente, tenants, partner and outsider see nothing of it (404), unless the portfolio is
shared with the gemeente: then the gemeente sees the projection, and still no complex.
"""

from django.urls import reverse

from portfolio import services
from portfolio.models import ComplexImport
from portfolio.tests.helpers import portfolio_world
from tests.matrix import AccessMatrix, Case

OWNERS = {"corp_editor", "org_admin"}
OTHERS = {"gemeente_reviewer", "tenant_rep", "partner_reader", "outsider"}
SIGNED_IN = OWNERS | OTHERS
CORP = "Woningcorporatie Velserduin"


def build(w):
    pw = portfolio_world(w.corporatie)
    job = ComplexImport.objects.create(
        organisation=w.corporatie,
        original_name="register.csv",
        year=2022,
        file="imports/complexes/register.csv",
        started_by=w.corp_editor,
        status=ComplexImport.Status.DONE,
    )
    w.objects.update(
        pw=pw, c1=pw.complexes["C1"], s1=pw.complexes["C1"].strategy, job=job, portfolio=pw.portfolio
    )
    return w


def _slug(name, suffix=""):
    return lambda w: reverse(name, args=[w.corporatie.slug]) + suffix


def _share(w):
    services.portfolio_share(actor=w.org_admin, portfolio=w.portfolio, organisations=[w.gemeente])


def _strategy_form(w):
    return {
        "kind": "renoveren",
        "horizon_year": 2031,
        "rationale": "Label D naar A.",
        "version": w.s1.version,
    }


class TestPortfolioPages(AccessMatrix):
    world_setup = staticmethod(build)
    cases = [
        Case("index", url=lambda w: reverse("portfolio:index"), allowed=OWNERS, contains=CORP),
        Case("portfolio page", url=_slug("portfolio:detail"), allowed=OWNERS),
        Case(
            "portfolio page filtered",
            url=_slug(
                "portfolio:detail", "?strategie=verkopen&energielabel=C&huurklasse=sociale_huur&signaal=5"
            ),
            allowed=OWNERS,
        ),
        Case("projection", url=_slug("portfolio:projection"), allowed=OWNERS),
        Case(
            "projection shared with the gemeente",
            url=_slug("portfolio:projection"),
            setup=_share,
            allowed=OWNERS | {"gemeente_reviewer"},
        ),
        Case(
            "complex shared portfolio",
            url=lambda w: reverse("portfolio:complex-detail", args=[w.c1.pk]),
            setup=_share,
            allowed=OWNERS,
        ),
        Case("projection export", url=_slug("portfolio:projection", "?formaat=csv"), allowed=OWNERS),
        Case(
            "register export",
            url=lambda w: reverse("portfolio:export", args=[w.corporatie.slug, "csv"]),
            allowed=OWNERS,
        ),
        Case(
            "register export shared portfolio",
            url=lambda w: reverse("portfolio:export", args=[w.corporatie.slug, "xlsx"]),
            setup=_share,
            allowed=OWNERS,
        ),
        Case(
            "settings page", url=_slug("portfolio:settings"), allowed={"org_admin"}, visible={"corp_editor"}
        ),
        Case(
            "settings",
            method="post",
            url=_slug("portfolio:settings"),
            data=lambda w: {
                "pressure_classes": 1,
                "strong_classes": 1,
                "raise_threshold": "2",
                "lower_threshold": "2",
                "version": w.portfolio.version,
            },
            allowed={"org_admin"},
            visible={"corp_editor"},
        ),
        Case("share page", url=_slug("portfolio:share"), allowed={"org_admin"}, visible={"corp_editor"}),
        Case(
            "share",
            method="post",
            url=_slug("portfolio:share"),
            data=lambda w: {"organisations": [w.gemeente.pk], "version": w.portfolio.version},
            allowed={"org_admin"},
            visible={"corp_editor"},
        ),
        Case("complex", url=lambda w: reverse("portfolio:complex-detail", args=[w.c1.pk]), allowed=OWNERS),
        Case("strategy page", url=lambda w: reverse("portfolio:strategy", args=[w.c1.pk]), allowed=OWNERS),
        Case(
            "strategy",
            method="post",
            url=lambda w: reverse("portfolio:strategy", args=[w.c1.pk]),
            data=_strategy_form,
            allowed=OWNERS,
        ),
        Case("import page", url=lambda w: reverse("portfolio:import"), allowed=SIGNED_IN),
        Case("import template", url=lambda w: reverse("portfolio:import-template"), allowed=SIGNED_IN),
        Case("import job", url=lambda w: reverse("portfolio:import-detail", args=[w.job.pk]), allowed=OWNERS),
        Case(
            "import status", url=lambda w: reverse("portfolio:import-status", args=[w.job.pk]), allowed=OWNERS
        ),
        # A finished import is no trial run to carry through: the page says so.
        Case(
            "import carry through",
            method="post",
            url=lambda w: reverse("portfolio:import-confirm", args=[w.job.pk]),
            allowed=OWNERS,
        ),
    ]


class TestPortfolioApi(AccessMatrix):
    world_setup = staticmethod(build)
    cases = [
        Case(
            "complexes",
            api=True,
            url=lambda w: reverse("complex-list"),
            allowed=OWNERS,
            contains="Complex C1",
        ),
        Case(
            "complex",
            api=True,
            url=lambda w: reverse("complex-detail", args=[w.c1.pk]),
            allowed=OWNERS,
        ),
        Case(
            "geojson",
            api=True,
            url=lambda w: reverse("complex-geojson") + f"?organisation={w.corporatie.slug}",
            allowed=OWNERS,
            contains="Complex C1",
        ),
        Case(
            "strategies",
            api=True,
            url=lambda w: reverse("complex-strategy-list"),
            allowed=OWNERS,
            contains="sloop_nieuwbouw",
        ),
        Case(
            "strategy change",
            api=True,
            method="patch",
            url=lambda w: reverse("complex-strategy-detail", args=[w.s1.pk]),
            data=lambda w: {"horizon_year": 2033, "version": w.s1.version},
            allowed=OWNERS,
        ),
        Case(
            "imports",
            api=True,
            url=lambda w: reverse("complex-import-list"),
            allowed=OWNERS,
            contains="register.csv",
        ),
        Case(
            "import",
            api=True,
            url=lambda w: reverse("complex-import-detail", args=[w.job.pk]),
            allowed=OWNERS,
        ),
        Case(
            "projection",
            api=True,
            url=lambda w: reverse("portfolio-projection", args=[w.corporatie.slug]),
            allowed=OWNERS,
        ),
        Case(
            "projection shared",
            api=True,
            setup=_share,
            url=lambda w: reverse("portfolio-projection", args=[w.corporatie.slug]),
            allowed=OWNERS | {"gemeente_reviewer"},
        ),
    ]
