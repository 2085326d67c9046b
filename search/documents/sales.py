"""Sales in Elasticsearch (django-elasticsearch-dsl), carrying the product's name and category and the
customer's name and city; the embedded backend indexes the same documents."""

from django_elasticsearch_dsl import Document, fields

from sales.models import Sale
from search import mappings, records

sales = mappings.index("sales")


@sales.document
class SaleDocument(Document):
    type = fields.KeywordField()
    title = mappings.text()
    product_id = fields.KeywordField()
    product_name = mappings.text(attr="product.name")
    category = mappings.category(attr="product.category")
    customer_id = fields.KeywordField()
    customer_name = mappings.text(attr="customer.name")
    customer_city = mappings.text(attr="customer.city")
    quantity = fields.IntegerField(attr="quantity")
    unit_price = fields.DoubleField()
    total = fields.DoubleField()
    price = fields.DoubleField()
    channel = fields.KeywordField(attr="channel")
    status = fields.KeywordField(attr="status")
    sold_at = fields.DateField(attr="sold_at")
    date = fields.DateField(attr="sold_at")

    class Django:
        model = Sale
        related_models = ["catalog.Product", "accounts.Customer"]
        # Our search app keeps the index in step (after commit, with retry): see search.sync.
        ignore_signals = True

    def get_queryset(self):
        return super().get_queryset().select_related("product", "customer")

    def get_instances_from_related(self, related_instance):
        return related_instance.sales.all()

    def prepare_type(self, instance):
        return records.SALE

    def prepare_title(self, instance):
        return records.sale_title(pk=instance.pk, product_name=instance.product.name)

    def prepare_product_id(self, instance):
        return str(instance.product_id)

    def prepare_customer_id(self, instance):
        return str(instance.customer_id)

    def prepare_unit_price(self, instance):
        return records.money(instance.unit_price)

    def prepare_total(self, instance):
        return records.money(instance.total)

    def prepare_price(self, instance):
        return records.money(instance.unit_price)
