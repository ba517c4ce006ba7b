"""The exports of the year report: a PDF or Excel file made by a background job and kept
for the person who asked for it."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import ImportJob


class YearReportExport(ImportJob):
    """One year report written to a file by a Celery task, with the progress the page
    polls (the machinery of ``core.imports``). The file is made with the rights of the
    person who asked for it and is served only to them. ``data_version`` is the version
    of the data it was made from: when the data changes, asking again makes a new file.
    """

    detail_url_name = "reports:export-detail"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel"

    # An export is no trial run.
    dry_run = None
    area = models.ForeignKey(
        "areas.Area", on_delete=models.CASCADE, related_name="+", verbose_name=_("gemeente, wijk of gebied")
    )
    compare = models.PositiveSmallIntegerField(_("vergeleken met"), null=True, blank=True)
    fmt = models.CharField(_("formaat"), max_length=4, choices=Format.choices)
    file = models.FileField(_("bestand"), upload_to="exports/jaarbeeld/%Y/%m/", blank=True)
    size = models.PositiveIntegerField(_("grootte (bytes)"), default=0)
    data_version = models.CharField(max_length=64, blank=True, editable=False)

    # Made with one person's rights: not even a platform admin gets someone else's file.
    platform_admin_sees_all = False

    class Meta(ImportJob.Meta):
        verbose_name = _("jaarbeeld-export")
        verbose_name_plural = _("jaarbeeld-exports")
        indexes = [
            models.Index(fields=["started_by", "area", "year", "fmt"], name="yearreportexport_lookup"),
        ]

    def __str__(self):
        return self.original_name

    @property
    def summary(self) -> str:
        """What a finished export made, as the job page says it."""
        return gettext("Het bestand %(name)s staat klaar.") % {"name": self.original_name}

    @property
    def has_file(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file)

    @classmethod
    def access_q(cls, user, action):
        # The person who asked for it may see it; it changes only through its task.
        if action == "view":
            return Q(started_by_id=user.pk)
        return Q(pk__in=[])
