"""Reading indicator files: every real shape and quirk, and every row error the file
itself shows (codes against boundaries are checked by the services)."""

from pathlib import Path

import pytest

from scores.importers import AmbiguousNumber, IndicatorFileError, parse_number, read_indicator_file
from scores.models import SourceKind

FILES = Path(__file__).parent / "files"


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def messages(issues):
    return [(i.row, i.code, i.message) for i in issues]


def by_code(parsed):
    return {row.code: row for row in parsed.rows}


# --- CBS kerncijfers ----------------------------------------------------------------------


def test_kwb_semicolon_decimal_comma_windows_1252_padded_codes_and_dots():
    parsed = read_indicator_file(
        FILES / "kwb_2022_puntkomma_cp1252.csv", file_format=SourceKind.CBS_KWB, year=2022
    )
    assert parsed.errors == []
    rows = by_code(parsed)
    # The Nederland row is skipped; gemeente, wijken, buurten and the water buurt are read.
    assert "NL00" not in rows
    assert set(rows) == {
        "GM0453",
        "WK045300",
        "WK045301",
        "BU04530000",
        "BU04530001",
        "BU04530002",
        "BU04530100",
        "BU04530101",
        "BU04539997",
    }
    assert rows["GM0453"].values == {"a_inw": 68930.0, "p_wcorpw": 31.0, "g_wozbag": 312.0, "p_hh_li": 7.4}
    assert rows["BU04530100"].values["p_hh_li"] == 4.75
    assert rows["BU04530101"].values["p_wcorpw"] == 22.5
    # "." and empty are missing values: left out, no error.
    assert rows["BU04530001"].values == {"a_inw": 2300.0, "g_wozbag": 255.0}
    assert rows["BU04539997"].values == {"a_inw": 0.0}
    assert rows["BU04530000"].row == 6  # header is row 1, the Nederland row 2
    assert parsed.rows_read == 10 and parsed.rows_skipped == 1
    assert set(parsed.indicators) == {"a_inw", "p_wcorpw", "g_wozbag", "p_hh_li"}
    warnings = " ".join(w.message for w in parsed.warnings)
    assert "a_man" in warnings and "gwb_code_8" not in warnings and "heel Nederland" in warnings


def test_kwb_comma_and_utf8_bom_with_gwb_code():
    parsed = read_indicator_file(FILES / "kwb_2022_komma_bom.csv", file_format=SourceKind.CBS_KWB, year=2022)
    assert parsed.errors == []
    rows = by_code(parsed)
    assert rows["WK045300"].values == {"a_inw": 12340.0, "a_woning": 6000.0, "p_koopw": 40.1, "p_huurw": 59.9}
    assert rows["BU04530100"].values == {"a_inw": 900.0, "a_woning": 400.0}
    assert parsed.value_count == 4 + 4 + 4 + 2


def test_kwb_excel(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["gwb_code_10", "recs", "a_inw", "p_wcorpw", "g_ink_pi"])
    sheet.append(["GM0453", "Gemeente", 68930, 31, 28.4])
    sheet.append(["BU04530000  ", "Buurt", 1200, ".", "27,5"])
    sheet.append(["BU04530001", "Buurt", 2300, None, 30])
    path = tmp_path / "kwb.xlsx"
    workbook.save(path)
    parsed = read_indicator_file(path, file_format=SourceKind.CBS_KWB, year=2022)
    assert parsed.errors == []
    rows = by_code(parsed)
    assert rows["GM0453"].values == {"a_inw": 68930.0, "p_wcorpw": 31.0, "g_ink_pi": 28.4}
    assert rows["BU04530000"].values == {"a_inw": 1200.0, "g_ink_pi": 27.5}
    assert rows["BU04530001"].values == {"a_inw": 2300.0, "g_ink_pi": 30.0}
    assert rows["BU04530001"].row == 4


