"""Bringing a fresh server worker into its steady state before it takes requests."""

import gc
from pathlib import Path

from django.apps import apps
from django.conf import settings


def _project_templates():
    """Names of the templates of the project's own apps and templates folder."""
    base = Path(settings.BASE_DIR).resolve()
    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine.get("DIRS", [])]
    folders += [Path(config.path) / "templates" for config in apps.get_app_configs()]
    for folder in folders:
        folder = folder.resolve()
        if not folder.is_dir() or base not in folder.parents:
            continue
        for path in folder.rglob("*.html"):
            yield path.relative_to(folder).as_posix()


def warm_up() -> None:
    """Load what the first requests would otherwise load one by one: the URL resolver,
    the translation catalogues and the compiled project templates."""
    from django.template import TemplateSyntaxError, engines
    from django.template.exceptions import TemplateDoesNotExist
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().reverse_dict  # noqa: B018 (builds the resolver's look-up tables)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Wijkkoers")
    engine = engines["django"]
    for name in set(_project_templates()):
        try:
            engine.get_template(name)
        except (TemplateDoesNotExist, TemplateSyntaxError):
            continue


def prepare_worker() -> None:
    """Warm up, then move everything that lives as long as the worker out of the garbage
    collector's reach, so a full collection during a request only walks what requests
    create (without this, one costs tens of milliseconds)."""
    warm_up()
    gc.collect()
    gc.freeze()
