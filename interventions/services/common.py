"""The helpers every part of the interventions services shares: the status workflow, the
rights messages, attachment limits, many-to-many history and the intervention's page."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from interventions.models import (
    Intervention,
)
from organisations.models import Organisation

User = get_user_model()

# Organisation kinds whose beheerders may form an area team.
TEAM_FORMING_KINDS = (Organisation.Kind.GEMEENTE, Organisation.Kind.CORPORATIE)

Status = Intervention.Status
# The status workflow: idee → gepland → in uitvoering → afgerond; any unfinished
# intervention can be stopped (with a reason).
FINAL_STATUSES = (Status.AFGEROND, Status.GESTOPT)
TRANSITIONS = {
    Status.IDEE: (Status.GEPLAND, Status.GESTOPT),
    Status.GEPLAND: (Status.IN_UITVOERING, Status.GESTOPT),
    Status.IN_UITVOERING: (Status.AFGEROND, Status.GESTOPT),
    Status.AFGEROND: (),
    Status.GESTOPT: (),
}

# Attachments: extension → (content type, label). The content is checked too.
ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "csv": "text/csv",
}
MAX_FILES_PER_UPDATE = 5

NOTIFICATION_KINDS = ("interventie_nieuw", "interventie_status", "wijkgesprek")

NO_TEAM_RIGHTS = _("Alleen beheerders van een trekkende organisatie mogen het gebiedsteam wijzigen.")
NO_INTERVENTION_RIGHTS = _(
    "Alleen bewerkers van de trekker of een partner van deze interventie mogen haar wijzigen."
)


def attachment_max_mb() -> int:
    """The size limit per attachment in MB (setting ``INTERVENTION_ATTACHMENT_MAX_MB``)."""
    return settings.INTERVENTION_ATTACHMENT_MAX_MB


def _today() -> datetime.date:
    return timezone.localdate()


def _set_m2m_quietly(obj, **relations) -> None:
    """Set many-to-many relations without a history record per change; the caller saves
    the object afterwards (or snapshots them), so the history shows one change."""
    obj.skip_history_when_saving = True
    try:
        for name, values in relations.items():
            getattr(obj, name).set(values)
    finally:
        del obj.skip_history_when_saving


def _snapshot_m2m_history(obj) -> None:
    """Copy the current many-to-many rows onto the object's latest history record (used
    after a create, whose record was written before the relations existed)."""
    record = obj.history.order_by("-history_id").first()
    if record is None:
        return
    for field in record._history_m2m_fields:
        through = getattr(obj, field.name).through
        m2m_history = next(
            rel.related_model
            for rel in type(record)._meta.related_objects
            if getattr(rel.related_model, "instance_type", None) is through
        )
        source_name = next(
            f.name for f in through._meta.fields if f.is_relation and f.related_model is type(obj)
        )
        rows = through.objects.filter(**{source_name: obj})
        names = [f.name for f in through._meta.fields]
        m2m_history.objects.bulk_create(
            [m2m_history(history=record, **{n: getattr(row, n) for n in names}) for row in rows]
        )


def _as_ids(objects) -> list[int]:
    return [getattr(o, "pk", o) for o in objects]


def intervention_url(intervention: Intervention) -> str:
    """The path of the intervention page (empty while the pages are not installed)."""
    for kwargs in ({"pk": intervention.pk}, {"intervention_id": intervention.pk}):
        try:
            return reverse("interventions:detail", kwargs=kwargs)
        except NoReverseMatch:
            continue
    return ""
