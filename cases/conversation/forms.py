"""The client's follow-up on the conversation page."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from carmsupport.lengths import LimitedTextField

from ..attachments.files import AttachmentsField
from ..intake.forms import DESCRIPTION_MAX_LENGTH, with_length_limit
from ..tokens import FormTokenField


class FollowUpForm(forms.Form):
    """A client's message on the conversation page, with files."""

    body = LimitedTextField(
        label=_("Your message"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=with_length_limit(
            gettext_noop("Do not include passwords or passcodes. You can enter up to %(max)s characters.")
        ),
        error_messages={
            "required": _("Write your message."),
            "max_length": _("Your message must be %(limit_value)s characters or fewer; it has %(show_value)s."),
        },
    )
    attachments = AttachmentsField(label=_("Attach files (optional)"))
    token = FormTokenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
