"""Import a corporation's complex register at once (no Celery)."""

from django.core.management.base import CommandError

from core.management.imports import ImportCommand
from organisations.models import Organisation
from portfolio.services import complex_import_file


class Command(ImportCommand):
    actor_must_be_admin = False

    help = (
        "Importeer het complexenregister van een corporatie en plaats elk complex in een buurt van het "
        "gekozen jaar. Alles of niets: bij een fout wordt niets opgeslagen."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="het register (.csv of .xlsx)")
        parser.add_argument("--organisation", required=True, help="korte naam (slug) van de corporatie")
        parser.add_argument("--year", type=int, required=True, help="jaar van de buurtindeling, bijv. 2025")
        parser.add_argument(
            "--remove-missing",
            action="store_true",
            help="archiveer complexen die niet in het bestand staan (het bestand is het hele register)",
        )
        parser.add_argument(
            "--lookup",
            default="",
            help="adressenbestand postcode;huisnummer;x;y (of lat;lon) voor complexen zonder coördinaten",
        )
        super().add_arguments(parser)

    def run_import(
        self, *, actor, path, dry_run, progress, organisation, year, remove_missing, lookup, **options
    ):
        corporation = Organisation.objects.filter(slug=organisation.strip()).first()
        if corporation is None:
            raise CommandError(f"Er is geen organisatie met de korte naam {organisation}.")
        return complex_import_file(
            actor=actor,
            path=path,
            organisation=corporation,
            year=year,
            dry_run=dry_run,
            remove_missing=remove_missing,
            lookup_path=lookup or None,
            stdout=progress,
        )

    def heading(self, job):
        return f"Import van {job.original_name} voor {job.organisation.name}, indeling {job.year}"

    def counts(self, job):
        return (
            f"rijen: {job.rows}, nieuw: {job.created}, gewijzigd: {job.changed}, ongewijzigd: {job.unchanged}, "
            f"ontbrekend: {job.missing}, gearchiveerd: {job.archived}"
        )
