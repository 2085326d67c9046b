"""The shapes /api/search/ and /api/search/autocomplete/ return, for the OpenAPI schema.

The views build these dicts directly (`search.api.results_data`): at 20 hits a page, DRF field
serialization would cost more than the search itself.
"""

from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers


class HitSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["customer", "product", "sale", "feedback"])
    id = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField(help_text="The record's page.")
    snippets = serializers.DictField(
        child=serializers.CharField(), help_text="Field → HTML with matching words in <mark> (text escaped)."
    )
    score = serializers.FloatField(
        allow_null=True, help_text="Relevance (null when sorted by date or price)."
    )
    date = serializers.DateTimeField(allow_null=True)
    category = serializers.CharField(allow_null=True)
    price = serializers.FloatField(allow_null=True)
    rating = serializers.IntegerField(allow_null=True)


class FacetValueSerializer(serializers.Serializer):
    value = serializers.JSONField()
    count = serializers.IntegerField()


class SearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    next = serializers.CharField(allow_null=True, help_text="URL of the next page.")
    previous = serializers.CharField(allow_null=True, help_text="URL of the previous page.")
    results = HitSerializer(many=True)
    facets = serializers.DictField(
        child=FacetValueSerializer(many=True), help_text="Counts by type, category and rating."
    )


class SuggestionSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.CharField()
    text = serializers.CharField()
    html = serializers.CharField()
    url = serializers.CharField()


class AutocompleteResponseSerializer(serializers.Serializer):
    suggestions = SuggestionSerializer(many=True)


_TYPES = {
    forms.IntegerField: OpenApiTypes.INT,
    forms.DecimalField: OpenApiTypes.NUMBER,
    forms.DateField: OpenApiTypes.DATE,
}


def query_parameters(form_class) -> list[OpenApiParameter]:
    """The form's fields as documented query parameters (the form is what validates them)."""
    params = []
    for name, field in form_class.base_fields.items():
        many = isinstance(field, forms.MultipleChoiceField)
        choices = [value for value, _ in field.choices] if isinstance(field, forms.ChoiceField) else None
        params.append(
            OpenApiParameter(
                name,
                _TYPES.get(type(field), OpenApiTypes.STR),
                OpenApiParameter.QUERY,
                required=field.required,
                many=many,
                enum=choices,
                description=str(field.help_text or ""),
            )
        )
    return params
