"""Customer feedback on a product: a 1–5 rating and a comment."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from core.dates import validate_recorded_at
from core.validators import reject_control_characters, reject_control_characters_in_text

RATING_RANGE = "Rating must be between 1 and 5."
EXTERNAL_ID_TAKEN = "Other feedback already has this external id."
FEEDBACK_BEFORE_JOIN = "Feedback cannot be dated before the customer joined ({joined:%Y-%m-%d %H:%M})."


class Feedback(models.Model):
    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="feedback")
    # Served by the (product, created_at) index below.
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="feedback", db_index=False
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1, RATING_RANGE), MaxValueValidator(5, RATING_RANGE)],
        db_index=True,
    )
    comment = models.TextField(blank=True, validators=[reject_control_characters_in_text])
    created_at = models.DateTimeField(validators=[validate_recorded_at])
    # The shop's own review id (imports upsert by it); unique when present.
    external_id = models.CharField(
        max_length=64, blank=True, default="", validators=[reject_control_characters],
        help_text="The shop's review id; unique when present.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "feedback"
        indexes = [
            # Date ranges, and the API's keyset pages ordered by (created_at, id) on MongoDB too.
            models.Index(fields=["created_at", "id"], name="feedback_created_id"),
            models.Index(fields=["product", "created_at"], name="feedback_product_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5),
                name="feedback_rating_1_to_5",
                violation_error_message=RATING_RANGE,
            ),
            # ``__gt=""`` rather than ``~Q(external_id="")``: MongoDB's partial indexes take $gt, not $ne.
            models.UniqueConstraint(
                fields=["external_id"],
                condition=models.Q(external_id__gt=""),
                name="feedback_external_id_unique",
                violation_error_message=EXTERNAL_ID_TAKEN,
            ),
        ]

    def __str__(self):
        return f"{self.rating}★ on {self.product_id} by {self.customer_id}"

    def get_absolute_url(self):
        return reverse("feedback:feedback-detail", args=[str(self.pk)])

    def clean(self):
        if self.customer_id and self.created_at and self.created_at < self.customer.joined_at:
            raise ValidationError(
                {"created_at": FEEDBACK_BEFORE_JOIN.format(joined=self.customer.joined_at)}
            )
