import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# Load templates, URLs and translations now and freeze them out of the garbage
# collector's reach (see core.warmup).
from core.warmup import prepare_worker  # noqa: E402 (needs the application set up)

prepare_worker()
