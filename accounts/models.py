"""The shop's customers (the seed's "users"), kept apart from the people who log in (auth users)."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from core.dates import validate_recorded_at
from core.validators import reject_control_characters

LATITUDE_RANGE = "Latitude must be between -90 and 90."
LONGITUDE_RANGE = "Longitude must be between -180 and 180."
EMAIL_TAKEN = "Another customer already has this email address."
JOINED_AFTER_RECORDS = "The customer has {what} dated {first:%Y-%m-%d %H:%M}; the join date cannot be later."


class Customer(models.Model):
    name = models.CharField(max_length=200, validators=[reject_control_characters])
    email = models.EmailField(max_length=254, unique=True)
    address = models.CharField(max_length=300, blank=True, validators=[reject_control_characters])
    city = models.CharField(max_length=100, db_index=True, validators=[reject_control_characters])
    country = models.CharField(max_length=100, db_index=True, validators=[reject_control_characters])
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90, LATITUDE_RANGE), MaxValueValidator(90, LATITUDE_RANGE)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180, LONGITUDE_RANGE), MaxValueValidator(180, LONGITUDE_RANGE)]
    )
    joined_at = models.DateTimeField(db_index=True, validators=[validate_recorded_at])

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

    def clean(self):
        errors = {}
        if self.email:
            others = Customer._default_manager.filter(email__iexact=self.email)
            if self.pk is not None:
                others = others.exclude(pk=self.pk)
            if others.exists():
                errors["email"] = EMAIL_TAKEN
        if self.pk is not None and self.joined_at is not None:
            # Through the reverse relations (related_name "sales" / "feedback"): accounts never
            # imports the apps above it.
            reverse_relations = (("a sale", "sales", "sold_at"), ("feedback", "feedback", "created_at"))
            for what, manager, field in reverse_relations:
                first = (
                    getattr(self, manager).filter(**{f"{field}__lt": self.joined_at})
                    .order_by(field).values_list(field, flat=True).first()
                )
                if first is not None:
                    errors["joined_at"] = JOINED_AFTER_RECORDS.format(what=what, first=first)
                    break
        if errors:
            raise ValidationError(errors)
