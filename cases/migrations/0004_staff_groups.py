"""Two staff groups, each with just what its work needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "Tree editors": [
        ("triage", "tree", ["add", "change", "delete", "view"]),
        ("triage", "node", ["add", "change", "delete", "view"]),
        ("triage", "choice", ["add", "change", "delete", "view"]),
        ("triage", "outcomefeedback", ["view"]),
    ],
    "Case reviewers": [
        ("cases", "case", ["change", "view"]),
        ("cases", "casenote", ["add", "view"]),
        ("cases", "caseevent", ["view"]),
        ("cases", "closureday", ["add", "change", "delete", "view"]),
        ("cases", "topic", ["add", "change", "view"]),
    ],
}


def add_groups(apps, schema_editor):
    # Permissions are normally made after all migrations; these need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    create_groups(apps)


def create_groups(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in GROUPS.items():
        group, _created = Group.objects.get_or_create(name=name)
        for app_label, model, actions in grants:
            for action in actions:
                group.permissions.add(
                    Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
                )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_cases"),
        ("triage", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(add_groups, remove_groups)]
