"""Files kept in storage, seen from code that needs them on local disk, and archives
(zip, and the formats built on it: DOCX, XLSX, ODT) inspected with bounded reads only."""

import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

# An archive whose entries would expand beyond this many times its own size, or one entry
# beyond this ratio, is refused before anything is unpacked: a zip bomb, not a document.
# Office documents compress text about 5 to 20 times; a ratio of 100 leaves ample room.
ARCHIVE_MAX_RATIO = 100
ARCHIVE_MAX_ENTRIES = 10_000
# Below this size an entry may compress as well as it likes (a repeated XML header).
ARCHIVE_RATIO_FLOOR = 1024 * 1024


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


class UnsafeArchive(ValueError):
    """An archive that would expand far beyond its size, or an entry larger than asked."""


def archive_check(archive: zipfile.ZipFile, *, archive_size: int) -> None:
    """Refuse a zip bomb from the archive's directory alone (nothing is unpacked): too many
    entries, an entry that expands more than ``ARCHIVE_MAX_RATIO`` times, or entries that
    together expand more than that times the archive's size. The declared sizes may lie;
    ``archive_read`` therefore also stops reading at its limit."""
    infos = archive.infolist()
    if len(infos) > ARCHIVE_MAX_ENTRIES:
        raise UnsafeArchive(f"{len(infos)} entries")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > ARCHIVE_RATIO_FLOOR and info.file_size > ARCHIVE_MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise UnsafeArchive(f"{info.filename} expands {info.file_size} from {info.compress_size}")
    if total > ARCHIVE_RATIO_FLOOR and total > ARCHIVE_MAX_RATIO * max(archive_size, 1):
        raise UnsafeArchive(f"entries expand to {total} from {archive_size}")


def archive_read(archive: zipfile.ZipFile, name: str, *, limit: int) -> bytes:
    """One entry of an archive, at most ``limit`` bytes of it: an entry declared or found
    larger raises ``UnsafeArchive`` after reading no more than ``limit + 1`` bytes;
    ``KeyError`` when there is no such entry."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise UnsafeArchive(f"{name} declares {info.file_size} bytes, more than {limit}")
    with archive.open(info) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UnsafeArchive(f"{name} is larger than {limit} bytes")
    return data
