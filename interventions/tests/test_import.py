"""Importing interventions from a filled-in export or template: all rows or none, with a
Dutch report per row."""

import csv
import io
import re

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interventions import services
from interventions.exports import HEADERS
from interventions.importers import import_interventions
from interventions.models import Intervention, ProgressUpdate
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


def test_good_file_creates_and_updates(client, world, team, intervention):
    client.force_login(world.corp_editor)
    export = client.get(reverse("interventions:export", args=["csv"])).content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(export.lstrip("\ufeff"))))
    assert rows[0] == HEADERS
    existing = dict(zip(HEADERS, rows[1], strict=True))
    existing.update({"Titel": "Achter de voordeur, herzien", "Status": "gepland", "Budget (€)": "30000.00"})
    upload = csv_file([existing[h] for h in HEADERS], row(), delimiter=";")
    response = client.post(reverse("interventions:import"), {"file": upload})
    assert response.status_code == 302, page_text(response)
    assert response["Location"] == reverse("interventions:list")
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
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Het bestand is ingelezen: 1 nieuwe, 1 gewijzigde en 0 ongewijzigde interventies."]


def test_excel_round_trip(client, world, team, intervention):
    client.force_login(world.gemeente_reviewer)
    exported = client.get(reverse("interventions:export", args=["xlsx"])).content
    data = tablib.Dataset().load(io.BytesIO(exported), format="xlsx")
    data.append(row(Titel="Nieuw uit Excel", Trekker="Gemeente Velsen", Partners=""))
    upload = SimpleUploadedFile("terug.xlsx", data.export("xlsx"))
    response = client.post(reverse("interventions:import"), {"file": upload})
    assert response.status_code == 302, page_text(response)
    assert Intervention.objects.filter(title="Nieuw uit Excel", lead_organisation=world.gemeente).exists()
    intervention.refresh_from_db()
    assert intervention.version == 1  # an unchanged row changes nothing


def test_one_bad_row_saves_nothing(client, world, team, intervention):
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
    response = client.post(reverse("interventions:import"), {"file": upload})
    assert response.status_code == 400
    page = page_text(response)
    assert "Er is niets opgeslagen: 8 fouten gevonden" in page
    report = re.findall(
        r'<td class="utrecht-table__cell utrecht-table__cell--numeric">(\d+)</td> '
        r'<td class="utrecht-table__cell">(.*?)</td> <td class="utrecht-table__cell">(.*?)</td>',
        page,
    )
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


def test_a_service_refusal_rolls_back_earlier_rows(world, team):
    # Row 3 passes the file checks but the service refuses it (the tenants only read along).
    upload = csv_file(
        row(Titel="Eerst goed"), row(Titel="Meelezer trekt", Trekker="Huurdersvereniging Velsen")
    )
    result = import_interventions(actor=world.corp_editor, upload=upload)
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, "Trekker")]
    assert "leest alleen mee" in result.errors[0].message
    assert result.created == 0
    assert not Intervention.objects.filter(title="Eerst goed").exists()


def test_rows_for_what_the_user_may_not_touch(world, team, intervention):
    # tenant_rep sees the intervention (meelezer) but may not change it, nor log in the team.
    upload = csv_file(
        row(ID=str(intervention.pk), Versie="1", Titel="Gewijzigd door huurders"),
        row(Titel="Nieuw door huurders"),
        row(ID="999999", Versie="1"),
    )
    result = import_interventions(actor=world.tenant_rep, upload=upload)
    found = [(e.row, e.column) for e in result.errors]
    assert (2, "ID") in found
    assert "U mag interventie" in result.errors[0].message
    assert (3, "Teamgebied") in found
    assert (4, "ID") in found
    intervention.refresh_from_db()
    assert intervention.title == "Achter de voordeur in de Lagersbuurt"
    assert Intervention.objects.count() == 1


def test_outsider_cannot_reach_the_team(world, team):
    result = import_interventions(actor=world.outsider, upload=csv_file(row()))
    assert [(e.row, e.column) for e in result.errors] == [(2, "Teamgebied")]
    assert not Intervention.objects.filter(title="Buurtconciërge").exists()


def test_stale_version(world, team, intervention):
    services.intervention_update(
        actor=world.gemeente_reviewer, intervention=intervention, version=1, title="Nieuw"
    )
    result = import_interventions(
        actor=world.corp_editor,
        upload=csv_file(row(ID=str(intervention.pk), Versie="1", Titel="Oud", Status="idee")),
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "Versie")]
    assert "Iemand anders heeft dit intussen gewijzigd." in result.errors[0].message
    intervention.refresh_from_db()
    assert intervention.title == "Nieuw"


def test_missing_version_and_title(world, team, intervention):
    result = import_interventions(
        actor=world.corp_editor, upload=csv_file(row(ID=str(intervention.pk), Versie="", Titel=""))
    )
    assert {(e.row, e.column) for e in result.errors} == {(2, "Versie"), (2, "Titel")}


def test_unreadable_files(client, world):
    client.force_login(world.corp_editor)
    url = reverse("interventions:import")
    wrong_kind = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.7")})
    assert "Kies een CSV-bestand of een Excel-bestand (.xlsx)." in page_text(wrong_kind)
    no_columns = client.post(url, {"file": SimpleUploadedFile("x.csv", b"naam,wijk\nA,B\n")})
    assert "Deze kolommen ontbreken: ID, Versie, Titel" in page_text(no_columns)
    broken = client.post(url, {"file": SimpleUploadedFile("x.xlsx", b"geen excel")})
    assert "Het bestand kon niet worden gelezen." in page_text(broken)


def test_empty_lines_are_skipped(world, team):
    blank = [""] * len(HEADERS)
    result = import_interventions(actor=world.corp_editor, upload=csv_file(blank, row(), blank))
    assert result.ok, result.errors
    assert result.created == 1 and result.rows == 1
