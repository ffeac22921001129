"""The comment a client may add to a No."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from carmsupport.lengths import LimitedTextField

from ..models.satisfaction import COMMENT_MAX_LENGTH


def _comment_hint():
    return gettext(
        "Optional. Tell us what is still missing. Do not include passwords or passcodes. "
        "You can enter up to %(max)s characters."
    ) % {"max": number_format(COMMENT_MAX_LENGTH, force_grouping=True)}


class NotResolvedForm(forms.Form):
    """What is still missing, in the client's words; nothing is required."""

    comment = LimitedTextField(
        label=_("What is still missing? (optional)"),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=lazy(_comment_hint, str)(),
        error_messages={
            "max_length": _("Your comment must be %(limit_value)s characters or fewer; it has %(show_value)s."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
