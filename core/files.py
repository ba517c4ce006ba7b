"""Files kept in storage, seen from code that needs them on local disk."""

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def local_path(fieldfile):
    """A path on local disk for a stored file (readers such as GDAL and openpyxl need
    one): the file itself on local storage, else a temporary copy for the block."""
    try:
        local = fieldfile.path
    except NotImplementedError:  # remote storage
        local = None
    if local:
        yield Path(local)
        return
    with tempfile.NamedTemporaryFile(suffix=Path(fieldfile.name).suffix) as tmp:
        with fieldfile.open("rb") as src:
            shutil.copyfileobj(src, tmp)
        tmp.flush()
        yield Path(tmp.name)
