"""Case reviewers also keep the canned responses and see the emails sent to clients."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = [
    ("cannedresponse", ["add", "change", "delete", "view"]),
    ("outboundemail", ["view"]),
]


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations; these need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    add_reviewer_permissions(apps)


def add_reviewer_permissions(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Case reviewers")
    for model, actions in GRANTS:
        for action in actions:
            group.permissions.add(Permission.objects.get(content_type__app_label="cases", codename=f"{action}_{model}"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_release"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
