"""Staff pages and addresses changed by hand: an id or a filter that no row can have is a 404 or a
message, never a server error.

Django's admin already turns most malformed filters into its "?e=1" page; not a whole number too large
for the database (SQLite cannot even send one past 2**63 - 1), a year past 9999 in the date drill-down,
or an action's selection that is not an id. The project's own ModelAdmins are StaffModelAdmin for that.
"""

import re

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.utils.translation import gettext as _

WHOLE_NUMBER = re.compile(r"-?[0-9]+")


def storable(number, internal_type="BigIntegerField"):
    """Whether the database holds the whole number `number` in a column of `internal_type`."""
    low, high = connection.ops.integer_field_range(internal_type)
    return (low is None or number >= low) and (high is None or number <= high)


def primary_key(model, value):
    """`value`, from an address or a form, as a primary key of `model`; None when no row can have it."""
    field = model._meta.pk
    try:
        key = field.to_python(value)
    except ValidationError:
        return None
    if isinstance(key, int) and not storable(key, field.get_internal_type()):
        return None
    return key


def key_or_404(model, value):
    """`value` as a primary key of `model`, or a 404 when no row can have it."""
    key = primary_key(model, value)
    if key is None:
        raise Http404
    return key


class StaffChangeList(ChangeList):
    """Django's change list, for which a number no column can hold, or a date that does not exist, is a
    wrong filter like any other."""

    def get_filters(self, request):
        for values in self.get_filters_params().values():
            for value in values:
                if WHOLE_NUMBER.fullmatch(value) and (len(value) > 20 or not storable(int(value))):
                    raise IncorrectLookupParameters(value)
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:  # the date drill-down past year 9999
            raise IncorrectLookupParameters(error) from error


class StaffModelAdmin(admin.ModelAdmin):
    """The ModelAdmin of the project's own models."""

    def get_changelist(self, request, **kwargs):
        return StaffChangeList

    def response_action(self, request, queryset, *args, **kwargs):
        """The action, unless its selection holds something that is no id (then nothing is changed)."""
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if all(primary_key(self.model, value) is not None for value in selected):
            return super().response_action(request, queryset, *args, **kwargs)
        message = _("Items must be selected in order to perform actions on them. No items have been changed.")
        self.message_user(request, message, messages.WARNING)
        return None
