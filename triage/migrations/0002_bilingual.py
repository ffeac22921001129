"""French beside English for every text of a help tree, and publishing."""

from django.db import migrations, models


def publish_trees_in_use(apps, schema_editor):
    # Trees clients could walk before publishing existed stay available to them.
    apps.get_model("triage", "Tree").objects.exclude(start=None).update(published=True)


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="tree", name="title_fr",
            field=models.CharField(default="", max_length=200, verbose_name="title (French)"), preserve_default=False,
        ),
        migrations.AlterField(
            model_name="tree", name="title_en", field=models.CharField(max_length=200, verbose_name="title (English)"),
        ),
        migrations.AddField(
            model_name="tree", name="intro_fr",
            field=models.TextField(blank=True, help_text="Shown on the start page. Markdown; HTML is shown as text.",
                                   verbose_name="introduction (French)"),
        ),
        migrations.AddField(
            model_name="tree", name="published",
            field=models.BooleanField(
                default=False,
                help_text="Clients see only published trees. A tree is published only when it breaks no rule and "
                          "every text has its English and its French.",
                verbose_name="published",
            ),
        ),
        migrations.AddField(
            model_name="node", name="text_fr",
            field=models.CharField(blank=True, help_text='For questions. Example: "Are you a non-resident business?"',
                                   max_length=500, verbose_name="question (French)"),
        ),
        migrations.AddField(
            model_name="node", name="hint_fr",
            field=models.CharField(blank=True, help_text="For questions, optional.", max_length=500,
                                   verbose_name="hint (French)"),
        ),
        migrations.AddField(
            model_name="node", name="title_fr",
            field=models.CharField(blank=True,
                                   help_text='For outcomes. Example: "Your business number is not accepted"',
                                   max_length=300, verbose_name="outcome title (French)"),
        ),
        migrations.AddField(
            model_name="node", name="guidance_fr",
            field=models.TextField(blank=True,
                                   help_text="For outcomes. Markdown: paragraphs, lists and links; HTML is shown as text.",
                                   verbose_name="guidance (French)"),
        ),
        migrations.AddField(
            model_name="choice", name="label_fr",
            field=models.CharField(default="", max_length=300, verbose_name="label (French)"), preserve_default=False,
        ),
        migrations.RunPython(publish_trees_in_use, migrations.RunPython.noop),
    ]
