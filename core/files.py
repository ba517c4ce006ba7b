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


def stored_file_response(fieldfile, *, filename: str, content_type: str = ""):
    """A download of a stored file under the name its uploader gave it; 404 with a clear
    message when the file is gone from storage."""
    from django.http import FileResponse, Http404
    from django.utils.translation import gettext as _

    try:
        handle = fieldfile.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Het bestand is niet meer beschikbaar.")) from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
