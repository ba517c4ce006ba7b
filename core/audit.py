"""Reading the audit trail kept by django-simple-history, for history pages."""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.templatetags.wijkkoers import number

CHANGE_TYPES = {"+": _("aangemaakt"), "~": _("gewijzigd"), "-": _("verwijderd")}
HIDDEN_FIELDS = {"version", "updated_at", "created_at", "token_nonce"}


@dataclass
class FieldChange:
    field: str
    old: object
    new: object


@dataclass
class HistoryEntry:
    when: object
    who: object
    kind: str
    label: str
    subject: str
    reason: str
    changes: list = field(default_factory=list)


def _is_year(field_name):
    return field_name == "year" or field_name.endswith("_year")


def _display(record, field_name):
    model = record.instance_type
    try:
        model_field = model._meta.get_field(field_name)
    except Exception:
        return getattr(record, field_name, None)
    if _is_year(field_name) and not model_field.is_relation:
        # A year is not an amount: as text it is shown without a thousands separator.
        value = getattr(record, field_name)
        return None if value is None else str(value)
    if isinstance(model_field, models.BooleanField):
        value = getattr(record, model_field.attname)
        return None if value is None else (_("ja") if value else _("nee"))
    if model_field.choices:
        value = getattr(record, model_field.attname)
        return dict(model_field.flatchoices).get(value, value)
    if model_field.is_relation:
        try:
            return getattr(record, field_name)
        except Exception:
            return getattr(record, model_field.attname)
    value = getattr(record, field_name)
    if isinstance(model_field, models.DecimalField | models.FloatField) and value is not None:
        # An amount as the pages show it: 45.000,50, with the true minus sign.
        return number(value, -2)
    return value


def _label(model, field_name):
    try:
        return str(model._meta.get_field(field_name).verbose_name)
    except Exception:
        return field_name


def history_entries(records, limit=200):
    """Turn historical records (newest first) into entries with before/after per field.

    ``records`` is a queryset of one model's historical records, for one object or for a
    set (such as all memberships of an organisation).
    """
    records = list(
        records.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    entries = []
    # The previous version of each object is the next older record with the same id.
    by_object = {}
    for record in reversed(records):
        previous = by_object.get(record.id)
        changes = []
        model = record.instance_type
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in HIDDEN_FIELDS:
                    continue
                changes.append(
                    FieldChange(
                        field=_label(model, change.field),
                        old=_display(previous, change.field),
                        new=_display(record, change.field),
                    )
                )
        elif record.history_type == "+":
            for model_field in model._meta.concrete_fields:
                if model_field.primary_key or model_field.name in HIDDEN_FIELDS:
                    continue
                if not hasattr(record, model_field.attname):
                    continue  # not tracked in the history
                changes.append(
                    FieldChange(
                        field=_label(model, model_field.name),
                        old=None,
                        new=_display(record, model_field.name),
                    )
                )
        by_object[record.id] = record
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                kind=record.history_type,
                label=CHANGE_TYPES.get(record.history_type, record.history_type),
                subject=str(record.instance) if record.history_type != "-" else str(record),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    entries.reverse()
    return entries[:limit]


def merged_history(*records, limit=200) -> list[HistoryEntry]:
    """The entries of several history querysets (an object and the things that belong to
    it) in one list, newest first, at most ``limit``."""
    entries = [entry for rows in records for entry in history_entries(rows, limit)]
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]
