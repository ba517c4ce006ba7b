"""Import an indicator file, at once (no Celery): one year, or every year in its year
column."""

from django.core.management.base import CommandError

from core.management.imports import ImportCommand
from scores.management.modes import add_mode_arguments
from scores.models import Source, SourceKind
from scores.services.catalogue import catalogue_install
from scores.services.imports import score_import_file

NEEDS_INTO = (SourceKind.AEDES_VEERKRACHT, SourceKind.GENERIC)


class Command(ImportCommand):
    actor_must_be_admin = False

    help = (
        "Importeer een bestand met indicatoren (CBS kerncijfers, Leefbaarometer als tabel of als "
        "GeoJSON-kaartlaag, Aedes veerkracht of code;jaar;indicator;waarde). Een bestand met een kolom "
        "jaar wordt voor al zijn jaren geïmporteerd, elk jaar op de indeling van dat jaar. Alles of "
        "niets: bij een fout wordt niets opgeslagen."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="het bestand (.csv, .xlsx of .geojson)")
        parser.add_argument(
            "--source",
            dest="file_format",
            required=True,
            choices=SourceKind.values,
            help="de vorm van het bestand",
        )
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help="jaar van de cijfers en de indeling, bijv. 2022. Alleen nodig als het bestand geen kolom "
            "jaar heeft (zoals de CBS-kerncijfers). Heeft het bestand wel een kolom jaar, dan wordt "
            "alleen dit jaar geïmporteerd en worden de andere jaren overgeslagen en gemeld; zonder "
            "--year worden alle jaren in het bestand geïmporteerd",
        )
        parser.add_argument(
            "--into",
            default="",
            help="naam of nummer van de bron (standaard de open bron van die vorm; "
            "verplicht voor aedes-veerkracht en generic)",
        )
        add_mode_arguments(
            parser,
            merge_help="werk de gebieden in het bestand bij en houd de andere gebieden van de bron en het jaar",
            replace_help="het bestand is de hele stand van de bron voor elk jaar dat erin staat: gebieden die "
            "er niet in staan verliezen hun waarden van dat jaar van de indicatoren in het bestand",
        )
        super().add_arguments(parser)

    def run_import(self, *, actor, path, dry_run, progress, file_format, year, into, mode, **options):
        source = self._source(file_format, into)
        return score_import_file(
            actor=actor,
            path=path,
            source=source,
            file_format=file_format,
            year=year,
            dry_run=dry_run,
            mode=mode,
            stdout=progress,
        )

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

    def heading(self, job):
        return f"Import van {job.original_name} in {job.source.name}, jaar {job.years_label}"

    def counts(self, job):
        text = (
            f"rijen gelezen: {job.rows_read}, overgeslagen: {job.rows_skipped}, "
            f"waarden: {job.values_written}, scores: {job.scores_written}, "
            f"gebieden die waarden verliezen: {job.areas_removed}"
        )
        if len(job.per_year) > 1:
            text += "".join(
                f"\n  {item['year']}: {item['areas']} gebieden, {item['values']} waarden, "
                f"{item['scores']} scores, gebieden die waarden verliezen: {item['areas_removed']}"
                for item in job.per_year
            )
        return text