def test_kwb_row_errors(tmp_path):
    path = write(
        tmp_path,
        "kwb.csv",
        "gwb_code_10;recs;a_inw;p_wcorpw\n"
        "BU04530000;Buurt;abc;12\n"
        "WK045300;Buurt;100;1\n"
        "XX123;Buurt;1;1\n"
        "BU04530001;Buurt;5;1\n"
        "BU04530001;Buurt;6;1\n",
    )
    parsed = read_indicator_file(path, file_format=SourceKind.CBS_KWB, year=2022)
    errors = messages(parsed.errors)
    assert errors[0][:2] == (2, "BU04530000") and "a_inw" in errors[0][2] and "geen getal" in errors[0][2]
    assert errors[1][:2] == (3, "WK045300") and "recs zegt buurt" in errors[1][2] and "wijk" in errors[1][2]
    assert errors[2][:2] == (4, "XX123") and "geen gemeente-, wijk- of buurtcode" in errors[2][2]
    assert errors[3][:2] == (6, "BU04530001") and "ook in rij 5" in errors[3][2]
    assert len(errors) == 4


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("kwb.csv", "", "leeg"),
        ("kwb.csv", "gwb_code_10;a_inw\n", "alleen een kopregel"),
        ("kwb.csv", "code;a_inw\nGM0453;1\n", "Verplichte kolommen ontbreken: gwb_code_10 of gwb_code"),
        ("kwb.csv", "gwb_code_10;foo\nGM0453;1\n", "geen kolommen met kerncijfers"),
        ("kwb.xls", "gwb_code_10;a_inw\nGM0453;1\n", "geen CSV-, Excel- of GeoJSON-bestand"),
        ("kwb.xlsx", "gwb_code_10;a_inw\nGM0453;1\n", "Excel-bestand kon niet worden gelezen"),
    ],
)
def test_whole_file_errors(tmp_path, name, content, expected):
    path = write(tmp_path, name, content)
    with pytest.raises(IndicatorFileError) as exc:
        read_indicator_file(path, file_format=SourceKind.CBS_KWB, year=2022)
    assert expected in exc.value.message


def test_too_large(tmp_path):
    path = write(tmp_path, "kwb.csv", "gwb_code_10;a_inw\n" + "GM0453;1\n" * 200)
    with pytest.raises(IndicatorFileError) as exc:
        read_indicator_file(path, file_format=SourceKind.CBS_KWB, year=2022, max_bytes=100)
    assert "de grens is" in exc.value.message


# --- Leefbaarometer -----------------------------------------------------------------------


def test_leefbaarometer_takes_the_import_year_only():
    parsed = read_indicator_file(
        FILES / "leefbaarometer_2020_2022.csv", file_format=SourceKind.LEEFBAAROMETER, year=2022
    )
    assert parsed.errors == []
    rows = by_code(parsed)
    assert set(rows) == {"BU04530000", "BU04530001", "BU04530100", "WK045300", "GM0453"}
    assert rows["BU04530000"].score_class == 4 and rows["BU04530000"].score == -0.082
    assert rows["BU04530000"].values["lbm_onv"] == -0.052
    assert set(rows["BU04530000"].values) == {
        "lbm_afw",
        "lbm_fys",
        "lbm_won",
        "lbm_vrz",
        "lbm_soc",
        "lbm_onv",
        "lbm_kafw",
        "lbm_kfys",
        "lbm_kwon",
        "lbm_kvrz",
        "lbm_ksoc",
        "lbm_konv",
    }
    # The published class of each dimension is kept as well.
    assert rows["BU04530000"].values["lbm_kfys"] == 5 and rows["BU04530000"].values["lbm_konv"] == 3
    assert parsed.rows_read == 7 and parsed.rows_skipped == 2
    assert parsed.has_scores and parsed.score_count == 5
    assert "2 rijen van andere jaren" in parsed.warnings[0].message
    older = read_indicator_file(
        FILES / "leefbaarometer_2020_2022.csv", file_format=SourceKind.LEEFBAAROMETER, year=2020
    )
    assert by_code(older)["BU04530001"].score_class == 6


