"""Export a corporation's complex register in the template's columns."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from organisations.models import Organisation
from portfolio.exports import register_bytes, register_text
from portfolio.models import BUURT_SHAPES, Complex


class Command(BaseCommand):
    help = (
        "Exporteer het complexenregister van een corporatie in de kolommen van het sjabloon, met de "
        "gevonden buurtcode en buurtnaam en de strategie, zodat de export ongewijzigd terug te importeren is. "
        "Zonder -o gaat de CSV naar de standaarduitvoer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="korte naam (slug) van de corporatie")
        parser.add_argument("--format", dest="fmt", choices=("csv", "xlsx"), default="csv")
        parser.add_argument("-o", "--output", default="", help="bestand om naar te schrijven")

    def handle(self, *args, organisation, fmt, output, **options):
        corporation = Organisation.objects.filter(slug=organisation.strip()).first()
        if corporation is None:
            raise CommandError(f"Er is geen organisatie met de korte naam {organisation}.")
        complexes = (
            Complex.objects.filter(organisation=corporation, is_archived=False)
            .select_related("buurt", "strategy")
            .defer(*BUURT_SHAPES)
            .order_by("number")
        )
        if not output:
            if fmt != "csv":
                raise CommandError(
                    "Een Excel-bestand gaat niet naar de standaarduitvoer; geef -o BESTAND op."
                )
            # Only the CSV on standard output, in UTF-8 whatever the terminal's encoding, so
            # it can be piped into a file.
            text = register_text(complexes)
            out = getattr(self.stdout, "_out", sys.stdout)
            if hasattr(out, "buffer"):
                out.flush()
                out.buffer.write(text.encode("utf-8"))
                out.buffer.flush()
            else:
                out.write(text)
            return
        Path(output).write_bytes(register_bytes(complexes, fmt))
        self.stderr.write(f"{complexes.count()} complexen geschreven naar {output}")
