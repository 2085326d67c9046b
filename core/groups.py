"""The `analysts` group: read-only access to the four record types (used by a data migration)."""

from django.contrib.auth.management import create_permissions

ANALYSTS = "analysts"
VIEWABLE = {"accounts": ["customer"], "catalog": ["product"], "sales": ["sale"], "feedback": ["feedback"]}


def create_analysts_group(apps, schema_editor):
    # Permissions are normally created after migrate; make them now so the group can hold them.
    for label in ["auth", "contenttypes", *VIEWABLE]:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ANALYSTS)
    for app_label, models in VIEWABLE.items():
        for model in models:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=f"view_{model}")
            )


def remove_analysts_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=ANALYSTS).delete()
