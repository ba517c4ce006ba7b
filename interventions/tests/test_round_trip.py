"""An export is an import template: reading an unchanged export back changes nothing and
needs no right to change, also for the rows the person may only see; only rows that
really differ count, and only they need the right to change them."""

import copy
import csv
import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interventions import services
from interventions.models import Intervention, InterventionImport, ProgressUpdate
from interventions.services import imports as import_services
from interventions.tests.helpers import build_intervention, build_team, velsen
from tests.db import rolled_back

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "xlsx"]

# Three interventions led by the corporation (corp_editor may change them) and two led by
# the gemeente with the welfare foundation as partner (corp_editor only sees them).
ROWS = 5
CORP_LED = ("basis", "gepland_zonder_data", "gestopt")
GEMEENTE_LED = ("gemeente", "gemeente_gepland")


def build_round_trip_data(world):
    areas = velsen()
    team = build_team(world, areas["wijk"])
    lagersbuurt, heidebuurt = areas["buurten"]
    made = {}
    made["basis"] = build_intervention(
        world,
        team,
        title="=Achter de voordeur",  # a formula character: the export quotes it
        description="Huisbezoeken; eerst de flats,\ndan de rest.",
        areas=[heidebuurt, team.area, lagersbuurt],
        partner_organisations=[world.partner, world.gemeente],
        budget=Decimal("45000"),
        indicators=["p_wcorpw", "a_soz_wb"],
    )
    made["gepland_zonder_data"] = build_intervention(
        world,
        team,
        title="Buurtconciërge",
        theme="veiligheid",
        partner_organisations=[],
        start_date=None,
        end_date=None,
        budget=Decimal("12500.50"),
        funder="",
    )
    services.intervention_change_status(
        actor=world.corp_editor, intervention=made["gepland_zonder_data"], to_status="gepland", version=1
    )
    made["gestopt"] = build_intervention(world, team, title="Moestuin", budget=None)
    services.intervention_change_status(
        actor=world.corp_editor,
        intervention=made["gestopt"],
        to_status="gestopt",
        reason="Geen grond; zie het verslag, punt 3.",
        version=1,
    )
    made["gemeente"] = build_intervention(
        world,
        team,
        actor=world.gemeente_reviewer,
        title="-Wandelroute langs de pier",
        lead_organisation=world.gemeente,
        partner_organisations=[world.partner],
        areas=[lagersbuurt],
        budget=Decimal("2024"),
        funder="2024",
        indicators=["a_soz_wb"],
    )
    made["gemeente_gepland"] = build_intervention(
        world,
        team,
        actor=world.gemeente_reviewer,
        title="Speeltuin Heidebuurt",
        lead_organisation=world.gemeente,
        partner_organisations=[],
        areas=[heidebuurt],
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 12, 31),
        budget=Decimal("0.99"),
    )
    services.intervention_change_status(
        actor=world.gemeente_reviewer, intervention=made["gemeente_gepland"], to_status="gepland", version=1
    )
    world.round_trip = {key: intervention.pk for key, intervention in made.items()}


@pytest.fixture(scope="module")
def round_trip_world(shared_world, django_db_blocker):
    """The personas world with the team and its five interventions, built once."""
    with rolled_back(django_db_blocker):
        world = copy.deepcopy(shared_world)
        build_round_trip_data(world)
        yield world


@pytest.fixture
def world(round_trip_world, db):
    return copy.deepcopy(round_trip_world)


def stored_state():
    """What a save would touch: every version, the history rows and the timeline."""
    return (
        dict(Intervention.objects.values_list("pk", "version")),
        Intervention.history.count(),
        ProgressUpdate.objects.count(),
    )


def export(client, user, fmt) -> bytes:
    client.force_login(user)
    response = client.get(reverse("interventions:export", args=[fmt]))
    assert response.status_code == 200
    return response.content


def upload(content: bytes, fmt):
    return SimpleUploadedFile(f"interventies.{fmt}", content)


