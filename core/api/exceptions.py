"""Error shapes: Django validation errors from services become 400s keyed by field."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers, status
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    """The request is valid but the record's state forbids it (e.g. deleting a product with sales)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record cannot be changed in its current state."
    default_code = "conflict"


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=serializers.as_serializer_error(exc))
    return drf_exception_handler(exc, context)
