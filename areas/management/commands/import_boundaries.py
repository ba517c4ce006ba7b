"""Import a CBS boundary file for one year, at once (no Celery)."""

from areas.services import boundary_import_file
from core.management.imports import ImportCommand


class Command(ImportCommand):
    help = (
        "Importeer CBS-grenzen (gemeenten, wijken of buurten) voor één jaar uit een GeoPackage, "
        "gezipte Shapefile of GeoJSON. Alles of niets: bij een fout wordt niets opgeslagen."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="het grenzenbestand (.gpkg, .zip of .geojson)")
        parser.add_argument("--year", type=int, required=True, help="jaar van de indeling, bijv. 2022")
        super().add_arguments(parser)

    def run_import(self, *, actor, path, dry_run, progress, year, **options):
        return boundary_import_file(actor=actor, path=path, year=year, dry_run=dry_run, stdout=progress)

    def counts(self, job):
        return f"nieuw: {job.created}, gewijzigd: {job.changed}, ongewijzigd: {job.unchanged}"
