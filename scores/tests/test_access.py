"""Who may see and do what on every source, indicator and score-model page and endpoint.

The world is that of ``test_licensed``: the open CBS source with its indicators and the
open Wijkkoers index, and the corporation's licensed veerkrachtkaart shared with the
gemeente. The corporation's bewerker and beheerder change the licensed source, only its
beheerder shares or deletes it; the gemeente only reads it; everyone else does not know it
exists (platform admins included). Open sources and models are read by everyone and
managed by platform admins.
"""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scores.tests.test_licensed import IMPORT_NAME, MODEL_KEY, OWNER, SEE, SIGNED_IN, build
from tests.matrix import MULTIPART, AccessMatrix, Case

FILES = Path(__file__).parent / "files"

# Bewerkers and beheerders of any organisation may create a source for it.
CREATORS = {"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep", "outsider"}
NOT_OWNER = SIGNED_IN - OWNER


def _url(name, key, attr="pk"):
    return lambda w: reverse(name, args=[getattr(getattr(build(w), key), attr)])


def _source_form(w):
    source = build(w).source
    return {
        "name": "Veerkrachtkaart Velserduin (bijgewerkt)",
        "kind": source.kind,
        "is_licensed": "on",
        "licence": source.licence,
        "description": "Ontvangen van Aedes.",
        "version": source.version,
    }


def _indicator_form(key):
    def data(w):
        indicator = getattr(build(w), key)
        return {
            "name": indicator.name + " (bijgewerkt)",
            "unit": indicator.unit,
            "description": "",
            "direction": indicator.direction,
            "aggregation": indicator.aggregation,
            "decimals": indicator.decimals,
            "is_key": "",
            "version": indicator.version,
        }

    return data


def _model_form(w):
    model = build(w).open_model
    components = list(model.components.all())
    data = {
        "name": model.name,
        "description": model.description,
        "cutoffs": "-0,8; -0,3; 0,3; 0,8",
        "min_population": "60",
        "weighting": model.weighting,
        "stable_band": "0.1",
        "is_active": "on",
        "version": model.version,
        "components-TOTAL_FORMS": str(len(components)),
        "components-INITIAL_FORMS": str(len(components)),
        "components-MIN_NUM_FORMS": "0",
        "components-MAX_NUM_FORMS": "1000",
    }
    for index, component in enumerate(components):
        data[f"components-{index}-indicator"] = component.indicator_id
        data[f"components-{index}-weight"] = "2" if index == 0 else str(component.weight)
        data[f"components-{index}-role"] = component.role
    return data


class TestSourcePages(AccessMatrix):
    world_setup = staticmethod(build)
    cases = [
        Case(
            "source list",
            url=lambda w: build(w) and reverse("scores:source-list"),
            allowed=SIGNED_IN,
            contains="CBS kerncijfers",
        ),
        Case(
            "new source page",
            url=lambda w: reverse("scores:source-create"),
            allowed=CREATORS,
            visible={"partner_reader"},
        ),
        Case("open source", url=_url("scores:source-detail", "cbs"), allowed=SIGNED_IN),
        Case("licensed source", url=_url("scores:source-detail", "source"), allowed=SEE, admin_allowed=False),
        Case(
            "edit licensed source page",
            url=_url("scores:source-update", "source"),
            allowed=OWNER,
            visible=SEE,
            admin_allowed=False,
        ),
        Case(
            "edit licensed source",
            method="post",
            url=_url("scores:source-update", "source"),
            data=_source_form,
            allowed=OWNER,
            visible=SEE,
            admin_allowed=False,
        ),
        Case(
            "edit open source page",
            url=_url("scores:source-update", "cbs"),
            allowed=set(),
            visible=SIGNED_IN,
        ),
        Case(
            "share page",
            url=_url("scores:source-share", "source"),
            allowed={"org_admin"},
            visible=SEE,
            admin_allowed=False,
        ),
        Case(
            "share",
            method="post",
            url=_url("scores:source-share", "source"),
            data=lambda w: {
                "organisations": [build(w).gemeente.pk, w.huurders.pk],
                "version": w.source.version,
            },
            allowed={"org_admin"},
            visible=SEE,
            admin_allowed=False,
        ),
        Case(
            "delete page",
            url=_url("scores:source-delete", "source"),
            allowed={"org_admin"},
            visible=SEE,
            admin_allowed=False,
        ),
        Case(
            "delete",
            method="post",
            url=_url("scores:source-delete", "source"),
            allowed={"org_admin"},
            visible=SEE,
            admin_allowed=False,
        ),
    ]


