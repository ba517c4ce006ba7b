"""Progress updates on an intervention, with their attachments."""

import contextlib
import datetime
import zipfile
from collections.abc import Iterable
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.files import UnsafeArchive, archive_check, archive_read
from core.permissions import is_platform_admin, require
from interventions.models import (
    Attachment,
    Intervention,
    ProgressUpdate,
)
from interventions.services.common import (
    ATTACHMENT_TYPES,
    MAX_FILES_PER_UPDATE,
    NO_INTERVENTION_RIGHTS,
    attachment_max_mb,
)
from interventions.services.interventions import _check_update_date, _lock_intervention
from organisations.models import Membership, organisation_ids_for


def _file_kind(upload) -> tuple[str, str]:
    """Check one uploaded file: allowed extension, content that matches it, size limit.
    Returns (extension, content type)."""
    name = PurePath(getattr(upload, "name", "") or "").name
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            _(
                "%(name)s: dit bestandstype is niet toegestaan. Voeg een PDF, PNG, JPEG, DOCX, XLSX, ODT "
                "of CSV toe."
            )
            % {"name": name or _("bestand")}
        )
    size = getattr(upload, "size", None)
    max_mb = attachment_max_mb()
    if size is None or size > max_mb * 1024 * 1024:
        raise ValidationError(
            _("%(name)s is groter dan %(max)s MB. Verklein het bestand of deel het op.")
            % {"name": name, "max": max_mb}
        )
    if size == 0:
        raise ValidationError(_("%(name)s is leeg.") % {"name": name})
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if isinstance(head, str):
        head = head.encode()
    if not _content_matches(extension, head, upload):
        raise ValidationError(
            _("%(name)s: de inhoud past niet bij een .%(ext)s-bestand. Controleer het bestand.")
            % {"name": name, "ext": extension}
        )
    return extension, ATTACHMENT_TYPES[extension]


ZIP_MARKERS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
ODT_MIMETYPE_MAX = 100  # bytes: the mimetype entry holds only ODT_MIMETYPE


def _content_matches(extension: str, head: bytes, upload) -> bool:
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in {"jpg", "jpeg"}:
        return head.startswith(b"\xff\xd8\xff")
    if extension in {"docx", "xlsx", "odt"}:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(upload) as archive:
                # Only the directory and a few bytes are read: a zip bomb is refused fast.
                archive_check(archive, archive_size=upload.size)
                if extension == "odt":
                    return archive_read(archive, "mimetype", limit=ODT_MIMETYPE_MAX).strip() == ODT_MIMETYPE
                return ZIP_MARKERS[extension] in set(archive.namelist())
        except (zipfile.BadZipFile, UnsafeArchive, OSError, KeyError, EOFError, RuntimeError, ValueError):
            return False
        finally:
            upload.seek(0)
    if extension == "csv":
        # Text without NUL bytes, in UTF-8 or Windows-1252 (the encodings CSV files come in).
        if b"\x00" in head:
            return False
        for encoding in ("utf-8", "cp1252"):
            try:
                head.decode(encoding)
                return True
            except UnicodeDecodeError as exc:
                # A multi-byte character cut off at the end of the sample is fine.
                if encoding == "utf-8" and exc.start >= len(head) - 3:
                    return True
        return False
    return False


@transaction.atomic
def progress_add(
    *,
    actor,
    intervention: Intervention,
    date: datetime.date,
    text: str,
    progress: int | None = None,
    files: Iterable = (),
) -> ProgressUpdate:
    """Add a dated entry to an intervention's timeline, with up to five attachments.

    Bewerkers of the lead and partner organisations. Every file is checked (type by
    extension and content, size) before anything is saved: all or nothing.
    """
    intervention = _lock_intervention(intervention)
    require(actor, "change", intervention, NO_INTERVENTION_RIGHTS)
    errors = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("Beschrijf de voortgang.")]
    try:
        date = _check_update_date(date) if date is not None else None
        if date is None:
            errors["date"] = [_("Vul de datum in.")]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if progress not in (None, ""):
        try:
            progress = int(progress)
            if not 0 <= progress <= 100:
                raise ValueError
        except (TypeError, ValueError):
            errors["progress"] = [_("De voortgang is een percentage van 0 tot en met 100.")]
    else:
        progress = None
    files = list(files or ())
    checked = []
    if len(files) > MAX_FILES_PER_UPDATE:
        errors["files"] = [
            _("U kunt maximaal %(n)s bestanden per voortgangsbericht toevoegen.")
            % {"n": MAX_FILES_PER_UPDATE}
        ]
    else:
        checked, file_errors = _files_checked(files)
        if file_errors:
            errors["files"] = file_errors
    if errors:
        raise ValidationError(errors)

    update = ProgressUpdate(intervention=intervention, date=date, text=text, progress=progress, author=actor)
    update.full_clean()
    update._history_user = actor
    update.save()
    _attachments_store(update=update, checked=checked, actor=actor)
    # The list shows recently active interventions first; no new version, no conflict.
    Intervention.objects.filter(pk=intervention.pk).update(updated_at=timezone.now())
    return update


