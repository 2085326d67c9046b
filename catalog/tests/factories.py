import datetime as dt
from decimal import Decimal

import factory

from catalog.models import Product


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:06d}")
    name = factory.Faker("catch_phrase")
    description = factory.Faker("sentence")
    category = "Electronics"
    brand = factory.Faker("company")
    price = Decimal("19.99")
    attributes = factory.LazyFunction(lambda: {"color": "black"})
    created_at = dt.datetime(2023, 6, 1, tzinfo=dt.timezone.utc)
    active = True