@pytest.fixture
def post_import(client, django_capture_on_commit_callbacks):
    """Upload a file on the import page; the job runs (eagerly) once the upload commits.
    The redirect to the job's page and that page."""

    def post(content: bytes, fmt):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("interventions:import"), {"file": upload(content, fmt)})
        assert response.status_code == 302, page_text(response)
        job = InterventionImport.objects.latest("pk")
        assert response["Location"] == reverse("interventions:import-detail", args=[job.pk])
        return job, client.get(response["Location"])

    return post


@pytest.fixture
def run_import(django_capture_on_commit_callbacks):
    """Start an import as ``actor`` and let its job run; the finished job."""

    def run(actor, content: bytes, fmt) -> InterventionImport:
        with django_capture_on_commit_callbacks(execute=True):
            job = import_services.intervention_import_start(actor=actor, uploaded_file=upload(content, fmt))
        job.refresh_from_db()
        assert job.is_finished
        return job

    return run


def done(job) -> bool:
    return job.status == InterventionImport.Status.DONE


def found(job) -> list[tuple]:
    return [(error["row"], error["code"]) for error in job.errors]


def page_text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def edited(content: bytes, fmt, pk, **cells) -> bytes:
    """The exported file with some cells (by header) of the row of intervention ``pk``
    changed, saved again as a spreadsheet program would."""
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(content))
        sheet = book.active
        headers = [cell.value for cell in sheet[1]]
        row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == pk)
        for header, value in cells.items():
            row[headers.index(header)].value = value
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    headers = rows[0]
    row = next(r for r in rows[1:] if r and r[0] == str(pk))
    for header, value in cells.items():
        row[headers.index(header)] = value
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def row_number(content: bytes, fmt, pk) -> int:
    """The spreadsheet's number of the row of intervention ``pk`` (the header is row 1)."""
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        ids = [row[0].value for row in sheet.iter_rows(min_row=2)]
    else:
        ids = [int(r[0]) for r in list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1:] if r]
    return ids.index(pk) + 2


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("persona", ["corp_editor", "platform_admin"])
def test_an_unchanged_export_changes_nothing(client, world, persona, fmt, post_import, run_import):
    user = getattr(world, persona)
    content = export(client, user, fmt)
    before = stored_state()
    assert len(before[0]) == ROWS  # the export holds all five, the gemeente's two as well

    job, page = post_import(content, fmt)

    assert done(job), job.errors
    message = re.search(r"Het bestand is ingelezen: [^<]*", page_text(page)).group(0)
    assert re.search(r"\b(\d+) gewijzigde", message).group(1) == "0", message
    assert stored_state() == before
    job = run_import(user, content, fmt)
    assert done(job), job.errors
    assert (job.created, job.updated, job.unchanged, job.rows) == (0, 0, ROWS, ROWS)
    assert job.summary == ("Het bestand is ingelezen: 0 nieuwe, 0 gewijzigde en 5 ongewijzigde interventies.")
    assert stored_state() == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_changed_cell_is_one_change(client, world, fmt, run_import):
    pk = world.round_trip["gepland_zonder_data"]
    content = edited(export(client, world.corp_editor, fmt), fmt, pk, Financier="Provincie Noord-Holland")
    versions, history, timeline = stored_state()

    job = run_import(world.corp_editor, content, fmt)

    assert done(job), job.errors
    # one row differs, the other four are as exported: 5 - 1 = 4
    assert (job.created, job.updated, job.unchanged) == (0, 1, 4)
    intervention = Intervention.objects.get(pk=pk)
    assert intervention.funder == "Provincie Noord-Holland"
    assert intervention.version == versions[pk] + 1
    after, after_history, after_timeline = stored_state()
    assert {k: v for k, v in after.items() if k != pk} == {k: v for k, v in versions.items() if k != pk}
    assert (after_history, after_timeline) == (history + 1, timeline)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_changed_row_the_editor_may_not_change_saves_nothing(client, world, fmt, post_import):
    theirs = world.round_trip["gemeente"]
    mine = world.round_trip["basis"]
    content = export(client, world.corp_editor, fmt)
    content = edited(content, fmt, mine, Financier="Provincie Noord-Holland")
    content = edited(content, fmt, theirs, Titel="Wandelroute, door de corporatie herschreven")
    before = stored_state()

    job, response = post_import(content, fmt)

    assert job.status == InterventionImport.Status.FAILED
    page = page_text(response)
    assert "Er is niets opgeslagen: 1 fout gevonden" in page
    # five rows: one the corporation may change, one it may not, three as exported
    assert "Het bestand heeft 5 rijen, waarvan 3 ongewijzigd." in page
    report = re.findall(
        r'<td class="utrecht-table__cell utrecht-table__cell--numeric">(\d+)</td> '
        r'<td class="utrecht-table__cell">(.*?)</td> <td class="utrecht-table__cell">(.*?)</td>',
        page,
    )
    assert report == [
        (
            str(row_number(content, fmt, theirs)),
            "ID",
            f"U mag interventie {theirs} (-Wandelroute langs de pier) niet wijzigen.",
        )
    ]
    assert stored_state() == before
    assert Intervention.objects.get(pk=mine).funder == "Woningcorporatie Velserduin"


