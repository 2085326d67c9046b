"""The shop's customers (the seed's "users"), kept apart from the people who log in (auth users)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

LATITUDE_RANGE = "Latitude must be between -90 and 90."
LONGITUDE_RANGE = "Longitude must be between -180 and 180."


class Customer(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, unique=True)
    address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, db_index=True)
    country = models.CharField(max_length=100, db_index=True)
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90, LATITUDE_RANGE), MaxValueValidator(90, LATITUDE_RANGE)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180, LONGITUDE_RANGE), MaxValueValidator(180, LONGITUDE_RANGE)]
    )
    joined_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__gte=-90, latitude__lte=90),
                name="customer_latitude_range",
                violation_error_message=LATITUDE_RANGE,
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="customer_longitude_range",
                violation_error_message=LONGITUDE_RANGE,
            ),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    def get_absolute_url(self):
        return reverse("accounts:customer-detail", args=[str(self.pk)])
