"""Import a CBS boundary file for one year, at once (no Celery)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from areas.models import BoundaryImport
from areas.services import boundary_import_file


class Command(BaseCommand):
    help = (
        "Importeer CBS-grenzen (gemeenten, wijken of buurten) voor één jaar uit een GeoPackage, "
        "gezipte Shapefile of GeoJSON. Alles of niets: bij een fout wordt niets opgeslagen."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="het grenzenbestand (.gpkg, .zip of .geojson)")
        parser.add_argument("--year", type=int, required=True, help="jaar van de indeling, bijv. 2022")
        parser.add_argument("--dry-run", action="store_true", help="alleen controleren, niets opslaan")
        parser.add_argument(
            "--as",
            dest="actor_email",
            default="",
            help="e-mailadres van de platformbeheerder die importeert (standaard: de eerste)",
        )

    def handle(self, *args, path, year, dry_run, actor_email, **options):
        actor = self._actor(actor_email)
        try:
            job = boundary_import_file(actor=actor, path=path, year=year, dry_run=dry_run, stdout=self.stdout)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self._report(job)
        if job.status != BoundaryImport.Status.DONE:
            raise CommandError("De import is mislukt; er is niets opgeslagen.")

    def _actor(self, email):
        User = get_user_model()
        admins = User.objects.filter(Q(is_platform_admin=True) | Q(is_superuser=True), is_active=True)
        if email:
            actor = admins.filter(email__iexact=email.strip()).first()
            if actor is None:
                raise CommandError(f"{email} is geen actieve platformbeheerder.")
            return actor
        actor = admins.order_by("pk").first()
        if actor is None:
            raise CommandError("Er is nog geen platformbeheerder. Maak er een aan of geef --as EMAIL op.")
        return actor

    def _report(self, job):
        mode = " (proefimport: niets opgeslagen)" if job.dry_run else ""
        self.stdout.write(
            f"Import van {job.original_name} als jaar {job.year}{mode}: {job.get_status_display()}"
        )
        self.stdout.write(f"  nieuw: {job.created}, gewijzigd: {job.changed}, ongewijzigd: {job.unchanged}")
        for title, rows in (("Waarschuwingen", job.warnings), ("Fouten", job.errors)):
            if not rows:
                continue
            self.stdout.write(f"{title} ({len(rows)}):")
            for row in rows:
                where = f"rij {row['row']}" if row.get("row") else "bestand"
                code = f" {row['code']}" if row.get("code") else ""
                self.stdout.write(f"  {where}{code}: {row['message']}")
