"""The embedded backend: one tantivy index under ``SEARCH_INDEX_DIR`` holding all four record types.

Traps this module avoids (tantivy 0.27): documents are built with ``Document.from_dict(doc, schema)``
(keyword construction treats ints as i64 and kills the writer); documents are keyed by a raw text
field (``delete_documents_by_term`` on an unsigned field deletes nothing); one writer per index at a
time, so every write goes through ``_writer()`` (a second writer, in this process or another, raises
LockBusy, which we report as ``SearchUnavailable`` so the sync queue retries later).

A rebuild deletes and re-adds everything in one writer and commits once: readers keep seeing the old
documents until that commit, so search is never empty during a rebuild.
"""

import contextlib
import datetime as dt
import logging
import shutil
import threading
import time
from collections.abc import Iterable
from html import escape
from pathlib import Path

import tantivy
from django.conf import settings
from tantivy import FieldType, Occur, Query

from search import records, text
from search.backends.base import (
    NEWEST,
    PRICE,
    PRICE_DESC,
    BaseSearchBackend,
    Documents,
    IndexMissing,
    SearchHit,
    SearchQuery,
    SearchResults,
    SearchUnavailable,
    Suggestion,
    sorted_facet,
)
from search.spec import CATEGORY, SPECS

logger = logging.getLogger(__name__)

# Bump when the schema below changes: the index then lives in a new directory and is rebuilt.
SCHEMA_VERSION = 1
WORDS = "words"
# Searched text fields (Elasticsearch names → tantivy names) and their weights.
FIELDS = {name.replace(".", "_"): boost for name, boost in records.SEARCH_FIELDS.items()}
# Every searched word also goes to `all`, where one fuzzy query per term finds typos in any field.
ALL = "all"
FUZZY_WEIGHT = 0.1
STORED = ("key", "type", "id", "category", "price", "rating", "date", *FIELDS)
UNWRITABLE = "The search index at {path} cannot be written ({error}); updates are queued."
WRITER_BUSY = "The search index is being written by another process (a rebuild?); try again shortly."
INDEX_MISSING = "The search index has not been built yet: run `manage.py search_index --rebuild`."
AGGREGATIONS = {
    "type": {"terms": {"field": "type", "size": len(records.TYPES)}},
    "category": {"terms": {"field": "category", "size": 50}},
    "rating": {"terms": {"field": "rating", "size": 5}},
}
SMALL_HEAP = 20_000_000
# A rebuild's writer heap, per thread. At the large seed (1.31M documents) 128 MB builds as fast as
# 256 MB (22 s against 24-25 s, 6 segments against 3) with 160 MB less memory: after an import the
# search step set the process's peak (682 MB with 256; bench/import.py).
BULK_HEAP = 128_000_000
BUSY_RETRIES = 5
# tantivy stores dates as i64 nanoseconds since 1970: a document's date outside this span is left out
# (the record stays searchable by its words), and a filter's bounds are clamped to it.
DATE_MIN = dt.datetime(1677, 9, 22, tzinfo=dt.timezone.utc)
DATE_MAX = dt.datetime(2262, 4, 11, tzinfo=dt.timezone.utc)


