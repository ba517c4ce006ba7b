"""Fetch a year of CBS kerncijfers wijken en buurten from CBS StatLine and import them at
once (no Celery) into the open CBS source."""

from core.management.imports import FetchCommand
from scores.management.modes import add_mode_arguments
from scores.services.fetch import cbs_fetch_now


class Command(FetchCommand):
    help = (
        "Haal de CBS-kerncijfers wijken en buurten van één jaar op bij CBS StatLine (OData) en importeer "
        "ze in de open CBS-bron. Alles of niets: bij een fout wordt niets opgeslagen."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--table", default="", help="de StatLine-tabel, als Wijkkoers die van het jaar nog niet kent"
        )
        add_mode_arguments(
            parser,
            merge_help="werk de opgehaalde gebieden bij en houd de andere gebieden van het jaar",
            replace_help="het opgehaalde is de hele stand van het jaar: andere gebieden verliezen hun waarden",
        )
        super().add_arguments(parser)

    def run_import(self, *, actor, dry_run, progress, year, gemeenten, mode, table, **options):
        return cbs_fetch_now(
            actor=actor,
            year=year,
            gemeenten=gemeenten,
            dry_run=dry_run,
            mode=mode,
            table=table or None,
            stdout=progress,
        )

    def counts(self, job):
        return (
            f"rijen gelezen: {job.rows_read}, overgeslagen: {job.rows_skipped}, "
            f"waarden: {job.values_written}, gebieden die waarden verliezen: {job.areas_removed}"
        )
