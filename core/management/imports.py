"""The base of the import commands (``import_boundaries``, ``import_indicators``): a
file from disk imported at once, no Celery, with the job's report on the console and a
non-zero exit when nothing was stored."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q


class ImportCommand(BaseCommand):
    # Whether the person named with --as must be a platform admin (else any active user).
    actor_must_be_admin = True

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="alleen controleren, niets opslaan")
        parser.add_argument(
            "--as",
            dest="actor_email",
            default="",
            help="e-mailadres van wie importeert (standaard: de eerste platformbeheerder)",
        )

    def run_import(self, *, actor, path, dry_run, progress, **options):
        """Start the import through its service and return the finished job."""
        raise NotImplementedError

    def heading(self, job) -> str:
        return f"Import van {job.original_name} als jaar {job.year}"

    def counts(self, job) -> str:
        raise NotImplementedError

    def handle(self, *args, path, dry_run, actor_email, **options):
        actor = self.actor(actor_email)
        try:
            job = self.run_import(actor=actor, path=path, dry_run=dry_run, progress=self.stdout, **options)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.report(job)
        if job.status != job.Status.DONE:
            raise CommandError("De import is mislukt; er is niets opgeslagen.")

    def actor(self, email):
        User = get_user_model()
        admins = User.objects.filter(Q(is_platform_admin=True) | Q(is_superuser=True), is_active=True)
        if email:
            people = admins if self.actor_must_be_admin else User.objects.filter(is_active=True)
            actor = people.filter(email__iexact=email.strip()).first()
            if actor is None:
                what = "platformbeheerder" if self.actor_must_be_admin else "gebruiker"
                raise CommandError(f"{email} is geen actieve {what}.")
            return actor
        actor = admins.order_by("pk").first()
        if actor is None:
            raise CommandError("Er is nog geen platformbeheerder. Maak er een aan of geef --as EMAIL op.")
        return actor

    def report(self, job):
        mode = " (proefimport: niets opgeslagen)" if job.dry_run else ""
        self.stdout.write(f"{self.heading(job)}{mode}: {job.get_status_display()}")
        self.stdout.write(f"  {self.counts(job)}")
        for title, rows in (("Waarschuwingen", job.warnings), ("Fouten", job.errors)):
            if not rows:
                continue
            self.stdout.write(f"{title} ({len(rows)}):")
            for row in rows:
                where = f"rij {row['row']}" if row.get("row") else "bestand"
                code = f" {row['code']}" if row.get("code") else ""
                self.stdout.write(f"  {where}{code}: {row['message']}")


class FetchCommand(ImportCommand):
    """The base of the fetch commands (``fetch_cbs``, ``fetch_boundaries``): a year fetched
    from its publisher and imported at once, with the same report as a file."""

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="jaar van de gegevens en de indeling")
        parser.add_argument(
            "--gemeente",
            dest="gemeenten",
            nargs="+",
            default=[],
            metavar="GM",
            help="alleen deze gemeenten (bijvoorbeeld GM0453 GM0392); standaard heel Nederland",
        )
        super().add_arguments(parser)

    def handle(self, *args, **options):
        return super().handle(*args, path=None, **options)

    def heading(self, job) -> str:
        return f"Ophalen: {job.original_name}, jaar {job.year}"
