"""The year report page, its choice of years, the links to it, the API's answers to bad
input, and the command."""

import copy
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from interventions.tests.helpers import haarlem
from reports.management.commands import year_report as command
from reports.tests.helpers import AEDES_MODEL, build_report_world
from tests.db import rolled_back

SECTIONS = [
    "1. Scores",
    "2. Urgentie naast de cijfers",
    "3. Interventies",
    "4. Prestatieafspraken",
    "5. Samenwerking",
    "6. Bronnen",
]


@pytest.fixture(scope="module")
def shared_report(shared_world, django_db_blocker):
    with rolled_back(django_db_blocker):
        world = copy.deepcopy(shared_world)
        build_report_world(world)
        yield world


@pytest.fixture
def w(shared_report, db):
    return copy.deepcopy(shared_report)


def _get(client, user, url, status=200):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:500]
    return response.content.decode()


class TestPage:
    def test_sections_captions_and_the_year_choice(self, client, w):
        html = _get(client, w.gemeente_reviewer, reverse("reports:report", args=["GM0453", 2025]))
        for heading in SECTIONS:
            assert heading in html
        assert html.count("<caption") == html.count("<table")
        # The year select lists the years with data; compare offers the earlier ones.
        assert '<option value="2025" selected>2025</option>' in html
        assert '<option value="2023" >2023</option>' in html
        assert "wk-report__maps" in html  # the maps of each model, with their text alternatives
        assert "grens gewijzigd" in html  # Heidebuurt
        assert "laat delen weg" not in html

    def test_empty_states(self, client, w):
        haarlem(year=2025)
        html = _get(client, w.gemeente_reviewer, reverse("reports:report", args=["GM0392", 2025]))
        for text in (
            "Er zijn geen scores van dit gebied",
            "Er is voor dit jaar geen urgentie vastgesteld",
            "In dit jaar is geen interventie gestart",
            "Er zijn voor dit jaar geen prestatieafspraken",
            "Er is geen gebiedsteam in dit gebied",
            "Dit jaarbeeld gebruikt geen cijfers",
        ):
            assert text in html

    def test_bad_compare_year_is_a_clear_400(self, client, w):
        html = _get(
            client,
            w.gemeente_reviewer,
            reverse("reports:report", args=["GM0453", 2025]) + "?vergelijk=abc",
            400,
        )
        assert "Vergelijk met een eerder jaar uit de lijst" in html
        assert "1. Scores" in html  # the report itself, compared with the previous measurement

    def test_unknown_code_and_year_say_why(self, client, w):
        html = _get(client, w.tenant_rep, reverse("reports:report", args=["XX0000", 2025]), 404)
        assert "Er is geen gemeente, wijk of gebied met de code XX0000." in html
        html = _get(client, w.tenant_rep, reverse("reports:report", args=["GM0453", 2019]), 404)
        assert "geen jaarbeeld over 2019" in html
        # Codes that cannot be a code are unknown too, not an error.
        for code in ("GM%00", "%27%3B--", "x" * 40):
            assert client.get(f"/jaarbeeld/{code}/2025/").status_code == 404
            assert client.get(f"/api/v1/jaarbeeld/{code}/2025/").status_code == 404
        assert client.get("/jaarbeeld/GM0453/99999999999/").status_code == 404

    def test_choose_redirects_with_the_compare_year(self, client, w):
        client.force_login(w.tenant_rep)
        response = client.get(reverse("reports:choose", args=["GM0453"]) + "?jaar=2025&vergelijk=2023")
        assert response["Location"] == reverse("reports:report", args=["GM0453", 2025]) + "?vergelijk=2023"
        response = client.get(reverse("reports:choose", args=["gm0453"]) + "?jaar=abc")
        assert response["Location"] == reverse("reports:report", args=["GM0453", 2025])  # the latest year

    def test_index(self, client, w):
        html = _get(client, w.tenant_rep, reverse("reports:index"))
        assert '<option value="GM0453">Velsen</option>' in html
        client.force_login(w.tenant_rep)
        assert client.get(reverse("reports:index") + "?code=GM0453").status_code == 302
        assert client.get(reverse("reports:index") + "?code=<b>").status_code == 400

    def test_links_on_the_area_pages(self, client, w):
        for year, code in ((2025, "GM0453"), (2025, "WK045301"), (2025, "GB0453001")):
            html = _get(client, w.tenant_rep, reverse("areas:detail", args=[year, code]))
            assert reverse("reports:choose", args=[code]) in html, code
        html = _get(client, w.tenant_rep, reverse("areas:detail", args=[2025, "BU04530100"]))
        assert reverse("reports:choose", args=["BU04530100"]) not in html

    def test_page_queries_do_not_grow(self, client, w, django_assert_max_num_queries):
        from reports.tests.test_selectors import _grow

        client.force_login(w.gemeente_reviewer)
        url = reverse("reports:report", args=["GM0453", 2025])
        with django_assert_max_num_queries(85):
            client.get(url)
        _grow(w, 8)
        with django_assert_max_num_queries(85):
            assert "Extra 7" in client.get(url).content.decode()


