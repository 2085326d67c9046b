"""CohortWeekCell: an index for the scope's last week with a sale."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0009_cohort_week_cells'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='cohortweekcell',
            index=models.Index(fields=['category', 'channel', 'week', 'customers'], name='cohortweekcell_last'),
        ),
    ]
