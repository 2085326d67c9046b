"""Sales: one row per order line, priced at the time of sale."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from core.dates import validate_recorded_at
from core.validators import reject_control_characters

CENT = Decimal("0.01")

SALE_BEFORE_JOIN = "A sale cannot be dated before the customer joined ({joined:%Y-%m-%d %H:%M})."
QUANTITY_MIN = "Quantity must be at least 1."
UNIT_PRICE_MIN = "Unit price cannot be negative."
TOTAL_MIN = "Total cannot be negative."
DISCOUNT_MIN = "Discount cannot be negative."
DISCOUNT_TOO_LARGE = "Discount cannot exceed quantity × unit price ({gross})."
EXTERNAL_ID_TAKEN = "Another sale already has this external id."


class Sale(models.Model):
    class Channel(models.TextChoices):
        WEB = "web", "Web"
        MOBILE = "mobile", "Mobile app"
        STORE = "store", "Store"
        MARKETPLACE = "marketplace", "Marketplace"

    class Status(models.TextChoices):
        COMPLETED = "completed", "Completed"
        REFUNDED = "refunded", "Refunded"

    # No single-column indexes on the keys: the (key, sold_at) indexes below serve them too.
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="sales", db_index=False
    )
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="sales", db_index=False)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1, QUANTITY_MIN)])
    unit_price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(0, UNIT_PRICE_MIN)],
        help_text="Price of one unit at the time of sale.",
    )
    discount = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0, DISCOUNT_MIN)],
        help_text="Taken off the line: total = quantity × unit price − discount.",
    )
    total = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(0, TOTAL_MIN)],
        help_text="What the customer paid: quantity × unit price − discount.",
    )
    sold_at = models.DateTimeField(validators=[validate_recorded_at])
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.COMPLETED, db_index=True
    )
    # The shop's own order-line id (imports upsert by it); unique when present.
    external_id = models.CharField(
        max_length=64, blank=True, default="", validators=[reject_control_characters],
        help_text="The shop's order-line id; unique when present.",
    )

    class Meta:
        ordering = ["-sold_at", "-pk"]
        indexes = [
            # Date ranges, and the API's keyset pages ordered by (sold_at, id) on MongoDB too.
            models.Index(fields=["sold_at", "id"], name="sale_sold_at_id"),
            models.Index(fields=["product", "sold_at"], name="sale_product_sold_at"),
            models.Index(fields=["customer", "sold_at"], name="sale_customer_sold_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1),
                name="sale_quantity_positive",
                violation_error_message=QUANTITY_MIN,
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0),
                name="sale_unit_price_not_negative",
                violation_error_message=UNIT_PRICE_MIN,
            ),
            models.CheckConstraint(
                condition=models.Q(total__gte=0),
                name="sale_total_not_negative",
                violation_error_message=TOTAL_MIN,
            ),
            models.CheckConstraint(
                condition=models.Q(discount__gte=0),
                name="sale_discount_not_negative",
                violation_error_message=DISCOUNT_MIN,
            ),
            # ``__gt=""`` rather than ``~Q(external_id="")``: MongoDB's partial indexes take $gt, not $ne.
            models.UniqueConstraint(
                fields=["external_id"],
                condition=models.Q(external_id__gt=""),
                name="sale_external_id_unique",
                violation_error_message=EXTERNAL_ID_TAKEN,
            ),
        ]

    def __str__(self):
        return f"Sale {self.pk} · {self.quantity} × {self.product_id} on {self.sold_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("sales:sale-detail", args=[str(self.pk)])

    @staticmethod
    def compute_total(quantity, unit_price, discount=0) -> Decimal:
        """What the line costs: quantity × unit price − discount (the check is ``clean``'s)."""
        return (Decimal(quantity) * Decimal(unit_price) - Decimal(discount or 0)).quantize(CENT)

    def clean(self):
        # The total always follows quantity, unit price and discount, whichever path wrote them.
        if self.quantity is not None and self.unit_price is not None:
            gross = self.compute_total(self.quantity, self.unit_price)
            if self.discount is not None and self.discount > gross:
                raise ValidationError({"discount": DISCOUNT_TOO_LARGE.format(gross=gross)})
            self.total = self.compute_total(self.quantity, self.unit_price, self.discount)
        if self.customer_id and self.sold_at and self.sold_at < self.customer.joined_at:
            raise ValidationError({"sold_at": SALE_BEFORE_JOIN.format(joined=self.customer.joined_at)})

