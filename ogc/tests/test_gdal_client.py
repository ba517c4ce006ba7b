"""The service read by a client nobody here wrote: GDAL's OGC API – Features driver
(through pyogrio) against the live test server, signed in with an API token in the
``Authorization`` header, as QGIS does it.

GDAL runs in a process of its own, as a GIS would: it reads while holding the
interpreter, so in this process it would starve the live server's thread. The data are
those of ``test_service`` (Velsen 2022 and 2023, the open veerkracht-index), committed,
since the server answers on connections of its own.
"""

import json
import os
import subprocess
import sys

import pytest
from rest_framework.authtoken.models import Token

from scores.tests.test_maps import build_map_data

# Lists the layers of the dataset in argv[1] and reads the layer in argv[2] (with the
# bbox and open options in argv[3], JSON), printing what it found as JSON.
CLIENT = """
import json, sys
import pyogrio
from pyogrio.raw import read

url, layer, extra = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
names = [str(name) for name, _geometry in pyogrio.list_layers(url)]
bbox = tuple(extra.pop("bbox")) if "bbox" in extra else None
meta, _fids, geometry, fields = read(url, layer=layer, bbox=bbox, **extra)
columns = {str(n): [None if v is None else (v if isinstance(v, str) else float(v)) for v in f.tolist()]
           for n, f in zip(meta["fields"], fields)}
print(json.dumps({"layers": names, "columns": columns, "shapes": sum(g is not None for g in geometry)}))
"""


@pytest.fixture
def gdal(committed_world, live_server, tmp_path):
    """``gdal(layer, **extra)``: what GDAL finds at ``OAPIF:<live server>/ogc/``, signed
    in as the tenants' representative."""
    build_map_data(committed_world)
    token = Token.objects.create(user=committed_world.tenant_rep)
    # The driver sends an Accept header of its own with every request, and GDAL then
    # leaves GDAL_HTTP_HEADERS out; headers from a file (GDAL_HTTP_HEADER_FILE) are
    # always added.
    headers = tmp_path / "headers.txt"
    headers.write_text(f"Authorization: Token {token.key}\n")
    env = {
        **os.environ,
        "GDAL_HTTP_HEADER_FILE": str(headers),
        "GDAL_HTTP_MAX_RETRY": "0",
        "GDAL_HTTP_TIMEOUT": "60",
        "NO_PROXY": "localhost,127.0.0.1",
        "no_proxy": "localhost,127.0.0.1",
    }

    def run(layer, **extra):
        done = subprocess.run(
            [sys.executable, "-c", CLIENT, f"OAPIF:{live_server.url}/ogc/", layer, json.dumps(extra)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run


def test_gdal_lists_the_collections_and_reads_a_buurt_layer(gdal):
    found = gdal("buurten-2023")
    assert "buurten-2023" in found["layers"]
    assert "wijkkoers-veerkracht-2023-buurten" in found["layers"]
    # The tenants' representative is not among those the Aedes model is shared with.
    assert "aedes-test-2023-buurten" not in found["layers"]
    assert found["columns"]["code"] == ["BU04530000", "BU04530001", "BU04530002", "BU04530100", "BU04530102"]
    assert found["shapes"] == 5


def test_gdal_reads_a_score_layer_with_bbox_over_several_pages(gdal):
    # Around the corner (4.61, 52.46) where four squares meet, two features a page: the
    # four can only come by following the next links.
    found = gdal("wijkkoers-veerkracht-2023-buurten", bbox=[4.605, 52.455, 4.615, 52.465], PAGE_SIZE="2")
    columns = found["columns"]
    by_code = dict(zip(columns["code"], columns["value"], strict=True))
    # The scores as put in build_map_data for 2023.
    assert by_code == {"BU04530000": -0.5, "BU04530001": 0.1, "BU04530100": 0.6, "BU04530102": 1.2}
