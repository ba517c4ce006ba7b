"""The second-factor code of the demo's platform admin and beheerder, right now."""

from django.core.management.base import BaseCommand

from core.two_factor import DEMO_TOTP_SECRET, current_code


class Command(BaseCommand):
    help = (
        "Toon de code van dit moment voor de tweede stap van de demo-beheerders (de sleutel "
        "is openbaar; echte accounts hebben elk een eigen geheime sleutel)."
    )

    def handle(self, *args, **options):
        self.stdout.write(current_code(DEMO_TOTP_SECRET))
