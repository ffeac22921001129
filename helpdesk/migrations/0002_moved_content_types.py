"""The content types of the topics and closure days follow the models from cases to helpdesk, so
that the permissions staff groups hold on them, and the admin's log of their changes, go with them."""

from django.db import migrations

MOVED_MODELS = ("topic", "closureday")


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED_MODELS:
        if not ContentType.objects.filter(app_label="helpdesk", model=model).exists():
            ContentType.objects.filter(app_label="cases", model=model).update(app_label="helpdesk")


def move_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED_MODELS:
        if not ContentType.objects.filter(app_label="cases", model=model).exists():
            ContentType.objects.filter(app_label="helpdesk", model=model).update(app_label="cases")


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0001_initial"), ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(move_content_types, move_back)]
