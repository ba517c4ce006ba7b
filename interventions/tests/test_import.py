"""Importing interventions from a filled-in export or template: an upload becomes a job
whose page shows the result; all rows or none, with a Dutch report per row."""

import csv
import io
import re

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interventions import services
from interventions.exports import HEADERS
from interventions.models import Intervention, InterventionImport, ProgressUpdate
from interventions.services import imports as import_services
from interventions.tests.helpers import build_intervention, build_team, haarlem, velsen

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(world):
    velsen_areas = velsen()
    haarlem()
    return build_team(world, velsen_areas["wijk"])


@pytest.fixture
def intervention(world, team):
    return build_intervention(world, team)


def row(**values):
    base = {
        "ID": "",
        "Versie": "",
        "Titel": "Buurtconciërge",
        "Omschrijving": "Een vast gezicht in de wijk.",
        "Thema": "veiligheid",
        "Status": "gepland",
        "Reden van stoppen": "",
        "Teamgebied": "WK045301",
        "Jaar indeling": "2022",
        "Gebieden": "WK045301, BU04530100",
        "Trekker": "Woningcorporatie Velserduin",
        "Partners": "Gemeente Velsen; Stichting Welzijn IJmond",
        "Begindatum": "2025-01-01",
        "Einddatum": "2025-12-31",
        "Budget (€)": "40.000,00",
        "Financier": "Gemeente Velsen",
        "Indicatoren": "p_wcorpw",
    }
    base.update(values)
    return [base[header] for header in HEADERS]


def csv_file(*rows, name="interventies.csv", delimiter=","):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return SimpleUploadedFile(name, ("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv")


def xlsx_file(*rows):
    data = tablib.Dataset(*rows, headers=HEADERS)
    return SimpleUploadedFile("interventies.xlsx", data.export("xlsx"))


def page_text(response):
    return re.sub(r"\s+", " ", response.content.decode())


REPORT_ROW = re.compile(
    r'<td class="utrecht-table__cell utrecht-table__cell--numeric">(\d+)</td> '
    r'<td class="utrecht-table__cell">(.*?)</td> <td class="utrecht-table__cell">(.*?)</td>'
)


@pytest.fixture
def post_import(client, django_capture_on_commit_callbacks):
    """Upload a file on the import page; the job runs (eagerly) once the upload commits."""

    def post(upload):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("interventions:import"), {"file": upload})

    return post


def job_of(response) -> InterventionImport:
    """The job an upload redirected to."""
    assert response.status_code == 302, page_text(response)
    job = InterventionImport.objects.latest("pk")
    assert response["Location"] == reverse("interventions:import-detail", args=[job.pk])
    return job


@pytest.fixture
def run_import(django_capture_on_commit_callbacks):
    """Start an import as ``actor`` and let its job run; the finished job."""

    def run(actor, upload) -> InterventionImport:
        with django_capture_on_commit_callbacks(execute=True):
            job = import_services.intervention_import_start(actor=actor, uploaded_file=upload)
        job.refresh_from_db()
        assert job.is_finished
        return job

    return run


def found(job) -> list[tuple]:
    return [(error["row"], error["code"]) for error in job.errors]


