"""Forms clients fill in while walking a help tree."""

from django import forms
from django.utils.translation import gettext_lazy as _

# Sent by a question's Continue button, so that pressing it with nothing ticked is told apart
# from opening the question.
SUBMITTED = "continue"


class AnswerForm(forms.Form):
    """One question of the tree: the client picks one of its choices."""

    answer = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select one option."),
            "invalid_choice": _("Select one of the answers listed."),
        },
    )

    def __init__(self, question, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each answer as its word in the page's address (the view finds the choice by it).
        self.fields["answer"].choices = [(choice.address, choice.label) for choice in question.choices]


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Select yes or no.")},
    )
