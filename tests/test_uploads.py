"""Uploads are inspected with bounded reads: an archive (ODT, DOCX, XLSX) that would
unpack to far more than its size (a zip bomb) is refused from its directory and a few
bytes, fast, whatever its entries declare."""

import datetime
import io
import struct
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.files import UnsafeArchive, archive_check, archive_read
from interventions import services
from interventions.importers import ImportFileError, read_dataset
from interventions.models import Attachment
from interventions.tests.helpers import build_intervention, build_team, velsen

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
MB = 1024 * 1024
BOMB_MB = 100  # what the mimetype entry unpacks to


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def odt_bomb() -> bytes:
    """An ODT of about 100 KB whose mimetype entry unpacks to 100 MB: the mimetype, then
    zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("mimetype", "w") as entry:
            entry.write(ODT_MIMETYPE)
            zeros = bytes(MB)
            for _ in range(BOMB_MB):
                entry.write(zeros)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def _understate(archive: bytes, name: bytes, size: int) -> bytes:
    """The archive with the uncompressed size of entry ``name`` rewritten to ``size`` in
    its central directory: an archive that lies about what it unpacks to."""
    data = bytearray(archive)
    offset = data.find(b"PK\x01\x02")
    while offset != -1:
        name_length = struct.unpack_from("<H", data, offset + 28)[0]
        if bytes(data[offset + 46 : offset + 46 + name_length]) == name:
            struct.pack_into("<I", data, offset + 24, size)
            return bytes(data)
        offset = data.find(b"PK\x01\x02", offset + 4)
    raise AssertionError(f"{name!r} not in the archive")


def test_a_well_formed_odt_passes(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    odt = _zip({"mimetype": ODT_MIMETYPE, "content.xml": b"<office:document-content/>"})
    update = _progress(world, [SimpleUploadedFile("notulen.odt", odt)])
    assert list(Attachment.objects.filter(update=update).values_list("original_name", flat=True)) == [
        "notulen.odt"
    ]


def test_an_odt_zip_bomb_is_refused_fast(world, settings, tmp_path, odt_bomb):
    settings.MEDIA_ROOT = tmp_path / "media"
    assert len(odt_bomb) < MB  # small on the wire, 100 MB unpacked
    started = time.monotonic()
    with pytest.raises(ValidationError) as refused:
        _progress(world, [SimpleUploadedFile("notulen.odt", odt_bomb)])
    # Reading 100 MB would take seconds; the directory and a few bytes take milliseconds.
    assert time.monotonic() - started < 1.0
    assert "de inhoud past niet bij een .odt-bestand" in " ".join(refused.value.messages)
    assert not Attachment.objects.exists()


def test_an_entry_larger_than_it_declares_is_read_no_further_than_the_limit(world, odt_bomb):
    # The directory says 39 bytes (the mimetype alone); the data unpacks to 100 MB.
    lying = _understate(odt_bomb, b"mimetype", len(ODT_MIMETYPE))
    with zipfile.ZipFile(io.BytesIO(lying)) as archive:
        archive_check(archive, archive_size=len(lying))  # the directory looks harmless
        started = time.monotonic()
        # Reading stops at the declared size, where the checksum shows the lie.
        with pytest.raises(zipfile.BadZipFile):
            archive_read(archive, "mimetype", limit=100)
        assert time.monotonic() - started < 0.5
    with pytest.raises(ValidationError):
        _progress(world, [SimpleUploadedFile("notulen.odt", lying)])


def test_archive_read_refuses_an_entry_over_its_limit():
    archive_bytes = _zip({"mimetype": ODT_MIMETYPE + b" " * 200})
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        with pytest.raises(UnsafeArchive):
            archive_read(archive, "mimetype", limit=100)
        assert archive_read(archive, "mimetype", limit=1000).strip() == ODT_MIMETYPE
        with pytest.raises(KeyError):
            archive_read(archive, "content.xml", limit=100)


def test_an_excel_zip_bomb_in_an_intervention_import_is_refused():
    # 20 MB of one repeated row compresses to a few KB: 1000 times more than ratio 100.
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": bytes(20 * MB)})
    started = time.monotonic()
    with pytest.raises(ImportFileError) as refused:
        read_dataset(io.BytesIO(bomb), name="interventies.xlsx")
    assert time.monotonic() - started < 1.0
    assert "uitgepakt veel te groot" in refused.value.message


def _progress(world, files):
    team = build_team(world, velsen()["wijk"])
    intervention = build_intervention(world, team)
    return services.progress_add(
        actor=world.corp_editor,
        intervention=intervention,
        date=datetime.date(2025, 4, 1),
        text="Verslag van de bewonersavond.",
        files=files,
    )
