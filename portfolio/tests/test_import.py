"""Importing the complex register: the shapes of the file, placement in the buurten,
row errors with nothing stored, re-import with its preview and archiving, the
commands and the round trip of an export."""

import io

import openpyxl
import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError
from pyproj import Transformer

from areas.tests.helpers import small_gemeente
from portfolio.models import Complex, ComplexImport, ComplexStrategy
from portfolio.services import complex_import_file
from portfolio.tests.helpers import strategy

pytestmark = pytest.mark.django_db

TO_RD = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
HEADER = (
    "complexnummer,naam,straat,huisnummer,postcode,plaats,x,y,aantal_eengezins,aantal_meergezins,"
    "sociale_huur,middenhuur,vrije_sector,bouwjaar,energielabel"
)
# Points (lon, lat) inside the squares of small_gemeente: Dorpskern is
# box(4.60, 52.45, 4.62, 52.47), Havenkwartier box(4.62, 52.45, 4.64, 52.47),
# Amstelhaven box(4.62, 52.47, 4.64, 52.49).
IN_DORP = (4.605, 52.455)
IN_HAVEN = (4.635, 52.46)
IN_AMSTEL = (4.625, 52.485)


def rd(lon, lat):
    x, y = TO_RD.transform(lon, lat)
    return round(x, 2), round(y, 2)


@pytest.fixture
def buurten(world):
    return {area.code: area for area in small_gemeente(year=2022)["buurten"]}


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(world, path, **kwargs):
    kwargs.setdefault("year", 2022)
    return complex_import_file(
        actor=kwargs.pop("actor", world.corp_editor), path=path, organisation=world.corporatie, **kwargs
    )


def register_rd(rows):
    lines = [HEADER]
    for number, name, (lon, lat), counts, label in rows:
        x, y = rd(lon, lat)
        lines.append(f"{number},{name},Kerkstraat,1,1971 AB,IJmuiden,{x},{y},{counts},1965,{label}")
    return "\n".join(lines) + "\n"


def test_rd_new_comma_csv_places_by_point_in_polygon(world, buurten, tmp_path):
    path = write(
        tmp_path,
        "register.csv",
        register_rd(
            [
                ("100", "Dorp", IN_DORP, "10,20,25,5,0", "B"),
                ("200", "Haven", IN_HAVEN, "0,40,40,0,0", "A++"),
                ("300", "Amstel", IN_AMSTEL, "5,0,0,0,5", ""),
            ]
        ),
    )
    job = run(world, path)
    assert job.status == ComplexImport.Status.DONE, job.errors
    assert (job.rows, job.created) == (3, 3)
    placed = {c.number: c for c in Complex.objects.filter(organisation=world.corporatie)}
    # Checked by hand with shapely against the stored squares.
    for number, (lon, lat) in (("100", IN_DORP), ("200", IN_HAVEN), ("300", IN_AMSTEL)):
        complex = placed[number]
        inside = [
            code
            for code, area in buurten.items()
            if area.geometry and shapely.from_wkb(bytes(area.geometry)).contains(shapely.Point(lon, lat))
        ]
        assert [complex.buurt.code] == inside
        assert complex.lat == pytest.approx(lat, abs=1e-6) and complex.lon == pytest.approx(lon, abs=1e-6)
    assert placed["100"].buurt.code == "BU04530000"
    assert (placed["100"].social_rent, placed["100"].mid_rent, placed["200"].energy_label) == (25, 5, "A++")
    assert placed["100"].postcode == "1971AB"
    # Every complex has a history record by the person who imported.
    assert placed["100"].history.first().history_user == world.corp_editor


