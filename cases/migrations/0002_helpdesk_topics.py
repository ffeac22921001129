"""The topics the CARM Client Support Helpdesk supports, as its page lists them."""

from django.db import migrations

TOPICS = [
    ("portal-access", "Accessing the CARM Client Portal", "standard"),
    ("registration-enrolment", "Business number registration and program enrolment", "standard"),
    ("cad", "The Commercial Accounting Declaration (CAD)", "standard"),
    (
        "rm-account",
        "Your import-export program (RM) account: payment processing, payment allocation, "
        "clearing, offsetting and reconciling",
        "financial",
    ),
    ("disbursement-collection", "Disbursement and collection activities", "financial"),
    ("other", "Other CARM functionality", "standard"),
]


def add_topics(apps, schema_editor):
    Topic = apps.get_model("cases", "Topic")
    for position, (slug, name, response_class) in enumerate(TOPICS, start=1):
        Topic.objects.update_or_create(
            slug=slug, defaults={"name_en": name, "response_class": response_class, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(add_topics, migrations.RunPython.noop)]
