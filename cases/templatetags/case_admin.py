"""The case list's date drill-down, without grouping every case by date."""

import calendar
from datetime import date

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.db.models import Max, Min
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from helpdesk.times import date_words

register = template.Library()


@register.inclusion_tag("admin/date_hierarchy.html")
def case_date_hierarchy(cl):
    """Like the admin's date_hierarchy, but the years, months and days offered come from the
    first and last dates (two index lookups) instead of a scan that groups every row, which is
    slow on hundreds of thousands of cases. A period offered may hold no case."""
    field = cl.date_hierarchy
    year, month, day = (cl.params.get(f"{field}__{part}") for part in ("year", "month", "day"))
    if year and month and day:
        return date_hierarchy(cl)  # no grouping query at that level

    def link(filters):
        return cl.get_query_string(filters, [f"{field}__"])

    today = timezone.localdate()
    if not (year or month):
        bounds = cl.queryset.aggregate(first=Min(field), last=Max(field))
        if not bounds["first"]:
            return {"show": False}
        first, last = (timezone.localtime(bounds[k]).date() for k in ("first", "last"))
        if first.year != last.year:
            return {
                "show": True,
                "back": None,
                "choices": [
                    {"link": link({f"{field}__year": str(y)}), "title": str(y)}
                    for y in range(first.year, last.year + 1)
                ],
                "field_name": cl.opts.get_field(field).verbose_name,
            }
        year = first.year
    year = int(year)
    if not month:
        last_month = today.month if year == today.year else 12
        return {
            "show": True,
            "back": {"link": link({}), "title": _("All dates")},
            "choices": [
                {
                    "link": link({f"{field}__year": year, f"{field}__month": m}),
                    "title": capfirst(formats.date_format(date(year, m, 1), "YEAR_MONTH_FORMAT")),
                }
                for m in range(1, last_month + 1)
            ],
            "field_name": cl.opts.get_field(field).verbose_name,
        }
    month = int(month)
    days = calendar.monthrange(year, month)[1]
    return {
        "show": True,
        "back": {"link": link({f"{field}__year": year}), "title": str(year)},
        "choices": [
            {
                "link": link({f"{field}__year": year, f"{field}__month": month, f"{field}__day": d}),
                "title": capfirst(date_words(date(year, month, d), "MONTH_DAY_FORMAT")),
            }
            for d in range(1, days + 1)
        ],
        "field_name": cl.opts.get_field(field).verbose_name,
    }