class TestApi:
    def test_bad_compare_year(self, client, w):
        client.force_login(w.tenant_rep)
        response = client.get(reverse("year-report", args=["GM0453", 2025]) + "?vergelijk=2025")
        assert response.status_code == 400
        assert "vergelijk" in response.json()

    def test_report_as_json(self, client, w):
        client.force_login(w.tenant_rep)
        body = client.get(reverse("year-report", args=["GM0453", 2025]) + "?vergelijk=2023").json()
        assert body["compare"] == 2023 and body["parts_hidden"] is True
        assert [m["key"] for m in body["scores"]["models"]] == ["test-index", "test-signal"]
        assert body["interventions"]["totals"]["gestart"] == 1

    def test_in_the_schema(self, client, w):
        client.force_login(w.tenant_rep)
        schema = client.get(reverse("api-schema") + "?format=json").content.decode()
        assert "/api/v1/jaarbeeld/{code}/{year}/" in schema


class TestCommand:
    def test_json_as_the_corporation_and_the_tenants(self, w, tmp_path):
        out = tmp_path / "r.json"
        call_command(
            "year_report", "GM0453", "2025", "--as", w.corp_editor.email, "--format", "json", "-o", str(out)
        )
        assert AEDES_MODEL in out.read_text()
        call_command(
            "year_report", "GM0453", "2025", "--as", w.tenant_rep.email, "--format", "json", "-o", str(out)
        )
        body = json.loads(out.read_text())
        assert AEDES_MODEL not in out.read_text() and body["parts_hidden"] is True

    def test_html_with_a_compare_year(self, w, tmp_path):
        out = tmp_path / "r.html"
        call_command(
            "year_report",
            "WK045301",
            "2025",
            "--compare",
            "2023",
            "--as",
            w.gemeente_reviewer.email,
            "--format",
            "html",
            "-o",
            str(out),
        )
        html = out.read_text()
        assert "Jaarbeeld Wijk 01 IJmuiden-Noord 2025" in html and "vergeleken met 2023" in html

    @pytest.mark.parametrize(
        "args, message",
        [
            (["XX0000", "2025"], "geen gemeente, wijk of gebied met de code XX0000"),
            (["GM0453", "2019"], "geen jaarbeeld over 2019"),
            (["GM0453", "2025", "--compare", "2030"], "Vergelijk met een eerder jaar"),
            (["GM0453", "2025", "--format", "doc"], "Onbekend formaat doc"),
        ],
    )
    def test_refusals(self, w, args, message):
        with pytest.raises(CommandError, match=message):
            call_command("year_report", *args, "--as", w.gemeente_reviewer.email)

    def test_unknown_person(self, w):
        with pytest.raises(CommandError, match="geen actieve persoon"):
            call_command("year_report", "GM0453", "2025", "--as", "niemand@example.nl")

    def test_file_formats_only_when_the_exports_are_there(self, w, tmp_path, monkeypatch):
        monkeypatch.setattr(command, "exported_formats", lambda: ())
        with pytest.raises(CommandError, match="pdf is in deze installatie niet beschikbaar"):
            call_command(
                "year_report",
                "GM0453",
                "2025",
                "--as",
                w.gemeente_reviewer.email,
                "--format",
                "pdf",
                "-o",
                str(tmp_path / "r.pdf"),
            )
