"""A resubmitted monitoring report kept the review of its earlier round on the report, so
the pages showed that review as if it were current. A submission now clears it (the
earlier review stays in the report's history); this clears it on the reports that are
waiting for review already."""

from django.db import migrations


def clear_earlier_reviews(apps, schema_editor):
    MonitoringReport = apps.get_model("agreements", "MonitoringReport")
    MonitoringReport.objects.filter(state="ingediend").exclude(
        reviewed_at__isnull=True, reviewed_by__isnull=True, review_comment=""
    ).update(reviewed_at=None, reviewed_by=None, review_comment="")


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0002_bod_submitted_late"),
    ]

    operations = [
        migrations.RunPython(clear_earlier_reviews, migrations.RunPython.noop),
    ]
