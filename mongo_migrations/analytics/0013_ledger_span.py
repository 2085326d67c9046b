"""LedgerSpan: each ledger's first and last Monday with prefix rows, which figures read by key instead of
two ordered reads of the ledger. Filled here from the prefix rows a database already has."""

import django_mongodb_backend.fields
from django.db import migrations, models

LEDGERS = ("productledger", "cityledger", "cityjoinledger")


def spans_of_existing_rows(apps, schema_editor):
    span = apps.get_model("analytics", "LedgerSpan")
    for name in LEDGERS:
        days = apps.get_model("analytics", name).objects.filter(prefix=True).values_list("day", flat=True)
        first = days.order_by("day").first()
        if first is not None:
            span.objects.create(ledger=f"analytics.{name}", first=first, last=days.order_by("-day").first())


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0012_cohort_week_cell_covering'),
    ]

    operations = [
        migrations.CreateModel(
            name='LedgerSpan',
            fields=[
                ('id', django_mongodb_backend.fields.ObjectIdAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('ledger', models.CharField(max_length=100, unique=True)),
                ('first', models.DateField()),
                ('last', models.DateField()),
            ],
        ),
        migrations.RunPython(spans_of_existing_rows, migrations.RunPython.noop),
    ]
