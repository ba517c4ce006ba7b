"""Turn the errors services raise into API responses with Dutch messages."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.utils.translation import gettext_lazy
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ConflictError

logger = logging.getLogger(__name__)


# Input PostgreSQL refuses to store or compare (a NUL character in a text, a number out
# of range): the request is wrong, not the server.
UNSTORABLE_INPUT = gettext_lazy(
    "De aanvraag bevat tekens of waarden die niet kunnen worden opgeslagen (zoals een NUL-teken). "
    "Controleer de invoer."
)


def exception_handler(exc, context):
    if isinstance(exc, DataError):
        logger.warning("Refused input the database cannot hold: %s", exc)
        return Response(
            {"detail": UNSTORABLE_INPUT, "code": "invalid_input"}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, ConflictError):
        return Response({"detail": exc.message, "code": "conflict"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail=detail)
    if isinstance(exc, PermissionDenied) and exc.args:
        return Response({"detail": str(exc.args[0]), "code": "permission_denied"}, status=403)
    return drf_exception_handler(exc, context)
