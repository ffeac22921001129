"""Text fields whose length limit is written in the message as the language writes numbers:
"at most 5,000 characters; it has 5,001", « au plus 5 000 caractères ; elle en compte 5 001 »."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.formats import number_format


def written_number(number: int) -> str:
    """The number as the active language writes it, grouped: "5,000", « 5 000 » (a no-break space)."""
    return number_format(number, force_grouping=True)


class WrittenMaxLength(MaxLengthValidator):
    """Django's length limit, its numbers given to the message written, for %(limit_value)s and %(show_value)s."""

    def __call__(self, value):
        length = self.clean(value)
        if self.compare(length, self.limit_value):
            params = {"limit_value": written_number(self.limit_value), "show_value": written_number(length)}
            raise ValidationError(self.message, code=self.code, params={**params, "value": value})


class LimitedTextField(forms.CharField):
    """A CharField with max_length whose "max_length" message (given in error_messages, with
    %(limit_value)s and %(show_value)s) writes the numbers in the language of the page."""

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(max_length=max_length, **kwargs)
        self.validators = [
            WrittenMaxLength(max_length) if type(validator) is MaxLengthValidator else validator
            for validator in self.validators
        ]
