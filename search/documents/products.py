"""Products in Elasticsearch (django-elasticsearch-dsl); the embedded backend indexes the same documents."""

from django_elasticsearch_dsl import Document, fields

from catalog.models import Product
from search import mappings, records

products = mappings.index("products")


@products.document
class ProductDocument(Document):
    type = fields.KeywordField()
    title = mappings.text()
    sku = mappings.text(attr="sku")
    name = mappings.text(attr="name")
    description = mappings.words(attr="description")
    category = mappings.category(attr="category")
    brand = mappings.text(attr="brand")
    price = fields.DoubleField()
    attributes = mappings.words()
    active = fields.BooleanField(attr="active")
    created_at = fields.DateField(attr="created_at")
    date = fields.DateField(attr="created_at")

    class Django:
        model = Product
        # Our search app keeps the index in step (after commit, with retry): see search.sync.
        ignore_signals = True

    def prepare_type(self, instance):
        return records.PRODUCT

    def prepare_title(self, instance):
        return instance.name

    def prepare_price(self, instance):
        return records.money(instance.price)

    def prepare_attributes(self, instance):
        return records.attributes_text(instance.attributes)
