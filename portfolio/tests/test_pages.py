"""The portfolio pages and API at work: figures per buurt, filters, the strategy form
with stale edits and history, the import page with its preview, bad input, and query
bounds as the portfolio grows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portfolio.models import Complex, ComplexImport, ComplexStrategy
from portfolio.tests.helpers import make_complex, portfolio_world, strategy
from portfolio.tests.test_import import HEADER, IN_DORP, rd

pytestmark = pytest.mark.django_db


@pytest.fixture
def pw(world):
    return portfolio_world(world.corporatie)


def _detail(client, world, **params):
    client.force_login(world.corp_editor)
    return client.get(reverse("portfolio:detail", args=[world.corporatie.slug]), params)


def _numbers(response):
    return sorted(c.number for c in response.context["page"].object_list)


def test_figures_per_buurt(world, client, pw):
    response = _detail(client, world)
    assert response.status_code == 200
    rows = {row.code: row for row in response.context["buurten"].object_list}
    dorp = rows["BU04530000"]
    # C1 100 + C2 50 = 150 dwellings; of a_woning 1000: 15 %; of all corporations'
    # 1000 × 30 / 100 = 300: 50 %.
    assert dorp.dwellings == 150
    assert dorp.share_of_buurt == pytest.approx(15.0)
    assert dorp.share_of_corporations == pytest.approx(50.0)
    assert dorp.score.under_pressure and dorp.score.label == "kwetsbaar"
    body = response.content.decode()
    assert "15,0" in body and "50,0" in body
    assert "data-portfolio-map" in body and 'id="complexen"' in body


@pytest.mark.parametrize(
    ("params", "numbers"),
    [
        ({"strategie": "verkopen"}, ["C2"]),
        ({"strategie": "geen"}, ["C4", "C5"]),
        ({"energielabel": "A"}, ["C3"]),
        ({"huurklasse": "middenhuur"}, ["C1"]),
        ({"signaal": "9"}, ["C5"]),
        ({"signaal": "99"}, ["C1", "C2", "C3", "C4", "C5"]),  # not a signal: no filter, no error
    ],
)
def test_filters(world, client, pw, params, numbers):
    response = _detail(client, world, **params)
    assert response.status_code == 200
    assert _numbers(response) == numbers


def test_map_data_geojson(world, client, pw):
    client.force_login(world.corp_editor)
    response = client.get(
        reverse("complex-geojson"), {"organisation": world.corporatie.slug, "strategie": "verkopen"}
    )
    data = response.json()
    assert response.status_code == 200
    assert [f["properties"]["number"] for f in data["features"]] == ["C2"]
    assert data["features"][0]["properties"]["color"] == "#ff7f00"
    assert data["features"][0]["geometry"]["type"] == "Point"


def test_strategy_form_conflict_and_history(world, client, pw):
    c1 = pw.complexes["C1"]
    version = c1.strategy.version
    client.force_login(world.corp_editor)
    url = reverse("portfolio:strategy", args=[c1.pk])
    form = {"kind": "renoveren", "horizon_year": 2031, "rationale": "Label D naar A.", "version": version}
    assert client.post(url, form).status_code == 302
    strategy = ComplexStrategy.objects.get(complex=c1)
    assert (strategy.kind, strategy.horizon_year, strategy.planned_social_rent) == ("renoveren", 2031, None)
    # Someone else saved in between: the stale form is refused, nothing changes.
    stale = {**form, "kind": "verkopen"}
    response = client.post(url, stale)
    assert response.status_code == 409
    assert ComplexStrategy.objects.get(complex=c1).kind == "renoveren"
    # Sloop-nieuwbouw needs the dwellings planned back.
    response = client.post(url, {**form, "kind": "sloop_nieuwbouw", "version": strategy.version})
    assert response.status_code == 200
    assert "terugkomen" in response.content.decode()
    detail = client.get(reverse("portfolio:complex-detail", args=[c1.pk])).content.decode()
    assert "renoveren/verduurzamen" in detail and "Geschiedenis" in detail
    assert strategy.history.count() == 2
    assert strategy.history.first().history_user == world.corp_editor


def test_strategy_links_commitments_of_the_corporation(world, client, pw):
    from agreements.tests.test_services import signed_agreement

    _agreement, (commitment,) = signed_agreement(world, commitments=1)
    c1 = pw.complexes["C1"]
    client.force_login(world.corp_editor)
    url = reverse("portfolio:strategy", args=[c1.pk])
    page = client.get(url)
    assert commitment in page.context["form"].fields["commitments"].queryset
    form = {
        "kind": "sloop_nieuwbouw",
        "horizon_year": 2030,
        "rationale": "Meer sociale huur terug.",
        "planned_social_rent": 150,
        "planned_mid_rent": 0,
        "planned_free_sector": 0,
        "commitments": [commitment.pk],
        "version": c1.strategy.version,
    }
    assert client.post(url, form).status_code == 302
    assert list(ComplexStrategy.objects.get(complex=c1).commitments.all()) == [commitment]
    detail = client.get(reverse("portfolio:complex-detail", args=[c1.pk])).content.decode()
    assert reverse("agreements:commitment", args=[commitment.pk]) in detail
    # The outsider cannot see the commitment, so cannot link it through the API either.
    client.force_login(world.outsider)
    response = client.patch(
        reverse("complex-strategy-detail", args=[c1.strategy.pk]),
        {"commitments": [commitment.pk], "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_bad_ids_and_input(world, client, pw):
    client.force_login(world.corp_editor)
    assert client.get(reverse("portfolio:complex-detail", args=[999999])).status_code == 404
    assert client.get(reverse("portfolio:detail", args=["bestaat-niet"])).status_code == 404
    assert client.get(reverse("portfolio:import-detail", args=[999999])).status_code == 404
    response = client.get(
        reverse("portfolio:detail", args=[world.corporatie.slug]), {"jaar": "abc", "horizon": "x"}
    )
    assert response.status_code == 200
    response = client.patch(
        reverse("complex-strategy-detail", args=[pw.complexes["C1"].strategy.pk]),
        {"horizon_year": "abc", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 400 and "horizon_year" in response.json()
    assert client.get(reverse("complex-detail", args=[999999])).status_code == 404
    response = client.get(reverse("portfolio-projection", args=[world.corporatie.slug]), {"horizon": "later"})
    assert response.status_code == 400 and "horizon" in response.json()


def test_api_strategy_create_change_and_conflict(world, client, pw):
    c5 = pw.complexes["C5"]
    url = reverse("complex-strategy-list")
    body = {"complex": c5.pk, "kind": "doorexploiteren", "horizon_year": 2030, "rationale": "Nieuw."}
    client.force_login(world.outsider)
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400 and "complex" in response.json()
    client.force_login(world.corp_editor)
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert client.post(url, body, content_type="application/json").status_code == 400
    strategy = ComplexStrategy.objects.get(complex=c5)
    detail = reverse("complex-strategy-detail", args=[strategy.pk])
    response = client.patch(detail, {"horizon_year": 2035}, content_type="application/json")
    assert response.status_code == 400 and "version" in response.json()
    response = client.patch(
        detail, {"horizon_year": 2035, "version": strategy.version}, content_type="application/json"
    )
    assert response.status_code == 200
    response = client.patch(
        detail, {"horizon_year": 2036, "version": strategy.version}, content_type="application/json"
    )
    assert response.status_code == 409
    response = client.patch(
        detail, {"kind": "sloop_nieuwbouw", "version": strategy.version + 1}, content_type="application/json"
    )
    assert response.status_code == 400 and "planned_social_rent" in response.json()


def test_import_page_preview_then_confirm(world, client, pw, django_capture_on_commit_callbacks):
    client.force_login(world.corp_editor)
    x, y = rd(*IN_DORP)
    text = f"{HEADER}\nN1,Nieuw,,,,,{x},{y},2,0,2,0,0,,B\n"
    upload = SimpleUploadedFile("register.csv", text.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portfolio:import"),
            {"organisation": world.corporatie.pk, "year": 2022, "file": upload, "dry_run": "on"},
        )
    assert response.status_code == 302, response.context["form"].errors
    job = ComplexImport.objects.get()
    assert job.status == "klaar" and job.dry_run and job.created == 1 and job.missing == 5
    page = client.get(reverse("portfolio:import-detail", args=[job.pk])).content.decode()
    assert "nieuw" in page and "ontbreekt" in page and "Nu echt importeren" in page
    assert not Complex.objects.filter(number="N1").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portfolio:import-confirm", args=[job.pk]))
    assert response.status_code == 302
    assert Complex.objects.filter(number="N1", organisation=world.corporatie).exists()
    # Confirming a real import again is refused with a message, not an error page.
    real = ComplexImport.objects.order_by("-pk").first()
    assert client.post(reverse("portfolio:import-confirm", args=[real.pk])).status_code == 302
    # A readers' persona cannot start an import.
    client.force_login(world.partner_reader)
    upload = SimpleUploadedFile("register.csv", text.encode(), content_type="text/csv")
    response = client.post(
        reverse("portfolio:import"), {"organisation": world.corporatie.pk, "year": 2022, "file": upload}
    )
    assert response.status_code == 403


def test_import_page_refuses_a_bad_file(world, client, pw):
    client.force_login(world.corp_editor)
    upload = SimpleUploadedFile("register.pdf", b"%PDF-1.7", content_type="application/pdf")
    response = client.post(
        reverse("portfolio:import"), {"organisation": world.corporatie.pk, "year": 2022, "file": upload}
    )
    assert response.status_code == 200
    assert "CSV-bestand" in response.content.decode()
    assert not ComplexImport.objects.exists()


def test_query_bounds(world, client, pw, django_assert_max_num_queries):
    """The pages and API lists run the same number of queries for 5 complexes as for 65."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.corp_editor)
    urls = [
        reverse("portfolio:detail", args=[world.corporatie.slug]),
        reverse("portfolio:projection", args=[world.corporatie.slug]),
        reverse("complex-list"),
        reverse("complex-strategy-list"),
        reverse("complex-geojson"),
    ]

    def counts():
        found = []
        for url in urls:
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    few = counts()
    buurt = pw.buurten["BU04530100"]
    for n in range(60):
        complex = make_complex(world.corporatie, buurt, f"X{n:03}", multi=4, social=4)
        strategy(complex, "renoveren", 2030)
    assert counts() == few
    with django_assert_max_num_queries(25):
        assert client.get(urls[0]).status_code == 200
    assert client.get(urls[2]).json()["count"] == 65


