"""CohortWeekCell: a covering index for a scope's matrix (one index range, no document fetches)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0011_city_ledger_units_feedback"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="cohortweekcell",
            index=models.Index(
                fields=["category", "channel", "cohort", "week", "customers", "returned", "orders", "revenue_cents"],
                name="cohortweekcell_cells",
            ),
        ),
    ]
