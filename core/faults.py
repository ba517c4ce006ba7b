"""What a request gets when a service behind the site fails.

The database unreachable (PostgreSQL restarting, a connection dropped): a clean 503 with
``Retry-After``, a Dutch page or JSON for the API, instead of a server error. Django's
connection health checks (``CONN_HEALTH_CHECKS``) drop the broken connection, so the
next request connects again and the site recovers by itself.

Input the database refuses to hold (a NUL character) is a 400. Other unexpected errors
get the plain 500 page (JSON for the API); none shows a traceback.
"""

import logging
import sys

from django.db import DataError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# What Django raises when the database cannot be reached or drops the connection.
DATABASE_DOWN_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def database_unavailable_response(request) -> HttpResponse:
    """503 with ``Retry-After``: the page or the API answers again once the database is
    back. The page is rendered without the context processors (they read the database)."""
    message = _("Wijkkoers is even niet bereikbaar. Probeer het over een halve minuut opnieuw.")
    if _is_api(request):
        response = JsonResponse({"detail": message, "code": "service_unavailable"}, status=503)
    else:
        body = loader.get_template("503.html").render({"message": message})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def unstorable_input_response(request) -> HttpResponse:
    """400 for input the database refuses to hold (a NUL character in a text): the
    request is wrong, not the server. The API answers it in its exception handler."""
    message = _(
        "De aanvraag bevat tekens of waarden die niet kunnen worden opgeslagen (zoals een NUL-teken). "
        "Controleer de invoer."
    )
    body = loader.get_template("400.html").render({"message": message})
    return HttpResponse(body, status=400)


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached during a view answers 503, not 500; input it
    refuses to hold, 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN_ERRORS):
            logger.error("Database unavailable during %s %s: %s", request.method, request.path, exception)
            return database_unavailable_response(request)
        if isinstance(exception, DataError):
            logger.warning("Refused input the database cannot hold: %s", exception)
            return unstorable_input_response(request)
        return None


def server_error(request):
    """``handler500``: a database outage outside a view (in a middleware, saving the
    session) also answers 503; anything else the plain 500 page, JSON for the API."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_DOWN_ERRORS):
        return database_unavailable_response(request)
    if _is_api(request):
        return JsonResponse(
            {"detail": _("Er ging iets mis op de server. Er is niets half opgeslagen."), "code": "error"},
            status=500,
        )
    return HttpResponse(loader.get_template("500.html").render(), status=500)
