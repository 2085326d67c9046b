"""The analytics endpoints: an index and one endpoint per figure of ``analytics.figures``."""

import inspect

from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.api_explain import ExplainView
from analytics.figures import FIGURES, UNKNOWN_FIGURE
from analytics.figures.cached import OWN_CACHE, figure_cached
from analytics.figures.cohorts import CHANNELS, PERIODS, UNKNOWN_CHANNEL, UNKNOWN_PERIOD
from analytics.rollups.version import version_current
from core.api.cache import CachedReadMixin
from core.filters import RangeFilterForm

FIGURE_PARAMS = ("date_from", "date_to", "category")
UNKNOWN_PARAMETER = "Unknown parameter. Figures take: date_from, date_to, category."
UNKNOWN_PARAMETER_MORE = "Unknown parameter. This figure takes: date_from, date_to, category, {more}."
# Filters beyond the shared three that a figure may declare as keyword arguments.
FIGURE_EXTRA_PARAMS = {
    "channel": OpenApiParameter("channel", OpenApiTypes.STR, enum=list(CHANNELS),
                                description="Only sales through this channel."),
    "period": OpenApiParameter("period", OpenApiTypes.STR, enum=list(PERIODS),
                               description="Cohorts by calendar month (default) or ISO week (Monday to Sunday)."),
}


def extra_params(fn) -> tuple[str, ...]:
    return tuple(name for name in inspect.signature(fn).parameters if name in FIGURE_EXTRA_PARAMS)

RANGE_PARAMETERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="First day (YYYY-MM-DD, UTC), inclusive."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Last day (YYYY-MM-DD, UTC), inclusive."),
    OpenApiParameter("category", OpenApiTypes.STR, description="Only this product category."),
]


class AnalyticsIndexView(APIView):
    @extend_schema(
        summary="List the figures",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="`{figures: [{name, url, summary}]}`")
        },
        tags=["analytics"],
    )
    def get(self, request):
        return Response({
            "figures": [
                {
                    "name": name,
                    "url": request.build_absolute_uri(reverse(f"analytics-api:{name}")),
                    "summary": _summary(fn),
                }
                for name, fn in FIGURES.items()
            ]
        })


class FigureView(CachedReadMixin, APIView):
    """One figure for ``date_from`` / ``date_to`` / ``category``, computed by the app's analytics
    (the whole response cached by data version, core.api.cache)."""

    figure = ""

    def get(self, request, **kwargs):
        fn = FIGURES[self.figure]
        more = extra_params(fn)
        unknown = sorted(set(request.query_params) - {*FIGURE_PARAMS, *more, "format"})
        if unknown:
            message = UNKNOWN_PARAMETER_MORE.format(more=", ".join(more)) if more else UNKNOWN_PARAMETER
            raise ValidationError({name: [message] for name in unknown})
        form = RangeFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({field: list(messages) for field, messages in form.errors.items()})
        extra = {}
        if "channel" in more and request.query_params.get("channel"):
            extra["channel"] = request.query_params["channel"]
            if extra["channel"] not in CHANNELS:
                raise ValidationError({"channel": [UNKNOWN_CHANNEL]})
        if "period" in more and "period" in request.query_params:
            extra["period"] = request.query_params["period"]
            if extra["period"] not in PERIODS:
                raise ValidationError({"period": [UNKNOWN_PERIOD]})
        return Response(figure_cached(self.figure, version=version_current(), date_range=form.date_range,
                                      category=form.selected_category, **extra))


class UnknownFigureView(APIView):
    @extend_schema(exclude=True)
    def get(self, request, name):
        raise NotFound(UNKNOWN_FIGURE.format(name=name))


def _summary(fn) -> str:
    return (inspect.getdoc(fn) or "").split("\n\n")[0].replace("\n", " ")


def figure_view(name: str, fn):
    """A view class per figure, so the schema documents each one with its own docstring."""
    schema = extend_schema(
        operation_id=f"analytics_{name}",
        summary=name.replace("_", " ").capitalize(),
        description=inspect.getdoc(fn) or "",
        parameters=[*RANGE_PARAMETERS, *(FIGURE_EXTRA_PARAMS[p] for p in extra_params(fn))],
        responses={200: OpenApiTypes.OBJECT},
        tags=["analytics"],
    )
    def get(self, request, **kwargs):
        return FigureView.get(self, request, **kwargs)

    class_name = f"{name.title().replace('_', '')}FigureView"
    # The forecast and unusual days may answer from a stale fit while they refit: never stored.
    attrs = {"figure": name, "get": schema(get), "response_cache": name not in OWN_CACHE}
    return type(class_name, (FigureView,), attrs)


def analytics_urlpatterns() -> list:
    from analytics.api_members import CohortCustomerViewSet, SegmentCustomerViewSet

    return [
        path("", AnalyticsIndexView.as_view(), name="index"),
        path("cohort_customers/", CohortCustomerViewSet.as_view({"get": "list"}), name="cohort-customers"),
        path("segment_customers/", SegmentCustomerViewSet.as_view({"get": "list"}), name="segment-customers"),
        path("explain/", ExplainView.as_view(), name="explain"),  # its own parameters (analytics.api_explain)
        *(path(f"{name}/", figure_view(name, fn).as_view(), name=name) for name, fn in FIGURES.items()),
        path("<str:name>/", UnknownFigureView.as_view(), name="unknown"),
    ]
