"""The year report as PDF and Excel, read back with pypdf and openpyxl.

The report is built by hand here (the dataclasses of ``reports.selectors``), so every
count below is known without running the selector; the areas are real rows of the small
gemeente of the score tests, so the maps are drawn from stored shapes."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import exports
from reports import selectors as s
from scores.tests.helpers import gemeente_years

GENERATED = datetime.datetime(2026, 12, 6, 10, 0, tzinfo=datetime.UTC)
SECTION_HEADINGS = [
    "1. Scores",
    "2. Urgentie naast de cijfers",
    "3. Interventies",
    "4. Prestatieafspraken",
    "5. Samenwerking",
    "6. Bronnen",
]
CLASSES = [
    s.ClassDef(1, "zwak", "#d7191c"),
    s.ClassDef(2, "voldoende", "#ffffbf"),
    s.ClassDef(3, "goed", "#1a9641"),
]
N_ITEMS = 90  # enough interventions for several pages


def _map_area(area, score_class, *, changed=False):
    label = {1: "zwak", 2: "voldoende", 3: "goed"}.get(score_class, "geen gegevens")
    color = {1: "#d7191c", 2: "#ffffbf", 3: "#1a9641"}.get(score_class, "#d9d9d9")
    return s.MapArea(area.pk, area.year, area.code, area.name, score_class, label, color, changed)


def _legend(areas):
    return [
        s.LegendItem(c.value, c.label, c.color, sum(1 for a in areas if a.score_class == c.value))
        for c in CLASSES
    ]


def build_report(years, *, empty=False, hidden=False) -> s.YearReport:
    """A report of Velsen 2023 compared with 2022: one model with its maps, two buurten
    up and one down, one urgency mismatch, N_ITEMS interventions, no agreements (the empty
    state), two teams of which one quiet, and two sources."""
    now, before = years[2023], years[2022]
    gm = s.AreaRef(id=now.gemeente.pk, year=2023, kind="gemeente", code="GM0453", name="Velsen")
    now_classes = dict(zip([b.code for b in now.buurten], [3, 2, 1, 3, 2], strict=True))
    before_classes = dict(zip([b.code for b in before.buurten], [2, 2, 2, 1, 2], strict=True))
    now_areas = [_map_area(b, now_classes[b.code], changed=b.code == "BU04530102") for b in now.buurten]
    before_areas = [_map_area(b, before_classes[b.code]) for b in before.buurten]
    rows = [
        s.ScoreRow(
            area_id=b.pk,
            year=2023,
            code=b.code,
            name=b.name,
            wijk=b.parent.name,
            value=float(now_classes[b.code]),
            score_class=now_classes[b.code],
            label=CLASSES[now_classes[b.code] - 1].label,
        )
        for b in now.buurten
    ]
    model = s.ModelScores(
        key="leefbaarometer",
        name="Leefbaarometer",
        kind="gepubliceerd",
        higher_is_better=True,
        year=2023,
        measured_in_report_year=True,
        compare_year=2022,
        note="CC BY 4.0",
        classes=CLASSES,
        buurten=rows,
        moved_up=[rows[0], rows[3]],
        moved_down=[rows[2]],
        maps=[
            s.MapLayer("year", "Leefbaarometer 2023", 2023, None, now_areas, _legend(now_areas), ""),
            s.MapLayer("compare", "Leefbaarometer 2022", 2022, None, before_areas, _legend(before_areas), ""),
        ],
    )
    themes = ["leefbaarheid", "veiligheid", "wonen en zorg"]
    items = [
        s.InterventionItem(
            id=i,
            title=f"Interventie {i:03d}",
            team="Team Centrum",
            area_code="WK045300",
            area_name="Wijk 00 Centrum",
            theme=themes[i % 3],
            theme_label=themes[i % 3],
            stand=s.STANDS[i % 5],
            stand_label=s.stand_labels()[s.STANDS[i % 5]],
            status="uitvoering",
            status_label="in uitvoering",
            lead="=Woningcorporatie" if i == 0 else "Woningcorporatie",
            start_date=datetime.date(2023, 1 + i % 12, 1),
            end_date=None,
            budget=Decimal("12500.00"),
            progress=50,
        )
        for i in range(N_ITEMS)
    ]
    report = s.YearReport(
        area=gm,
        gemeente=gm,
        year=2023,
        compare=2022,
        years=[2023, 2022],
        parts_hidden=hidden,
        generated_at=GENERATED,
        scores=s.ScoresSection(models=[model]),
        urgency=s.UrgencySection(
            model_name="Leefbaarometer",
            model_year=2023,
            compare_year=2022,
            rows=[
                s.UrgencyRow(
                    team="Team Centrum",
                    area_code="WK045300",
                    area_name="Wijk 00 Centrum",
                    urgency="acuut",
                    urgency_label="acuut",
                    class_label="goed",
                    change=0.4,
                    mismatch="acuut",
                    mismatch_text="acuut terwijl de scores verbeteren",
                ),
                s.UrgencyRow(
                    team="Team Haven",
                    area_code="WK045301",
                    area_name="Wijk 01 Haven",
                    urgency="hoog",
                    urgency_label="hoog",
                    class_label="zwak",
                    change=-0.2,
                ),
            ],
        ),
        interventions=s.InterventionsSection(
            groups=[
                s.InterventionGroup(
                    "WK045300",
                    "Wijk 00 Centrum",
                    t,
                    t,
                    counts={"gestart": 6},
                    budget=Decimal("375000"),
                    progress=50.0,
                )
                for t in themes
            ],
            items=items,
            totals=dict.fromkeys(s.STANDS, N_ITEMS // 5),
        ),
        agreements=s.AgreementsSection(),
        cooperation=s.CooperationSection(
            teams=[
                s.TeamCooperation(
                    id=1,
                    name="Team Centrum",
                    area_code="WK045300",
                    area_name="Wijk 00 Centrum",
                    gesprekken=[
                        s.GesprekItem(
                            id=1,
                            date=datetime.date(2023, 3, 14),
                            year=2023,
                            participants=["Gemeente Velsen", "Woningcorporatie Velserduin"],
                            duiding="Meer overlast rond het plein.",
                            decisions="Buurtconciërge aanstellen.",
                        )
                    ],
                    updates=4,
                ),
                s.TeamCooperation(id=2, name="Team Haven", area_code="WK045301", area_name="Wijk 01 Haven"),
            ],
            organisations=[s.OrganisationUpdates("Woningcorporatie Velserduin", 4, 2)],
        ),
        sources=s.SourcesSection(
            sources=[
                s.SourceItem("CBS kerncijfers wijken en buurten", 2023, GENERATED, "CC BY 4.0"),
                s.SourceItem("Leefbaarometer", 2022, GENERATED, "CC BY 4.0"),
            ]
        ),
    )
    if empty:
        report.scores = s.ScoresSection()
        report.urgency = s.UrgencySection()
        report.interventions = s.InterventionsSection()
        report.cooperation = s.CooperationSection()
        report.sources = s.SourcesSection()
    return report


@pytest.fixture(scope="module")
def velsen(django_db_setup, django_db_blocker):
    from tests.db import rolled_back

    with rolled_back(django_db_blocker):
        yield gemeente_years(years=(2022, 2023))


@pytest.fixture
def reader(world):
    return world.users["gemeente_reviewer"]


def _pdf_pages(body: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(body))
    return [page.extract_text() for page in reader.pages]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def pdf_pages(velsen, reader):
    body = exports.render(build_report(velsen), "pdf", user=reader)
    assert body.startswith(b"%PDF")
    return [_squash(text) for text in _pdf_pages(body)]


def test_pdf_has_every_section_heading(pdf_pages):
    text = " ".join(pdf_pages)
    for heading in SECTION_HEADINGS:
        assert heading in text
    # The empty agreements section says so.
    assert "Er zijn voor dit jaar geen prestatieafspraken of boden die u kunt zien." in text
    # Maps are there with their titles and text alternatives.
    assert "Leefbaarometer 2023" in text
    assert "Aantal per klasse: zwak: 1; voldoende: 2; goed: 2." in text


def test_pdf_has_date_sources_and_page_number_on_every_page(pdf_pages):
    total = len(pdf_pages)
    # Every section starts on a page of its own.
    assert total >= 6
    for number, text in enumerate(pdf_pages, start=1):
        assert "Gemaakt op 6 december 2026" in text
        assert "Bronnen: CBS kerncijfers wijken en buurten 2023 · Leefbaarometer 2022" in text
        assert f"Pagina {number} van {total}" in text
        assert "Jaarbeeld Velsen 2023" in text


def test_pdf_lists_the_rows_of_the_tables(pdf_pages):
    text = " ".join(pdf_pages)
    # The first 60 interventions in the table (PDF_ROWS), then how many more: 90 − 60 = 30.
    assert "Interventie 000" in text and "Interventie 059" in text
    assert "Interventie 060" not in text
    assert "En nog 30 rijen: die staan in het Excel-bestand van dit jaarbeeld." in text
    # Budgets in Dutch notation.
    assert "12.500" in text
    assert "Meer overlast rond het plein." in text
    assert "acuut terwijl de scores verbeteren" in text


def test_pdf_of_an_empty_report_still_has_six_sections(velsen, reader):
    pages = [
        _squash(t) for t in _pdf_pages(exports.render(build_report(velsen, empty=True), "pdf", user=reader))
    ]
    text = " ".join(pages)
    for heading in SECTION_HEADINGS:
        assert heading in text
    assert "Dit jaarbeeld gebruikt geen cijfers uit een bron." in text
    for page in pages:
        assert "Bronnen: geen" in page


def test_pdf_says_parts_are_left_out_without_naming_them(velsen, reader):
    text = " ".join(_pdf_pages(exports.render(build_report(velsen, hidden=True), "pdf", user=reader)))
    assert "Dit jaarbeeld laat delen weg die u niet mag inzien." in _squash(text)


def test_remote_urls_are_refused():
    fetcher = exports.local_fetcher()
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("https://example.org/logo.png")
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("http://example.org/font.woff2")


def _sheet_rows(ws):
    return list(ws.iter_rows(values_only=True))


def test_excel_has_six_sheets_with_the_rows(velsen, db):
    body = exports.render(build_report(velsen), "xlsx", user=None)
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == [
        "Scores",
        "Urgentie",
        "Interventies",
        "Prestatieafspraken",
        "Samenwerking",
        "Bronnen",
    ]

    scores = _sheet_rows(book["Scores"])
    assert scores[0][0] == "1. Scores — Jaarbeeld Velsen 2023"
    captions = [row[0] for row in scores if row and row[0] and str(row[0]).startswith("Leefbaarometer:")]
    assert captions == [
        "Leefbaarometer: scores per buurt",
        "Leefbaarometer: buurten een klasse omhoog",
        "Leefbaarometer: buurten een klasse omlaag",
    ]
    codes = [row[0] for row in scores if row and str(row[0] or "").startswith("BU0453")]
    # 5 buurten, 2 up, 1 down.
    assert len(codes) == 5 + 2 + 1

    urgency = _sheet_rows(book["Urgentie"])
    data = [row for row in urgency if row[0] in ("Team Centrum", "Team Haven")]
    assert [row[-1] for row in data] == ["acuut terwijl de scores verbeteren", None]
    assert data[0][5] == 0.4

    interventions = _sheet_rows(book["Interventies"])
    titled = [row for row in interventions if str(row[0] or "").startswith("Interventie ")]
    assert len(titled) == N_ITEMS
    # A budget is a number, a date a date, and text that a spreadsheet would run as a
    # formula is quoted.
    first = titled[0]
    assert first[8] == 12500
    assert first[6] == datetime.datetime(2023, 1, 1)
    assert first[5] == "'=Woningcorporatie"
    # The totals per stand: 90 / 5 = 18 in each of the five stands.
    # Per wijk: all 90 in Wijk 00 Centrum, 18 per stand, 90 × 12.500 = 1.125.000 budget,
    # every one at 50 %.
    caption = [row[0] for row in interventions].index("Interventies per wijk of gebied")
    assert interventions[caption + 2] == ("Wijk 00 Centrum (WK045300)", 18, 18, 18, 18, 18, 1125000, 50) + (
        None,
    ) * (len(interventions[caption + 2]) - 8)
    caption = [row[0] for row in interventions].index("Interventies per stand")
    totals = interventions[caption + 2 : caption + 7]
    assert [row[:2] for row in totals] == [
        ("gestart", 18),
        ("lopend", 18),
        ("afgerond", 18),
        ("gestopt", 18),
        ("nog te starten", 18),
    ]

    # The empty section: its title and its empty state.
    assert [row[0] for row in _sheet_rows(book["Prestatieafspraken"])] == [
        "4. Prestatieafspraken — Jaarbeeld Velsen 2023",
        "Er zijn voor dit jaar geen prestatieafspraken of boden die u kunt zien.",
    ]

    cooperation = _sheet_rows(book["Samenwerking"])
    quiet = cooperation.index(
        next(r for r in cooperation if r[0] == "Teams zonder wijkgesprek of voortgangsbericht")
    )
    assert cooperation[quiet + 2][0] == "Team Haven"

    sources = _sheet_rows(book["Bronnen"])
    # The title, an empty line, the caption and the header, then one row per source.
    names = [row[0] for row in sources[4:]]
    assert names == ["CBS kerncijfers wijken en buurten", "Leefbaarometer"]


def test_excel_of_an_empty_report_has_an_empty_state_row_per_section(velsen, db):
    book = load_workbook(io.BytesIO(exports.render(build_report(velsen, empty=True), "xlsx", user=None)))
    assert len(book.sheetnames) == 6
    for name in book.sheetnames:
        rows = [row[0] for row in book[name].iter_rows(values_only=True)]
        assert len(rows) == 2, name
    assert next(book["Scores"].iter_rows(min_row=2, values_only=True))[0] == (
        "Er zijn geen scores van dit gebied tot en met dit jaar die u mag zien."
    )


def test_unknown_format_is_refused(velsen, db):
    with pytest.raises(ValueError):
        exports.render(build_report(velsen), "docx", user=None)


def test_filename():
    assert exports.filename("GM0453", 2025, 2024, "pdf") == "jaarbeeld-gm0453-2025-2024.pdf"
    assert exports.filename("WK045300", 2025, None, "xlsx") == "jaarbeeld-wk045300-2025.xlsx"


def test_generated_date_is_local(velsen, reader):
    # 23:30 UTC on 31 December is already 1 January in Amsterdam.
    report = build_report(velsen, empty=True)
    report.generated_at = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)
    html = exports.report_html(report, user=reader, maps=[])
    assert "1 januari 2027" in html
    assert timezone.is_aware(report.generated_at)
