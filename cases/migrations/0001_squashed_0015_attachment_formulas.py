"""The cases as they stood at 0015_attachment_formulas, made in one step, with the two staff groups.

A database migrated through 0015 takes this as applied; one part-way through must first be
migrated to 0015 by an earlier version.
"""

from django.contrib.auth.management import create_permissions

import cases.models
import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# Each staff group with just what its work needs.
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
        ("cases", "cannedresponse", ["add", "change", "delete", "view"]),
        ("cases", "outboundemail", ["view"]),
        ("helpdesk", "closureday", ["add", "change", "delete", "view"]),
        ("helpdesk", "topic", ["add", "change", "view"]),
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

    initial = True

    # With helpdesk 0001_initial, which replaces the other four.
    replaces = [
        ('cases', '0004_staff_groups'),
        ('cases', '0005_access_log_and_retention'),
        ('cases', '0007_acknowledgment_withheld'),
        ('cases', '0008_email_index'),
        ('cases', '0009_conversation'),
        ('cases', '0010_release'),
        ('cases', '0011_reviewer_permissions'),
        ('cases', '0012_service_standard_permission'),
        ('cases', '0013_outbound_message_id'),
        ('cases', '0014_mailbox_counts_and_link_requests'),
        ('cases', '0015_attachment_formulas'),
    ]

    dependencies = [
        ('helpdesk', '0001_initial'),
        ('triage', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='CannedResponse',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title_en', models.CharField(max_length=200, verbose_name='title (English)')),
                ('title_fr', models.CharField(max_length=200, verbose_name='title (French)')),
                ('body_en', models.TextField(help_text='Markdown.', verbose_name='text (English)')),
                ('body_fr', models.TextField(help_text='Markdown.', verbose_name='text (French)')),
                ('position', models.PositiveIntegerField(default=0, verbose_name='position')),
                ('topic', models.ForeignKey(blank=True, help_text='Offered on cases of this topic only; empty: on every case.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='canned_responses', to='helpdesk.topic', verbose_name='topic')),
            ],
            options={
                'verbose_name': 'canned response',
                'verbose_name_plural': 'canned responses',
                'ordering': ['position', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Case',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reference', models.CharField(editable=False, max_length=9, unique=True, verbose_name='reference')),
                ('submission_token', models.CharField(editable=False, max_length=64, null=True, unique=True)),
                ('received_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='received')),
                ('due_at', models.DateTimeField(editable=False, verbose_name='response due')),
                ('status', models.CharField(choices=[('new', 'New'), ('in_progress', 'In progress'), ('waiting', 'Waiting on client'), ('resolved', 'Resolved'), ('closed', 'Closed')], default='new', max_length=20, verbose_name='status')),
                ('response_class', models.CharField(choices=[('standard', 'Standard (2 business days)'), ('financial', 'Financial account (15 business days)')], max_length=20, verbose_name='response class')),
                ('path', models.JSONField(blank=True, default=list, editable=False, verbose_name='answers in the help tool')),
                ('outcome_title', models.CharField(blank=True, editable=False, max_length=300, verbose_name='guidance reached')),
                ('full_name', models.CharField(max_length=200, verbose_name='full name')),
                ('email', models.EmailField(max_length=254, verbose_name='email address')),
                ('telephone', models.CharField(blank=True, max_length=40, verbose_name='telephone')),
                ('business_name', models.CharField(blank=True, max_length=300, verbose_name='business legal name')),
                ('business_number', models.CharField(blank=True, max_length=15, verbose_name='business number')),
                ('language', models.CharField(choices=[('en', 'English'), ('fr', 'French')], default='en', help_text='The language of the pages the client filed it from.', max_length=2, verbose_name='language of the request')),
                ('preferred_language', models.CharField(choices=[('en', 'English'), ('fr', 'French')], default='en', max_length=2, verbose_name='preferred language for the reply')),
                ('description', models.TextField(verbose_name='description')),
                ('first_response_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='first response sent')),
                ('acknowledged_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='acknowledgment sent')),
                ('acknowledgment_error', models.CharField(blank=True, editable=False, max_length=500, verbose_name='acknowledgment failure')),
                ('acknowledgment_withheld', models.BooleanField(default=False, editable=False, help_text='No acknowledgment was sent: the address had had its daily number already.', verbose_name='acknowledgment withheld')),
                ('first_response_channel', models.CharField(blank=True, choices=[('reply', 'Reply from the case page'), ('telephone', 'Telephone'), ('email', 'Email sent outside the case')], editable=False, max_length=20, verbose_name='first response given by')),
                ('reply_due_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='next reply due')),
                ('conversation_key', models.CharField(blank=True, editable=False, max_length=64)),
                ('resolved_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='resolved')),
                ('closed_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='closed')),
                ('anonymised_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='personal data removed')),
                ('assigned_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_cases', to=settings.AUTH_USER_MODEL, verbose_name='assigned to')),
                ('first_response_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='first response sent by')),
                ('follows', models.ForeignKey(blank=True, editable=False, help_text='The earlier case a client answered after it was resolved.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='followed_by', to='cases.case', verbose_name='follows case')),
                ('outcome', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='cases', to='triage.node', verbose_name='help tool outcome')),
                ('release', models.ForeignKey(blank=True, editable=False, help_text='The release of the help tree the client walked.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='cases', to='triage.release', verbose_name='help tool release')),
                ('topic', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='helpdesk.topic', verbose_name='topic')),
            ],
            options={
                'verbose_name': 'case',
                'verbose_name_plural': 'cases',
                'ordering': ['-received_at'],
                'permissions': [('view_service_standard', 'Can view the service-standard report')],
            },
        ),
        migrations.CreateModel(
            name='CaseAccess',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='when')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='accesses', to='cases.case')),
                ('user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL, verbose_name='who')),
            ],
            options={
                'verbose_name': 'case access',
                'verbose_name_plural': 'case accesses',
                'ordering': ['-at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='CaseEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='when')),
                ('code', models.CharField(choices=[('received', 'Received through the contact form'), ('acknowledged', 'Acknowledgment email sent'), ('acknowledgment_failed', 'Acknowledgment email not sent'), ('acknowledgment_withheld', 'Acknowledgment email withheld: the address had its daily number already'), ('status_changed', 'Status changed'), ('assigned', 'Assigned'), ('unassigned', 'Unassigned'), ('first_response', 'First response recorded'), ('note_added', 'Internal note added'), ('reply_sent', 'Reply sent to the client'), ('follow_up_received', 'Follow-up received from the client'), ('reopened', "Reopened by the client's follow-up"), ('followed_by', "The client's follow-up filed a new case"), ('email_sent', 'Email sent'), ('email_failed', 'Email not sent'), ('email_unconfirmed', 'Email sent, unconfirmed'), ('attachment_downloaded', 'Attachment downloaded'), ('link_revoked', 'Conversation links revoked'), ('link_requested', "Conversation link emailed at the client's request"), ('link_withheld', 'Conversation link not emailed: the address had its daily number already'), ('anonymised', 'Personal data removed after the retention period'), ('text', 'Event written as text')], max_length=30, verbose_name='event')),
                ('params', models.JSONField(blank=True, default=dict, verbose_name='details')),
                ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL, verbose_name='who')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='cases.case')),
            ],
            options={
                'verbose_name': 'case event',
                'verbose_name_plural': 'case events',
                'ordering': ['at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='CaseNote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='written')),
                ('text', models.TextField(verbose_name='note')),
                ('author', models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL, verbose_name='author')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notes', to='cases.case')),
            ],
            options={
                'verbose_name': 'internal note',
                'verbose_name_plural': 'internal notes',
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='MailboxCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('mailbox_digest', models.CharField(max_length=64)),
                ('purpose', models.CharField(choices=[('acknowledgment', 'acknowledgment'), ('conversation_link', 'conversation link')], max_length=20)),
                ('day', models.DateField()),
                ('count', models.PositiveIntegerField(default=0)),
            ],
            options={
                'indexes': [models.Index(fields=['day'], name='cases_mailb_day_47cec4_idx')],
                'constraints': [models.UniqueConstraint(fields=('mailbox_digest', 'purpose', 'day'), name='mailbox_count_per_day')],
            },
        ),
        migrations.CreateModel(
            name='Message',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('reply', 'Reply to the client'), ('follow_up', "Client's follow-up")], max_length=20, verbose_name='kind')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='written')),
                ('language', models.CharField(choices=[('en', 'English'), ('fr', 'French')], max_length=2, verbose_name='language')),
                ('body', models.TextField(verbose_name='message')),
                ('due_at', models.DateTimeField(blank=True, null=True, verbose_name='reply due')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answered')),
                ('author', models.ForeignKey(blank=True, help_text="The member of staff who wrote a reply; empty for the client's messages.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='cases.case')),
            ],
            options={
                'verbose_name': 'message',
                'verbose_name_plural': 'messages',
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Attachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(max_length=200, storage=cases.models.attachment_storage, upload_to=cases.models.attachment_path)),
                ('name', models.CharField(max_length=120, verbose_name='file name')),
                ('content_type', models.CharField(max_length=60, verbose_name='type')),
                ('size', models.PositiveIntegerField(verbose_name='size in bytes')),
                ('formulas', models.BooleanField(default=False, verbose_name='contains spreadsheet formulas')),
                ('uploaded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='received')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='cases.case')),
                ('message', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='cases.message')),
            ],
            options={
                'verbose_name': 'attachment',
                'verbose_name_plural': 'attachments',
                'ordering': ['uploaded_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='OutboundEmail',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('acknowledgment', 'acknowledgment'), ('reply', 'reply'), ('conversation_link', 'conversation link')], max_length=20, verbose_name='kind')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('sending', 'Being sent'), ('sent', 'Sent'), ('unconfirmed', 'Sent, unconfirmed'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], default='queued', max_length=20, verbose_name='status')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='next attempt')),
                ('last_error', models.CharField(blank=True, max_length=300, verbose_name='last error')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='queued')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent')),
                ('internet_message_id', models.CharField(blank=True, editable=False, max_length=255, verbose_name='Message-ID header')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='emails', to='cases.case')),
                ('message', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='emails', to='cases.message')),
            ],
            options={
                'verbose_name': 'outgoing email',
                'verbose_name_plural': 'outgoing emails',
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['status', 'due_at'], name='cases_case_status_aeafed_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['status', 'reply_due_at'], name='cases_case_status_a47679_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['received_at'], name='cases_case_receive_a4fc3f_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['email'], name='cases_case_email_cd4e12_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(django.db.models.functions.text.Lower('email'), models.F('acknowledged_at'), name='case_email_acknowledged'),
        ),
        migrations.AddIndex(
            model_name='caseaccess',
            index=models.Index(fields=['case', '-at'], name='cases_casea_case_id_587fe3_idx'),
        ),
        migrations.AddIndex(
            model_name='outboundemail',
            index=models.Index(fields=['status', 'next_attempt_at'], name='cases_outbo_status_906c7a_idx'),
        ),
        migrations.RunPython(add_groups, remove_groups),
    ]
