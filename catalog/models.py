"""Products: fixed columns for what every product has, `attributes` for per-category specs."""

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from core.dates import validate_recorded_at
from core.validators import reject_control_characters, reject_control_characters_in_text

# The categories the seed uses; products may carry others.
CATEGORIES = (
    "Electronics",
    "Computers",
    "Home & Kitchen",
    "Clothing",
    "Shoes",
    "Beauty",
    "Sports & Outdoors",
    "Toys & Games",
    "Books",
    "Grocery",
)
PRICE_MIN = "Price cannot be negative."


class Product(models.Model):
    sku = models.CharField("SKU", max_length=32, unique=True, validators=[reject_control_characters])
    name = models.CharField(max_length=200, validators=[reject_control_characters])
    description = models.TextField(blank=True, validators=[reject_control_characters_in_text])
    category = models.CharField(max_length=100, db_index=True, validators=[reject_control_characters])
    brand = models.CharField(max_length=100, blank=True, validators=[reject_control_characters])
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0, PRICE_MIN)])
    # Per-category specs (screen size, fabric, page count...): the flexible part of a product.
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True, validators=[validate_recorded_at])
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["category", "price"], name="product_category_price")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0),
                name="product_price_not_negative",
                violation_error_message=PRICE_MIN,
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.sku})"

    def get_absolute_url(self):
        return reverse("catalog:product-detail", args=[str(self.pk)])
