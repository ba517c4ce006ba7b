"""Fetch a year of CBS wijk- en buurtgrenzen from PDOK and import them at once (no Celery)."""

from areas.services import boundary_fetch_now
from core.management.imports import FetchCommand


class Command(FetchCommand):
    help = (
        "Haal de CBS-grenzen (gemeenten, wijken en buurten) van één jaar op bij PDOK (OGC API Features) "
        "en importeer ze. Alles of niets: bij een fout wordt niets opgeslagen."
    )

    def run_import(self, *, actor, dry_run, progress, year, gemeenten, **options):
        return boundary_fetch_now(
            actor=actor, year=year, gemeenten=gemeenten, dry_run=dry_run, stdout=progress
        )

    def counts(self, job):
        return f"nieuw: {job.created}, gewijzigd: {job.changed}, ongewijzigd: {job.unchanged}"
