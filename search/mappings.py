"""Pieces the Elasticsearch documents (`search.documents`, built from `search.spec`) share: names,
analyzer, settings."""

from django.conf import settings
from django_elasticsearch_dsl import Index, fields
from elasticsearch.dsl import analyzer, char_filter, token_filter

from search.text import MAX_TOKEN_CHARS

# Split and fold like tantivy's simple tokenizer + lowercase + ascii_fold (search.text.analyzer):
# the standard tokenizer keeps "ex.com", "o'neil" and "a_b" whole, so those separators become spaces.
WORDS = analyzer(
    "words",
    tokenizer="standard",
    char_filter=[
        char_filter(
            "word_separators",
            type="mapping",
            mappings=[f"{c} => \\u0020" for c in (".", "'", "’", "_", ":", ",", "@")],
        )
    ],
    filter=[
        "lowercase",
        "asciifolding",
        token_filter("words_length", type="length", max=MAX_TOKEN_CHARS - 1),
    ],
)


def index(plural: str) -> Index:
    """The index (an alias once built) for one record type, e.g. ``ecommerce-products``."""
    idx = Index(f"{settings.ELASTICSEARCH_INDEX_PREFIX}-{plural}")
    idx.settings(number_of_shards=1, number_of_replicas=0, max_result_window=10_000)
    idx.analyzer(WORDS)
    return idx


def text(**kwargs) -> fields.TextField:
    """Searchable words plus a ``raw`` keyword for exact filters, sorting and Kibana terms."""
    return fields.TextField(analyzer=WORDS, fields={"raw": fields.KeywordField(ignore_above=256)}, **kwargs)


def words(**kwargs) -> fields.TextField:
    """Searchable words only (long free text: descriptions, comments)."""
    return fields.TextField(analyzer=WORDS, **kwargs)


def category(**kwargs) -> fields.KeywordField:
    """The category: a keyword for filters and facets, with searchable words as ``category.text``."""
    return fields.KeywordField(fields={"text": fields.TextField(analyzer=WORDS)}, **kwargs)
