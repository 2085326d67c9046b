"""``/api/analytics/explain/``: why a KPI changed (analytics.figures.explain), with its own parameters."""

import inspect

from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.figures.explain import DIMENSIONS, EXPLAINABLE, dimension_error, explain
from core.filters import COMPARE_CHOICES, CompareFilterForm

EXPLAIN_PARAMS = ("figure", "dimension", "date_from", "date_to", "category", "compare")
UNKNOWN_PARAMETER = f"Unknown parameter. Explain takes: {', '.join(EXPLAIN_PARAMS)}."
FIGURE_REQUIRED = "Name the figure to explain: one of " + ", ".join(EXPLAINABLE) + "."


class ExplainForm(CompareFilterForm):
    """The shared filters and ``compare``, plus which figure to explain and by what dimension."""

    figure = forms.CharField(required=True, error_messages={"required": FIGURE_REQUIRED})
    dimension = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        data["dimension"] = data.get("dimension") or _default_dimension(data.get("figure"))
        if "figure" in data:
            error = dimension_error(data["figure"], data["dimension"])
            if error:
                self.add_error(*error)
        return data


def _default_dimension(figure: str | None) -> str:
    """category, or a figure's first explainable dimension when it has no category breakdown."""
    dimensions = EXPLAINABLE.get(figure, DIMENSIONS)
    return "category" if "category" in dimensions else dimensions[0]


class ExplainView(APIView):
    @extend_schema(
        operation_id="analytics_explain",
        summary="Why a KPI changed",
        description=inspect.getdoc(explain),
        parameters=[
            OpenApiParameter(
                "figure",
                OpenApiTypes.STR,
                required=True,
                enum=list(EXPLAINABLE),
                description="The KPI to explain.",
            ),
            OpenApiParameter(
                "dimension",
                OpenApiTypes.STR,
                enum=list(DIMENSIONS),
                description="Split the change by this (default category; active_customers and "
                "new_customers: country or city only, average_rating: not channel). A pair that cannot "
                "be explained is a 400 saying why.",
            ),
            OpenApiParameter(
                "date_from", OpenApiTypes.DATE, description="First day (YYYY-MM-DD, UTC), inclusive."
            ),
            OpenApiParameter(
                "date_to", OpenApiTypes.DATE, description="Last day (YYYY-MM-DD, UTC), inclusive."
            ),
            OpenApiParameter("category", OpenApiTypes.STR, description="Only this product category."),
            OpenApiParameter(
                "compare",
                OpenApiTypes.STR,
                enum=[value for value, _ in COMPARE_CHOICES],
                description="Compare with the previous period of equal length (default) or "
                "the same days a year earlier.",
            ),
        ],
        responses={200: OpenApiTypes.OBJECT},
        tags=["analytics"],
    )
    def get(self, request):
        unknown = sorted(set(request.query_params) - {*EXPLAIN_PARAMS, "format"})
        if unknown:
            raise ValidationError({name: [UNKNOWN_PARAMETER] for name in unknown})
        form = ExplainForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({field: list(messages) for field, messages in form.errors.items()})
        data = form.cleaned_data
        return Response(
            explain(
                figure=data["figure"],
                dimension=data["dimension"],
                date_range=form.date_range,
                category=form.selected_category,
                compare=form.selected_compare,
            )
        )
