"""Record ids are strings on both backends: integers on SQLite, ObjectIds on MongoDB.

DRF's ModelSerializer maps an auto field to IntegerField, which fails on ObjectIds; here the
primary key and every foreign key id map to strings, and a malformed id is a field error.
"""

import copy
from operator import attrgetter

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

NO_SUCH_RECORD = 'No record with id "{pk_value}".'
NOT_AN_ID = "Expected an id (a string), got {data_type}."


@extend_schema_field(OpenApiTypes.STR)
class IdField(serializers.CharField):
    """A record id, always rendered as a string."""

    def to_representation(self, value):
        return str(value)


@extend_schema_field(OpenApiTypes.STR)
class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key as the related record's id (a string); unknown or malformed ids are field errors."""

    default_error_messages = {"does_not_exist": NO_SUCH_RECORD, "incorrect_type": NOT_AN_ID}

    def to_representation(self, value):
        return str(value.pk)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (str, int)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            # Validates the id's shape first: a malformed ObjectId must not reach the database.
            pk = self.get_queryset().model._meta.pk.to_python(data)
        except DjangoValidationError:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(pk)


class RecordUrlField(serializers.HyperlinkedIdentityField):
    """The record's absolute API URL. Unlike DRF's, it drops the request's ``?format=``: a CSV
    export's links point at the JSON record, and equal the JSON rows' links.

    The URL is reversed once per response and the id put in per row: a ``reverse()`` per row was
    a fifth of a products page's time.
    """

    PLACEHOLDER = "__id__"

    def get_url(self, obj, view_name, request, format):
        try:
            prefix, suffix = self._around_id
        except AttributeError:
            url = reverse(view_name, kwargs={self.lookup_url_kwarg: self.PLACEHOLDER})
            url = request.build_absolute_uri(url) if request is not None else url
            prefix, suffix = self._around_id = tuple(url.split(self.PLACEHOLDER, 1))
        return f"{prefix}{getattr(obj, self.lookup_field)}{suffix}"


def _id_field_mapping() -> dict:
    mapping = {models.AutoField: IdField, models.BigAutoField: IdField, models.SmallAutoField: IdField}
    if settings.USING_MONGODB:
        from django_mongodb_backend.fields import ObjectIdAutoField, ObjectIdField

        mapping.update({ObjectIdAutoField: IdField, ObjectIdField: IdField})
    return mapping


class RecordSerializer(serializers.ModelSerializer):
    """Base for the record serializers: string ids for the record and its foreign keys."""

    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping, **_id_field_mapping()}
    serializer_related_field = IdRelatedField

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        # DRF turns the model's Min/MaxValueValidator into min_value/max_value with its own
        # wording; keep the model's message, so the API says what the admin says.
        messages = {}
        for validator in model_field.validators:
            for kind, cls in (("min_value", MinValueValidator), ("max_value", MaxValueValidator)):
                if (
                    type(validator) is cls
                    and kwargs.get(kind) == validator.limit_value
                    and validator.message != cls.message
                ):
                    messages.setdefault(kind, validator.message)
        if messages:
            kwargs["error_messages"] = {**kwargs.get("error_messages", {}), **messages}
        if issubclass(field_class, serializers.DateTimeField) and settings.USE_TZ:
            # Times are the project's zone (UTC); DRF would look up the request's current zone
            # for every value (a fifth of a page's field time).
            kwargs.setdefault("default_timezone", timezone.get_default_timezone())
        return field_class, kwargs

    # Speed (see bench/api.py): a ModelSerializer rebuilds its fields from the model on every
    # request and re-filters them on every row. The fields depend only on the class, so they are
    # built once per class and copied (as DRF copies declared fields); the readable ones are
    # listed once per serializer.

    def get_fields(self):
        cls = type(self)
        if "_built_fields" not in cls.__dict__:
            cls._built_fields = super().get_fields()
        return copy.deepcopy(cls._built_fields)

    @cached_property
    def _readable_fields(self):
        return [field for field in self.fields.values() if not field.write_only]

    def to_representation(self, instance):
        plan = self._plan
        if plan is None:
            return super().to_representation(instance)
        return {name: None if (value := get(instance)) is None else show(value) for name, get, show in plan}

    @cached_property
    def _plan(self) -> list | None:
        """(name, getter, to_representation) per readable field: DRF's output without its per-row,
        per-field attribute machinery (callable checks, pk-only wrappers). None — DRF's own loop —
        when a field is of a kind this does not cover (nested, method, ``source="*"``)."""
        meta, plan = self.Meta.model._meta, []
        for field in self._readable_fields:
            if isinstance(field, RecordUrlField):
                plan.append((field.field_name, _itself, field.to_representation))
            elif isinstance(field, IdRelatedField) and len(field.source_attrs) == 1:
                plan.append((field.field_name, attrgetter(meta.get_field(field.source).attname), str))
            elif isinstance(field, (serializers.RelatedField, serializers.ManyRelatedField,
                                    serializers.SerializerMethodField, serializers.BaseSerializer)) or (
                field.source == "*"
            ):
                return None
            else:
                plan.append((field.field_name, _getter(field.source_attrs), field.to_representation))
        return plan


def _itself(obj):
    return obj


def _getter(attrs: list[str]):
    get = attrgetter(".".join(attrs))

    def getter(obj):
        try:
            return get(obj)
        except ObjectDoesNotExist:  # as DRF: a missing related row reads as null
            return None

    return getter
