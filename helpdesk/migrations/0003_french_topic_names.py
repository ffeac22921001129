"""Two topics' French names in the CBSA's words: « inscription … aux programmes » (not « adhésion »)
and « imputation des paiements » (not « répartition »). A name staff have since changed is left as they wrote it."""

from django.db import migrations

RENAMED = {
    "registration-enrolment": (
        "Inscription du numéro d'entreprise et adhésion aux programmes",
        "Inscription au numéro d'entreprise et aux programmes",
    ),
    "rm-account": (
        "Votre compte de programme d'importation-exportation (RM)\u00a0: traitement des paiements, "
        "répartition des paiements, apurement, compensation et rapprochement",
        "Votre compte de programme d'importation-exportation (RM)\u00a0: traitement des paiements, "
        "imputation des paiements, apurement, compensation et rapprochement",
    ),
}


def rename(apps, schema_editor, backwards=False):
    Topic = apps.get_model("helpdesk", "Topic")
    for slug, (old, new) in RENAMED.items():
        before, after = (new, old) if backwards else (old, new)
        Topic.objects.filter(slug=slug, name_fr=before).update(name_fr=after)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, backwards=True)


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0002_moved_content_types")]
    operations = [migrations.RunPython(rename, rename_back)]
