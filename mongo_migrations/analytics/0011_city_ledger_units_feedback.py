"""CityLedger.units, feedback and rating_sum: units and average rating by the buyer's city and country.
They start at 0 on rows already there; run ``manage.py rebuild_rollups`` once after migrating."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0010_cohort_week_cell_last'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='cityledger',
            name='cityledger_covering',
        ),
        migrations.AddField(
            model_name='cityledger',
            name='feedback',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='cityledger',
            name='rating_sum',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='cityledger',
            name='units',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name='cityledger',
            index=models.Index(fields=['day', 'prefix', 'category', 'city', 'country', 'revenue_cents', 'orders', 'units', 'feedback', 'rating_sum'], name='cityledger_covering'),
        ),
    ]
