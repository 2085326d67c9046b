"""The Elasticsearch backend, on the django-elasticsearch-dsl documents of `search.documents`.

Each record type has an alias (``<prefix>-customers`` …) over a concrete index
(``<prefix>-customers-<timestamp>``). A rebuild fills a new concrete index, then moves the alias to it
in one atomic `update_aliases` call and drops the old one: searches never see an empty index.
"""

import contextlib
import datetime as dt
import logging
from collections.abc import Iterable
from html import escape

from django.utils import timezone
from elastic_transport import TransportError
from elasticsearch import ApiError, NotFoundError
from elasticsearch.dsl.connections import connections
from elasticsearch.helpers import BulkIndexError, bulk, parallel_bulk, streaming_bulk

from search import records, text
from search.backends.base import (
    NEWEST,
    PRICE,
    PRICE_DESC,
    BaseSearchBackend,
    DocumentRejected,
    IndexMissing,
    SearchHit,
    SearchQuery,
    SearchResults,
    SearchUnavailable,
    Suggestion,
    sorted_facet,
)

logger = logging.getLogger(__name__)

UNREACHABLE = "Elasticsearch cannot be reached or refused the request; try again shortly."
INDEX_MISSING = "The search index has not been built yet: run `manage.py search_index --rebuild`."
FIELDS = [f"{name}^{boost:g}" for name, boost in records.SEARCH_FIELDS.items()]
SOURCE = ["type", "title", "category", "price", "rating", "date"]
AGGREGATIONS = {
    "type": {"terms": {"field": "type", "size": len(records.TYPES)}},
    "category": {"terms": {"field": "category", "size": 50}},
    "rating": {"terms": {"field": "rating", "size": 5}},
}
HIGHLIGHT = {
    "encoder": "html",
    "pre_tags": ["<mark>"],
    "post_tags": ["</mark>"],
    "fields": {
        name: (
            {"fragment_size": records.FRAGMENT_CHARS, "number_of_fragments": 1}
            if name in records.LONG_FIELDS
            else {"number_of_fragments": 0}
        )
        for name in records.SNIPPET_FIELDS
    },
}
BULK_CHUNK = 2_000


@contextlib.contextmanager
def _errors():
    """Engine trouble becomes SearchUnavailable (IndexMissing for a missing index), never a 500."""
    try:
        yield
    except NotFoundError as exc:
        raise IndexMissing(INDEX_MISSING) from exc
    except BulkIndexError as exc:
        logger.warning("Elasticsearch rejected documents: %s", exc.errors[:3])
        raise DocumentRejected(f"Elasticsearch rejected a document: {exc.errors[:1]}") from exc
    except (TransportError, ApiError) as exc:
        logger.warning("Elasticsearch request failed: %s", exc)
        raise SearchUnavailable(UNREACHABLE) from exc


def _term_query(term: str, fields: list[str]) -> dict:
    return {
        "multi_match": {
            "query": term,
            "fields": fields,
            "type": "best_fields",
            "fuzziness": text.typo_distance(term),
        }
    }


def _filters(q: SearchQuery, types: Iterable[str] = ()) -> list[dict]:
    out = []
    types = list(q.types or types)
    if types:
        out.append({"terms": {"type": types}})
    if q.category:
        out.append({"term": {"category": q.category}})
    if q.rating_min is not None or q.rating_max is not None:
        out.append({"range": {"rating": _bounds(gte=q.rating_min, lte=q.rating_max)}})
    if q.price_min is not None or q.price_max is not None:
        out.append(
            {
                "range": {
                    "price": _bounds(
                        gte=None if q.price_min is None else float(q.price_min),
                        lte=None if q.price_max is None else float(q.price_max),
                    )
                }
            }
        )
    if q.start or q.end:
        out.append(
            {"range": {"date": _bounds(gte=q.start and q.start.isoformat(), lt=q.end and q.end.isoformat())}}
        )
    return out


def _bounds(**kwargs) -> dict:
    return {k: v for k, v in kwargs.items() if v is not None}


def _date(value) -> dt.datetime | None:
    if not value:
        return None
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


