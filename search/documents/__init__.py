"""The django-elasticsearch-dsl documents, one per record type, built from ``search.spec``: they declare
the indices and mappings the Elasticsearch backend creates (documents are built by ``search.records``).

django-elasticsearch-dsl autodiscovers this module and registers them.
"""

from django.apps import apps
from django_elasticsearch_dsl import Document, fields

from search import mappings
from search.spec import (
    BOOLEAN,
    CATEGORY,
    DATE,
    DOUBLE,
    GEO_POINT,
    INTEGER,
    KEYWORD,
    SPECS,
    TEXT,
    WORDS,
    RecordSpec,
)

FIELD_OF_KIND = {
    KEYWORD: fields.KeywordField,
    TEXT: mappings.text,
    WORDS: mappings.words,
    CATEGORY: mappings.category,
    INTEGER: fields.IntegerField,
    DOUBLE: fields.DoubleField,
    BOOLEAN: fields.BooleanField,
    DATE: fields.DateField,
    GEO_POINT: fields.GeoPointField,
}


def _document(spec: RecordSpec) -> type[Document]:
    django = type("Django", (), {
        "model": apps.get_model(spec.model_label),
        # Our search app keeps the index in step (after commit, with retry): see search.sync.
        "ignore_signals": True,
    })
    attrs = {f.name: FIELD_OF_KIND[f.kind]() for f in spec.fields}
    cls = type(f"{spec.model_label.split('.')[1]}Document", (Document,), {
        **attrs, "Django": django, "__module__": __name__,
    })
    return mappings.index(spec.plural).document(cls)


DOCUMENTS: dict[str, type[Document]] = {name: _document(spec) for name, spec in SPECS.items()}
