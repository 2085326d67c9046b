"""CohortWeekCell: the cohort cells by ISO week, filled from the sales already there."""

from django.db import migrations, models


def fill(apps, schema_editor):
    """The weekly cells of the sales already there (one pass, as the rollup rebuild makes them)."""
    import datetime as dt

    from analytics.rollups.cohorts import cells_from_ordered
    from analytics.rollups.ledger import cents

    categories = dict(apps.get_model("catalog", "Product").objects.values_list("pk", "category"))
    sales = (
        apps.get_model("sales", "Sale").objects.filter(status="completed").order_by("customer_id", "sold_at")
        .values_list("customer_id", "sold_at", "product_id", "channel", "total")
    )
    _, _, weekly = cells_from_ordered(
        (customer_id, sold_at.astimezone(dt.timezone.utc).date().isoformat(), categories[product_id], channel,
         cents(total))
        for customer_id, sold_at, product_id, channel, total in sales.iterator(chunk_size=5000)
    )
    model = apps.get_model("analytics", "CohortWeekCell")
    model.objects.bulk_create([
        model(category=category, channel=channel, cohort=dt.date.fromisoformat(first),
              week=dt.date.fromisoformat(week), customers=customers, returned=returned, orders=orders,
              revenue_cents=revenue)
        for (category, channel, first, week), (customers, returned, orders, revenue) in weekly.items()
    ], batch_size=5000)


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0008_customer_state_span'),
        ('catalog', '0002_alter_product_brand_alter_product_category_and_more'),
        ('sales', '0006_external_id_and_discount'),
    ]

    operations = [
        migrations.CreateModel(
            name='CohortWeekCell',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('category', models.CharField(max_length=100)),
                ('channel', models.CharField(max_length=16)),
                ('cohort', models.DateField()),
                ('week', models.DateField()),
                ('customers', models.BigIntegerField(default=0)),
                ('returned', models.BigIntegerField(default=0)),
                ('orders', models.BigIntegerField(default=0)),
                ('revenue_cents', models.BigIntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('category', 'channel', 'cohort', 'week'), name='cohortweekcell_key')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
