"""The base viewset for the four record types: thin, declarative subclasses call the services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django_filters import filters as django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings

from core.api.cache import CachedReadMixin
from core.api.csv_export import CSVRenderer, csv_response, stream_records
from core.api.exceptions import Conflict
from core.selectors import attach_related

UNKNOWN_PARAMETER = "Unknown parameter. This list takes: {names}."


def filter_params(filterset_class) -> list[str]:
    """The query parameters a FilterSet reads (a RangeFilter ``x`` reads ``x_min`` and ``x_max``)."""
    names = []
    for name, f in filterset_class.base_filters.items():
        if isinstance(f, django_filters.RangeFilter):
            names += [f"{name}_min", f"{name}_max"]
        else:
            names.append(name)
    return names


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the request names none of the filters: building and
    validating an empty FilterSet (a deep copy of every filter and a form) changes nothing."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class and not set(filter_params(filterset_class)) & set(request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)


ID_PARAMETER = OpenApiParameter(
    "id", OpenApiTypes.STR, OpenApiParameter.PATH,
    description="The record's id: a string on both backends (an ObjectId on MongoDB).",
)


@extend_schema_view(**{
    action: extend_schema(parameters=[ID_PARAMETER])
    for action in ("retrieve", "update", "partial_update", "destroy")
})
class RecordViewSet(CachedReadMixin, viewsets.ModelViewSet):
    """List (filters, ordering, paging, CSV), retrieve, and writes through the app's services.

    Reads are answered from the response cache while the data has not changed (core.api.cache).

    Subclasses set ``queryset``, ``serializer_class``, ``filterset_class``, ``pagination_class``,
    ``related`` (foreign keys to attach per page) and implement ``create_record``,
    ``update_record`` and ``delete_record`` with their services.
    """

    filter_backends = [FilterBackend]
    lookup_value_regex = "[^/.]+"  # ids are strings: integers on SQLite, ObjectIds on MongoDB
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]
    related: tuple[str, ...] = ()
    csv_name = ""

    # --- reads --------------------------------------------------------------------------------

    def list(self, request, *args, **kwargs):
        csv = request.accepted_renderer.format == CSVRenderer.format
        self.check_params(request, csv=csv)
        if csv:
            return self.csv_list(request)
        return super().list(request, *args, **kwargs)

    def check_params(self, request, *, csv: bool) -> None:
        """An unknown parameter (a typo'd filter, ``page`` on a cursor list) is a 400, not ignored."""
        paging = self.paginator.get_schema_operation_parameters(self) if self.paginator else []
        allowed = {
            api_settings.URL_FORMAT_OVERRIDE,
            *filter_params(self.filterset_class),
            *(p["name"] for p in paging),
        }
        if csv:  # an export is every matching row; the page's own paging parameters don't matter
            allowed |= {"page", "page_size", "cursor"}
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            message = UNKNOWN_PARAMETER.format(names=", ".join(sorted(allowed)))
            raise ValidationError({name: [message] for name in unknown})

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return self.attach(page) if page is not None else page

    def attach(self, records: list) -> list:
        """The page's products and customers in one query each (see attach_related)."""
        return attach_related(records, *self.related) if self.related else records

    def get_object(self):
        # DRF's lookup turns a malformed id (ValueError on SQLite, ValidationError for an
        # ObjectId) into a 404 before any query runs.
        obj = super().get_object()
        self.attach([obj])
        return obj

    def csv_list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        serializer = self.get_serializer()
        header = [name for name, field in serializer.fields.items() if not field.write_only]
        rows = stream_records(queryset, represent=serializer.to_representation, prepare=self.attach)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        return csv_response(header=header, rows=rows, filename=f"{self.csv_name}-{stamp}.csv")

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON even when CSV was asked for: a client must be able to read why.
        if getattr(response, "status_code", 200) >= 400 and getattr(request, "accepted_renderer", None):
            if request.accepted_renderer.format == CSVRenderer.format:
                request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

    # --- writes: the services validate (the admin's rules) and save ----------------------------

    def perform_create(self, serializer):
        serializer.instance = self.create_record(dict(serializer.validated_data))

    def perform_update(self, serializer):
        serializer.instance = self.update_record(serializer.instance, dict(serializer.validated_data))

    def perform_destroy(self, instance):
        try:
            self.delete_record(instance)
        except DjangoValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from None

    def create_record(self, data: dict):
        raise NotImplementedError

    def update_record(self, instance, data: dict):
        raise NotImplementedError

    def delete_record(self, instance) -> None:
        raise NotImplementedError