@transaction.atomic
def attachments_add(*, actor, update: ProgressUpdate, files: Iterable) -> list[Attachment]:
    """Add attachments to a progress update afterwards (bewerkers of the intervention's
    lead and partner organisations), with the checks of ``progress_add``: type by
    extension and content, size, at most ``MAX_FILES_PER_UPDATE`` per update; all or
    nothing."""
    intervention = _lock_intervention(update.intervention)
    require(actor, "change", intervention, NO_INTERVENTION_RIGHTS)
    files = list(files or ())
    if not files:
        raise ValidationError({"files": [_("Kies minstens één bestand.")]})
    present = Attachment.objects.filter(update=update).count()
    if present + len(files) > MAX_FILES_PER_UPDATE:
        raise ValidationError(
            {
                "files": [
                    _(
                        "Een voortgangsbericht heeft hoogstens %(n)s bijlagen; dit bericht heeft er al "
                        "%(present)s."
                    )
                    % {"n": MAX_FILES_PER_UPDATE, "present": present}
                ]
            }
        )
    checked, file_errors = _files_checked(files)
    if file_errors:
        raise ValidationError({"files": file_errors})
    created = _attachments_store(update=update, checked=checked, actor=actor)
    Intervention.objects.filter(pk=intervention.pk).update(updated_at=timezone.now())
    return created


def _files_checked(files) -> tuple[list, list[str]]:
    """Each upload with its extension and content type (``_file_kind``), and the messages
    of the uploads that fail the checks."""
    checked, errors = [], []
    for upload in files:
        try:
            checked.append((upload, *_file_kind(upload)))
        except ValidationError as exc:
            errors.extend(exc.messages)
    return checked, errors


def _attachments_store(*, update: ProgressUpdate, checked: list, actor) -> list[Attachment]:
    """Save the checked uploads as attachments of ``update``. When one fails, the files
    stored so far are deleted too (the transaction only undoes the rows)."""
    stored, created = [], []
    try:
        for upload, _extension, content_type in checked:
            name = PurePath(upload.name).name[:255]
            attachment = Attachment(
                update=update,
                original_name=name,
                content_type=content_type,
                size=upload.size,
                uploaded_by=actor,
            )
            attachment.file.save(name, upload, save=False)
            stored.append(attachment.file.name)
            attachment.full_clean()
            attachment.save()
            created.append(attachment)
    except Exception:
        _delete_files(stored)
        raise
    return created


def _delete_files(names) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


@transaction.atomic
def intervention_delete(*, actor, intervention: Intervention) -> None:
    """Delete an intervention with its timeline and files (beheerders of the lead
    organisation, platform admins)."""
    intervention = _lock_intervention(intervention)
    require(actor, "view", intervention, _("Niet gevonden."))
    if (
        not is_platform_admin(actor)
        and not Membership.objects.filter(
            user_id=actor.pk,
            organisation_id=intervention.lead_organisation_id,
            organisation_id__in=organisation_ids_for(actor, "manage"),
        ).exists()
    ):
        raise PermissionDenied(
            _("Alleen beheerders van de trekkende organisatie mogen een interventie verwijderen.")
        )
    files = list(Attachment.objects.filter(update__intervention=intervention).values_list("file", flat=True))
    intervention._history_user = actor
    intervention.delete()
    transaction.on_commit(lambda: _delete_files(files))
