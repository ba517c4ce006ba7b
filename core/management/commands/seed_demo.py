"""Load the demo data of every app that has a ``demo`` module, in INSTALLED_APPS order.

Each ``<app>/demo.py`` defines ``seed(*, log)``; it must be idempotent (running the
command twice changes nothing the second time). An optional ``summary(*, log)`` is
printed after all apps are loaded (the demo logins, for instance).
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Laad de demo (Velsen): organisaties, mensen en de gegevens van elke app."

    def handle(self, *args, **options):
        modules = [
            import_module(f"{config.name}.demo")
            for config in apps.get_app_configs()
            if find_spec(f"{config.name}.demo") is not None
        ]
        for module in modules:
            with transaction.atomic():
                module.seed(log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo geladen."))
        for module in modules:
            if hasattr(module, "summary"):
                module.summary(log=self.stdout.write)
