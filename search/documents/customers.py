"""Customers in Elasticsearch (django-elasticsearch-dsl); the embedded backend indexes the same documents."""

from django_elasticsearch_dsl import Document, fields

from accounts.models import Customer
from search import mappings, records

customers = mappings.index("customers")


@customers.document
class CustomerDocument(Document):
    type = fields.KeywordField()
    title = mappings.text()
    name = mappings.text(attr="name")
    email = mappings.text(attr="email")
    address = mappings.words(attr="address")
    city = mappings.text(attr="city")
    country = mappings.text(attr="country")
    location = fields.GeoPointField()
    joined_at = fields.DateField(attr="joined_at")
    date = fields.DateField(attr="joined_at")

    class Django:
        model = Customer
        # Our search app keeps the index in step (after commit, with retry): see search.sync.
        ignore_signals = True

    def prepare_type(self, instance):
        return records.CUSTOMER

    def prepare_title(self, instance):
        return instance.name

    def prepare_location(self, instance):
        return records.location(instance.latitude, instance.longitude)
