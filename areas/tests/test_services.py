"""Boundary imports per year (all-or-nothing, vintages, overlaps), the import task and
command, and gebieden with their rights."""

import json
from io import StringIO

import pytest
import shapely
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from areas import services
from areas.demo import data_dir
from areas.models import Area, AreaKind, AreaOverlap, BoundaryImport
from core.exceptions import ConflictError

VELSEN = data_dir()
FAILED, DONE = BoundaryImport.Status.FAILED, BoundaryImport.Status.DONE


def run(world, name, year, *, dry_run=False, path=None):
    return services.boundary_import_file(
        actor=world.platform_admin, path=path or VELSEN / name, year=year, dry_run=dry_run
    )


@pytest.fixture
def velsen_2022(world):
    for name in ("gemeente_2022.geojson", "wijken_2022.geojson", "buurten_2022.geojson"):
        job = run(world, name, 2022)
        assert job.status == DONE, job.errors
    return world


def write_geojson(path, features):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def feature(code, name, geometry):
    return {
        "type": "Feature",
        "geometry": json.loads(shapely.to_geojson(geometry)),
        "properties": {"statcode": code, "statnaam": name},
    }


# --- importing Velsen -------------------------------------------------------------------


def test_import_velsen_2022(velsen_2022):
    areas = Area.objects.filter(year=2022)
    assert areas.filter(kind=AreaKind.GEMEENTE).count() == 1
    assert areas.filter(kind=AreaKind.WIJK).count() == 10
    assert areas.filter(kind=AreaKind.BUURT).count() == 63
    gemeente = areas.get(code="GM0453")
    assert set(areas.filter(kind=AreaKind.WIJK).values_list("parent", flat=True)) == {gemeente.pk}
    dorp = areas.get(code="BU04530000")
    assert dorp.parent.code == "WK045300"
    assert dorp.gemeente_code == "GM0453"
    assert dorp.area_m2 > 0 and dorp.min_lon == pytest.approx(4.644)
    assert json.loads(dorp.shape_stad)["type"] == "Polygon"
    assert shapely.from_wkb(bytes(dorp.geometry)).is_valid
    kriemhilde = areas.get(code="BU04530004")
    assert kriemhilde.geometry is None and kriemhilde.shape_land == ""
    assert kriemhilde.parent.code == "WK045300"
    job = BoundaryImport.objects.filter(original_name="buurten_2022.geojson").get()
    assert (job.created, job.changed, job.unchanged, job.progress) == (63, 0, 0, 100)
    assert job.warnings == [
        {"row": 5, "code": "BU04530004", "message": "Geen vorm in het bestand: opgeslagen zonder kaartvorm."}
    ]
    assert dorp.history.first().history_user == velsen_2022.platform_admin


def test_reimport_is_unchanged_and_touches_nothing(velsen_2022):
    before = list(Area.objects.filter(year=2022).values("id", "version", "updated_at"))
    job = run(velsen_2022, "buurten_2022.geojson", 2022)
    assert (job.status, job.created, job.changed, job.unchanged) == (DONE, 0, 0, 63)
    assert list(Area.objects.filter(year=2022).values("id", "version", "updated_at")) == before


def test_reimport_reports_a_changed_name_and_shape(velsen_2022, tmp_path):
    features = json.loads((VELSEN / "buurten_2022.geojson").read_text())["features"]
    features[0]["properties"]["statnaam"] = "Velsen-Dorp Oud"
    features[1]["geometry"]["coordinates"][0][0] = [4.633, 52.4645]
    features[1]["geometry"]["coordinates"][0][-1] = [4.633, 52.4645]
    path = write_geojson(tmp_path / "buurten.geojson", features)
    job = run(velsen_2022, None, 2022, path=path)
    assert (job.created, job.changed, job.unchanged) == (0, 2, 61)
    dorp = Area.objects.get(year=2022, code="BU04530000")
    assert dorp.name == "Velsen-Dorp Oud" and dorp.version == 2
    assert dorp.history.first().history_change_reason == "grensimport 2022"
    velserbeek = Area.objects.get(year=2022, code="BU04530001")
    assert (4.633, 52.4645) in shapely.from_wkb(bytes(velserbeek.geometry)).exterior.coords
    assert "52.4645" in velserbeek.shape_stad
    assert velserbeek.parent.code == "WK045300" and velserbeek.max_lat == pytest.approx(52.4645)


