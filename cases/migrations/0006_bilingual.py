"""French beside English for topics and closure days; the language of each case; an audit
trail of event codes, read in each staff member's language."""

import re

from django.db import migrations, models

TOPICS_FR = {
    "portal-access": "Accès au portail client de la GCRA",
    "registration-enrolment": "Inscription du numéro d'entreprise et adhésion aux programmes",
    "cad": "Déclaration en détail commerciale (DDC)",
    "rm-account": "Votre compte de programme d'importation-exportation (RM)\u00a0: traitement des paiements, "
                  "répartition des paiements, apurement, compensation et rapprochement",
    "disbursement-collection": "Activités de décaissement et de recouvrement",
    "other": "Autres fonctionnalités de la GCRA",
}

STATUSES = {"New": "new", "In progress": "in_progress", "Waiting on client": "waiting", "Resolved": "resolved",
            "Closed": "closed"}

EVENT_CODES = [
    ("received", "Received through the contact form"),
    ("acknowledged", "Acknowledgment email sent"),
    ("acknowledgment_failed", "Acknowledgment email not sent"),
    ("status_changed", "Status changed"),
    ("assigned", "Assigned"),
    ("unassigned", "Unassigned"),
    ("first_response", "First response recorded"),
    ("note_added", "Internal note added"),
    ("anonymised", "Personal data removed after the retention period"),
    ("text", "Event written as text"),
]

# The English sentences the audit trail held, and the code and parameters each becomes.
SENTENCES = [
    (r"Received through the contact form", lambda m: ("received", {})),
    (r"Acknowledgment email sent", lambda m: ("acknowledged", {})),
    (r"Acknowledgment email not sent: (.+)", lambda m: ("acknowledgment_failed", {"error": m[1]})),
    (r"Status changed from (.+) to (.+)",
     lambda m: ("status_changed", {"old": STATUSES.get(m[1], m[1]), "new": STATUSES.get(m[2], m[2])})),
    (r"Unassigned", lambda m: ("unassigned", {})),
    (r"Assigned to (.+)", lambda m: ("assigned", {"user": m[1]})),
    (r"First response recorded \(target (met|missed)\)", lambda m: ("first_response", {"met": m[1] == "met"})),
    (r"Internal note added", lambda m: ("note_added", {})),
    (r"Personal data removed after the retention period", lambda m: ("anonymised", {})),
]


def add_french_topic_names(apps, schema_editor):
    Topic = apps.get_model("cases", "Topic")
    for slug, name in TOPICS_FR.items():
        Topic.objects.filter(slug=slug, name_fr="").update(name_fr=name)


def events_to_codes(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    for event in CaseEvent.objects.all().iterator():
        event.code, event.params = "text", {"text": event.action}
        for pattern, convert in SENTENCES:
            if match := re.fullmatch(pattern, event.action):
                event.code, event.params = convert(match)
                break
        event.save(update_fields=["code", "params"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_access_log_and_retention")]

    operations = [
        migrations.AlterField(
            model_name="topic", name="name_en",
            field=models.CharField(help_text='Example: "The Commercial Accounting Declaration (CAD)"', max_length=200,
                                   verbose_name="name (English)"),
        ),
        migrations.AddField(
            model_name="topic", name="name_fr",
            field=models.CharField(default="", help_text='Example: "The Commercial Accounting Declaration (CAD)"',
                                   max_length=200, verbose_name="name (French)"),
            preserve_default=False,
        ),
        migrations.RunPython(add_french_topic_names, migrations.RunPython.noop),
        migrations.RenameField(model_name="closureday", old_name="reason", new_name="reason_en"),
        migrations.AlterField(
            model_name="closureday", name="reason_en",
            field=models.CharField(help_text='Example: "Christmas Eve afternoon"', max_length=200,
                                   verbose_name="reason (English)"),
        ),
        migrations.AddField(
            model_name="closureday", name="reason_fr",
            field=models.CharField(default="", help_text='Example: "Christmas Eve afternoon"', max_length=200,
                                   verbose_name="reason (French)"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="case", name="language",
            field=models.CharField(choices=[("en", "English"), ("fr", "French")], default="en",
                                   help_text="The language of the pages the client filed it from.", max_length=2,
                                   verbose_name="language of the request"),
        ),
        migrations.AddField(
            model_name="caseevent", name="code",
            field=models.CharField(choices=EVENT_CODES, default="text", max_length=30, verbose_name="event"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="caseevent", name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="details"),
        ),
        migrations.RunPython(events_to_codes, migrations.RunPython.noop),
        migrations.RemoveField(model_name="caseevent", name="action"),
    ]
