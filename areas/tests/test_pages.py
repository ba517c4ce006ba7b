"""The area pages with real Velsen boundaries: map, table, sorting, search, lineage."""

import re

import pytest
from django.urls import reverse

from areas.tests.helpers import overlap, small_gemeente, velsen

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(world, client):
    client.force_login(world.partner_reader)
    return client


def _names_in_table(html):
    body = html.split('id="tabel"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th class="utrecht-table__cell" scope="row"><a [^>]*>([^<]+)</a>', body)


def test_index_lists_gemeenten_of_newest_year_and_lets_choose_a_year(reader):
    velsen(2022)
    small_gemeente(2025, code="GM0392", name="Haarlem", origin=(4.6, 52.36))

    response = reader.get(reverse("areas:index"))

    assert response.status_code == 200
    html = response.content.decode()
    table = html.split('id="gemeenten"', 1)[1]
    assert "Haarlem" in table and "Velsen" not in table
    assert '<option value="2022"' in html
    response = reader.get(reverse("areas:index"), {"jaar": 2022})
    assert "Velsen" in response.content.decode()
    assert "level=gemeente" in response.content.decode()


def test_index_without_boundaries_says_so(reader):
    response = reader.get(reverse("areas:index"))
    assert "Er zijn nog geen grenzen geïmporteerd" in response.content.decode()