def test_leefbaarometer_row_errors(tmp_path):
    path = write(
        tmp_path,
        "lbm.csv",
        "gm_code,jaar,afw,kscore,konv\nGM0453,2022,0.1,10,3\nGM0392,twee,0.1,5,3\nGM0363,2022,0.1,5,3\n"
        "GM0363,2022,0.2,6,3\nGM0362,2022,0.2,6,0\n",
    )
    parsed = read_indicator_file(path, file_format=SourceKind.LEEFBAAROMETER, year=2022)
    errors = messages(parsed.errors)
    assert errors[0][:2] == (2, "GM0453") and "kscore 10 is geen klasse van 1 tot en met 9" in errors[0][2]
    assert errors[1][:2] == (3, "GM0392") and "geen jaartal" in errors[1][2]
    assert errors[2][:2] == (5, "GM0363") and "ook in rij 4" in errors[2][2]
    assert errors[3][:2] == (6, "GM0362") and "konv 0 is geen klasse van 1 tot en met 9" in errors[3][2]


def test_leefbaarometer_missing_columns(tmp_path):
    # No code column at all.
    path = write(tmp_path, "lbm.csv", "naam;jaar;afw\nDorpskern;2022;0,1\n")
    with pytest.raises(IndicatorFileError) as exc:
        read_indicator_file(path, file_format=SourceKind.LEEFBAAROMETER, year=2022)
    assert "Verplichte kolommen ontbreken: bu_code / wk_code / gm_code / gwb_code / id" in exc.value.message
    # No year column: read as the year asked for; without one the file cannot be placed.
    path = write(tmp_path, "lbm.csv", "bu_code;afw\nBU04530000;0,1\n")
    parsed = read_indicator_file(path, file_format=SourceKind.LEEFBAAROMETER, year=2022)
    assert [(r.code, r.year, r.score, r.score_class) for r in parsed.rows] == [
        ("BU04530000", 2022, 0.1, None)
    ]
    with pytest.raises(IndicatorFileError) as exc:
        read_indicator_file(path, file_format=SourceKind.LEEFBAAROMETER, year=None)
    assert "geen kolom jaar (of year), en er is geen jaar opgegeven" in exc.value.message


# --- Aedes veerkracht ---------------------------------------------------------------------


def test_aedes_template_with_class_names_and_an_extra_column():
    parsed = read_indicator_file(
        FILES / "aedes_veerkracht_2022.csv", file_format=SourceKind.AEDES_VEERKRACHT, year=2022
    )
    assert parsed.errors == []
    rows = by_code(parsed)
    assert rows["BU04530000"].score_class == 1 and rows["BU04530000"].score == -1.2
    assert rows["BU04530000"].values == {"aandeel_kwetsbaar": 18.5}
    assert rows["BU04530100"].values == {}
    assert parsed.class_names == {1: "zeer kwetsbaar", 2: "kwetsbaar", 3: "gemiddeld", 4: "veerkrachtig"}
    assert parsed.indicators == {"aandeel_kwetsbaar": "aandeel_kwetsbaar"}
    assert parsed.own_keys == {"aandeel_kwetsbaar"}


def test_the_served_template_reads_without_errors():
    template = Path(__file__).parent.parent / "static" / "scores" / "aedes-veerkracht-sjabloon.csv"
    parsed = read_indicator_file(template, file_format=SourceKind.AEDES_VEERKRACHT, year=2022)
    assert parsed.errors == [] and len(parsed.rows) == 2


def test_aedes_row_errors(tmp_path):
    path = write(
        tmp_path,
        "aedes.csv",
        "code;jaar;klasse;klassenaam;score\n"
        "BU04530000;2022;0;laag;1\n"
        "BU04530001;2022;2,5;;1\n"
        "BU04530100;2022;2;laag;x\n"
        "BU04530101;2022;2;hoog;1\n",
    )
    parsed = read_indicator_file(path, file_format=SourceKind.AEDES_VEERKRACHT, year=2022)
    errors = messages(parsed.errors)
    assert errors[0][:2] == (2, "BU04530000") and "geen heel getal van 1 of hoger" in errors[0][2]
    assert errors[1][:2] == (3, "BU04530001") and "2,5" in errors[1][2]
    assert errors[2][:2] == (4, "BU04530100") and "Kolom score" in errors[2][2]
    assert (
        errors[3][:2] == (5, "BU04530101") and "Klasse 2 heet hier hoog, maar in rij 4 laag" in errors[3][2]
    )


