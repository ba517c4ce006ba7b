"""Turn the errors services raise into API responses with Dutch messages."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ConflictError


def exception_handler(exc, context):
    if isinstance(exc, ConflictError):
        return Response({"detail": exc.message, "code": "conflict"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail=detail)
    if isinstance(exc, PermissionDenied) and exc.args:
        return Response({"detail": str(exc.args[0]), "code": "permission_denied"}, status=403)
    return drf_exception_handler(exc, context)