def test_formatting_a_spreadsheet_adds_is_no_change(client, world, run_import):
    # As a spreadsheet program may save the export again: numbers as floats, dates as
    # date cells, Dutch amounts, other orders and cases in the lists.
    basis, stopped = world.round_trip["basis"], world.round_trip["gestopt"]
    content = export(client, world.corp_editor, "xlsx")
    for key in world.round_trip:
        content = edited(content, "xlsx", world.round_trip[key], **{"Jaar indeling": 2022.0, "Versie": None})
    content = edited(
        content,
        "xlsx",
        basis,
        Gebieden="BU04530101;wk045301, BU04530100",
        Partners="Gemeente Velsen;  Stichting Welzijn IJmond",
        Indicatoren="P_WCORPW; a_soz_wb",
        Omschrijving="Huisbezoeken; eerst de flats,\r\ndan de rest.  ",
        Begindatum=datetime.datetime(2025, 3, 1),
        **{"Budget (€)": "45.000,00"},
    )
    content = edited(content, "xlsx", stopped, **{"Budget (€)": "", "Einddatum": "30-06-2026"})
    before = stored_state()

    job = run_import(world.corp_editor, content, "xlsx")

    assert done(job), job.errors
    assert (job.updated, job.unchanged) == (0, ROWS)
    assert stored_state() == before


def test_a_csv_saved_again_by_a_spreadsheet_is_no_change(client, world, run_import):
    # Dutch spreadsheet settings: semicolons, day-month-year dates, amounts with a comma.
    basis = world.round_trip["basis"]
    content = edited(
        export(client, world.corp_editor, "csv"),
        "csv",
        basis,
        Begindatum="01-03-2025",
        Einddatum="30/06/2026",
        Gebieden="BU04530101, BU04530100, WK045301",
        **{"Budget (€)": "€ 45.000,00"},
    )
    rows = list(csv.reader(io.StringIO(content.decode())))
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    before = stored_state()

    job = run_import(world.corp_editor, out.getvalue().encode("cp1252"), "csv")

    assert done(job), job.errors
    assert (job.updated, job.unchanged) == (0, ROWS)
    assert stored_state() == before


def test_a_new_stop_reason_alone_is_refused(client, world, run_import):
    stopped = world.round_trip["gestopt"]
    content = edited(
        export(client, world.corp_editor, "csv"), "csv", stopped, **{"Reden van stoppen": "Andere reden"}
    )
    before = stored_state()

    job = run_import(world.corp_editor, content, "csv")

    assert found(job) == [(row_number(content, "csv", stopped), "Reden van stoppen")]
    assert "wijzigt alleen samen met de status" in job.errors[0]["message"]
    assert stored_state() == before


def test_a_changed_row_without_version_is_refused(client, world, run_import):
    basis = world.round_trip["basis"]
    content = edited(export(client, world.corp_editor, "csv"), "csv", basis, Versie="", Financier="Rijk")

    job = run_import(world.corp_editor, content, "csv")

    assert found(job) == [(row_number(content, "csv", basis), "Versie")]
