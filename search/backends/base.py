"""The search backend interface (modelled on wagtail's `search/backends/base.py`) and its result types."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import NoReverseMatch, reverse

from core.filters import DateRange
from search import records, text

RELEVANCE, NEWEST, PRICE, PRICE_DESC = "relevance", "newest", "price", "-price"
SORTS = (RELEVANCE, NEWEST, PRICE, PRICE_DESC)
FACETS = ("type", "category", "rating")
# Elasticsearch's default index.max_result_window; both backends page no deeper.
MAX_RESULT_WINDOW = 10_000

Documents = Iterable[tuple[str, dict]]
Progress = Callable[[int], None] | None


class SearchError(Exception):
    """Base of the errors a backend raises."""


class SearchUnavailable(SearchError):
    """The engine cannot be reached, is busy (embedded writer lock) or answered with an error."""


class DocumentRejected(SearchUnavailable):
    """The engine is up but refused a document (a value it cannot store): the record's fault."""


class IndexMissing(SearchUnavailable):
    """The index has not been built yet (``manage.py search_index --rebuild``), or is gone."""


BUILT_BUT_MISSING = (
    "The {name} search index was built but is missing now (its folder moved or deleted, its indices "
    "gone): updates are queued. Put it back and run `manage.py search_index --drain`, or rebuild it."
)


@dataclass(frozen=True)
class SearchQuery:
    """A validated search: the text, the filters, the sort and the page."""

    text: str = ""
    types: tuple[str, ...] = ()
    category: str | None = None
    rating_min: int | None = None
    rating_max: int | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = RELEVANCE
    page: int = 1
    page_size: int = 20

    @property
    def terms(self) -> list[str]:
        return text.terms(self.text)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def start(self) -> dt.datetime | None:
        return DateRange(start=self.date_from).start_datetime()

    @property
    def end(self) -> dt.datetime | None:
        """Exclusive: midnight after ``date_to``."""
        return DateRange(end=self.date_to).end_datetime()

    @property
    def effective_sort(self) -> str:
        # With no words every hit scores the same: newest first is the useful order.
        return NEWEST if self.sort == RELEVANCE and not self.text.strip() else self.sort

    @property
    def has_words(self) -> bool:
        """False when the text has characters but no searchable word (``"***"``): nothing matches."""
        return not self.text.strip() or bool(self.terms)



def record_url(record_type: str, record_id: str) -> str:
    """The record's page (``get_absolute_url``); its admin page while that page does not exist."""
    rt = records.RECORD_TYPES[record_type]
    model = rt.model
    try:
        return model(pk=record_id).get_absolute_url()
    except NoReverseMatch:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[record_id])


@dataclass
class SearchHit:
    type: str
    id: str
    title: str
    score: float | None = None
    snippets: dict[str, str] = field(default_factory=dict)
    date: dt.datetime | None = None
    category: str | None = None
    price: float | None = None
    rating: int | None = None

    @property
    def url(self) -> str:
        return record_url(self.type, self.id)

    @property
    def title_html(self) -> str | None:
        return self.snippets.get("title")


@dataclass
class SearchResults:
    query: SearchQuery
    hits: list[SearchHit]
    count: int
    # {"type": {"product": 3, ...}, "category": {...}, "rating": {5: 2, ...}}
    facets: dict[str, dict]

    @property
    def has_next(self) -> bool:
        return self.query.offset + len(self.hits) < min(self.count, MAX_RESULT_WINDOW)

    @property
    def has_previous(self) -> bool:
        return self.query.page > 1

    @property
    def num_pages(self) -> int:
        shown = min(self.count, MAX_RESULT_WINDOW)
        return max(1, -(-shown // self.query.page_size))


@dataclass
class Suggestion:
    type: str
    id: str
    text: str
    html: str

    @property
    def url(self) -> str:
        return record_url(self.type, self.id)


def sorted_facet(counts: dict) -> dict:
    """Largest count first, then by value, so both backends list facets the same way."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))


class BaseSearchBackend:
    """What every backend does; what one cannot do raises ``NotImplementedError``."""

    name = ""
    # Set once this process has seen the build marker (IndexBuilt) in the database.
    _marked = False

    # --- Built, or never built? ---------------------------------------------------------------

    def mark_built(self) -> None:
        """Record (in the database, outside the index) that this index exists."""
        from search.models import IndexBuilt

        IndexBuilt.objects.update_or_create(backend=self.name)
        self._marked = True

    def _seen_existing(self) -> None:
        """An index that exists is marked once per process (one built before the marker existed too)."""
        if not self._marked:
            from search.models import IndexBuilt

            IndexBuilt.objects.get_or_create(backend=self.name)
            self._marked = True

    def forget_built(self) -> None:
        """The index was deleted on purpose: updates are skipped again until the next build."""
        from search.models import IndexBuilt

        IndexBuilt.objects.filter(backend=self.name).delete()
        self._marked = False

    def was_built(self) -> bool:
        from search.models import IndexBuilt

        return IndexBuilt.objects.filter(backend=self.name).exists()

    def ready_for_writes(self, present: bool) -> bool:
        """Whether an update should be written now, given whether the index is ``present``.

        Present: yes. Never built: no, and nothing is lost (the first build reads every record).
        Built but missing now: raises IndexMissing, so the update is queued rather than dropped.
        """
        if present:
            self._seen_existing()
            return True
        if self.was_built():
            raise IndexMissing(BUILT_BUT_MISSING.format(name=self.name))
        return False

    def exists(self) -> bool:
        """Whether the index (every record type's part of it) has been built."""
        raise NotImplementedError

    def create(self, *, types: Iterable[str] = records.TYPES) -> None:
        """Create empty indices for ``types`` where missing."""
        raise NotImplementedError

    def drop(self, *, types: Iterable[str] = records.TYPES) -> None:
        """Delete the indices of ``types``."""
        raise NotImplementedError

    def index(self, record_type: str, documents: Documents) -> int:
        """Add or replace a few documents, visible to searches on return."""
        raise NotImplementedError

    def index_bulk(
        self, record_type: str, documents: Documents, *, progress: Progress = None, parallel: bool = False
    ) -> int:
        """Add or replace many documents (an existing index's population)."""
        raise NotImplementedError

    def delete(self, record_type: str, ids: Iterable[str]) -> None:
        """Remove documents; ids that are not indexed are ignored."""
        raise NotImplementedError

    def rebuild(
        self,
        *,
        types: Iterable[str] = records.TYPES,
        progress: Callable[[str], Progress] | None = None,
        parallel: bool = False,
    ) -> dict[str, int]:
        """Re-index every record of ``types``; searches see the old index until the new one is complete."""
        raise NotImplementedError

    def reload(self) -> None:
        """See changes another process made (by default searches see them on return already)."""

    def search(self, query: SearchQuery) -> SearchResults:
        raise NotImplementedError

    def autocomplete(
        self, prefix: str, *, types: Iterable[str] = (records.CUSTOMER, records.PRODUCT), limit: int = 8
    ) -> list[Suggestion]:
        """Records whose title has the typed words, the last one as a prefix."""
        raise NotImplementedError

    def populate(
        self,
        *,
        types: Iterable[str] = records.TYPES,
        progress: Callable[[str], Progress] | None = None,
        parallel: bool = False,
    ) -> dict[str, int]:
        """Index every record of ``types`` into the existing index."""
        counts = {}
        for name in types:
            counts[name] = self.index_bulk(
                name,
                records.documents(name),
                progress=progress(name) if progress else None,
                parallel=parallel,
            )
        return counts
