"""The django-elasticsearch-dsl documents, one module per record type (imported here so that
django-elasticsearch-dsl's autodiscovery of ``search.documents`` registers them all)."""

from search.documents.customers import CustomerDocument
from search.documents.feedback import FeedbackDocument
from search.documents.products import ProductDocument
from search.documents.sales import SaleDocument

__all__ = ["CustomerDocument", "FeedbackDocument", "ProductDocument", "SaleDocument"]
