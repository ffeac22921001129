"""The help trees as they stood at 0004_step_counts, made in one step.

A database migrated through 0004 takes this as applied; one part-way through must first be
migrated to 0004 by an earlier version.
"""

import django.db.models.deletion
import django.utils.timezone
import triage.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('triage', '0001_initial'),
        ('triage', '0002_bilingual'),
        ('triage', '0003_releases'),
        ('triage', '0004_step_counts'),
    ]

    dependencies = [
        ('helpdesk', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Node',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('question', 'Question'), ('outcome', 'Outcome')], default='question', max_length=10, verbose_name='kind')),
                ('name', models.CharField(blank=True, help_text='Seen by staff only, to tell apart questions that read the same.', max_length=300, verbose_name='internal name')),
                ('text_en', models.CharField(blank=True, help_text='For questions. Example: "Are you a non-resident business?"', max_length=500, verbose_name='question (English)')),
                ('text_fr', models.CharField(blank=True, help_text='For questions. Example: "Are you a non-resident business?"', max_length=500, verbose_name='question (French)')),
                ('hint_en', models.CharField(blank=True, help_text='For questions, optional.', max_length=500, verbose_name='hint (English)')),
                ('hint_fr', models.CharField(blank=True, help_text='For questions, optional.', max_length=500, verbose_name='hint (French)')),
                ('title_en', models.CharField(blank=True, help_text='For outcomes. Example: "Your business number is not accepted"', max_length=300, verbose_name='outcome title (English)')),
                ('title_fr', models.CharField(blank=True, help_text='For outcomes. Example: "Your business number is not accepted"', max_length=300, verbose_name='outcome title (French)')),
                ('guidance_en', models.TextField(blank=True, help_text='For outcomes. Markdown: paragraphs, lists and links; HTML is shown as text.', verbose_name='guidance (English)')),
                ('guidance_fr', models.TextField(blank=True, help_text='For outcomes. Markdown: paragraphs, lists and links; HTML is shown as text.', verbose_name='guidance (French)')),
                ('contact_allowed', models.BooleanField(default=True, verbose_name='client may contact the helpdesk from here')),
                ('response_class', models.CharField(choices=[('standard', 'Standard (2 business days)'), ('financial', 'Financial account (15 business days)')], default='standard', help_text='For outcomes: the response target of a case filed from here.', max_length=20, verbose_name='response class')),
                ('topic', models.ForeignKey(blank=True, help_text='For outcomes: the topic of a case filed from here.', null=True, on_delete=django.db.models.deletion.PROTECT, to='helpdesk.topic', verbose_name='case topic')),
            ],
            options={
                'verbose_name': 'node',
                'verbose_name_plural': 'nodes',
                'ordering': ['tree', 'id'],
            },
        ),
        migrations.CreateModel(
            name='OutcomeFeedback',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('helpful', models.BooleanField(verbose_name='helpful')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='given at')),
                ('outcome', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='feedback', to='triage.node', verbose_name='outcome')),
            ],
            options={
                'verbose_name': 'outcome feedback',
                'verbose_name_plural': 'outcome feedback',
            },
        ),
        migrations.CreateModel(
            name='Release',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(verbose_name='release')),
                ('snapshot', models.JSONField(verbose_name='snapshot')),
                ('note', models.TextField(blank=True, verbose_name='what changed')),
                ('published_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='published')),
                ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL, verbose_name='published by')),
                ('restores', models.ForeignKey(blank=True, help_text='For a rollback: the earlier release published again.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='triage.release', verbose_name='restores release')),
            ],
            options={
                'verbose_name': 'release',
                'verbose_name_plural': 'releases',
                'ordering': ['tree', '-number'],
            },
        ),
        migrations.CreateModel(
            name='Tree',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title_en', models.CharField(max_length=200, verbose_name='title (English)')),
                ('title_fr', models.CharField(max_length=200, verbose_name='title (French)')),
                ('slug', models.SlugField(help_text='Used in the address of every page of the tool. Example: "carm"', unique=True, verbose_name='slug')),
                ('intro_en', models.TextField(blank=True, help_text='Shown on the start page. Markdown; HTML is shown as text.', verbose_name='introduction (English)')),
                ('intro_fr', models.TextField(blank=True, help_text='Shown on the start page. Markdown; HTML is shown as text.', verbose_name='introduction (French)')),
                ('revision', models.CharField(default=triage.models.new_revision, editable=False, max_length=32, verbose_name='revision')),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='last changed')),
                ('current_release', models.ForeignKey(blank=True, editable=False, help_text='Clients see the tree as it was published in this release; edits are a draft until published.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='triage.release', verbose_name='release clients see')),
                ('start', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='triage.node', verbose_name='first question')),
            ],
            options={
                'verbose_name': 'help tree',
                'verbose_name_plural': 'help trees',
                'ordering': ['title_en'],
            },
        ),
        migrations.AddField(
            model_name='release',
            name='tree',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='releases', to='triage.tree', verbose_name='help tree'),
        ),
        migrations.AddField(
            model_name='node',
            name='tree',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='nodes', to='triage.tree', verbose_name='help tree'),
        ),
        migrations.CreateModel(
            name='Choice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('label_en', models.CharField(max_length=300, verbose_name='label (English)')),
                ('label_fr', models.CharField(max_length=300, verbose_name='label (French)')),
                ('slug', models.SlugField(help_text='Stands for this answer in the page address; keep it once published. Example: "non-resident"', max_length=80, verbose_name='slug')),
                ('position', models.PositiveIntegerField(default=0, verbose_name='position')),
                ('question', models.ForeignKey(limit_choices_to={'kind': 'question'}, on_delete=django.db.models.deletion.CASCADE, related_name='choices', to='triage.node', verbose_name='question')),
                ('target', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='incoming', to='triage.node', verbose_name='leads to')),
            ],
            options={
                'verbose_name': 'choice',
                'verbose_name_plural': 'choices',
                'ordering': ['position', 'id'],
                'constraints': [models.UniqueConstraint(fields=('question', 'slug'), name='choice_slug_unique_per_question', violation_error_message='Two choices of one question cannot have the same slug.')],
            },
        ),
        migrations.CreateModel(
            name='StepCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('node_id', models.BigIntegerField(verbose_name='node id')),
                ('choice_slug', models.CharField(blank=True, help_text='For a choice taken.', max_length=80, verbose_name='choice')),
                ('day', models.DateField(verbose_name='day')),
                ('kind', models.CharField(choices=[('visit', 'Page shown'), ('choice', 'Choice taken'), ('contact_start', 'Contact form opened')], max_length=20, verbose_name='kind')),
                ('language', models.CharField(choices=[('en', 'English'), ('fr', 'French')], max_length=2, verbose_name='language')),
                ('count', models.PositiveBigIntegerField(default=0, verbose_name='count')),
                ('tree', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='triage.tree', verbose_name='help tree')),
            ],
            options={
                'verbose_name': 'step count',
                'verbose_name_plural': 'step counts',
                'indexes': [models.Index(fields=['tree', 'day'], name='step_count_tree_day')],
                'constraints': [models.UniqueConstraint(fields=('tree', 'node_id', 'choice_slug', 'day', 'kind', 'language'), name='step_count_unique')],
            },
        ),
        migrations.AddConstraint(
            model_name='release',
            constraint=models.UniqueConstraint(fields=('tree', 'number'), name='release_number_unique_per_tree'),
        ),
        migrations.AddConstraint(
            model_name='node',
            constraint=models.CheckConstraint(condition=models.Q(('kind', 'outcome'), models.Q(('text_en', ''), _negated=True), _connector='OR'), name='question_has_text', violation_error_message='A question needs its text.'),
        ),
        migrations.AddConstraint(
            model_name='node',
            constraint=models.CheckConstraint(condition=models.Q(('kind', 'question'), models.Q(('title_en', ''), _negated=True), _connector='OR'), name='outcome_has_title', violation_error_message='An outcome needs a title.'),
        ),
    ]
