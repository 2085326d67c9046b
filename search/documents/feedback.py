"""Feedback in Elasticsearch (django-elasticsearch-dsl), carrying the product's name and category and the
customer's name and city; the embedded backend indexes the same documents."""

from django_elasticsearch_dsl import Document, fields

from feedback.models import Feedback
from search import mappings, records

feedback = mappings.index("feedback")


@feedback.document
class FeedbackDocument(Document):
    type = fields.KeywordField()
    title = mappings.text()
    product_id = fields.KeywordField()
    product_name = mappings.text(attr="product.name")
    category = mappings.category(attr="product.category")
    customer_id = fields.KeywordField()
    customer_name = mappings.text(attr="customer.name")
    customer_city = mappings.text(attr="customer.city")
    rating = fields.IntegerField(attr="rating")
    comment = mappings.words(attr="comment")
    created_at = fields.DateField(attr="created_at")
    date = fields.DateField(attr="created_at")

    class Django:
        model = Feedback
        related_models = ["catalog.Product", "accounts.Customer"]
        # Our search app keeps the index in step (after commit, with retry): see search.sync.
        ignore_signals = True

    def get_queryset(self):
        return super().get_queryset().select_related("product", "customer")

    def get_instances_from_related(self, related_instance):
        return related_instance.feedback.all()

    def prepare_type(self, instance):
        return records.FEEDBACK

    def prepare_title(self, instance):
        return records.feedback_title(rating=instance.rating, product_name=instance.product.name)

    def prepare_product_id(self, instance):
        return str(instance.product_id)

    def prepare_customer_id(self, instance):
        return str(instance.customer_id)
