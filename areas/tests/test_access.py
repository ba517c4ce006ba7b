"""Who may open which area page and endpoint. Areas are public facts for every signed-in
user; a gebied is changed only by beheerders of its organisation; boundary imports are
for platform admins."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from areas.models import BoundaryImport
from areas.tests.helpers import make_gebied, small_gemeente
from tests.matrix import MULTIPART, AccessMatrix, Case

SIGNED_IN = {"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep", "partner_reader", "outsider"}
GEBIED = "GB04530001"


def _areas(world):
    data = small_gemeente()
    world.objects["areas"] = data
    world.objects["gebied"] = make_gebied(
        code=GEBIED, organisation=world.corporatie, buurten=data["buurten"][:2], description="Focus"
    )


def _import(world):
    _areas(world)
    world.objects["job"] = BoundaryImport.objects.create(
        file="imports/boundaries/velsen.geojson",
        original_name="velsen.geojson",
        year=2022,
        started_by=world.platform_admin,
    )


def _detail(code):
    return lambda w: reverse("areas:detail", args=[2022, code])


def _gebied_form(w):
    return {
        "name": "Haven en kern",
        "description": "",
        "buurten": [b.pk for b in w.areas["buurten"][:3]],
        "version": w.gebied.version,
        "organisation": w.corporatie.pk,
    }


class TestAreaPages(AccessMatrix):
    cases = [
        Case("areas index", url=lambda w: reverse("areas:index"), setup=_areas, allowed=SIGNED_IN),
        Case(
            "area search", url=lambda w: reverse("areas:search") + "?q=buurt", setup=_areas, allowed=SIGNED_IN
        ),
        Case("gemeente page", url=_detail("GM0453"), setup=_areas, allowed=SIGNED_IN),
        Case("wijk page", url=_detail("WK045300"), setup=_areas, allowed=SIGNED_IN),
        Case("buurt page", url=_detail("BU04530000"), setup=_areas, allowed=SIGNED_IN),
        Case("gebied page", url=_detail(GEBIED), setup=_areas, allowed=SIGNED_IN),
        Case(
            "gebied create page",
            url=lambda w: reverse("areas:gebied-create", args=[2022, "GM0453"]),
            setup=_areas,
            allowed={"org_admin"},
            visible=SIGNED_IN,
        ),
        Case(
            "gebied create",
            method="post",
            url=lambda w: reverse("areas:gebied-create", args=[2022, "GM0453"]),
            data=_gebied_form,
            setup=_areas,
            allowed={"org_admin"},
            visible=SIGNED_IN,
        ),
        Case(
            "gebied edit page",
            url=lambda w: reverse("areas:gebied-edit", args=[2022, GEBIED]),
            setup=_areas,
            allowed={"org_admin"},
            visible=SIGNED_IN,
        ),
        Case(
            "gebied edit",
            method="post",
            url=lambda w: reverse("areas:gebied-edit", args=[2022, GEBIED]),
            data=_gebied_form,
            setup=_areas,
            allowed={"org_admin"},
            visible=SIGNED_IN,
        ),
        Case(
            "gebied delete page",
            url=lambda w: reverse("areas:gebied-delete", args=[2022, GEBIED]),
            setup=_areas,
            allowed={"org_admin"},
            visible=SIGNED_IN,
        ),
        Case(
            "gebied delete",
            method="post",
            url=lambda w: reverse("areas:gebied-delete", args=[2022, GEBIED]),
            setup=_areas,
            allowed={"org_admin"},
            visible=SIGNED_IN,
        ),
        Case(
            "cbs wijk is no gebied to edit",
            url=lambda w: reverse("areas:gebied-edit", args=[2022, "WK045300"]),
            setup=_areas,
            visible=SIGNED_IN,
            admin_allowed=False,
        ),
        Case("import page", url=lambda w: reverse("areas:import"), setup=_import, visible=SIGNED_IN),
        Case("import job page", url=lambda w: reverse("areas:import-detail", args=[w.job.pk]), setup=_import),
        Case(
            "import job progress",
            url=lambda w: reverse("areas:import-status", args=[w.job.pk]),
            setup=_import,
        ),
        Case("fetch page", url=lambda w: reverse("areas:fetch"), setup=_import, visible=SIGNED_IN),
        Case(
            "fetch start",
            method="post",
            url=lambda w: reverse("areas:fetch"),
            data={"year": "2022", "gemeenten": "GM0453", "dry_run": "on"},
            setup=_import,
            visible=SIGNED_IN,
        ),
    ]


class TestAreaApi(AccessMatrix):
    cases = [
        Case(
            "api areas list",
            api=True,
            url=lambda w: reverse("area-list") + "?kind=buurt",
            setup=_areas,
            allowed=SIGNED_IN,
            contains="BU04530000",
        ),
        Case(
            "api area detail",
            api=True,
            url=lambda w: reverse("area-detail", args=[w.areas["wijken"][0].pk]),
            setup=_areas,
            allowed=SIGNED_IN,
        ),
        Case(
            "api area geojson",
            api=True,
            url=lambda w: reverse("area-geojson") + "?gemeente=GM0453&year=2022&level=buurt&zoom=13",
            setup=_areas,
            allowed=SIGNED_IN,
        ),
        Case(
            "api gebied geojson",
            api=True,
            url=lambda w: reverse("area-geojson") + f"?gebied={GEBIED}&year=2022&level=buurt&zoom=13",
            setup=_areas,
            allowed=SIGNED_IN,
        ),
        Case(
            "api areas by code",
            api=True,
            url=lambda w: reverse("area-list") + "?code=bu04530001",
            setup=_areas,
            allowed=SIGNED_IN,
            contains="BU04530001",
        ),
        Case(
            "api gebied create",
            api=True,
            method="post",
            url=lambda w: reverse("area-list"),
            data=lambda w: {
                "organisation": w.corporatie.slug,
                "year": 2022,
                "name": "Haven en kern",
                "buurten": [b.code for b in w.areas["buurten"][:3]],
            },
            setup=_areas,
            allowed={"org_admin"},
            visible=SIGNED_IN,
        ),
        Case(
            "api boundary imports",
            api=True,
            url=lambda w: reverse("boundary-import-list"),
            setup=_import,
            contains="velsen.geojson",
        ),
        Case(
            "api boundary import job",
            api=True,
            url=lambda w: reverse("boundary-import-detail", args=[w.job.pk]),
            setup=_import,
        ),
        Case(
            "api boundary upload",
            api=True,
            method="post",
            url=lambda w: reverse("boundary-import-list"),
            data=lambda w: {
                "file": SimpleUploadedFile(
                    "grenzen.geojson", b'{"type": "FeatureCollection", "features": []}'
                ),
                "year": "2022",
                "dry_run": "true",
            },
            content_type=MULTIPART,
            setup=_areas,
            visible=SIGNED_IN,
            allowed_status=201,
        ),
        Case(
            "api boundary fetch",
            api=True,
            method="post",
            url=lambda w: reverse("boundary-import-fetch-pdok"),
            data={"year": 2022, "gemeenten": ["GM0453"], "dry_run": True},
            setup=_areas,
            visible=SIGNED_IN,
            allowed_status=201,
        ),
    ]
