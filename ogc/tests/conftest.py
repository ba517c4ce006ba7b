import pytest


@pytest.fixture(autouse=True)
def _clear_ogc_memory():
    """Every test starts without features or data versions kept in process memory."""
    from ogc import selectors
    from scores import versions
    from scores.api import geojson

    selectors.clear_memory()
    versions._local.clear()
    geojson.clear_memory()
    yield
