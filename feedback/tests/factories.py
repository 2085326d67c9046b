import datetime as dt

import factory

from accounts.tests.factories import CustomerFactory
from catalog.tests.factories import ProductFactory
from feedback.models import Feedback


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    customer = factory.SubFactory(CustomerFactory)
    product = factory.SubFactory(ProductFactory)
    rating = 4
    comment = factory.Faker("sentence")
    created_at = dt.datetime(2025, 3, 20, 9, 30, tzinfo=dt.timezone.utc)