def test_wgs84_semicolon_windows_1252_decimal_comma_and_padded_cells(world, buurten, tmp_path):
    text = (
        "complexnummer ; naam ; lat ; lon ; aantal_eengezins ; aantal_meergezins ; sociale_huur ; middenhuur ; vrije_sector ; energielabel\n"
        f" 7 ; Café Zeezicht ; {str(IN_HAVEN[1]).replace('.', ',')} ; {str(IN_HAVEN[0]).replace('.', ',')} ;  0 ; 12 ; 12 ; 0 ; 0 ; a+ \n"
    )
    path = write(tmp_path, "register.csv", text, encoding="cp1252")
    job = run(world, path)
    assert job.status == ComplexImport.Status.DONE, job.errors
    complex = Complex.objects.get(organisation=world.corporatie, number="7")
    assert complex.name == "Café Zeezicht"
    assert complex.buurt.code == "BU04530100"
    assert complex.energy_label == "A+"
    assert complex.x_rd is None


def test_excel(world, buurten, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    x, y = rd(*IN_DORP)
    sheet.append(["X1", "Excelhof", "", "", "", "", x, y, 4, 0, 4, 0, 0, 2001, "G"])
    path = tmp_path / "register.xlsx"
    book.save(path)
    job = run(world, path)
    assert job.status == ComplexImport.Status.DONE, job.errors
    assert Complex.objects.get(number="X1").buurt.code == "BU04530000"


@pytest.mark.parametrize(
    ("cells", "column", "text"),
    [
        ("10,20,25,5,0,1965,H", "energielabel", "geen energielabel"),
        ("10,twintig,25,5,0,1965,B", "aantal_meergezins", "geen getal"),
        ("10,20,20,5,0,1965,B", "sociale_huur", "tellen niet op"),
        ("10,20,25,5,0,negentien,B", "bouwjaar", "geen getal"),
    ],
)
def test_a_bad_row_stores_nothing(world, buurten, tmp_path, cells, column, text):
    x, y = rd(*IN_DORP)
    good = f"1,Goed,,,,,{x},{y},10,20,25,5,0,1965,B"
    bad = f"2,Fout,,,,,{x},{y},{cells}"
    path = write(tmp_path, "register.csv", f"{HEADER}\n{good}\n{bad}\n")
    job = run(world, path)
    assert job.status == ComplexImport.Status.FAILED
    [error] = job.errors
    assert (error["row"], error["code"]) == (3, column)
    assert text in error["message"]
    assert not Complex.objects.exists()


def test_a_point_outside_the_gemeente_is_a_row_error(world, buurten, tmp_path):
    x, y = rd(5.1, 52.1)  # Utrecht
    path = write(tmp_path, "register.csv", f"{HEADER}\n1,Ver weg,,,,,{x},{y},1,0,1,0,0,,\n")
    job = run(world, path)
    assert job.status == ComplexImport.Status.FAILED
    assert "geen enkele buurt" in job.errors[0]["message"]
    assert not Complex.objects.exists()


def test_without_coordinates_through_the_address_file(world, buurten, tmp_path):
    header = "complexnummer;naam;straat;huisnummer;postcode;plaats;x;y;aantal_eengezins;aantal_meergezins;sociale_huur;middenhuur;vrije_sector"
    path = write(
        tmp_path, "register.csv", f"{header}\n1;Zonder punt;Dorpsstraat;12a;1971ab;IJmuiden;;;3;0;3;0;0\n"
    )
    job = run(world, path)
    assert job.status == ComplexImport.Status.FAILED
    assert "geen coördinaten" in job.errors[0]["message"]
    x, y = rd(*IN_DORP)
    lookup = write(tmp_path, "adressen.csv", f"postcode;huisnummer;x;y\n1971 AB;12A;{x};{y}\n")
    job = run(world, path, lookup_path=lookup)
    assert job.status == ComplexImport.Status.DONE, job.errors
    complex = Complex.objects.get(number="1")
    assert complex.buurt.code == "BU04530000" and complex.located_by_lookup


def test_reimport_preview_and_archiving(world, buurten, tmp_path):
    rows = [
        ("A", "Alpha", IN_DORP, "10,0,10,0,0", "B"),
        ("B", "Beta", IN_HAVEN, "0,10,10,0,0", "C"),
        ("C", "Gamma", IN_AMSTEL, "5,5,5,5,0", "D"),
    ]
    assert run(world, write(tmp_path, "v1.csv", register_rd(rows))).status == "klaar"
    strategy(Complex.objects.get(number="C"), "verkopen", 2030)
    # The new register: A unchanged, B with another label, C gone, D new.
    rows2 = [rows[0], ("B", "Beta", IN_HAVEN, "0,10,10,0,0", "A"), ("D", "Delta", IN_DORP, "1,0,1,0,0", "")]
    path = write(tmp_path, "v2.csv", register_rd(rows2))
    preview = run(world, path, dry_run=True)
    assert preview.status == "klaar"
    assert (preview.created, preview.changed, preview.unchanged, preview.missing, preview.archived) == (
        1,
        1,
        1,
        1,
        0,
    )
    statuses = {entry["number"]: entry["status"] for entry in preview.preview}
    assert statuses == {"A": "ongewijzigd", "B": "gewijzigd", "C": "ontbreekt", "D": "nieuw"}
    assert next(e for e in preview.preview if e["number"] == "B")["fields"] == ["energielabel"]
    # A dry run stores nothing.
    assert Complex.objects.get(number="B").energy_label == "C"
    assert not Complex.objects.filter(number="D").exists()
    # Without --remove-missing C stays; with it, C is archived (and keeps its strategy).
    job = run(world, path)
    assert (job.created, job.changed, job.archived) == (1, 1, 0)
    assert not Complex.objects.get(number="C").is_archived
    assert Complex.objects.get(number="B").energy_label == "A"
    assert Complex.objects.get(number="B").version == 2
    job = run(world, path, remove_missing=True)
    assert (job.created, job.changed, job.unchanged, job.archived) == (0, 0, 3, 1)
    gone = Complex.objects.get(number="C")
    assert gone.is_archived and ComplexStrategy.objects.filter(complex=gone).exists()


def test_import_command_and_export_round_trip(world, buurten, tmp_path):
    rows = [("1", "=Formule", IN_DORP, "10,0,10,0,0", "B"), ("2", "Wgs", IN_HAVEN, "0,3,1,1,1", "")]
    path = write(tmp_path, "register.csv", register_rd(rows))
    out = io.StringIO()
    call_command(
        "import_complexes",
        str(path),
        organisation=world.corporatie.slug,
        year=2022,
        actor_email=world.corp_editor.email,
        stdout=out,
    )
    assert Complex.objects.count() == 2
    strategy(Complex.objects.get(number="1"), "renoveren", 2029)
    exported = io.StringIO()
    call_command("export_complexes", organisation=world.corporatie.slug, stdout=exported)
    text = exported.getvalue()
    assert text.splitlines()[0].startswith("complexnummer,naam,straat")
    assert "'=Formule" in text and "BU04530000" in text and "renoveren/verduurzamen" in text
    again = write(tmp_path, "export.csv", text)
    out = io.StringIO()
    call_command(
        "import_complexes",
        str(again),
        organisation=world.corporatie.slug,
        year=2022,
        actor_email=world.corp_editor.email,
        stdout=out,
    )
    job = ComplexImport.objects.order_by("-pk").first()
    assert (job.created, job.changed, job.unchanged) == (0, 0, 2), job.preview
    assert Complex.objects.get(number="1").name == "=Formule"
    xlsx = tmp_path / "export.xlsx"
    call_command(
        "export_complexes",
        organisation=world.corporatie.slug,
        fmt="xlsx",
        output=str(xlsx),
        stderr=io.StringIO(),
    )
    job = run(world, xlsx, dry_run=True)
    assert (job.status, job.unchanged) == ("klaar", 2), job.errors


def test_a_refused_file_exits_non_zero(world, buurten, tmp_path):
    path = write(tmp_path, "register.csv", f"{HEADER}\n1,Fout,,,,,1,2,1,0,1,0,0,,Z\n")
    with pytest.raises(CommandError):
        call_command(
            "import_complexes", str(path), organisation=world.corporatie.slug, year=2022, stdout=io.StringIO()
        )
    assert not Complex.objects.exists()
    with pytest.raises(CommandError):
        call_command(
            "import_complexes",
            str(path),
            organisation=world.corporatie.slug,
            year=2022,
            actor_email=world.partner_reader.email,
            stdout=io.StringIO(),
        )
