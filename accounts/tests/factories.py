import datetime as dt

import factory

from accounts.models import Customer


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    address = factory.Faker("street_address")
    city = factory.Iterator(["Lisbon", "Berlin", "Austin", "Osaka"])
    country = factory.Iterator(["PT", "DE", "US", "JP"])
    latitude = factory.Faker("pyfloat", min_value=-80, max_value=80)
    longitude = factory.Faker("pyfloat", min_value=-170, max_value=170)
    joined_at = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