def test_aedes_requires_code_year_and_class(tmp_path):
    path = write(tmp_path, "aedes.csv", "code;score\nBU04530000;1\n")
    with pytest.raises(IndicatorFileError) as exc:
        read_indicator_file(path, file_format=SourceKind.AEDES_VEERKRACHT, year=2022)
    assert "Verplichte kolommen ontbreken: jaar, klasse" in exc.value.message


# --- generic long format ------------------------------------------------------------------


def test_generic_long_format():
    parsed = read_indicator_file(FILES / "eigen_bron_2022.csv", file_format=SourceKind.GENERIC, year=2022)
    assert parsed.errors == []
    rows = by_code(parsed)
    assert rows["BU04530000"].values == {"a_inw": 1250.0, "tevredenheid_buurt": 6.8}
    assert rows["BU04530001"].values == {"tevredenheid_buurt": 7.4}
    assert "BU04530100" not in rows  # "." is no value
    assert set(parsed.indicators) == {"a_inw", "tevredenheid_buurt"}
    assert parsed.rows_read == 6 and parsed.rows_skipped == 2


def test_generic_english_header_comma_and_errors(tmp_path):
    path = write(
        tmp_path,
        "long.csv",
        "code,year,indicator,value\n"
        "BU04530000,2022,Tevredenheid Buurt,7.5\n"
        "BU04530000,2022,tevredenheid_buurt,7.6\n"
        "BU04530001,2022,,1\n"
        "BU04530001,2022,score,hoog\n",
    )
    parsed = read_indicator_file(path, file_format=SourceKind.GENERIC, year=2022)
    errors = messages(parsed.errors)
    assert errors[0][:2] == (3, "BU04530000") and "tevredenheid_buurt staat dubbel" in errors[0][2]
    assert errors[1][:2] == (4, "BU04530001") and "indicator ontbreekt" in errors[1][2]
    assert errors[2][:2] == (5, "BU04530001") and "Kolom value: hoog is geen getal" in errors[2][2]


def test_generic_file_of_another_year_only(tmp_path):
    path = write(tmp_path, "long.csv", "code;jaar;indicator;waarde\nGM0453;2021;x;1\n")
    with pytest.raises(IndicatorFileError) as exc:
        read_indicator_file(path, file_format=SourceKind.GENERIC, year=2022)
    assert "geen rijen van 2022" in exc.value.message


# --- number styles: settled per column from all its values ----------------------------------

KWB_HEADER = "gwb_code_10;regio;recs;a_inw;a_woning;p_wcorpw;p_hh_li\n"


def kwb(tmp_path, body, header=KWB_HEADER):
    return read_indicator_file(
        write(tmp_path, "kwb.csv", header + body), file_format=SourceKind.CBS_KWB, year=2022
    )


def test_thousands_points_settled_by_decimal_commas_elsewhere_in_the_file(tmp_path):
    # a_inw (68.500, 1.234, 950) and a_woning (31.250, 600, 410) settle nothing on their
    # own; p_hh_li writes 7,4 and 12,5, so the file uses the decimal comma and every "."
    # in it separates thousands.
    parsed = kwb(
        tmp_path,
        "GM0453;Velsen;Gemeente;68.500;31.250;31;7,4\n"
        "WK045300;Wijk 00 Centrum;Wijk;1.234;600;42;9\n"
        "BU04530000;Dorpskern;Buurt;950;410;55;12,5\n",
    )
    assert parsed.errors == []
    rows = by_code(parsed)
    assert rows["GM0453"].values == {"a_inw": 68500.0, "a_woning": 31250.0, "p_wcorpw": 31.0, "p_hh_li": 7.4}
    assert rows["WK045300"].values == {"a_inw": 1234.0, "a_woning": 600.0, "p_wcorpw": 42.0, "p_hh_li": 9.0}
    assert rows["BU04530000"].values == {"a_inw": 950.0, "a_woning": 410.0, "p_wcorpw": 55.0, "p_hh_li": 12.5}


