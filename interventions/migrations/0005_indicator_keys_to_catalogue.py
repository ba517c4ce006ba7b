"""Move the free-text indicator keys of interventions onto catalogue indicators.

A value that names a catalogue indicator, by key or by name (case-insensitive), becomes a
link to it. A value that names none is not dropped and not guessed: it is written into the
intervention's description, in a marked paragraph that says what to do, so the team that
typed it sees it on the intervention page (and in exports) and can choose the indicator it
meant. Each converted intervention gets a history record with the reason, and its version
goes up, so a form opened before the conversion is refused as a stale edit instead of
writing the old description back.

Earlier history records get the indicators their keys matched, so the history keeps
showing which indicators each version named.
"""

from django.db import migrations
from django.utils import timezone

REASON = "indicatoren omgezet naar de catalogus"
NOTE = (
    "Indicatoren uit het vroegere vrije tekstveld die niet in de indicatorencatalogus staan: "
    "{values}. Kies bij ‘Indicatoren die het moet bewegen’ de indicator die bedoeld is en haal "
    "deze alinea daarna weg."
)
MANY = ("areas", "partner_organisations", "indicators", "commitments")


def _catalogue(Indicator):
    """Look-ups by lower-case key and name; an open source wins over a licensed one, then
    the oldest indicator."""
    by_key, by_name = {}, {}
    for indicator in Indicator.objects.order_by("source__is_licensed", "pk"):
        by_key.setdefault(indicator.key.strip().lower(), indicator)
        by_name.setdefault(indicator.name.strip().lower(), indicator)
    return by_key, by_name


def _split(values, by_key, by_name):
    matched, unmatched = [], []
    for value in values or []:
        text = str(value).strip()
        if not text:
            continue
        indicator = by_key.get(text.lower()) or by_name.get(text.lower())
        if indicator is None:
            if text not in unmatched:
                unmatched.append(text)
        elif indicator not in matched:
            matched.append(indicator)
    return matched, unmatched


def _record(apps, intervention, now):
    """A history record of the intervention as it is now, with its many-to-many rows."""
    Intervention = apps.get_model("interventions", "Intervention")
    Historical = apps.get_model("interventions", "HistoricalIntervention")
    values = {field.attname: getattr(intervention, field.attname) for field in Intervention._meta.concrete_fields}
    record = Historical.objects.create(
        **values,
        history_date=now,
        history_type="~",
        history_change_reason=REASON,
        history_user=None,
    )
    for name in MANY:
        through = getattr(Intervention, name).through
        target = next(f for f in through._meta.fields if f.is_relation and f.related_model is not Intervention)
        rows_model = apps.get_model("interventions", f"HistoricalIntervention_{name}")
        rows_model.objects.bulk_create(
            rows_model(
                id=row.pk,
                history=record,
                intervention_id=intervention.pk,
                **{target.attname: getattr(row, target.attname)},
            )
            for row in through.objects.filter(intervention_id=intervention.pk)
        )


def forwards(apps, schema_editor):
    Intervention = apps.get_model("interventions", "Intervention")
    Historical = apps.get_model("interventions", "HistoricalIntervention")
    HistoricalIndicators = apps.get_model("interventions", "HistoricalIntervention_indicators")
    Indicator = apps.get_model("scores", "Indicator")
    by_key, by_name = _catalogue(Indicator)

    for record in Historical.objects.order_by("history_id").iterator():
        matched, _unmatched = _split(record.indicator_keys, by_key, by_name)
        HistoricalIndicators.objects.bulk_create(
            HistoricalIndicators(id=0, history=record, intervention_id=record.id, indicator_id=indicator.pk)
            for indicator in matched
        )

    now = timezone.now()
    converted = unmatched_count = 0
    for intervention in Intervention.objects.order_by("pk"):
        if not intervention.indicator_keys:
            continue
        matched, unmatched = _split(intervention.indicator_keys, by_key, by_name)
        intervention.indicators.set(matched)
        if unmatched:
            note = NOTE.format(values=", ".join(f"‘{value}’" for value in unmatched))
            intervention.description = f"{intervention.description.rstrip()}\n\n{note}".lstrip()
            unmatched_count += 1
        intervention.indicator_keys = []
        intervention.version += 1
        # A conversion, not the team's work: the list order (last changed) stays as it was.
        Intervention.objects.filter(pk=intervention.pk).update(
            description=intervention.description,
            indicator_keys=[],
            version=intervention.version,
        )
        _record(apps, intervention, now)
        converted += 1
    if converted:
        print(
            f"\n  Indicatoren van {converted} interventies omgezet; bij {unmatched_count} staan waarden "
            "die niet in de catalogus voorkomen nu in de omschrijving."
        )


def backwards(apps, schema_editor):
    """The linked indicators' keys back into the text field (the description note stays:
    it is the team's text now)."""
    Intervention = apps.get_model("interventions", "Intervention")
    keys: dict[int, list[str]] = {}
    links = Intervention.indicators.through.objects.order_by("indicator__key")
    for intervention_id, key in links.values_list("intervention_id", "indicator__key"):
        keys.setdefault(intervention_id, []).append(key)
    for intervention_id, values in keys.items():
        Intervention.objects.filter(pk=intervention_id).update(indicator_keys=values)


class Migration(migrations.Migration):
    dependencies = [
        ("interventions", "0004_intervention_indicators_commitments"),
        ("scores", "0002_bulk_rows_without_fk_checks"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
