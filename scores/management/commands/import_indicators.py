"""Import an indicator file for one year, at once (no Celery)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from scores.models import ScoreImport, Source, SourceKind
from scores.services.catalogue import catalogue_install
from scores.services.imports import score_import_file

NEEDS_INTO = (SourceKind.AEDES_VEERKRACHT, SourceKind.GENERIC)


class Command(BaseCommand):
    help = (
        "Importeer een bestand met indicatoren (CBS kerncijfers, Leefbaarometer, Aedes veerkracht of "
        "code;jaar;indicator;waarde) voor één jaar. Alles of niets: bij een fout wordt niets opgeslagen."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="het bestand (.csv of .xlsx)")
        parser.add_argument(
            "--source",
            dest="file_format",
            required=True,
            choices=SourceKind.values,
            help="de vorm van het bestand",
        )
        parser.add_argument(
            "--year", type=int, required=True, help="jaar van de cijfers en de indeling, bijv. 2022"
        )
        parser.add_argument("--dry-run", action="store_true", help="alleen controleren, niets opslaan")
        parser.add_argument(
            "--into",
            default="",
            help="naam of nummer van de bron (standaard de open bron van die vorm; "
            "verplicht voor aedes-veerkracht en generic)",
        )
        parser.add_argument(
            "--as",
            dest="actor_email",
            default="",
            help="e-mailadres van wie importeert (standaard: de eerste platformbeheerder)",
        )

    def handle(self, *args, path, file_format, year, dry_run, into, actor_email, **options):
        actor = self._actor(actor_email)
        source = self._source(file_format, into)
        try:
            job = score_import_file(
                actor=actor,
                path=path,
                source=source,
                file_format=file_format,
                year=year,
                dry_run=dry_run,
                stdout=self.stdout,
            )
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self._report(job)
        if job.status != ScoreImport.Status.DONE:
            raise CommandError("De import is mislukt; er is niets opgeslagen.")

    def _actor(self, email):
        User = get_user_model()
        if email:
            actor = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
            if actor is None:
                raise CommandError(f"{email} is geen actieve gebruiker.")
            return actor
        admins = User.objects.filter(Q(is_platform_admin=True) | Q(is_superuser=True), is_active=True)
        actor = admins.order_by("pk").first()
        if actor is None:
            raise CommandError("Er is nog geen platformbeheerder. Maak er een aan of geef --as EMAIL op.")
        return actor

    def _source(self, file_format, into):
        if not into:
            if file_format in NEEDS_INTO:
                raise CommandError(
                    f"Een bestand van de vorm {file_format} hoort bij de bron van een organisatie: "
                    'geef die op met --into "naam of nummer van de bron".'
                )
            return catalogue_install()[file_format]
        into = into.strip()
        source = Source.objects.filter(pk=int(into)).first() if into.isdigit() else None
        source = source or Source.objects.filter(name__iexact=into).first()
        if source is None:
            raise CommandError(f"Er is geen bron {into}. Maak de bron eerst aan op de bronnenpagina.")
        return source

    def _report(self, job):
        mode = " (proefimport: niets opgeslagen)" if job.dry_run else ""
        self.stdout.write(
            f"Import van {job.original_name} in {job.source.name}, jaar {job.year}{mode}: {job.get_status_display()}"
        )
        self.stdout.write(
            f"  rijen gelezen: {job.rows_read}, overgeslagen: {job.rows_skipped}, "
            f"waarden: {job.values_written}, scores: {job.scores_written}"
        )
        for title, rows in (("Waarschuwingen", job.warnings), ("Fouten", job.errors)):
            if not rows:
                continue
            self.stdout.write(f"{title} ({len(rows)}):")
            for row in rows:
                where = f"rij {row['row']}" if row.get("row") else "bestand"
                code = f" {row['code']}" if row.get("code") else ""
                self.stdout.write(f"  {where}{code}: {row['message']}")