def test_a_column_settles_itself_before_the_file(tmp_path):
    # The Nederland row's 17.590.672 has two thousands groups, so a_inw uses the decimal
    # comma even though p_hh_li (12.5) uses the decimal point: 68.500 is 68500 and
    # 1.234 is 1234. The Nederland row itself is skipped but its value still counts.
    parsed = kwb(
        tmp_path,
        "NL00;Nederland;Land;17.590.672;.;29;8.1\n"
        "GM0453;Velsen;Gemeente;68.500;.;31;12.5\n"
        "WK045300;Wijk 00 Centrum;Wijk;1.234;.;42;9\n",
    )
    assert parsed.errors == []
    rows = by_code(parsed)
    assert rows["GM0453"].values == {"a_inw": 68500.0, "p_wcorpw": 31.0, "p_hh_li": 12.5}
    assert rows["WK045300"].values == {"a_inw": 1234.0, "p_wcorpw": 42.0, "p_hh_li": 9.0}


def test_decimal_point_file_with_comma_thousands(tmp_path):
    # Comma between columns, quoted "68,500": p_koopw's 52.5 settles the decimal point,
    # so the comma separates thousands: 68500 and 12250.
    parsed = kwb(
        tmp_path,
        'GM0453,Velsen,Gemeente,"68,500",52.5\nWK045300,Wijk 00 Centrum,Wijk,"12,250",40\n',
        header="gwb_code_10,regio,recs,a_inw,p_koopw\n",
    )
    assert parsed.errors == []
    rows = by_code(parsed)
    assert rows["GM0453"].values == {"a_inw": 68500.0, "p_koopw": 52.5}
    assert rows["WK045300"].values == {"a_inw": 12250.0, "p_koopw": 40.0}


def test_a_value_that_reads_two_ways_is_a_row_error_naming_the_cell(tmp_path):
    # Nothing in the file settles the style: every other value is whole.
    parsed = kwb(
        tmp_path,
        "GM0453;Velsen;Gemeente;68.500;31.250;31;7\n"
        "WK045300;Wijk 00 Centrum;Wijk;12.250;600;42;9\n"
        "BU04530000;Dorpskern;Buurt;950;410;55;12\n",
    )
    errors = messages(parsed.errors)
    assert [e[:2] for e in errors] == [(2, "GM0453"), (2, "GM0453"), (3, "WK045300")]
    assert errors[0][2].startswith(
        "Kolom a_inw: 68.500 kan 68500 betekenen (met de punt tussen de duizendtallen) "
        "of 68,5 (met de punt als decimaalteken)"
    )
    assert errors[1][2].startswith("Kolom a_woning: 31.250 kan 31250 betekenen")
    assert "of 31,25 (met de punt als decimaalteken)" in errors[1][2]
    assert errors[2][2].startswith("Kolom a_inw: 12.250 kan 12250 betekenen")
    # A row with an error is not kept; the service then stores nothing at all.
    assert set(by_code(parsed)) == {"BU04530000"}


