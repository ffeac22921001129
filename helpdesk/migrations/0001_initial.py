"""The helpdesk's topics and closure days, with the topics its page lists.

The cases app made both tables (cases_topic, cases_closureday) before the models moved here, and
they keep their names: a database the cases app migrated counts this migration as applied (it
replaces the cases migrations that made them), so no table is made again and no row is touched.
"""

from django.db import migrations, models

TOPICS = [
    ("portal-access", "Accessing the CARM Client Portal", "Accès au portail client de la GCRA", "standard"),
    (
        "registration-enrolment",
        "Business number registration and program enrolment",
        "Inscription du numéro d'entreprise et adhésion aux programmes",
        "standard",
    ),
    ("cad", "The Commercial Accounting Declaration (CAD)", "Déclaration en détail commerciale (DDC)", "standard"),
    (
        "rm-account",
        "Your import-export program (RM) account: payment processing, payment allocation, "
        "clearing, offsetting and reconciling",
        "Votre compte de programme d'importation-exportation (RM)\u00a0: traitement des paiements, "
        "répartition des paiements, apurement, compensation et rapprochement",
        "financial",
    ),
    (
        "disbursement-collection",
        "Disbursement and collection activities",
        "Activités de décaissement et de recouvrement",
        "financial",
    ),
    ("other", "Other CARM functionality", "Autres fonctionnalités de la GCRA", "standard"),
]

def add_topics(apps, schema_editor):
    Topic = apps.get_model("helpdesk", "Topic")
    for position, (slug, name_en, name_fr, response_class) in enumerate(TOPICS, start=1):
        Topic.objects.update_or_create(
            slug=slug,
            defaults={"name_en": name_en, "name_fr": name_fr, "response_class": response_class, "position": position},
        )


class Migration(migrations.Migration):
    initial = True

    # The cases app made these tables and topics: a database it migrated has this applied.
    replaces = [
        ("cases", "0001_initial"),
        ("cases", "0002_helpdesk_topics"),
        ("cases", "0003_cases"),
        ("cases", "0006_bilingual"),
    ]

    dependencies = []

    operations = [
        migrations.CreateModel(
            name='ClosureDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(unique=True, verbose_name='date')),
                ('reason_en', models.CharField(help_text='Example: "Christmas Eve afternoon"', max_length=200, verbose_name='reason (English)')),
                ('reason_fr', models.CharField(help_text='Example: "Christmas Eve afternoon"', max_length=200, verbose_name='reason (French)')),
            ],
            options={
                'verbose_name': 'closure day',
                'verbose_name_plural': 'closure days',
                'db_table': 'cases_closureday',
                'ordering': ['date'],
            },
        ),
        migrations.CreateModel(
            name='Topic',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(help_text='Example: "cad"', unique=True, verbose_name='slug')),
                ('name_en', models.CharField(help_text='Example: "The Commercial Accounting Declaration (CAD)"', max_length=200, verbose_name='name (English)')),
                ('name_fr', models.CharField(help_text='Example: "The Commercial Accounting Declaration (CAD)"', max_length=200, verbose_name='name (French)')),
                ('response_class', models.CharField(choices=[('standard', 'Standard (2 business days)'), ('financial', 'Financial account (15 business days)')], default='standard', max_length=20, verbose_name='response class')),
                ('position', models.PositiveIntegerField(default=0, help_text='Topics are listed in this order.', verbose_name='position')),
            ],
            options={
                'verbose_name': 'topic',
                'verbose_name_plural': 'topics',
                'db_table': 'cases_topic',
                'ordering': ['position', 'id'],
            },
        ),
        migrations.RunPython(add_topics, migrations.RunPython.noop),
    ]
