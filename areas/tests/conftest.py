import pytest


@pytest.fixture(autouse=True)
def _fresh_map_memory():
    """Map bodies and data versions kept in process memory must not leak between tests."""
    from areas.selectors import _local

    _local.clear()
    yield
    _local.clear()
