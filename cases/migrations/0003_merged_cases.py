"""Merged cases: the case that continues a merged one, its two audit-trail events and its email to the client."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_squashed_0015_attachment_formulas'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='merged_into',
            field=models.ForeignKey(blank=True, editable=False, help_text='The case that continues this one: its conversation, files, notes and audit trail moved there.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='merged_cases', to='cases.case', verbose_name='merged into'),
        ),
        migrations.AlterField(
            model_name='caseevent',
            name='code',
            field=models.CharField(choices=[('received', 'Received through the contact form'), ('acknowledged', 'Acknowledgment email sent'), ('acknowledgment_failed', 'Acknowledgment email not sent'), ('acknowledgment_withheld', 'Acknowledgment email withheld: the address had its daily number already'), ('status_changed', 'Status changed'), ('assigned', 'Assigned'), ('unassigned', 'Unassigned'), ('first_response', 'First response recorded'), ('note_added', 'Internal note added'), ('reply_sent', 'Reply sent to the client'), ('follow_up_received', 'Follow-up received from the client'), ('reopened', "Reopened by the client's follow-up"), ('followed_by', "The client's follow-up filed a new case"), ('email_sent', 'Email sent'), ('email_failed', 'Email not sent'), ('email_unconfirmed', 'Email sent, unconfirmed'), ('attachment_downloaded', 'Attachment downloaded'), ('link_revoked', 'Conversation links revoked'), ('link_requested', "Conversation link emailed at the client's request"), ('link_withheld', 'Conversation link not emailed: the address had its daily number already'), ('anonymised', 'Personal data removed after the retention period'), ('merged_into', 'Merged into another case'), ('merged_from', 'Another case merged into this one'), ('text', 'Event written as text')], max_length=30, verbose_name='event'),
        ),
        migrations.AlterField(
            model_name='outboundemail',
            name='kind',
            field=models.CharField(choices=[('acknowledgment', 'acknowledgment'), ('reply', 'reply'), ('conversation_link', 'conversation link'), ('merged', 'notice of a merged case')], max_length=20, verbose_name='kind'),
        ),
    ]