def test_gemeente_page_has_map_and_table_of_wijken(reader):
    data = velsen(2022)

    response = reader.get(reverse("areas:detail", args=[2022, "GM0453"]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "Velsen" in html
    assert "data-area-map" in html
    assert "gemeente=GM0453" in html and "level=wijk" in html
    assert 'aria-label="Kaart van de wijken van Velsen' in html
    assert len(_names_in_table(html)) == len(data["wijken"]) == 10
    assert "Wijk 01 IJmuiden-Noord" in html
    assert "vendor/leaflet/leaflet.js" in html
    assert 'data-tile-url="https://service.pdok.nl/' in html


def test_gemeente_page_buurten_level_marks_buurt_without_shape(reader):
    velsen(2022)

    response = reader.get(reverse("areas:detail", args=[2022, "GM0453"]), {"niveau": "buurt"})

    html = response.content.decode()
    names = _names_in_table(html)
    assert len(names) == 63
    row = html.split("Kriemhildebuurt</a>", 1)[1][:80]
    assert "geen vorm" in row
    assert "1 gebied heeft geen vorm" in html
    assert "level=buurt" in html


def test_water_is_left_out_with_a_note(reader):
    small_gemeente()

    html = reader.get(reverse("areas:detail", args=[2022, "GM0453"]), {"niveau": "buurt"}).content.decode()

    assert "Noordzeekanaal" not in html
    assert "1 watergebied staat niet op de kaart" in html
    assert len(_names_in_table(html)) == 5


@pytest.mark.parametrize(
    ("sort", "first", "last"),
    [
        ("naam", "Amstelhaven", "Zeeheldenbuurt"),
        ("-naam", "Zeeheldenbuurt", "Amstelhaven"),
        ("code", "Dorpskern", "Amstelhaven"),
        ("-code", "Amstelhaven", "Dorpskern"),
    ],
)
def test_table_sorts_server_side(reader, sort, first, last):
    small_gemeente()

    response = reader.get(
        reverse("areas:detail", args=[2022, "GM0453"]), {"niveau": "buurt", "sorteer": sort}
    )

    names = _names_in_table(response.content.decode())
    assert names[0] == first and names[-1] == last
    assert 'aria-sort="' in response.content.decode()


def test_table_sorts_by_area(reader):
    velsen(2022)
    html = reader.get(
        reverse("areas:detail", args=[2022, "GM0453"]), {"niveau": "buurt", "sorteer": "-oppervlakte"}
    ).content.decode()
    names = _names_in_table(html)
    # The buurt without a shape has no area and sorts last (PostgreSQL: NULLS FIRST on DESC).
    assert "Kriemhildebuurt" in (names[0], names[-1])
    assert 'aria-sort="descending"' in html


def test_wijk_page_shows_its_buurten_breadcrumbs_and_key_numbers(reader):
    data = velsen(2022)
    wijk = next(w for w in data["wijken"] if w.code == "WK045301")
    buurten = [b for b in data["buurten"] if b.parent_id == wijk.pk]

    html = reader.get(reverse("areas:detail", args=[2022, wijk.code])).content.decode()

    assert "Wijk 01 IJmuiden-Noord" in html
    crumbs = html.split('aria-label="Kruimelpad"', 1)[1].split("</nav>", 1)[0]
    assert "Velsen" in crumbs and 'aria-current="page">Wijk 01 IJmuiden-Noord' in crumbs
    assert len(_names_in_table(html)) == len(buurten)
    assert "parent=WK045301" in html
    assert "km²" in html


def test_buurt_page_has_breadcrumbs_gemeente_wijk_buurt_and_map_highlight(reader):
    velsen(2022)

    html = reader.get(reverse("areas:detail", args=[2022, "BU04530100"])).content.decode()

    crumbs = html.split('aria-label="Kruimelpad"', 1)[1].split("</nav>", 1)[0]
    assert crumbs.index("Velsen") < crumbs.index("Wijk 01") < crumbs.index('aria-current="page"')
    assert 'data-highlight="BU04530100"' in html
    # No table on a buurt page: skipping the map leads to the wijk's table.
    assert 'href="/gebieden/2022/WK045301/#tabel"' in html


def test_buurt_without_shape_has_no_map(reader):
    velsen(2022)
    html = reader.get(reverse("areas:detail", args=[2022, "BU04530004"])).content.decode()
    assert "data-area-map" not in html
    assert "geen vorm" in html


def test_predecessors_and_successors_across_years(reader):
    old = velsen(2022)
    new = velsen(2025)
    old_buurt = next(b for b in old["buurten"] if b.code == "BU04530303")
    new_buurt = next(b for b in new["buurten"] if b.code == "BU04530303")
    neighbour = next(b for b in new["buurten"] if b.code == "BU04530406")
    overlap(old_buurt, new_buurt, 0.98, 0.99)
    overlap(old_buurt, neighbour, 0.02, 0.01)

    html = reader.get(reverse("areas:detail", args=[2025, "BU04530303"])).content.decode()
    assert "voorganger" in html and "98%" not in html.split("In andere jaren")[0]
    lineage = html.split("In andere jaren", 1)[1]
    assert "2022" in lineage and "99%" in lineage

    html = reader.get(reverse("areas:detail", args=[2022, "BU04530303"])).content.decode()
    lineage = html.split("In andere jaren", 1)[1]
    assert lineage.count("opvolger") == 2
    assert lineage.index("Zuidzijdebuurt") < lineage.index("Keetbergbuurt")
    assert "98%" in lineage and "2%" in lineage


def test_year_selector_goes_to_the_same_area_in_another_year(reader):
    velsen(2022)
    velsen(2025)

    response = reader.get(reverse("areas:detail", args=[2022, "GM0453"]), {"jaar": 2025, "niveau": "buurt"})

    assert response.status_code == 302
    assert response["Location"] == reverse("areas:detail", args=[2025, "GM0453"]) + "?niveau=buurt"


def test_year_selector_for_a_missing_year_stays_with_a_message(reader):
    velsen(2022)
    response = reader.get(reverse("areas:detail", args=[2022, "GM0453"]), {"jaar": 2019}, follow=True)
    assert "bestaat niet in de indeling van 2019" in response.content.decode()


def test_unknown_area_is_404(reader):
    assert reader.get(reverse("areas:detail", args=[2022, "GM9999"])).status_code == 404


def test_search_by_name_and_code_grouped_newest_year_first(reader):
    velsen(2022)
    velsen(2025)

    html = reader.get(reverse("areas:search"), {"q": "ijmuiden"}).content.decode()
    assert html.index("Indeling 2025") < html.index("Indeling 2022")
    assert "Wijk 01 IJmuiden-Noord" in html

    html = reader.get(reverse("areas:search"), {"q": "BU045301"}).content.decode()
    assert "gebieden gevonden" in html
    assert "BU04530100" in html and "BU04530000" not in html


def test_search_without_results_and_empty_query(reader):
    velsen(2022)
    assert (
        "Geen gemeente, wijk, buurt of gebied gevonden"
        in reader.get(reverse("areas:search"), {"q": "Atlantis"}).content.decode()
    )
    assert "Typ een naam of code" in reader.get(reverse("areas:search")).content.decode()


def test_search_is_paginated(reader):
    velsen(2022)
    velsen(2025)
    html = reader.get(reverse("areas:search"), {"q": "BU0453"}).content.decode()
    assert "Pagina 1 van 3" in html


def test_header_has_search_box_and_gebieden_nav(reader):
    html = reader.get(reverse("areas:index")).content.decode()
    assert 'role="search"' in html and reverse("areas:search") in html
    assert ">Gebieden</a>" in html


def test_list_pages_keep_query_count_flat(reader, django_assert_max_num_queries):
    velsen(2022)
    velsen(2025)
    with django_assert_max_num_queries(12):
        reader.get(reverse("areas:detail", args=[2022, "GM0453"]), {"niveau": "buurt"})
    # The wijk page: its own 12, plus one or two per section of the other apps (team,
    # scores, commitments; the interventions sections read nothing for a reader in no team),
    # and the person's memberships and grants (once per read: core.permissions.rules_remembered).
    with django_assert_max_num_queries(19):
        reader.get(reverse("areas:detail", args=[2022, "WK045303"]))
    with django_assert_max_num_queries(10):
        reader.get(reverse("areas:index"))
    with django_assert_max_num_queries(10):
        reader.get(reverse("areas:search"), {"q": "buurt"})


# Gebieden


@pytest.fixture
def beheerder(world, client):
    client.force_login(world.org_admin)
    return client


def test_gebied_create_edit_and_delete(beheerder, world):
    data = velsen(2022)
    picked = [b for b in data["buurten"] if b.code in ("BU04530100", "BU04530101")]
    url = reverse("areas:gebied-create", args=[2022, "GM0453"])

    form = beheerder.get(url).content.decode()
    assert "Woningcorporatie Velserduin" in form and "Kriemhildebuurt (BU04530004)" in form

    response = beheerder.post(
        url,
        {
            "organisation": world.corporatie.pk,
            "name": "IJmuiden-Noord",
            "description": "Focus op de oude kern",
            "buurten": [b.pk for b in picked],
        },
    )
    assert response.status_code == 302
    gebied_url = response["Location"]
    page = beheerder.get(gebied_url).content.decode()
    assert "IJmuiden-Noord" in page and "Focus op de oude kern" in page
    assert len(_names_in_table(page)) == 2
    assert "gebied=GB04530001" in page
    assert "Bewerken" in page and "Verwijderen" in page

    gemeente_page = beheerder.get(reverse("areas:detail", args=[2022, "GM0453"])).content.decode()
    assert "IJmuiden-Noord" in gemeente_page

    edit_url = reverse("areas:gebied-edit", args=[2022, "GB04530001"])
    assert 'name="version" value="1"' in beheerder.get(edit_url).content.decode()
    response = beheerder.post(
        edit_url,
        {"name": "IJmuiden-Noord en Zee", "description": "", "buurten": [picked[0].pk], "version": 1},
    )
    assert response.status_code == 302
    assert "IJmuiden-Noord en Zee" in beheerder.get(gebied_url).content.decode()

    delete_url = reverse("areas:gebied-delete", args=[2022, "GB04530001"])
    assert "Gebied IJmuiden-Noord en Zee verwijderen?" in beheerder.get(delete_url).content.decode()
    response = beheerder.post(delete_url)
    assert response["Location"] == reverse("areas:detail", args=[2022, "GM0453"])
    assert beheerder.get(gebied_url).status_code == 404


def test_gebied_stale_edit_shows_conflict_and_keeps_input(beheerder, world):
    from areas.services import gebied_create, gebied_update

    data = velsen(2022)
    gebied = gebied_create(
        actor=world.org_admin,
        organisation=world.corporatie,
        name="Kern",
        year=2022,
        buurten=data["buurten"][:2],
    )
    gebied_update(
        actor=world.org_admin,
        gebied=gebied,
        version=1,
        name="Kern (door collega)",
        buurten=data["buurten"][:3],
    )

    response = beheerder.post(
        reverse("areas:gebied-edit", args=[2022, gebied.code]),
        {"name": "Mijn naam", "description": "mijn tekst", "buurten": [data["buurten"][5].pk], "version": 1},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "Iemand anders heeft dit intussen gewijzigd" in html
    assert "Kern (door collega)" in html
    assert 'value="Mijn naam"' in html and "mijn tekst" in html
    assert '<input type="hidden" name="version" value="2">' in html


def test_gebied_form_errors_are_shown(beheerder, world):
    velsen(2022)
    response = beheerder.post(
        reverse("areas:gebied-create", args=[2022, "GM0453"]),
        {"organisation": world.corporatie.pk, "name": "Leeg", "buurten": []},
    )
    assert response.status_code == 200
    assert "Kies minstens één buurt." in response.content.decode()


def test_gebied_create_offers_only_own_beheerder_organisations(beheerder, world):
    velsen(2022)
    html = beheerder.get(reverse("areas:gebied-create", args=[2022, "GM0453"])).content.decode()
    assert "Woningcorporatie Velserduin" in html
    assert "Gemeente Velsen" not in html.split("<form", 1)[1]


def test_gemeente_page_offers_new_gebied_only_to_beheerders(world):
    from django.test import Client

    velsen(2022)
    url = reverse("areas:detail", args=[2022, "GM0453"])
    beheerder, reader = Client(), Client()
    beheerder.force_login(world.org_admin)
    reader.force_login(world.partner_reader)
    assert "Nieuw gebied" in beheerder.get(url).content.decode()
    html = reader.get(url).content.decode()
    assert "Nieuw gebied" not in html
    assert "Er zijn nog geen gebieden in deze gemeente" in html


# Boundary imports


@pytest.fixture
def admin(world, client):
    client.force_login(world.platform_admin)
    return client


def test_upload_runs_import_and_job_page_shows_the_result(
    admin, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from areas.tests.helpers import VELSEN_DIR

    settings.MEDIA_ROOT = tmp_path

    def upload(name):
        return SimpleUploadedFile(name, (VELSEN_DIR / name).read_bytes(), "application/geo+json")

    assert "Er is nog niets geïmporteerd." in admin.get(reverse("areas:import")).content.decode()

    # Wijken before their gemeente: refused, nothing stored, the reasons listed.
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("areas:import"), {"file": upload("wijken_2022.geojson"), "year": 2022})
    assert response.status_code == 302, response.content.decode()[:3000]
    job_page = admin.get(response["Location"]).content.decode()
    assert "Mislukt" in job_page and "er is niets opgeslagen" in job_page
    assert "rij 1, WK045300: gemeente GM0453 onbekend" in job_page

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("areas:import"), {"file": upload("gemeente_2022.geojson"), "year": 2022}
        )
    job_page = admin.get(response["Location"]).content.decode()
    assert "Klaar" in job_page and "de grenzen van 2022 staan op de kaarten" in job_page
    assert 'hx-trigger="every 2s"' not in job_page
    assert '<dd class="utrecht-data-list__item-value">1</dd>' in job_page
    listing = admin.get(reverse("areas:import")).content.decode()
    assert "gemeente_2022.geojson" in listing and "wijken_2022.geojson" in listing


def test_running_job_polls_with_htmx(admin, world):
    from areas.models import BoundaryImport

    job = BoundaryImport.objects.create(
        file="imports/x.geojson",
        original_name="x.geojson",
        year=2022,
        status=BoundaryImport.Status.RUNNING,
        progress=40,
        started_by=world.platform_admin,
        warnings=[{"row": 4, "code": "BU04530004", "message": "Geen vorm."}],
    )
    html = admin.get(reverse("areas:import-detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert f'hx-get="{reverse("areas:import-status", args=[job.pk])}"' in html
    assert "40%" in html and "rij 4, BU04530004: Geen vorm." in html
    partial = admin.get(reverse("areas:import-status", args=[job.pk])).content.decode()
    assert partial.lstrip().startswith("<section") and "<html" not in partial


def test_upload_refuses_empty_file(admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = admin.post(
        reverse("areas:import"), {"file": SimpleUploadedFile("leeg.geojson", b""), "year": 2022}
    )
    assert response.status_code == 200
    assert "leeg" in response.content.decode()