def test_columns_of_both_styles_leave_an_unsettled_column_ambiguous(tmp_path):
    # g_wozbag writes 312.5 (decimal point), p_hh_li 7,4 (decimal comma): the file does
    # not settle a_inw, whose 68.500 is an error; the settled columns read as written.
    parsed = kwb(
        tmp_path,
        "GM0453;Velsen;Gemeente;68.500;312.5;7,4\n",
        header="gwb_code_10;regio;recs;a_inw;g_wozbag;p_hh_li\n",
    )
    errors = messages(parsed.errors)
    assert len(errors) == 1 and errors[0][:2] == (2, "GM0453")
    assert "Kolom a_inw: 68.500 kan 68500 betekenen" in errors[0][2]
    parsed = kwb(
        tmp_path,
        "GM0453;Velsen;Gemeente;68500;312.5;7,4\n",
        header="gwb_code_10;regio;recs;a_inw;g_wozbag;p_hh_li\n",
    )
    assert parsed.errors == []
    assert by_code(parsed)["GM0453"].values == {"a_inw": 68500.0, "g_wozbag": 312.5, "p_hh_li": 7.4}


def test_a_count_must_be_whole(tmp_path):
    # 68,5 inhabitants and 410,5 dwellings are errors; 12,5 % is a value.
    parsed = kwb(
        tmp_path,
        "GM0453;Velsen;Gemeente;68,5;31250;31;12,5\nWK045300;Wijk 00 Centrum;Wijk;1200;410,5;42;9,9\n",
    )
    errors = messages(parsed.errors)
    assert errors == [
        (2, "GM0453", "Kolom a_inw: 68,5 moet een geheel getal zijn, want het is een aantal."),
        (3, "WK045300", "Kolom a_woning: 410,5 moet een geheel getal zijn, want het is een aantal."),
    ]
    parsed = kwb(tmp_path, "BU04530000;Dorpskern;Buurt;950;410;55;12,5\n")
    assert parsed.errors == []
    assert by_code(parsed)["BU04530000"].values["p_hh_li"] == 12.5


def test_a_count_from_an_excel_number_must_be_whole(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["gwb_code_10", "recs", "a_inw", "p_wcorpw"])
    sheet.append(["GM0453", "Gemeente", 68.5, 31.5])
    path = tmp_path / "kwb.xlsx"
    workbook.save(path)
    parsed = read_indicator_file(path, file_format=SourceKind.CBS_KWB, year=2022)
    assert messages(parsed.errors) == [
        (2, "GM0453", "Kolom a_inw: 68,5 moet een geheel getal zijn, want het is een aantal.")
    ]


@pytest.mark.parametrize(
    "text, decimal, expected",
    [
        ("1.234,5", None, 1234.5),
        ("1,234.5", None, 1234.5),
        ("1.234.567", None, 1234567.0),
        ("1,234,567", None, 1234567.0),
        ("0,125", None, 0.125),  # a thousands group never follows a leading 0
        ("-0.101", None, -0.101),
        ("68.500", ",", 68500.0),
        ("68.500", ".", 68.5),
        ("1,250", ",", 1.25),
        ("1,250", ".", 1250.0),
        ("950", None, 950.0),
        (" 12 ", None, 12.0),
        (".", None, None),
        ("", None, None),
    ],
)
def test_parse_number(text, decimal, expected):
    assert parse_number(text, decimal=decimal) == expected


@pytest.mark.parametrize("text", ["1,2,3", "12.34.5", "1.234,5.6", "abc", "-", "1e5", "nan", "1_000"])
def test_parse_number_rejects(text):
    with pytest.raises(ValueError):
        parse_number(text, decimal=",")


def test_parse_number_ambiguous_names_both_readings():
    with pytest.raises(AmbiguousNumber) as exc:
        parse_number("68.500")
    assert (exc.value.as_thousands, exc.value.as_decimal) == ("68500", "68.500")


def test_generic_value_column_is_settled_from_all_its_rows(tmp_path):
    # 6,8 in another row (even of another year) settles the decimal comma: 1.250 is 1250.
    path = write(
        tmp_path,
        "long.csv",
        "code;jaar;indicator;waarde\nBU04530000;2022;a_inw;1.250\nBU04530000;2021;tevredenheid_buurt;6,8\n",
    )
    parsed = read_indicator_file(path, file_format=SourceKind.GENERIC, year=2022)
    assert parsed.errors == []
    assert by_code(parsed)["BU04530000"].values == {"a_inw": 1250.0}