def test_good_file_creates_and_updates(client, post_import, world, team, intervention):
    client.force_login(world.corp_editor)
    export = client.get(reverse("interventions:export", args=["csv"])).content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(export.lstrip("\ufeff"))))
    assert rows[0] == HEADERS
    existing = dict(zip(HEADERS, rows[1], strict=True))
    existing.update({"Titel": "Achter de voordeur, herzien", "Status": "gepland", "Budget (€)": "30000.00"})
    upload = csv_file([existing[h] for h in HEADERS], row(), delimiter=";")
    response = post_import(upload)
    job = job_of(response)
    assert job.status == InterventionImport.Status.DONE, job.errors
    intervention.refresh_from_db()
    assert intervention.title == "Achter de voordeur, herzien"
    assert intervention.status == "gepland"
    assert str(intervention.budget) == "30000.00"
    # The status went through the workflow, so it is on the timeline too.
    assert ProgressUpdate.objects.filter(intervention=intervention, status_to="gepland").exists()
    created = Intervention.objects.get(title="Buurtconciërge")
    assert created.status == "gepland" and created.theme == "veiligheid"
    assert sorted(a.code for a in created.areas.all()) == ["BU04530100", "WK045301"]
    assert sorted(o.name for o in created.partner_organisations.all()) == [
        "Gemeente Velsen",
        "Stichting Welzijn IJmond",
    ]
    assert str(created.budget) == "40000.00"
    page = page_text(client.get(response["Location"]))
    assert "Het bestand is ingelezen: 1 nieuwe, 1 gewijzigde en 0 ongewijzigde interventies." in page
    assert 'hx-trigger="every 2s"' not in page  # finished: the page stops polling


def test_excel_round_trip(client, post_import, world, team, intervention):
    client.force_login(world.gemeente_reviewer)
    exported = client.get(reverse("interventions:export", args=["xlsx"])).content
    data = tablib.Dataset().load(io.BytesIO(exported), format="xlsx")
    data.append(row(Titel="Nieuw uit Excel", Trekker="Gemeente Velsen", Partners=""))
    upload = SimpleUploadedFile("terug.xlsx", data.export("xlsx"))
    job = job_of(post_import(upload))
    assert job.status == InterventionImport.Status.DONE, job.errors
    assert Intervention.objects.filter(title="Nieuw uit Excel", lead_organisation=world.gemeente).exists()
    intervention.refresh_from_db()
    assert intervention.version == 1  # an unchanged row changes nothing


def test_one_bad_row_saves_nothing(client, post_import, world, team, intervention):
    client.force_login(world.corp_editor)
    upload = xlsx_file(
        row(Titel="Goede rij"),
        row(Titel="Verkeerd gebied", Gebieden="WK045302"),
        row(Titel="Onbekend gebied", Gebieden="WK045399"),
        row(Titel="Buiten Velsen", Gebieden="WK039201"),
        row(Titel="Datums", Begindatum="2025-06-01", Einddatum="2025-01-01"),
        row(Titel="Budget", **{"Budget (€)": "veel geld"}),
        row(Titel="Thema", Thema="sport"),
        row(Titel="Status", Status="bijna klaar"),
        row(Titel="Team", Teamgebied="WK039201"),
    )
    response = post_import(upload)
    job = job_of(response)
    assert job.status == InterventionImport.Status.FAILED
    page = page_text(client.get(response["Location"]))
    assert "Er is niets opgeslagen: 8 fouten gevonden" in page
    # nine rows: one good, eight wrong, none as stored
    assert "Het bestand heeft 9 rijen, waarvan 0 ongewijzigd." in page
    report = REPORT_ROW.findall(page)
    assert [(int(number), column) for number, column, _message in report] == [
        (3, "Gebieden"),
        (4, "Gebieden"),
        (5, "Gebieden"),
        (6, "Einddatum"),
        (7, "Budget (€)"),
        (8, "Thema"),
        (9, "Status"),
        (10, "Teamgebied"),
    ]
    messages = [message for _n, _c, message in report]
    assert "Gebied WK045302 ligt buiten het gebied van het team (WK045301)." in messages[0]
    assert "Onbekende gebiedscode WK045399." in messages[1]
    assert "ligt buiten het gebied van het team" in messages[2]
    assert "De einddatum ligt vóór de begindatum." in messages[3]
    assert "veel geld" in messages[4]
    assert "Onbekend thema &#x27;sport&#x27;" in messages[5]
    assert "Onbekende status &#x27;bijna klaar&#x27;" in messages[6]
    assert "Er is geen team voor gebied WK039201 waar uw organisatie in zit." in messages[7]
    assert not Intervention.objects.filter(title="Goede rij").exists()
    assert Intervention.objects.count() == 1