def _date_in_span(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return value if DATE_MIN <= aware <= DATE_MAX else None


def _date_bound(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else min(max(value, DATE_MIN), DATE_MAX)


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("key", tokenizer_name="raw")
    sb.add_text_field("type", stored=True, fast=True, tokenizer_name="raw")
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("category", stored=True, fast=True, tokenizer_name="raw")
    for name in FIELDS:
        sb.add_text_field(name, stored=True, tokenizer_name=WORDS)
    sb.add_text_field(ALL, tokenizer_name=WORDS, index_option="basic")
    sb.add_float_field("price", stored=True, indexed=True, fast=True)
    sb.add_integer_field("rating", stored=True, indexed=True, fast=True)
    sb.add_date_field("date", stored=True, indexed=True, fast=True)
    return sb.build()


def _searched(spec) -> tuple[tuple[str, str], ...]:
    """The searched fields a type's documents can have: (tantivy name, document key)."""
    pairs = (("category_text", f.name) if f.kind == CATEGORY else (f.name, f.name) for f in spec.fields)
    return tuple((name, key) for name, key in pairs if name in FIELDS)


_TYPE_FIELDS = {name: _searched(spec) for name, spec in SPECS.items()}


def to_tantivy(record_type: str, record_id: str, doc: dict) -> dict:
    """The tantivy fields of one search document (None and empty values left out)."""
    out = {"key": f"{record_type}:{record_id}", "type": record_type, "id": record_id}
    words = []
    for name, key in _TYPE_FIELDS[record_type]:
        value = doc.get(key)
        if value:
            out[name] = value
            words.append(value)
    if words:
        out[ALL] = " ".join(words)
    category = doc.get("category")
    if category:
        out["category"] = category
    for name in ("price", "rating"):
        value = doc.get(name)
        if value is not None:
            out[name] = value
    date = _date_in_span(doc.get("date"))
    if date is not None:
        out["date"] = date
    return out


class EmbeddedBackend(BaseSearchBackend):
    name = "embedded"

    def __init__(self):
        self.root = Path(settings.SEARCH_INDEX_DIR)
        self.path = self.root / f"records-v{SCHEMA_VERSION}"
        self.schema = build_schema()
        self._index: tantivy.Index | None = None
        self._index_dir_id: int | None = None
        self._lock = threading.RLock()

    # --- Index and writer --------------------------------------------------------------------

    def exists(self) -> bool:
        return (self.path / "meta.json").exists()

    def _open(self, *, create: bool = False) -> tantivy.Index:
        """The index, reopened if its directory was replaced; IndexMissing when not built."""
        with self._lock:
            if not self.exists():
                if not create:
                    self._index = None
                    raise IndexMissing(INDEX_MISSING)
            try:
                if create:
                    self.path.mkdir(parents=True, exist_ok=True)
                dir_id = self.path.stat().st_ino
                if self._index is None or dir_id != self._index_dir_id:
                    index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
                    index.register_tokenizer(WORDS, text.analyzer())
                    self._index, self._index_dir_id = index, dir_id
            except FileNotFoundError as exc:  # moved away between the check and the open
                self._index = None
                raise IndexMissing(INDEX_MISSING) from exc
            except (OSError, ValueError) as exc:
                self._index = None
                raise self._unwritable(exc) from exc
            return self._index

    def reload(self) -> None:
        # tantivy's reader follows other processes' commits by itself, after a short delay.
        with self._lock:
            if self._index is not None:
                with contextlib.suppress(ValueError):
                    self._index.reload()

    def _unwritable(self, exc: Exception) -> SearchUnavailable:
        logger.warning("Search index at %s unusable: %s", self.path, exc)
        return SearchUnavailable(UNWRITABLE.format(path=self.path, error=str(exc)[:300]))

    @contextlib.contextmanager
    def _writer(self, *, bulk: bool = False, create: bool = False, threads: int = 1, heap: int = SMALL_HEAP):
        """The one writer: committed on success, rolled back on error, lock released on exit."""
        with self._lock:
            index = self._open(create=create)
            writer = None
            for attempt in range(1 if bulk else BUSY_RETRIES):
                try:
                    writer = index.writer(heap_size=heap * threads, num_threads=threads)
                    break
                except ValueError as exc:
                    if "LockBusy" not in str(exc):
                        raise self._unwritable(exc) from exc
                    time.sleep(0.01 * (attempt + 1))
            if writer is None:
                raise SearchUnavailable(WRITER_BUSY)
            try:
                yield writer
                try:
                    writer.commit()
                except ValueError as exc:  # tantivy's IoError: the folder is read-only, full or gone
                    raise self._unwritable(exc) from exc
            except BaseException:
                with contextlib.suppress(ValueError):
                    writer.rollback()
                if not bulk:
                    # Release the lock now: the exception's traceback may keep this writer alive.
                    with contextlib.suppress(ValueError):
                        writer.wait_merging_threads()
                raise
            finally:
                if bulk:
                    writer.wait_merging_threads()
                del writer
            index.reload()

    def _add(self, writer, record_type: str, documents: Documents, *, replace: bool, progress=None) -> int:
        schema, n = self.schema, 0
        from_dict, add = tantivy.Document.from_dict, writer.add_document
        for record_id, doc in documents:
            if replace:
                writer.delete_documents_by_term("key", f"{record_type}:{record_id}")
            document = from_dict(to_tantivy(record_type, record_id, doc), schema)  # the record's errors
            try:
                add(document)
            except ValueError as exc:  # the writer's: a segment flush the folder refused
                raise self._unwritable(exc) from exc
            n += 1
            if progress and n % 1000 == 0:
                progress(1000)
        if progress:
            progress(n % 1000)
        return n

    # --- Writes --------------------------------------------------------------------------------

    def create(self, *, types: Iterable[str] = records.TYPES) -> None:
        self._open(create=True)
        self.mark_built()

    def drop(self, *, types: Iterable[str] = records.TYPES) -> None:
        types = set(types)
        if types >= set(records.TYPES):
            with self._lock:
                self._index = None
                shutil.rmtree(self.path, ignore_errors=True)
            self.forget_built()
            return
        if not self.ready_for_writes(self.exists()):
            return
        with self._writer() as writer:
            for name in types:
                writer.delete_documents_by_term("type", name)

    def index(self, record_type: str, documents: Documents) -> int:
        documents = list(documents)
        # Never built: the first rebuild will index these records. Built but gone: raises (queued).
        if not documents or not self.ready_for_writes(self.exists()):
            return 0
        with self._writer() as writer:
            return self._add(writer, record_type, documents, replace=True)

    @staticmethod
    def _bulk_heap(types: Iterable[str]) -> int:
        # A big heap means fewer segments to merge, but costs time to set up: size it to the work.
        return BULK_HEAP if sum(records.count(name) for name in types) > 50_000 else SMALL_HEAP

    def index_bulk(self, record_type, documents, *, progress=None, parallel=False) -> int:
        with self._writer(
            bulk=True, create=True, threads=2 if parallel else 1, heap=self._bulk_heap([record_type])
        ) as writer:
            n = self._add(writer, record_type, documents, replace=True, progress=progress)
        self.mark_built()
        return n

    def delete(self, record_type: str, ids: Iterable[str]) -> None:
        ids = list(ids)
        if not ids or not self.ready_for_writes(self.exists()):
            return
        with self._writer() as writer:
            for record_id in ids:
                writer.delete_documents_by_term("key", f"{record_type}:{record_id}")

    def rebuild(self, *, types=records.TYPES, progress=None, parallel=False) -> dict[str, int]:
        types = list(types)
        counts = {}
        with self._writer(
            bulk=True, create=True, threads=2 if parallel else 1, heap=self._bulk_heap(types)
        ) as writer:
            if set(types) >= set(records.TYPES):
                writer.delete_all_documents()
            else:
                for name in types:
                    writer.delete_documents_by_term("type", name)
            for name in types:
                counts[name] = self._add(
                    writer,
                    name,
                    records.documents(name),
                    replace=False,
                    progress=progress(name) if progress else None,
                )
        self.mark_built()
        self._remove_old_versions()
        return counts

    def populate(self, *, types=records.TYPES, progress=None, parallel=False) -> dict[str, int]:
        # Replacing every document of a type is a rebuild of that type (one commit, no duplicates).
        return self.rebuild(types=types, progress=progress, parallel=parallel)

    def _remove_old_versions(self) -> None:
        for old in self.root.glob("records-v*"):
            if old != self.path and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)

    # --- Queries -------------------------------------------------------------------------------

    def _term_query(self, term: str, fields: dict[str, float]) -> Query:
        """One query term: its exact form in any field (best field's BM25), or a typo of it anywhere."""
        exact = Query.disjunction_max_query(
            [Query.boost_query(Query.term_query(self.schema, f, term), boost) for f, boost in fields.items()]
        )
        distance = text.typo_distance(term)
        if not distance:
            return exact
        fuzzy_field = ALL if len(fields) > 1 else next(iter(fields))
        fuzzy = Query.const_score_query(
            Query.fuzzy_term_query(self.schema, fuzzy_field, term, distance=distance), FUZZY_WEIGHT
        )
        return Query.boolean_query([(Occur.Should, exact), (Occur.Should, fuzzy)])

    def _filters(self, q: SearchQuery, types: Iterable[str] = ()) -> list[Query]:
        s, out = self.schema, []
        types = list(q.types or types)
        if types:
            out.append(Query.term_set_query(s, "type", types))
        if q.category:
            out.append(Query.term_query(s, "category", q.category))
        if q.rating_min is not None or q.rating_max is not None:
            out.append(Query.range_query(s, "rating", FieldType.Integer, q.rating_min, q.rating_max))
        if q.price_min is not None or q.price_max is not None:
            lo = None if q.price_min is None else float(q.price_min)
            hi = None if q.price_max is None else float(q.price_max)
            out.append(Query.range_query(s, "price", FieldType.Float, lo, hi))
        if q.start or q.end:
            # An open end is inclusive in tantivy (include_upper=False with no bound is an error).
            start, end = _date_bound(q.start), _date_bound(q.end)
            out.append(Query.range_query(s, "date", FieldType.Date, start, end, include_upper=end is None))
        return out

    @staticmethod
    def _combine(main: Query, filters: list[Query]) -> Query:
        if not filters:
            return main
        return Query.boolean_query(
            [(Occur.Must, main)] + [(Occur.Must, Query.const_score_query(f, 0.0)) for f in filters]
        )

    def search(self, query: SearchQuery) -> SearchResults:
        index = self._open()
        searcher = index.searcher()
        terms = query.terms
        if not query.has_words:
            main = Query.empty_query()
        elif terms:
            main = Query.boolean_query([(Occur.Must, self._term_query(t, FIELDS)) for t in terms])
        else:
            main = Query.all_query()
        full = self._combine(main, self._filters(query))
        sort = query.effective_sort
        order = {}
        if sort == NEWEST:
            order = {"order_by_field": "date", "order": tantivy.Order.Desc}
        elif sort in (PRICE, PRICE_DESC):
            order = {
                "order_by_field": "price",
                "order": tantivy.Order.Asc if sort == PRICE else tantivy.Order.Desc,
            }
        # No count here: every document has a type, so the type facet's buckets add up to the total,
        # and without counting tantivy can skip blocks that cannot reach the top of the page.
        result = searcher.search(full, limit=query.page_size, offset=query.offset, count=False, **order)
        matcher = text.Matcher(terms)
        hits = []
        for value, address in result.hits:
            hits.append(self._hit(searcher.doc(address).to_dict(), None if order else value, matcher))
        aggs = searcher.aggregate(full, AGGREGATIONS)
        facets = {
            name: sorted_facet({b["key"]: b["doc_count"] for b in aggs.get(name, {}).get("buckets", [])})
            for name in AGGREGATIONS
        }
        return SearchResults(query=query, hits=hits, count=sum(facets["type"].values()), facets=facets)

    @staticmethod
    def _hit(doc: dict, score, matcher: text.Matcher) -> SearchHit:
        first = {k: v[0] for k, v in doc.items() if v}
        snippets = {}
        if matcher.query_terms:
            for name in records.SNIPPET_FIELDS:
                if name in first:
                    html = text.highlight(
                        first[name],
                        matcher,
                        fragment_chars=records.FRAGMENT_CHARS if name in records.LONG_FIELDS else None,
                    )
                    if html:
                        snippets[name] = html
        return SearchHit(
            type=first["type"],
            id=first["id"],
            title=first.get("title", ""),
            score=score,
            snippets=snippets,
            date=first.get("date"),
            category=first.get("category"),
            price=first.get("price"),
            rating=first.get("rating"),
        )

    def autocomplete(self, prefix, *, types=(records.CUSTOMER, records.PRODUCT), limit=8) -> list[Suggestion]:
        terms = text.terms(prefix)
        if not terms:
            return []
        index = self._open()
        searcher = index.searcher()
        *whole, last = terms
        title = {"title": 1.0}
        parts = [(Occur.Must, self._term_query(t, title)) for t in whole]
        parts.append(
            (Occur.Must, Query.fuzzy_term_query(self.schema, "title", last, distance=0, prefix=True))
        )
        full = self._combine(Query.boolean_query(parts), self._filters(SearchQuery(), types))
        result = searcher.search(full, limit=limit * 3, order_by_field="date", order=tantivy.Order.Desc)
        matcher = text.Matcher(whole, prefix=last)
        out, seen = [], set()
        for _, address in result.hits:
            doc = searcher.doc(address)
            title_text = doc.get_first("title") or ""
            if title_text in seen:
                continue
            seen.add(title_text)
            out.append(
                Suggestion(
                    type=doc.get_first("type"),
                    id=doc.get_first("id"),
                    text=title_text,
                    html=text.highlight(title_text, matcher) or escape(title_text),
                )
            )
            if len(out) == limit:
                break
        return out
