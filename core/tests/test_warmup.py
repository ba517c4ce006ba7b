"""A server worker warms up and freezes its start-up objects, then freezes once more
after its first requests (``core.warmup``)."""

import gc

from django.core.signals import request_finished
from django.template import engines

from core import warmup


def test_prepare_worker_loads_templates_and_freezes_again_after_the_first_requests(db):
    # ``db``: a finished request closes old database connections, which touches the
    # connection a test before this one may have left open.
    try:
        warmup.prepare_worker()
        frozen = gc.get_freeze_count()
        assert frozen > 0
        # The project's templates were compiled into the engine's cache.
        loader = engines["django"].engine.template_loaders[0]
        assert "base.html" in loader.get_template_cache
        kept = []
        for _ in range(warmup.REFREEZE_AFTER[0] - 1):
            request_finished.send(sender=None)
        kept.append(list(range(1000)))  # something that lives on, made after the first freeze
        request_finished.send(sender=None)
        assert gc.get_freeze_count() > frozen
    finally:
        request_finished.disconnect(warmup._refreeze, dispatch_uid="core.warmup.refreeze")
        gc.unfreeze()
