"""The contact form and the request status lookup."""

import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout
from django import forms
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from stdnum.ca import bn

from carmsupport.lengths import LimitedTextField
from helpdesk.models import Topic

from ..attachments.files import AttachmentsField
from ..models import Case
from ..tokens import FormTokenField
from .references import InvalidReference, normalise

DESCRIPTION_MAX_LENGTH = 5000
NAME_MAX_LENGTH = 100
# Text a name has no use for, and that would let a stranger send a link or an address in the
# acknowledgment: markup, @, a web address or domain name, a line break.
NOT_A_NAME = re.compile(r"[<>@\n\r]|://|\bwww\.|[^\W\d_]{2,}\.[^\W\d_]{2,}")
EMAIL_ERRORS = {
    "required": _("Enter your email address."),
    "invalid": _("Enter an email address in the right format, like name@example.com."),
}


def with_length_limit(message):
    """A help text in each request's language, with the length limit written as that language writes numbers."""

    def text():
        return gettext(message) % {"max": number_format(DESCRIPTION_MAX_LENGTH, force_grouping=True)}

    return lazy(text, str)()


def on_a_real_domain(email):
    """Whether the address's domain is a named internet domain: not an IP address, localhost or a dotless name."""
    domain = email.rpartition("@")[2].lower().rstrip(".")
    labels = domain.split(".")
    return len(labels) >= 2 and labels[-1].isalpha() and len(labels[-1]) >= 2 and domain != "localhost"


def email_field(help_text):
    """A client's email address, as every public form asks for it."""
    return forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=help_text,
        error_messages=EMAIL_ERRORS,
    )


class TelephoneInput(forms.TextInput):
    input_type = "tel"


# A field people never see or fill in; robots that fill in every field give themselves away.
HONEYPOT = "homepage_url"


class ContactForm(forms.Form):
    """What the client tells the helpdesk. The topic is asked only when no help-tool path gives it."""

    topic = forms.ModelChoiceField(
        label=_("What is your request about?"),
        queryset=Topic.objects.all(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Select what your request is about."),
            "invalid_choice": _("Select one of the topics listed."),
        },
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": _("Enter your full name."),
            "max_length": _("Enter your name only, in %(limit_value)d characters or fewer."),
        },
    )
    email = email_field(_("We will send the reply and your reference number here."))
    telephone = forms.CharField(
        label=_("Telephone (optional)"),
        max_length=40,
        required=False,
        widget=TelephoneInput(attrs={"autocomplete": "tel"}),
    )
    business_name = forms.CharField(
        label=_("Business legal name (optional)"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    business_number = forms.CharField(
        label=_("Business number (optional)"),
        max_length=40,
        required=False,
        help_text=_(
            "Your 9-digit business number, like 123456782, or your import-export account, like 123456782RM0001."
        ),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language for the reply"),
        choices=Case.Language.choices,
        initial=Case.Language.ENGLISH,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the language of the reply.")},
    )
    description = LimitedTextField(
        label=_("Describe your request"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(
            attrs={
                "rows": 8,
                "data-counter": DESCRIPTION_MAX_LENGTH,
                "data-remaining": _("{count} characters remaining"),
                "data-over": _("{count} characters too many"),
            }
        ),
        help_text=with_length_limit(
            gettext_noop(
                "What you were doing, what you expected and what happened, with any error code. "
                "Do not include passwords or passcodes. You can enter up to %(max)s characters."
            )
        ),
        error_messages={
            "required": _("Describe your request."),
            "max_length": _("Your description must be %(limit_value)s characters or fewer; it has %(show_value)s."),
        },
    )
    attachments = AttachmentsField(
        label=_("Screenshots or documents (optional)"),
    )
    consent = forms.BooleanField(
        label=_("I agree that the helpdesk uses this information to answer my request."),
        error_messages={"required": _("Tick the box to agree, so that we can answer your request.")},
    )
    token = FormTokenField()

    def __init__(self, *args, ask_topic=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_topic:
            del self.fields["topic"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            *(["topic"] if ask_topic else []),
            Fieldset(_("About you"), "full_name", "email", "telephone", "preferred_language"),
            Fieldset(_("About your business"), "business_name", "business_number"),
            Fieldset(_("Your request"), "description", "attachments"),
            HTML('{% include "cases/privacy_notice.html" %}'),
            "consent",
            "token",
            HTML(
                '<div class="honeypot" aria-hidden="true"><label for="id_{0}">{1}</label>'
                '<input type="text" name="{0}" id="id_{0}" tabindex="-1" autocomplete="off"></div>'.format(
                    HONEYPOT, _("Leave this field empty")
                )
            ),
        )

    def clean_full_name(self):
        name = self.cleaned_data["full_name"]
        if NOT_A_NAME.search(name):
            raise forms.ValidationError(
                _("Enter your name only, without a web address, an email address or symbols such as < and >."),
                code="not_a_name",
            )
        return name

    def clean_email(self):
        email = self.cleaned_data["email"]
        if not on_a_real_domain(email):
            raise forms.ValidationError(
                _("Enter an email address on an internet domain, like name@example.com."), code="not_a_real_domain"
            )
        return email

    def clean_business_number(self):
        value = self.cleaned_data["business_number"].strip()
        if not value:
            return ""
        if not bn.is_valid(value):
            raise forms.ValidationError(
                _(
                    "Enter a 9-digit business number, like 123456782, or a program account, like 123456782RM0001. "
                    "Check the digits: this number is not valid."
                ),
                code="invalid_business_number",
            )
        return bn.compact(value).upper()

    def contact_details(self):
        """The fields stored on the case about the client."""
        fields = [*Case.PERSONAL_DETAILS, "preferred_language", "description"]
        return {name: self.cleaned_data[name] for name in fields}


class StatusLookupForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference number"),
        max_length=40,
        help_text=_("As in your acknowledgment email, like CS-7KQ-2M9-XDT."),
        error_messages={"required": _("Enter your reference number.")},
    )
    email = email_field(_("The one you gave when you sent the request."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def reference_or_none(self):
        """The stored form of the reference, or None when it cannot be one (no lookup needed)."""
        try:
            return normalise(self.cleaned_data["reference"])
        except InvalidReference:
            return None