class TestIndicatorAndModelPages(AccessMatrix):
    world_setup = staticmethod(build)
    cases = [
        Case(
            "indicator list",
            url=lambda w: build(w) and reverse("scores:indicator-list") + f"?source={w.cbs.pk}",
            allowed=SIGNED_IN,
            contains="Huurwoningen in bezit van woningcorporaties",
        ),
        Case("open indicator", url=_url("scores:indicator-detail", "cbs_indicator"), allowed=SIGNED_IN),
        Case(
            "change open indicator",
            method="post",
            url=_url("scores:indicator-detail", "cbs_indicator"),
            data=_indicator_form("cbs_indicator"),
            allowed=set(),
            visible=SIGNED_IN,
        ),
        Case(
            "licensed indicator",
            url=_url("scores:indicator-detail", "indicator"),
            allowed=SEE,
            admin_allowed=False,
        ),
        Case(
            "change licensed indicator",
            method="post",
            url=_url("scores:indicator-detail", "indicator"),
            data=_indicator_form("indicator"),
            allowed=OWNER,
            visible=SEE,
            admin_allowed=False,
        ),
        Case(
            "model list",
            url=lambda w: build(w) and reverse("scores:model-list"),
            allowed=SIGNED_IN,
            contains="Wijkkoers veerkracht-index",
        ),
        Case("open model", url=_url("scores:model-detail", "open_model", "key"), allowed=SIGNED_IN),
        Case(
            "licensed model",
            url=_url("scores:model-detail", "score_model", "key"),
            allowed=SEE,
            admin_allowed=False,
        ),
        Case(
            "edit open model page",
            url=_url("scores:model-update", "open_model", "key"),
            allowed=set(),
            visible=SIGNED_IN,
        ),
        Case(
            "edit open model",
            method="post",
            url=_url("scores:model-update", "open_model", "key"),
            data=_model_form,
            allowed=set(),
            visible=SIGNED_IN,
        ),
        Case(
            "edit licensed model page",
            url=_url("scores:model-update", "score_model", "key"),
            allowed=set(),
            visible=SEE,
            admin_allowed=False,
        ),
    ]


class TestApi(AccessMatrix):
    world_setup = staticmethod(build)
    cases = [
        Case(
            "api sources",
            api=True,
            url=lambda w: build(w) and reverse("score-source-list"),
            allowed=SIGNED_IN,
            contains="CBS kerncijfers",
        ),
        Case("api open source", api=True, url=_url("score-source-detail", "cbs"), allowed=SIGNED_IN),
        Case(
            "api source create",
            api=True,
            method="post",
            url=lambda w: reverse("score-source-list"),
            data=lambda w: {
                "name": "Bewonersenquête 2024",
                "kind": "generic",
                "is_licensed": True,
                "owner_organisation": w.corporatie.slug,
            },
            allowed=OWNER,
            visible=NOT_OWNER,
            admin_allowed=False,
        ),
        Case(
            "api licensed source change",
            api=True,
            method="patch",
            url=_url("score-source-detail", "source"),
            data=lambda w: {"description": "Ontvangen van Aedes.", "version": build(w).source.version},
            allowed=OWNER,
            visible=SEE,
            admin_allowed=False,
        ),
        Case(
            "api open source change",
            api=True,
            method="patch",
            url=_url("score-source-detail", "cbs"),
            data=lambda w: {"description": "Kerncijfers.", "version": build(w).cbs.version},
            allowed=set(),
            visible=SIGNED_IN,
        ),
        Case(
            "api share",
            api=True,
            method="post",
            url=_url("score-source-share", "source"),
            data=lambda w: {"organisations": [build(w).gemeente.slug], "version": w.source.version},
            allowed={"org_admin"},
            visible=SEE,
            admin_allowed=False,
        ),
        Case(
            "api indicators",
            api=True,
            url=lambda w: build(w) and reverse("indicator-list") + "?key=p_wcorpw",
            allowed=SIGNED_IN,
            contains="p_wcorpw",
        ),
        Case(
            "api open indicator", api=True, url=_url("indicator-detail", "cbs_indicator"), allowed=SIGNED_IN
        ),
        Case(
            "api licensed indicator change",
            api=True,
            method="patch",
            url=_url("indicator-detail", "indicator"),
            data=lambda w: {"unit": "klasse", "version": build(w).indicator.version},
            allowed=OWNER,
            visible=SEE,
            admin_allowed=False,
        ),
        Case(
            "api open indicator change",
            api=True,
            method="patch",
            url=_url("indicator-detail", "cbs_indicator"),
            data=lambda w: {"unit": "procent", "version": build(w).cbs_indicator.version},
            allowed=set(),
            visible=SIGNED_IN,
        ),
        Case(
            "api indicator values",
            api=True,
            url=lambda w: build(w) and reverse("indicator-value-list") + "?key=a_inw&year=2022",
            allowed=SIGNED_IN,
            contains="BU04530000",
        ),
        Case(
            "api score models",
            api=True,
            url=lambda w: build(w) and reverse("score-model-list"),
            allowed=SIGNED_IN,
            contains="wijkkoers-veerkracht",
        ),
        Case(
            "api open model", api=True, url=_url("score-model-detail", "open_model", "key"), allowed=SIGNED_IN
        ),
        Case(
            "api open model change",
            api=True,
            method="patch",
            url=_url("score-model-detail", "open_model", "key"),
            data=lambda w: {"min_population": 75, "version": build(w).open_model.version},
            allowed=set(),
            visible=SIGNED_IN,
        ),
        Case(
            "api licensed model change",
            api=True,
            method="patch",
            url=_url("score-model-detail", "score_model", "key"),
            data=lambda w: {"is_active": False, "version": build(w).score_model.version},
            allowed=set(),
            visible=SEE,
            admin_allowed=False,
        ),
        Case(
            "api scores",
            api=True,
            url=lambda w: build(w) and reverse("score-list") + "?model=wijkkoers-veerkracht&level=buurt",
            allowed=SIGNED_IN,
            contains="BU04530000",
        ),
        Case(
            "api open model map",
            api=True,
            url=lambda w: build(w) and _map("wijkkoers-veerkracht"),
            allowed=SIGNED_IN,
        ),
        Case(
            "api licensed model map",
            api=True,
            url=lambda w: build(w) and _map(MODEL_KEY),
            allowed=SEE,
            admin_allowed=False,
        ),
        Case(
            "api score imports",
            api=True,
            url=lambda w: build(w) and reverse("score-import-list"),
            allowed=OWNER,
            contains="veerkracht-velserduin",
            admin_allowed=False,
        ),
    ]