def test_api_upload_of_a_register(world, client, pw, django_capture_on_commit_callbacks):
    x, y = rd(*IN_DORP)
    text = f"{HEADER}\nN1,Nieuw,,,,,{x},{y},2,0,2,0,0,,B\n"
    url = reverse("complex-import-list")
    client.force_login(world.partner_reader)
    upload = SimpleUploadedFile("register.csv", text.encode(), content_type="text/csv")
    response = client.post(url, {"organisation": world.corporatie.slug, "year": 2022, "file": upload})
    assert response.status_code == 400 and "organisation" in response.json()
    client.force_login(world.corp_editor)
    upload = SimpleUploadedFile("register.csv", text.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"organisation": world.corporatie.slug, "year": 2022, "file": upload})
    assert response.status_code == 201, response.json()
    job = client.get(reverse("complex-import-detail", args=[response.json()["id"]])).json()
    assert (job["status"], job["dry_run"], job["created"], job["missing"]) == ("klaar", True, 1, 5)
    upload = SimpleUploadedFile("register.txt", b"", content_type="text/plain")
    response = client.post(url, {"organisation": world.corporatie.slug, "year": 2022, "file": upload})
    assert response.status_code == 400


def test_more_small_than_social_is_refused(world, client, pw):
    c1 = pw.complexes["C1"]
    client.force_login(world.corp_editor)
    form = {
        "kind": "sloop_nieuwbouw",
        "horizon_year": 2030,
        "rationale": "Terugbouwen.",
        "planned_social_rent": 40,
        "planned_mid_rent": 0,
        "planned_free_sector": 0,
        "planned_small_social": 50,
        "version": c1.strategy.version,
    }
    response = client.post(reverse("portfolio:strategy", args=[c1.pk]), form)
    assert response.status_code == 200
    assert "niet meer kleine sociale huurwoningen" in response.content.decode()
    assert ComplexStrategy.objects.get(complex=c1).planned_social_rent == 120


def test_register_download_follows_the_filters(world, client, pw):
    client.force_login(world.corp_editor)
    url = reverse("portfolio:export", args=[world.corporatie.slug, "csv"])
    text = client.get(url, {"strategie": "verkopen"}).content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("complexnummer,naam")
    assert [line.split(",")[0] for line in lines[1:]] == ["C2"]
    assert client.get(reverse("portfolio:export", args=[world.corporatie.slug, "pdf"])).status_code == 404
