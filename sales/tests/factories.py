import datetime as dt

import factory

from accounts.tests.factories import CustomerFactory
from catalog.tests.factories import ProductFactory
from sales.models import Sale


class SaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sale

    customer = factory.SubFactory(CustomerFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 1
    unit_price = factory.SelfAttribute("product.price")
    total = factory.LazyAttribute(lambda o: Sale.compute_total(o.quantity, o.unit_price))
    sold_at = dt.datetime(2025, 3, 15, 12, 0, tzinfo=dt.timezone.utc)
    channel = Sale.Channel.WEB
    status = Sale.Status.COMPLETED