def test_rd_new_geopackage_with_cbs_names(velsen_2022, tmp_path):
    from areas.tests.test_importers import write_cbs_rd

    path = write_cbs_rd(tmp_path, "GPKG")
    job = run(velsen_2022, None, 2022, path=path)
    # The same buurten back from RD New: only the one marked WATER = JA changed.
    assert (job.status, job.created, job.changed, job.unchanged) == (DONE, 0, 1, 62)
    assert list(Area.objects.filter(year=2022, is_water=True).values_list("code", flat=True)) == [
        "BU04530900"
    ]
    zipped = tmp_path / "zip"
    zipped.mkdir()
    job = run(velsen_2022, None, 2023, path=write_cbs_rd(zipped, "ESRI Shapefile"))
    assert job.status == FAILED
    assert job.errors[0]["message"].startswith("wijk WK045300 onbekend in jaar 2023")


def import_2025(world):
    # 2025 has only a buurt file; its gemeente and wijken take the 2022 shapes here.
    for name in ("gemeente_2022.geojson", "wijken_2022.geojson", "buurten_2025.geojson"):
        job = run(world, name, 2025)
        assert job.status == DONE, job.errors


def test_importing_2025_leaves_2022_alone_and_records_overlaps(velsen_2022):
    before = list(Area.objects.filter(year=2022).values())
    import_2025(velsen_2022)
    assert list(Area.objects.filter(year=2022).values()) == before
    assert Area.objects.filter(year=2025, kind=AreaKind.BUURT).count() == 63

    def overlap(code_2022, code_2025):
        return AreaOverlap.objects.get(
            source__year=2022, source__code=code_2022, target__year=2025, target__code=code_2025
        )

    dorp = overlap("BU04530000", "BU04530000")
    assert dorp.share_of_source == pytest.approx(1) and dorp.share_of_target == pytest.approx(1)
    # Zuidzijdebuurt lost a corner to Keetbergbuurt (the vertex 4.568, 52.453 was added).
    zuidzijde = overlap("BU04530303", "BU04530303")
    assert (zuidzijde.share_of_source, zuidzijde.share_of_target) == pytest.approx((0.907, 1.0), abs=0.001)
    corner = overlap("BU04530303", "BU04530406")
    assert (corner.share_of_source, corner.share_of_target) == pytest.approx((0.093, 0.55), abs=0.001)
    keetberg = overlap("BU04530406", "BU04530406")
    assert (keetberg.share_of_source, keetberg.share_of_target) == pytest.approx((1.0, 0.45), abs=0.001)
    assert not AreaOverlap.objects.filter(
        source__year=2022, source__code="BU04530406", target__code="BU04530303"
    ).exists()
    # Same ring, another start vertex: still the same shape.
    polder = overlap("BU04530901", "BU04530901")
    assert polder.share_of_source == pytest.approx(1)
    # Wijken and gemeente overlap too; no buurt without shape, no pair across levels.
    assert AreaOverlap.objects.filter(source__kind=AreaKind.WIJK).count() >= 10
    assert not AreaOverlap.objects.exclude(source__kind=models_f("target__kind")).exists()
    assert not AreaOverlap.objects.filter(source__code="BU04530004").exists()
    assert not AreaOverlap.objects.filter(source__year=2025).exists()


def models_f(name):
    from django.db.models import F

    return F(name)


def test_reimporting_a_year_replaces_only_its_overlaps(velsen_2022):
    import_2025(velsen_2022)
    count = AreaOverlap.objects.count()
    job = run(velsen_2022, "buurten_2025.geojson", 2025)
    assert (job.changed, job.unchanged) == (0, 63)
    assert AreaOverlap.objects.count() == count


def test_dry_run_stores_nothing(world):
    job = run(world, "gemeente_2022.geojson", 2022, dry_run=True)
    assert (job.status, job.created) == (DONE, 1)
    assert not Area.objects.exists()


def test_file_with_wijken_and_buurten_together(world, tmp_path):
    run(world, "gemeente_2022.geojson", 2022)
    square = shapely.box(4.6, 52.45, 4.61, 52.46)
    path = write_geojson(
        tmp_path / "samen.geojson",
        [feature("BU04530001", "Buurt", square), feature("WK045300", "Wijk", square)],
    )
    job = run(world, None, 2022, path=path)
    assert job.status == DONE, job.errors
    assert Area.objects.get(code="BU04530001").parent.code == "WK045300"


# --- bad input: nothing stored ----------------------------------------------------------