def test_a_service_refusal_rolls_back_earlier_rows(world, team, run_import):
    # Row 3 passes the file checks but the service refuses it (the tenants only read along).
    upload = csv_file(
        row(Titel="Eerst goed"), row(Titel="Meelezer trekt", Trekker="Huurdersvereniging Velsen")
    )
    job = run_import(world.corp_editor, upload)
    assert job.status == InterventionImport.Status.FAILED
    assert found(job) == [(3, "Trekker")]
    assert "leest alleen mee" in job.errors[0]["message"]
    assert job.created == 0
    assert not Intervention.objects.filter(title="Eerst goed").exists()


def test_rows_for_what_the_user_may_not_touch(world, team, intervention, run_import):
    # tenant_rep sees the intervention (meelezer) but may not change it, nor log in the team.
    upload = csv_file(
        row(ID=str(intervention.pk), Versie="1", Titel="Gewijzigd door huurders"),
        row(Titel="Nieuw door huurders"),
        row(ID="999999", Versie="1"),
    )
    job = run_import(world.tenant_rep, upload)
    errors = found(job)
    assert (2, "ID") in errors
    assert "U mag interventie" in job.errors[0]["message"]
    assert (3, "Teamgebied") in errors
    assert (4, "ID") in errors
    intervention.refresh_from_db()
    assert intervention.title == "Achter de voordeur in de Lagersbuurt"
    assert Intervention.objects.count() == 1


def test_outsider_cannot_reach_the_team(world, team, run_import):
    job = run_import(world.outsider, csv_file(row()))
    assert found(job) == [(2, "Teamgebied")]
    assert not Intervention.objects.filter(title="Buurtconciërge").exists()


def test_stale_version(world, team, intervention, run_import):
    services.intervention_update(
        actor=world.gemeente_reviewer, intervention=intervention, version=1, title="Nieuw"
    )
    job = run_import(
        world.corp_editor, csv_file(row(ID=str(intervention.pk), Versie="1", Titel="Oud", Status="idee"))
    )
    assert found(job) == [(2, "Versie")]
    assert "Iemand anders heeft dit intussen gewijzigd." in job.errors[0]["message"]
    intervention.refresh_from_db()
    assert intervention.title == "Nieuw"


def test_missing_version_and_title(world, team, intervention, run_import):
    job = run_import(world.corp_editor, csv_file(row(ID=str(intervention.pk), Versie="", Titel="")))
    assert set(found(job)) == {(2, "Versie"), (2, "Titel")}


def test_unreadable_files(client, post_import, world):
    client.force_login(world.corp_editor)
    url = reverse("interventions:import")
    # The kind and the size show on the form at once, and no job is made.
    wrong_kind = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.7")})
    assert wrong_kind.status_code == 200
    assert "Kies een CSV-bestand of een Excel-bestand (.xlsx)." in page_text(wrong_kind)
    too_large = client.post(url, {"file": SimpleUploadedFile("x.csv", b"a" * (11 * 1024 * 1024))})
    assert too_large.status_code == 200
    assert "Het bestand is 11 MB; de grens is 10 MB. Splits het in kleinere bestanden." in page_text(
        too_large
    )
    assert not InterventionImport.objects.exists()
    # What needs the file read shows on the job's page.
    no_columns = post_import(SimpleUploadedFile("x.csv", b"naam,wijk\nA,B\n"))
    assert job_of(no_columns).status == InterventionImport.Status.FAILED
    assert "Deze kolommen ontbreken: ID, Versie, Titel" in page_text(client.get(no_columns["Location"]))
    broken = post_import(SimpleUploadedFile("x.xlsx", b"geen excel"))
    assert job_of(broken).status == InterventionImport.Status.FAILED
    assert "Het bestand kon niet worden gelezen." in page_text(client.get(broken["Location"]))


