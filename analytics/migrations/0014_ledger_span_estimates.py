
"""LedgerSpan's estimates (keys, day rows per day of the last four weeks), filled in here for the spans a
database already has, as a rebuild writes them."""

import datetime as dt

from django.db import migrations, models


def estimates_of_existing_rows(apps, schema_editor):
    for span in apps.get_model("analytics", "LedgerSpan").objects.all():
        rows = apps.get_model(*span.ledger.split(".")).objects
        span.keys = rows.filter(prefix=True, day=span.last).count()
        recent = rows.filter(prefix=False, day__gte=span.last - dt.timedelta(days=28), day__lt=span.last).count()
        span.day_rows_per_day = recent / 28
        span.save(update_fields=["keys", "day_rows_per_day"])


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0013_ledger_span'),
    ]

    operations = [
        migrations.AddField(
            model_name='ledgerspan',
            name='day_rows_per_day',
            field=models.FloatField(default=0.0),
        ),
        migrations.AddField(
            model_name='ledgerspan',
            name='keys',
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(estimates_of_existing_rows, migrations.RunPython.noop),
    ]