def failed_with(world, path, year=2022):
    count = Area.objects.count()
    job = run(world, None, year, path=path)
    assert job.status == FAILED
    assert Area.objects.count() == count
    return [e["message"] for e in job.errors]


def test_unknown_wijk(world):
    [first, *_rest] = failed_with(world, VELSEN / "buurten_2022.geojson")
    assert first == (
        "wijk WK045300 onbekend in jaar 2022. Importeer eerst de wijken van 2022 of neem ze op in dit bestand."
    )


def test_wijk_of_another_year_does_not_count(velsen_2022):
    messages = failed_with(velsen_2022, VELSEN / "buurten_2025.geojson", year=2025)
    assert messages[0].startswith("wijk WK045300 onbekend in jaar 2025")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"gewoon tekst", "Dit is geen geodata-bestand"),
        (b"", "Het bestand is leeg."),
        (b'{"type": "FeatureCollection", "features": []}', "Het bestand bevat geen gebieden."),
        (
            b'{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:3857"}}, '
            b'"features": [{"type": "Feature", "properties": {"statcode": "GM0453"}, '
            b'"geometry": {"type": "Point", "coordinates": [510000, 6880000]}}]}',
            "wordt niet ondersteund",
        ),
        (
            b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"naam": "x"}, '
            b'"geometry": {"type": "Point", "coordinates": [4.6, 52.4]}}]}',
            "Het bestand heeft geen kolom met gebiedscodes",
        ),
    ],
)
def test_bad_files(world, tmp_path, content, message):
    path = tmp_path / "grenzen.geojson"
    path.write_bytes(content)
    messages = failed_with(world, path)
    assert messages[0].startswith(message) or message in messages[0]


def test_duplicate_codes_fail_the_whole_file(world, tmp_path):
    square = shapely.box(4.6, 52.45, 4.61, 52.46)
    path = write_geojson(
        tmp_path / "dubbel.geojson",
        [
            feature("GM0453", "Velsen", square),
            feature("GM0450", "Ander", square),
            feature("GM0453", "Nog eens", square),
        ],
    )
    assert failed_with(world, path) == ["De code GM0453 komt vaker voor in het bestand (ook op rij 1)."]


def test_self_intersection_is_repaired_not_refused(world, tmp_path):
    bowtie = shapely.Polygon([(4.60, 52.45), (4.62, 52.47), (4.62, 52.45), (4.60, 52.47), (4.60, 52.45)])
    path = write_geojson(tmp_path / "strik.geojson", [feature("GM0453", "Velsen", bowtie)])
    job = run(world, None, 2022, path=path)
    assert job.status == DONE
    assert "hersteld" in job.warnings[0]["message"]
    assert shapely.from_wkb(bytes(Area.objects.get().geometry)).is_valid


def test_too_large_for_the_setting(world, settings):
    settings.BOUNDARY_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as info:
        run(world, "buurten_2022.geojson", 2022)
    assert "de grens is 0,0 MB" in info.value.messages[0]
    assert not BoundaryImport.objects.exists()


def test_only_platform_admins_import(world):
    with pytest.raises(PermissionDenied):
        services.boundary_import_file(actor=world.org_admin, path=VELSEN / "gemeente_2022.geojson", year=2022)


@pytest.mark.parametrize("year", [1999, 2200, "twintig"])
def test_year_out_of_range(world, year):
    with pytest.raises(ValidationError):
        run(world, "gemeente_2022.geojson", year)


# --- upload and task --------------------------------------------------------------------


def upload(name="gemeente_2022.geojson", content=None):
    content = (VELSEN / name).read_bytes() if content is None else content
    return SimpleUploadedFile(name, content, content_type="application/geo+json")


def test_upload_queues_the_task(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.boundary_import_start(actor=world.platform_admin, uploaded_file=upload(), year=2022)
    job.refresh_from_db()
    assert (job.status, job.created, job.original_name, job.started_by) == (
        DONE,
        1,
        "gemeente_2022.geojson",
        world.platform_admin,
    )
    assert Area.objects.filter(year=2022, code="GM0453").exists()


def test_upload_refused_early(world, settings):
    admin = world.platform_admin
    with pytest.raises(PermissionDenied):
        services.boundary_import_start(actor=world.corp_editor, uploaded_file=upload(), year=2022)
    with pytest.raises(ValidationError) as info:
        services.boundary_import_start(actor=admin, uploaded_file=upload(content=b"%PDF-1.7"), year=2022)
    assert "geen geodata-bestand" in info.value.message_dict["file"][0]
    settings.BOUNDARY_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError) as info:
        services.boundary_import_start(actor=admin, uploaded_file=upload(), year=2022)
    assert "de grens is" in info.value.message_dict["file"][0]
    assert not BoundaryImport.objects.exists()


