from django.db import migrations

from core.groups import create_analysts_group, remove_analysts_group


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("catalog", "0001_initial"),
        ("sales", "0001_initial"),
        ("feedback", "0001_initial"),
        ("auth", "0001_initial"),
        ("contenttypes", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_analysts_group, remove_analysts_group)]
