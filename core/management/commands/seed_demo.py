"""Load the demo data of every app that has a ``demo`` module, in INSTALLED_APPS order.

Each ``<app>/demo.py`` defines ``seed(*, log)``; it must be idempotent (running the
command twice changes nothing the second time).
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Laad de demo (Velsen): organisaties, mensen en de gegevens van elke app."

    def handle(self, *args, **options):
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if find_spec(module_name) is None:
                continue
            module = import_module(module_name)
            with transaction.atomic():
                module.seed(log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo geladen."))
