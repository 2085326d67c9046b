"""The search box's parameters: validated here so bad input is a 400 naming the field, never a 500."""

from django import forms

from core.filters import RangeFilterForm
from search import records, text
from search.backends.base import MAX_RESULT_WINDOW, RELEVANCE, SORTS, SearchQuery

MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 32
MAX_PAGE_SIZE = 100
TOO_MANY_TERMS = f"Use at most {MAX_QUERY_TERMS} words."
RATING_ORDER = "rating_min must be at most rating_max."
PRICE_ORDER = "price_min must be at most price_max."
UNKNOWN_PARAMETER = "Unknown parameter. Search takes: {names}."
TOO_DEEP = (
    f"Results are available up to the {MAX_RESULT_WINDOW:,}th; narrow the search instead of paging further."
)
SORT_LABELS = {
    "relevance": "Relevance",
    "newest": "Newest",
    "price": "Price: low to high",
    "-price": "Price: high to low",
}
TYPE_LABELS = {
    records.CUSTOMER: "Customers",
    records.PRODUCT: "Products",
    records.SALE: "Sales",
    records.FEEDBACK: "Feedback",
}


class SearchForm(RangeFilterForm):
    q = forms.CharField(required=False, max_length=MAX_QUERY_CHARS, label="Search")
    type = forms.MultipleChoiceField(
        required=False, choices=list(TYPE_LABELS.items()), widget=forms.CheckboxSelectMultiple
    )
    rating_min = forms.IntegerField(required=False, min_value=1, max_value=5)
    rating_max = forms.IntegerField(required=False, min_value=1, max_value=5)
    price_min = forms.DecimalField(required=False, min_value=0, max_digits=12, decimal_places=2)
    price_max = forms.DecimalField(required=False, min_value=0, max_digits=12, decimal_places=2)
    sort = forms.ChoiceField(required=False, choices=[(s, SORT_LABELS[s]) for s in SORTS])
    page = forms.IntegerField(required=False, min_value=1)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)

    @classmethod
    def unknown_parameters(cls, params, *, also: tuple[str, ...] = ()) -> dict[str, list[str]]:
        """Errors for the parameters this form does not read (a typo'd filter is not ignored)."""
        allowed = {*cls.base_fields, *also}
        message = UNKNOWN_PARAMETER.format(names=", ".join(sorted(allowed)))
        return {name: [message] for name in sorted(set(params) - allowed)}

    def clean_q(self):
        q = self.cleaned_data["q"]
        if len(text.terms(q)) > MAX_QUERY_TERMS:
            raise forms.ValidationError(TOO_MANY_TERMS)
        return q

    def clean(self):
        data = super().clean()
        if _both(data, "rating_min", "rating_max") and data["rating_min"] > data["rating_max"]:
            self.add_error("rating_max", RATING_ORDER)
        if _both(data, "price_min", "price_max") and data["price_min"] > data["price_max"]:
            self.add_error("price_max", PRICE_ORDER)
        page, size = data.get("page") or 1, data.get("page_size") or 20
        if "page" not in self.errors and page * size > MAX_RESULT_WINDOW:
            self.add_error("page", TOO_DEEP)
        return data

    def to_query(self) -> SearchQuery:
        d = self.cleaned_data
        return SearchQuery(
            text=d.get("q") or "",
            types=tuple(d.get("type") or ()),
            category=d.get("category") or None,
            rating_min=d.get("rating_min"),
            rating_max=d.get("rating_max"),
            price_min=d.get("price_min"),
            price_max=d.get("price_max"),
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
            sort=d.get("sort") or RELEVANCE,
            page=d.get("page") or 1,
            page_size=d.get("page_size") or 20,
        )


class AutocompleteForm(forms.Form):
    q = forms.CharField(max_length=100)
    type = forms.MultipleChoiceField(required=False, choices=list(TYPE_LABELS.items()))
    limit = forms.IntegerField(required=False, min_value=1, max_value=20)


def _both(data: dict, a: str, b: str) -> bool:
    return data.get(a) is not None and data.get(b) is not None