def test_upload_when_the_queue_is_down(world, monkeypatch, django_capture_on_commit_callbacks):
    from areas import tasks

    def down(job_id):
        raise ConnectionError("redis weg")

    monkeypatch.setattr(tasks.boundary_import_run, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.boundary_import_start(actor=world.platform_admin, uploaded_file=upload(), year=2022)
    job.refresh_from_db()
    assert job.status == FAILED
    assert "takenwachtrij niet bereikbaar" in job.errors[0]["message"]


def test_task_marks_unexpected_errors(world, monkeypatch):
    from areas.tasks import boundary_import_run

    job = BoundaryImport.objects.create(
        file=upload(), original_name="x.geojson", year=2022, started_by=world.platform_admin
    )

    def explode(**kwargs):
        raise RuntimeError("database weg")

    monkeypatch.setattr(services, "boundary_import_run", explode)
    boundary_import_run.delay(job.pk)
    job.refresh_from_db()
    assert job.status == FAILED
    assert job.errors[0]["message"].startswith("De import is mislukt door een onverwachte fout.")


def test_a_finished_job_does_not_run_again(world):
    job = run(world, "gemeente_2022.geojson", 2022)
    Area.objects.all().delete()
    again = services.boundary_import_run(job_id=job.pk)
    assert again.status == DONE and not Area.objects.exists()


# --- the command ------------------------------------------------------------------------


def test_command_imports_and_reports(world):
    out = StringIO()
    call_command("import_boundaries", str(VELSEN / "gemeente_2022.geojson"), "--year", "2022", stdout=out)
    call_command("import_boundaries", str(VELSEN / "wijken_2022.geojson"), "--year", "2022", stdout=out)
    out = StringIO()
    call_command("import_boundaries", str(VELSEN / "buurten_2022.geojson"), "--year=2022", stdout=out)
    text = out.getvalue()
    assert "nieuw: 63, gewijzigd: 0, ongewijzigd: 0" in text
    assert "rij 5 BU04530004: Geen vorm in het bestand" in text


def test_command_fails_with_errors_and_dry_run(world):
    out = StringIO()
    with pytest.raises(CommandError, match="niets opgeslagen"):
        call_command("import_boundaries", str(VELSEN / "buurten_2022.geojson"), "--year", "2022", stdout=out)
    assert "wijk WK045300 onbekend in jaar 2022" in out.getvalue()
    out = StringIO()
    call_command(
        "import_boundaries",
        str(VELSEN / "gemeente_2022.geojson"),
        "--year",
        "2022",
        "--dry-run",
        "--as",
        "platform@example.nl",
        stdout=out,
    )
    assert "proefimport" in out.getvalue()
    assert not Area.objects.exists()
    with pytest.raises(CommandError, match="geen actieve platformbeheerder"):
        call_command("import_boundaries", "x.gpkg", "--year", "2022", "--as", "corp.editor@example.nl")


@pytest.mark.django_db
def test_command_needs_a_platform_admin():
    with pytest.raises(CommandError, match="nog geen platformbeheerder"):
        call_command("import_boundaries", "x.gpkg", "--year", "2022")


# --- gebieden ---------------------------------------------------------------------------


def buurten(*codes, year=2022):
    return list(Area.objects.filter(year=year, code__in=codes))


def test_gebied_create_by_beheerder(velsen_2022):
    w = velsen_2022
    chosen = buurten("BU04530000", "BU04530001", "BU04530004")
    gebied = services.gebied_create(
        actor=w.org_admin, organisation=w.corporatie, name=" Velsen-Zuid ", year=2022, buurten=chosen
    )
    assert (gebied.code, gebied.name, gebied.kind, gebied.year) == (
        "GB04530001",
        "Velsen-Zuid",
        "gebied",
        2022,
    )
    assert gebied.parent.code == "GM0453" and gebied.gemeente_code == "GM0453"
    assert gebied.owner_organisation == w.corporatie
    assert set(gebied.members.all()) == set(chosen)
    total = sum(b.area_m2 for b in chosen if b.area_m2)
    assert gebied.area_m2 == pytest.approx(total, rel=0.01)
    assert json.loads(gebied.shape_stad)["type"] in {"Polygon", "MultiPolygon"}
    assert gebied.history.first().history_user == w.org_admin
    second = services.gebied_create(
        actor=w.platform_admin,
        organisation=w.gemeente,
        name="Noord",
        year=2022,
        buurten=buurten("BU04530900"),
    )
    assert second.code == "GB04530002"


@pytest.mark.parametrize(
    ("persona", "org"),
    [
        ("corp_editor", "corporatie"),
        ("outsider", "other_gemeente"),
        ("outsider", "corporatie"),
        ("partner_reader", "partner"),
    ],
)
def test_gebied_create_refused(velsen_2022, persona, org):
    w = velsen_2022
    with pytest.raises(PermissionDenied):
        services.gebied_create(
            actor=w.users[persona],
            organisation=w.orgs[org],
            name="X",
            year=2022,
            buurten=buurten("BU04530000"),
        )
    assert not Area.objects.filter(kind=AreaKind.GEBIED).exists()


def test_gebied_validation(velsen_2022):
    w = velsen_2022

    def create(**kwargs):
        values = {"actor": w.org_admin, "organisation": w.corporatie, "name": "Gebied", "year": 2022}
        values.update(kwargs)
        with pytest.raises(ValidationError) as info:
            services.gebied_create(**values)
        return info.value.messages[0]

    assert create(buurten=[]) == "Kies minstens één buurt."
    assert create(buurten=buurten("WK045300")) == "Een gebied bestaat alleen uit buurten."
    assert create(buurten=buurten("BU04530000"), year=2025).startswith("Kies buurten uit één jaar")
    assert create(buurten=buurten("BU04530000"), name="  ") == "Geef het gebied een naam."
    other = Area.objects.create(
        year=2022, kind=AreaKind.BUURT, code="BU03920000", name="Haarlem", gemeente_code="GM0392"
    )
    assert (
        create(buurten=[*buurten("BU04530000"), other])
        == "Alle buurten van een gebied liggen in één gemeente."
    )
    services.gebied_create(
        actor=w.org_admin, organisation=w.corporatie, name="Gebied", year=2022, buurten=buurten("BU04530000")
    )
    assert (
        create(buurten=buurten("BU04530001"), name="gebied")
        == "Er is in deze gemeente al een gebied met deze naam."
    )


def test_gebied_update_and_stale_version(velsen_2022):
    w = velsen_2022
    gebied = services.gebied_create(
        actor=w.org_admin, organisation=w.corporatie, name="Zuid", year=2022, buurten=buurten("BU04530000")
    )
    updated = services.gebied_update(
        actor=w.org_admin,
        gebied=gebied,
        version=gebied.version,
        name="Zuid en Oost",
        buurten=buurten("BU04530000", "BU04530002"),
        description="Samen",
    )
    assert (updated.name, updated.version, updated.members.count()) == ("Zuid en Oost", 2, 2)
    assert updated.area_m2 > gebied.area_m2
    with pytest.raises(ConflictError):
        services.gebied_update(
            actor=w.org_admin, gebied=gebied, version=1, name="Oud", buurten=buurten("BU04530000")
        )
    with pytest.raises(PermissionDenied):
        services.gebied_update(
            actor=w.corp_editor, gebied=gebied, version=2, name="Bewerker", buurten=buurten("BU04530000")
        )
    with pytest.raises(PermissionDenied):
        services.gebied_update(
            actor=w.outsider, gebied=gebied, version=2, name="Buiten", buurten=buurten("BU04530000")
        )
    cbs = Area.objects.get(year=2022, code="BU04530000")
    with pytest.raises(ValidationError):
        services.gebied_update(actor=w.platform_admin, gebied=cbs, version=1, name="x", buurten=[cbs])


def test_gebied_delete(velsen_2022):
    w = velsen_2022
    gebied = services.gebied_create(
        actor=w.org_admin, organisation=w.corporatie, name="Weg", year=2022, buurten=buurten("BU04530000")
    )
    with pytest.raises(PermissionDenied):
        services.gebied_delete(actor=w.corp_editor, gebied=gebied)
    services.gebied_delete(actor=w.org_admin, gebied=gebied)
    assert not Area.objects.filter(kind=AreaKind.GEBIED).exists()
    assert Area.objects.filter(year=2022, code="BU04530000").exists()


# --- the demo ---------------------------------------------------------------------------


def test_demo_seed_loads_both_years_once(world):
    from areas import demo

    lines = []
    demo.seed(log=lines.append)
    counts = {
        (y, k): Area.objects.filter(year=y, kind=k).count()
        for y in (2022, 2025)
        for k in ("gemeente", "wijk", "buurt")
    }
    assert counts == {
        (2022, "gemeente"): 1,
        (2022, "wijk"): 10,
        (2022, "buurt"): 63,
        (2025, "gemeente"): 1,
        (2025, "wijk"): 10,
        (2025, "buurt"): 63,
    }
    wijk = Area.objects.get(year=2025, code="WK045300")
    assert wijk.name == Area.objects.get(year=2022, code="WK045300").name
    assert Area.objects.get(year=2025, code="BU04530000").parent == wijk
    assert AreaOverlap.objects.filter(source__year=2022, target__year=2025, source__kind="wijk").exists()
    jobs = BoundaryImport.objects.count()
    demo.seed(log=lines.append)
    assert BoundaryImport.objects.count() == jobs


def test_demo_seed_stops_with_a_clear_error_without_data(world, monkeypatch, settings, tmp_path):
    monkeypatch.delenv("WIJKKOERS_DATA_DIR", raising=False)
    settings.BASE_DIR = tmp_path / "nergens"
    with pytest.raises(
        CommandError, match=r"Demogegevens ontbreken: .*nergens/data/cbs/velsen/gemeente_2022"
    ):
        call_command("seed_demo", stdout=StringIO())
    assert not Area.objects.exists()


def test_demo_data_folder_can_be_overridden(monkeypatch, tmp_path):
    from areas import demo

    velsen = tmp_path / "cbs" / "velsen"
    velsen.mkdir(parents=True)
    (velsen / "gemeente_2022.geojson").write_text("{}", encoding="utf-8")
    for root in (tmp_path, velsen):
        monkeypatch.setenv("WIJKKOERS_DATA_DIR", str(root))
        assert demo.data_dir() == velsen
    monkeypatch.setenv("WIJKKOERS_DATA_DIR", str(tmp_path / "leeg"))
    with pytest.raises(CommandError, match="Demogegevens ontbreken"):
        demo.velsen_file("buurten_2022.geojson")


def test_import_renews_the_cached_maps_of_its_year(world, monkeypatch, django_capture_on_commit_callbacks):
    from areas import selectors

    renewed = []
    monkeypatch.setattr(selectors, "map_data_changed", renewed.append)
    with django_capture_on_commit_callbacks(execute=True):
        run(world, "gemeente_2022.geojson", 2022)
        run(world, "gemeente_2022.geojson", 2023, dry_run=True)
    assert renewed == [2022]


def test_unexpected_error_while_writing_rolls_back_and_fails_the_job(world, monkeypatch):
    run(world, "gemeente_2022.geojson", 2022)
    real_write = services._write

    def write_then_fail(plan, **kwargs):
        real_write(plan, **kwargs)
        raise RuntimeError("schijf vol")

    monkeypatch.setattr(services, "_write", write_then_fail)
    with pytest.raises(RuntimeError):
        run(world, "wijken_2022.geojson", 2022)
    assert not Area.objects.filter(kind=AreaKind.WIJK).exists()
    job = BoundaryImport.objects.get(original_name="wijken_2022.geojson")
    assert job.status == FAILED and "onverwachte fout" in job.errors[0]["message"]


def test_gebied_changes_renew_the_cached_maps_of_their_year(
    velsen_2022, monkeypatch, django_capture_on_commit_callbacks
):
    from areas import selectors

    w = velsen_2022
    renewed = []
    monkeypatch.setattr(selectors, "map_data_changed", renewed.append)
    with django_capture_on_commit_callbacks(execute=True):
        gebied = services.gebied_create(
            actor=w.org_admin,
            organisation=w.corporatie,
            name="Velsen-Zuid",
            year=2022,
            buurten=buurten("BU04530000"),
        )
    with django_capture_on_commit_callbacks(execute=True):
        gebied = services.gebied_update(
            actor=w.org_admin,
            gebied=gebied,
            version=gebied.version,
            name="Velsen-Zuid",
            buurten=buurten("BU04530000", "BU04530001"),
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.gebied_delete(actor=w.org_admin, gebied=gebied)
    assert renewed == [2022, 2022, 2022]