def test_empty_lines_are_skipped(world, team, run_import):
    blank = [""] * len(HEADERS)
    job = run_import(world.corp_editor, csv_file(blank, row(), blank))
    assert job.status == InterventionImport.Status.DONE, job.errors
    assert job.created == 1 and job.rows == 1


def test_a_failing_file_leaves_a_failed_job_with_its_report(client, world, team, intervention, run_import):
    before = Intervention.objects.count(), ProgressUpdate.objects.count()
    upload = csv_file(
        row(Titel="Eerst goed"),
        row(Titel="Thema", Thema="sport"),
        row(ID=str(intervention.pk), Versie="1", Titel="Gewijzigd"),
    )
    job = run_import(world.corp_editor, upload)

    assert job.status == InterventionImport.Status.FAILED and job.progress == 100
    assert found(job) == [(3, "Thema")]
    assert job.errors[0]["message"].startswith("Onbekend thema 'sport'. Kies uit: ")
    # three rows, none unchanged; what the good rows did is undone, so nothing counts
    assert (job.rows, job.created, job.updated, job.unchanged) == (3, 0, 0, 0)
    assert (Intervention.objects.count(), ProgressUpdate.objects.count()) == before
    intervention.refresh_from_db()
    assert intervention.title == "Achter de voordeur in de Lagersbuurt" and intervention.version == 1
    assert job.file.name.startswith("imports/interventions/") and job.original_name == "interventies.csv"

    client.force_login(world.corp_editor)
    page = page_text(client.get(reverse("interventions:import-detail", args=[job.pk])))
    assert "Mislukt" in page and "Er is niets opgeslagen: 1 fout gevonden" in page
    assert REPORT_ROW.findall(page)[0][:2] == ("3", "Thema")
    listing = page_text(client.get(reverse("interventions:import")))
    detail = reverse("interventions:import-detail", args=[job.pk])
    assert (
        f'<a class="utrecht-link" href="{detail}">interventies.csv</a></th> <td class="utrecht-table__cell">mislukt</td>'
        in listing
    )


def test_only_the_starter_and_platform_admins_see_a_job(client, world, team, run_import):
    job = run_import(world.corp_editor, csv_file(row()))
    detail = reverse("interventions:import-detail", args=[job.pk])
    status = reverse("interventions:import-status", args=[job.pk])
    for url in (detail, status):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for persona in ("gemeente_reviewer", "partner_reader", "outsider"):
        client.force_login(getattr(world, persona))
        assert client.get(detail).status_code == 404
        assert client.get(status).status_code == 404
        assert detail not in page_text(client.get(reverse("interventions:import")))
    client.force_login(world.platform_admin)
    assert client.get(detail).status_code == 200
    # The upload page lists one's own imports, also for a platform admin.
    assert detail not in page_text(client.get(reverse("interventions:import")))
    client.force_login(world.corp_editor)
    assert client.get(detail).status_code == 200
    assert detail in page_text(client.get(reverse("interventions:import")))


def test_a_running_job_page_polls_its_status(client, world):
    job = InterventionImport.objects.create(
        file="imports/interventions/x.csv",
        original_name="x.csv",
        status=InterventionImport.Status.RUNNING,
        progress=20,
        progress_message="12 rijen gelezen; controleren en opslaan",
        started_by=world.corp_editor,
    )
    client.force_login(world.corp_editor)
    html = page_text(client.get(reverse("interventions:import-detail", args=[job.pk])))
    status_url = reverse("interventions:import-status", args=[job.pk])
    assert 'hx-trigger="every 2s"' in html and f'hx-get="{status_url}"' in html
    assert "20% (12 rijen gelezen; controleren en opslaan)" in html
    partial = client.get(status_url).content.decode()
    assert partial.lstrip().startswith("<section") and "<html" not in partial