def _map(model_key):
    return reverse("score-geojson") + f"?model={model_key}&year=2022&level=buurt&gemeente=GM0453"


def _upload(source_key, name, file_format):
    def data(w):
        return {
            "source": getattr(build(w), source_key).pk,
            "file_format": file_format,
            "file": SimpleUploadedFile(name, (FILES / name).read_bytes()),
            "year": "2022",
            "dry_run": "true",
        }

    return data


class TestImportsAndFetch(AccessMatrix):
    """Uploads through the API, and fetching the kerncijfers from CBS StatLine: the rights
    of the upload page (the source's importers) and of the fetch page (platform admins)."""

    world_setup = staticmethod(build)
    cases = [
        Case(
            "imports page",
            url=lambda w: build(w) and reverse("scores:import-list"),
            allowed=OWNER,
            contains=IMPORT_NAME,
            admin_allowed=False,
        ),
        Case("import job", url=_url("scores:import-detail", "job"), allowed=OWNER, admin_allowed=False),
        Case(
            "import job progress",
            url=_url("scores:import-status", "job"),
            allowed=OWNER,
            admin_allowed=False,
        ),
        # Everyone reaches the upload page; it lists the sources they may import into.
        Case("upload page", url=lambda w: reverse("scores:import-create"), allowed=SIGNED_IN),
        Case("upload template", url=lambda w: reverse("scores:import-template"), allowed=SIGNED_IN),
        Case("cbs fetch page", url=lambda w: reverse("scores:import-fetch"), visible=SIGNED_IN),
        Case(
            "cbs fetch start",
            method="post",
            url=lambda w: reverse("scores:import-fetch"),
            data={"year": "2022", "gemeenten": "GM0453", "mode": "merge", "dry_run": "on"},
            visible=SIGNED_IN,
        ),
        Case(
            "api cbs fetch",
            api=True,
            method="post",
            url=lambda w: reverse("score-import-fetch-cbs"),
            data={"year": 2022, "gemeenten": ["GM0453"], "dry_run": True},
            visible=SIGNED_IN,
            allowed_status=201,
        ),
        Case(
            "api upload into licensed source",
            api=True,
            method="post",
            url=lambda w: reverse("score-import-list"),
            data=_upload("source", "aedes_veerkracht_2022.csv", "aedes-veerkracht"),
            content_type=MULTIPART,
            allowed=OWNER,
            visible=SEE - OWNER,
            hidden_status=400,
            admin_allowed=False,
            allowed_status=201,
        ),
        Case(
            "api upload into open source",
            api=True,
            method="post",
            url=lambda w: reverse("score-import-list"),
            data=_upload("cbs", "kwb_2022_komma_bom.csv", "cbs-kwb"),
            content_type=MULTIPART,
            visible=SIGNED_IN,
            allowed_status=201,
        ),
    ]
