"""ActiveCustomerDay.day_number and span (read the state on a day by a few index ranges), filled for the
rows already there."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from analytics.rollups.active import REACH_SQL, reach

    model = apps.get_model("analytics", "ActiveCustomerDay")
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"UPDATE {model._meta.db_table} SET (day_number, span) = (SELECT {REACH_SQL})")
        return
    rows = []
    for row in model.objects.only("day", "next_day").iterator(chunk_size=2000):
        for field, value in reach(row.day, row.next_day).items():
            setattr(row, field, value)
        rows.append(row)
        if len(rows) == 2000:
            model.objects.bulk_update(rows, ["day_number", "span"])
            rows = []
    model.objects.bulk_update(rows, ["day_number", "span"])


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0007_customer_value_change'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='activecustomerday',
            name='activecustomerday_state',
        ),
        migrations.AddField(
            model_name='activecustomerday',
            name='day_number',
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name='activecustomerday',
            name='span',
            field=models.SmallIntegerField(default=12),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='activecustomerday',
            index=models.Index(fields=['scope', 'span', 'day_number', 'next_day', 'sales_to_date', 'cents_to_date', 'customer'], name='activecustomerday_span'),
        ),
    ]
