"""The import pages: list, upload, the job's progress and report, the template."""

import re
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from areas.tests.helpers import small_gemeente
from scores.models import IndicatorValue, Score, ScoreImport, Source, SourceKind
from scores.tests.helpers import install_catalogue

FILES = Path(__file__).parent / "files"


@pytest.fixture
def setup(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    small_gemeente(year=2022)
    sources = install_catalogue()
    world.objects["kwb"] = sources[SourceKind.CBS_KWB]
    world.objects["aedes"] = Source.objects.create(
        name="Aedes veerkracht Velserduin",
        kind=SourceKind.AEDES_VEERKRACHT,
        is_licensed=True,
        owner_organisation=world.corporatie,
    )
    return world


@pytest.fixture(autouse=True)
def recompute():
    with mock.patch("scores.tasks.scores_recompute.delay") as delay:
        yield delay


def login(client, user):
    client.force_login(user)
    return client


def upload(name, filename=None):
    return SimpleUploadedFile(filename or name, (FILES / name).read_bytes(), "text/csv")


@pytest.mark.parametrize("name", ["import-list", "import-create", "import-template"])
def test_anonymous_goes_to_login(client, name):
    response = client.get(reverse(f"scores:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_upload_job_page_and_report(setup, client, recompute, django_capture_on_commit_callbacks):
    client = login(client, setup.corp_editor)
    response = client.get(reverse("scores:import-create"))
    assert list(response.context["form"].fields["source"].queryset) == [setup.aedes]
    form = response.content.decode()
    assert reverse("scores:import-template") in form

    # A file with a code of no area: refused, nothing stored, the reason per row.
    bad = SimpleUploadedFile("fout.csv", b"code;jaar;klasse\nBU04530000;2022;2\nBU04539999;2022;1\n")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("scores:import-create"),
            {"source": setup.aedes.pk, "file_format": "aedes-veerkracht", "year": 2022, "file": bad},
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(response["Location"]).content.decode()
    assert "Mislukt" in page and "er is niets opgeslagen" in page
    assert "BU04539999" in page and "Onbekende code" in page
    assert 'hx-trigger="every 2s"' not in page
    assert not Score.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("scores:import-create"),
            {
                "source": setup.aedes.pk,
                "file_format": "aedes-veerkracht",
                "year": 2022,
                "file": upload("aedes_veerkracht_2022.csv"),
            },
        )
    page = client.get(response["Location"]).content.decode()
    assert "Klaar" in page and "de cijfers van 2022 zijn opgeslagen" in page
    assert '<dd class="utrecht-data-list__item-value" data-testid="scores-written">5</dd>' in page
    assert "aandeel_kwetsbaar" in page  # the new indicator is reported
    assert Score.objects.filter(model__source=setup.aedes).count() == 5
    recompute.assert_called_once()

    listing = client.get(reverse("scores:import-list")).content.decode()
    assert "fout.csv" in listing and "aedes_veerkracht_2022.csv" in listing


def test_upload_chooses_merge_or_replace_and_shows_what_would_be_removed(
    setup, client, recompute, django_capture_on_commit_callbacks
):
    client = login(client, setup.corp_editor)
    form = client.get(reverse("scores:import-create")).content.decode()
    assert 'value="merge"' in form and "Standaard is aanvullen" in form
    assert re.search(r'<input type="radio" name="mode" value="merge"[^>]* checked', form)

    def post(file, **extra):
        data = {"source": setup.aedes.pk, "file_format": "aedes-veerkracht", "year": 2022, "file": file}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("scores:import-create"), {**data, **extra})
        assert response.status_code == 302, response.content.decode()[:3000]
        return ScoreImport.objects.order_by("-pk").first(), client.get(response["Location"]).content.decode()

    job, _page = post(upload("aedes_veerkracht_2022.csv"))
    assert job.mode == "merge" and job.status == "klaar"
    one = b"code;jaar;klasse\nBU04530000;2022;2\n"
    # The first file stored 5 areas; this one holds 1: replacing would remove 4.
    job, page = post(SimpleUploadedFile("een.csv", one), mode="replace", dry_run="on")
    assert job.mode == "replace" and job.areas_removed == 4
    assert '<dd class="utrecht-data-list__item-value" data-testid="areas-removed">4</dd>' in page
    assert "Vervangen: gebieden die niet in het bestand staan verliezen hun waarden" in page
    assert Score.objects.filter(model__source=setup.aedes, is_aggregated=False).count() == 5
    api = client.get(reverse("score-import-detail", args=[job.pk])).json()
    assert (api["mode"], api["areas_removed"], api["dry_run"]) == ("replace", 4, True)
    # Without a choice the page merges: the other 4 keep their scores.
    job, page = post(SimpleUploadedFile("een.csv", one))
    assert job.mode == "merge" and job.areas_removed == 0
    assert '<dd class="utrecht-data-list__item-value" data-testid="areas-removed">0</dd>' in page
    assert Score.objects.filter(model__source=setup.aedes, is_aggregated=False).count() == 5


def test_form_errors_are_shown_on_the_form(setup, client):
    client = login(client, setup.platform_admin)
    response = client.post(
        reverse("scores:import-create"),
        {
            "source": setup.kwb.pk,
            "file_format": "leefbaarometer",
            "year": 2022,
            "file": upload("kwb_2022_komma_bom.csv"),
        },
    )
    assert response.status_code == 200
    assert "krijgt bestanden van de vorm" in response.content.decode()
    response = client.post(
        reverse("scores:import-create"),
        {
            "source": setup.kwb.pk,
            "file_format": "cbs-kwb",
            "year": 2030,
            "file": upload("kwb_2022_komma_bom.csv"),
        },
    )
    assert "importeer eerst de grenzen van 2030" in response.content.decode()
    response = client.post(
        reverse("scores:import-create"),
        {
            "source": setup.kwb.pk,
            "file_format": "cbs-kwb",
            "year": 2022,
            "file": SimpleUploadedFile("x.csv", b""),
        },
    )
    assert "leeg" in response.content.decode()
    # A licensed source of another organisation is not among the choices.
    response = client.post(
        reverse("scores:import-create"),
        {
            "source": setup.aedes.pk,
            "file_format": "aedes-veerkracht",
            "year": 2022,
            "file": upload("aedes_veerkracht_2022.csv"),
        },
    )
    assert response.status_code == 200 and not ScoreImport.objects.exists()


@pytest.mark.parametrize("persona", ["partner_reader", "outsider", "gemeente_reviewer"])
def test_without_importable_sources_the_page_explains(setup, client, persona):
    client = login(client, getattr(setup, persona))
    response = client.get(reverse("scores:import-create"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "U kunt nu in geen enkele bron importeren." in html and '<form method="post" enctype' not in html
    response = client.post(reverse("scores:import-create"), {"source": setup.aedes.pk})
    assert response.status_code == 200 and not ScoreImport.objects.exists()


def test_form_starts_with_the_file_shape_of_the_chosen_source(setup, client):
    # The corporation editor may import into the Aedes source only: its shape is preset.
    form = login(client, setup.corp_editor).get(reverse("scores:import-create")).context["form"]
    assert form.initial == {"source": setup.aedes, "file_format": SourceKind.AEDES_VEERKRACHT}
    # A platform admin asking for the CBS source (?bron=) gets the KWB shape.
    url = reverse("scores:import-create") + f"?bron={setup.kwb.pk}"
    form = login(client, setup.platform_admin).get(url).context["form"]
    assert form.initial == {"source": setup.kwb, "file_format": SourceKind.CBS_KWB}


def test_job_of_a_licensed_source_is_hidden_from_others(setup, client):
    job = ScoreImport.objects.create(
        source=setup.aedes,
        file_format="aedes-veerkracht",
        file="imports/scores/x.csv",
        original_name="x.csv",
        year=2022,
        status=ScoreImport.Status.RUNNING,
        progress=40,
        progress_message="codes controleren",
        started_by=setup.corp_editor,
        warnings=[{"row": 4, "code": "BU04530004", "message": "Let op."}],
    )
    for persona in ("platform_admin", "outsider", "partner_reader"):
        login(client, getattr(setup, persona))
        assert client.get(reverse("scores:import-detail", args=[job.pk])).status_code == 404
        assert client.get(reverse("scores:import-status", args=[job.pk])).status_code == 404
        assert "x.csv" not in client.get(reverse("scores:import-list")).content.decode()
    login(client, setup.org_admin)
    html = client.get(reverse("scores:import-detail", args=[job.pk])).content.decode()
    assert (
        'hx-trigger="every 2s"' in html
        and f'hx-get="{reverse("scores:import-status", args=[job.pk])}"' in html
    )
    assert "40%" in html and "codes controleren" in html and "BU04530004" in html and "Let op." in html
    partial = client.get(reverse("scores:import-status", args=[job.pk])).content.decode()
    assert partial.lstrip().startswith("<section") and "<html" not in partial


def test_long_report_is_capped_with_a_count(setup, client):
    errors = [{"row": i, "code": "BU04530000", "message": f"fout {i}"} for i in range(2, 400)]
    job = ScoreImport.objects.create(
        source=setup.kwb,
        file_format="cbs-kwb",
        file="imports/scores/x.csv",
        original_name="x.csv",
        year=2022,
        status=ScoreImport.Status.FAILED,
        errors=errors,
    )
    html = (
        login(client, setup.platform_admin)
        .get(reverse("scores:import-detail", args=[job.pk]))
        .content.decode()
    )
    assert "fout 201" in html and "fout 202<" not in html
    assert "de eerste 200 van 398 meldingen" in html


def test_list_queries_do_not_grow(setup, client, django_assert_max_num_queries):
    for i in range(30):
        ScoreImport.objects.create(
            source=setup.aedes,
            file_format="aedes-veerkracht",
            file="imports/scores/x.csv",
            original_name=f"bestand-{i}.csv",
            year=2022,
            started_by=setup.corp_editor,
        )
    client = login(client, setup.corp_editor)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("scores:import-list")).content.decode()
    assert "bestand-29.csv" in html and "Pagina 1 van 2" in html


def test_template_download(setup, client):
    response = login(client, setup.tenant_rep).get(reverse("scores:import-template"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode().splitlines()[0] == "code;jaar;klasse;klassenaam;score"


def test_values_stay_out_of_reach_after_a_page_import(setup, client, django_capture_on_commit_callbacks):
    client = login(client, setup.platform_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("scores:import-create"),
            {
                "source": setup.kwb.pk,
                "file_format": "cbs-kwb",
                "year": 2022,
                "file": upload("kwb_2022_komma_bom.csv"),
                "dry_run": "on",
            },
        )
    job = ScoreImport.objects.get()
    assert job.status == ScoreImport.Status.DONE and job.dry_run and job.values_written == 14
    assert not IndicatorValue.objects.exists()