class ElasticsearchBackend(BaseSearchBackend):
    name = "elasticsearch"

    def __init__(self):
        self._known_aliases: set[str] = set()

    @property
    def client(self):
        # The connection django-elasticsearch-dsl configured from settings.ELASTICSEARCH_DSL.
        return connections.get_connection()

    @staticmethod
    def _index(record_type: str):
        return records.RECORD_TYPES[record_type].document._index

    def alias(self, record_type: str) -> str:
        return self._index(record_type)._name

    def _alias_exists(self, record_type: str) -> bool:
        alias = self.alias(record_type)
        if alias in self._known_aliases:
            return True
        with _errors():
            found = bool(self.client.indices.exists(index=alias))
        if found:
            self._known_aliases.add(alias)
        return found

    def _targets(self, alias: str) -> list[str]:
        """Concrete indices behind ``alias`` (or ``[alias]`` when it is a plain index)."""
        if self.client.indices.exists_alias(name=alias):
            return list(self.client.indices.get_alias(name=alias).body)
        if self.client.indices.exists(index=alias):
            return [alias]
        return []

    # --- Index management ---------------------------------------------------------------------

    def exists(self) -> bool:
        self._known_aliases.clear()
        return all(self._alias_exists(name) for name in records.TYPES)

    def _new_index(self, record_type: str) -> str:
        alias = self.alias(record_type)
        name = f"{alias}-{timezone.now():%Y%m%d%H%M%S%f}"
        with _errors():
            self._index(record_type).clone(name=name).create(using=self.client)
        return name

    def _point_alias(self, record_type: str, new_index: str) -> None:
        """Move the alias to ``new_index`` and drop what it pointed at, in one atomic call."""
        alias = self.alias(record_type)
        with _errors():
            old = [name for name in self._targets(alias) if name != new_index]
            actions = [{"add": {"index": new_index, "alias": alias}}]
            actions += [{"remove_index": {"index": name}} for name in old]
            self.client.indices.update_aliases(actions=actions)
        self._known_aliases.add(alias)

    def create(self, *, types=records.TYPES) -> None:
        for name in types:
            if not self._alias_exists(name):
                self._point_alias(name, self._new_index(name))
        self.mark_built()

    def drop(self, *, types=records.TYPES) -> None:
        with _errors():
            for name in types:
                alias = self.alias(name)
                for index in self._targets(alias):
                    self.client.indices.delete(index=index)
                self._known_aliases.discard(alias)
        if set(types) >= set(records.TYPES):
            self.forget_built()

    def _actions(self, index: str, documents):
        for record_id, doc in documents:
            yield {"_op_type": "index", "_index": index, "_id": record_id, "_source": doc}

    def index(self, record_type: str, documents) -> int:
        documents = list(documents)
        # Never built: the first rebuild will index these records. Built but gone: raises (queued).
        if not documents or not self.ready_for_writes(self._alias_exists(record_type)):
            return 0
        with _errors():
            done, _ = bulk(self.client, self._actions(self.alias(record_type), documents), refresh=True)
        return done

    def _fill(self, index: str, documents, *, progress=None, parallel=False) -> int:
        n = 0
        with _errors():
            if parallel:
                results = parallel_bulk(
                    self.client, self._actions(index, documents), chunk_size=BULK_CHUNK, thread_count=2
                )
            else:
                results = streaming_bulk(self.client, self._actions(index, documents), chunk_size=BULK_CHUNK)
            for ok, item in results:
                if not ok:
                    raise SearchUnavailable(f"Elasticsearch rejected a document: {item}")
                n += 1
                if progress and n % 1000 == 0:
                    progress(1000)
            self.client.indices.refresh(index=index)
        if progress:
            progress(n % 1000)
        return n

    def index_bulk(self, record_type, documents, *, progress=None, parallel=False) -> int:
        self.create(types=[record_type])
        return self._fill(self.alias(record_type), documents, progress=progress, parallel=parallel)

    def delete(self, record_type: str, ids) -> None:
        ids = list(ids)
        if not ids or not self.ready_for_writes(self._alias_exists(record_type)):
            return
        actions = ({"_op_type": "delete", "_index": self.alias(record_type), "_id": i} for i in ids)
        with _errors():
            _, errors = bulk(self.client, actions, refresh=True, raise_on_error=False)
        real = [e for e in errors if e.get("delete", {}).get("status") != 404]
        if real:
            raise SearchUnavailable(f"Elasticsearch refused to delete: {real[:3]}")

    def rebuild(self, *, types=records.TYPES, progress=None, parallel=False) -> dict[str, int]:
        counts = {}
        for name in types:
            new_index = self._new_index(name)
            try:
                counts[name] = self._fill(
                    new_index,
                    records.documents(name),
                    progress=progress(name) if progress else None,
                    parallel=parallel,
                )
            except BaseException:
                with contextlib.suppress(TransportError, ApiError):
                    self.client.indices.delete(index=new_index)
                raise
            self._point_alias(name, new_index)
        self.mark_built()
        return counts

    # --- Queries -------------------------------------------------------------------------------

    def _indices(self, types: Iterable[str]) -> str:
        return ",".join(self.alias(name) for name in (types or records.TYPES))

    def search(self, query: SearchQuery) -> SearchResults:
        terms = query.terms
        if not query.has_words:
            must = [{"match_none": {}}]
        elif terms:
            must = [_term_query(t, FIELDS) for t in terms]
        else:
            must = [{"match_all": {}}]
        sort = query.effective_sort
        if sort == NEWEST:
            order = [{"date": {"order": "desc"}}]
        elif sort in (PRICE, PRICE_DESC):
            order = [
                {
                    "price": {
                        "order": "asc" if sort == PRICE else "desc",
                        "missing": "_last",
                        "unmapped_type": "double",
                    }
                }
            ]
        else:
            order = ["_score"]
        with _errors():
            resp = self.client.search(
                index=self._indices(query.types),
                query={"bool": {"must": must, "filter": _filters(query)}},
                sort=order,
                from_=query.offset,
                size=query.page_size,
                track_total_hits=True,
                source=SOURCE,
                highlight=HIGHLIGHT if terms else None,
                aggs=AGGREGATIONS,
            ).body
        hits = [self._hit(h) for h in resp["hits"]["hits"]]
        facets = {
            name: sorted_facet({b["key"]: b["doc_count"] for b in resp["aggregations"][name]["buckets"]})
            for name in AGGREGATIONS
        }
        return SearchResults(query=query, hits=hits, count=resp["hits"]["total"]["value"], facets=facets)

    @staticmethod
    def _hit(h: dict) -> SearchHit:
        src = h["_source"]
        return SearchHit(
            type=src["type"],
            id=h["_id"],
            title=src.get("title") or "",
            score=h.get("_score"),
            snippets={name: " … ".join(frags) for name, frags in h.get("highlight", {}).items()},
            date=_date(src.get("date")),
            category=src.get("category"),
            price=src.get("price"),
            rating=src.get("rating"),
        )

    def autocomplete(self, prefix, *, types=(records.CUSTOMER, records.PRODUCT), limit=8) -> list[Suggestion]:
        terms = text.terms(prefix)
        if not terms:
            return []
        *whole, last = terms
        must = [_term_query(t, ["title"]) for t in whole] + [{"prefix": {"title": {"value": last}}}]
        with _errors():
            resp = self.client.search(
                index=self._indices(types),
                query={"bool": {"must": must, "filter": _filters(SearchQuery(), types)}},
                sort=[{"date": {"order": "desc"}}],
                size=limit * 3,
                source=["type", "title"],
            ).body
        matcher = text.Matcher(whole, prefix=last)
        out, seen = [], set()
        for h in resp["hits"]["hits"]:
            title = h["_source"].get("title") or ""
            if title in seen:
                continue
            seen.add(title)
            out.append(
                Suggestion(
                    type=h["_source"]["type"],
                    id=h["_id"],
                    text=title,
                    html=text.highlight(title, matcher) or escape(title),
                )
            )
            if len(out) == limit:
                break
        return out
