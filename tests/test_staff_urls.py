"""Every staff page the project defines, walked as a superuser with malformed ids, dates, ranges and
parameters: each answers with a page, a redirect or a 4xx, never a 5xx.

The addresses come from the URL configuration itself (the admin's pages of cases, triage and signin,
the site's own, the service-standard report, the previews), so a page added later is walked too;
what each page reads besides its address is listed below, by the page's name.
"""

import re
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver

from cases.models import Attachment, CannedResponse, Case, InboundEmail, OutboundEmail, StaffProfile, Team
from helpdesk.models import ClosureDay, Topic

HUGE = "99999999999999999999"
BAD_IDS = ["abc", "0", "-1", HUGE, "1.5", "%20"]
BAD_DATES = ["0001-01-01", "9999-12-31", "2026-13-45", "x", ""]
DATE_RANGES = [
    {"start": "0001-01-01", "end": "9999-12-31"},
    {"start": "9999-12-31", "end": "0001-01-01"},
    {"start": "2026-03-01", "end": "2026-01-01"},
    {"start": "0001-01-01", "end": "0001-01-01"},
    {"start": "9999-12-31", "end": "9999-12-31"},
]
# The admin's own pages of these apps, the site's pages, and the pages of a draft's preview.
OWN_APPS = ("cases", "triage", "signin")
SITE_PAGES = {"index", "login", "password_change", "password_change_done", "autocomplete", "jsi18n", "view_on_site"}
NOT_WALKED = {"logout"}  # would end the walk's session

CHANGELIST = (
    [{"p": value} for value in ["abc", "0", "-1", HUGE]]
    + [{"o": value} for value in ["abc", "99", "-", "1.2.x", "-0"]]
    + [{"q": "x" * 300}, {"q": "\x00"}, {"e": "1"}, {"_facets": "x"}, {"_popup": "1"}, {"_to_field": "x"}]
)


def changelist_params(model_admin):
    """Each filter's parameters with values it does not offer, and the date drill-down with impossible dates."""
    sets = []
    for spec in model_admin.list_filter:
        names = [spec.parameter_name] if hasattr(spec, "parameter_name") else [f"{spec}__exact", f"{spec}__id__exact"]
        if getattr(spec, "FIELD_PARAMETER", None):
            names.append(spec.FIELD_PARAMETER)
        sets += [{name: value} for name in names for value in ["abc", HUGE, "-1", ""]]
    if model_admin.date_hierarchy:
        field = model_admin.date_hierarchy
        drill_downs = [("abc", "1", "1"), (HUGE, "1", "1"), ("1099511627776", "1", "1"), ("2026", "13", "1")]
        drill_downs += [("2026", "2", "45"), ("9999", "12", "31"), ("1", "1", "1"), ("9999", None, None)]
        for year, month, day in drill_downs:
            drill_down = {"year": year, "month": month, "day": day}
            sets.append({f"{field}__{part}": value for part, value in drill_down.items() if value is not None})
    return sets


# What each page reads from its query, beyond its address.
QUERIES = {
    "service_standard_report": [
        *({"end": value} for value in BAD_DATES),
        *({"end": value, "by": by} for value in ["0001-01-01", "0001-01-31", "9999-12-31"] for by in ["month", "week"]),
        *({"end": "0001-01-01", **extra} for extra in [{"chart": "on-time"}, {"chart": "volume"}, {"format": "csv"}]),
        *({"end": "0001-01-01", "format": "csv", "chart": chart} for chart in ["on-time", "volume"]),
        {"by": "x"},
        {"chart": "x"},
        {"format": "x"},
        {"end": "x", "chart": "on-time"},
        {"end": "x", "format": "csv"},
    ],
    "triage_tree_analytics": [
        *DATE_RANGES,
        *({"start": value, "end": "2026-01-01"} for value in BAD_DATES),
        *({"start": "2026-01-01", "end": value} for value in BAD_DATES),
        *({**period, "format": "csv", "table": table} for period in DATE_RANGES for table in ["outcomes", "questions"]),
        {"format": "csv"},
        {"format": "csv", "table": "x"},
        {"outcomes_sort": "x", "outcomes_dir": "x", "questions_sort": "x", "questions_dir": "x"},
        {"outcomes_sort": "deflection", "questions_sort": "drop_off_rate", "outcomes_dir": "asc"},
    ],
    "triage_tree_graph": [{"release": value} for value in [*BAD_IDS, "1"]],
    "triage_tree_graph_file": [{"release": value} for value in [*BAD_IDS, "1"]],
    "triage:preview_step": [
        {"answer": "x"},
        {"answer": "\x00"},
        {"previous": "x" * 300},
        {"helpful": "x"},
        {"submitted": "1"},
    ],
    "autocomplete": [
        {"app_label": "cases", "model_name": "case", "field_name": "x", "term": "a"},
        {"app_label": "triage", "model_name": "node", "field_name": "start", "term": "\x00"},
        {"app_label": "x", "model_name": "x", "field_name": "x"},
        {"app_label": "triage", "model_name": "node", "field_name": "start", "page": HUGE},
    ],
    "cases_case_change": [{"_changelist_filters": "%%%"}, {"_to_field": "x"}],
    "cases_case_merge": [{"into": value} for value in ["", "abc", "\x00", "x" * 3000, "CS-000-000-000"]],
}
# Forms sent to the pages that take one, with values they do not offer.
POSTS = {
    "cases_case_reply": [
        {"action": action, "body": "Hello", "status": status, "canned": canned}
        for action in ["insert", "preview", "send", "x"]
        for status, canned in [("x", "abc"), ("waiting_on_client", HUGE), ("resolved", "-1")]
    ],
    "cases_case_merge": [{"into": value} for value in ["", "abc", HUGE, "\x00", "x" * 3000, "CS-000-000-000"]],
    "triage_tree_publish": [{"note": ""}, {"note": "x" * 3000}, {"note": "\x00"}],
    "triage_tree_roll_back": [{}],
    "triage_tree_to_draft": [{}],
}


def routes(patterns, prefix=""):
    """(address template, name) of every address under `patterns`: each part of the address a {placeholder}."""
    for entry in patterns:
        route = prefix + str(entry.pattern).replace("^", "").replace("$", "")
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace and entry.namespace != "admin" else ""
            for inner, name in routes(entry.url_patterns, route):
                yield inner, f"{namespace}{name}" if name else None
        else:
            route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
            yield re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route), entry.name


def staff_routes():
    """The staff addresses the project defines, as (template, name): the admin's pages of its own apps,
    the site's own pages, the service-standard report and the previews."""
    found = []
    for route, name in routes(get_resolver().url_patterns):
        if name in NOT_WALKED or route == "admin/{url}":
            continue
        own = route.startswith(tuple(f"admin/{app}/" for app in OWN_APPS)) or route == "admin/{app_label}/"
        if own or name in SITE_PAGES or (name or "").startswith("triage:preview"):
            found.append((route, name))
    return found


@pytest.fixture
def site(admin_client, admin_user, small_tree, make_case, settings):
    """One of everything the pages show, and the values each part of their addresses takes."""
    settings.RATELIMIT_ENABLE = False
    case = make_case()
    attachment = Attachment.objects.create(
        case=case, file=ContentFile(b"%PDF-1.4", name="a.pdf"), name="a.pdf", content_type="application/pdf", size=8
    )
    canned = CannedResponse.objects.create(title_en="A", title_fr="A", body_en="Hi", body_fr="Salut")
    closure = ClosureDay.objects.create(date=date(2026, 12, 25), reason_en="Christmas", reason_fr="Noël")
    ids = {
        "cases/case": case.pk,
        "helpdesk/topic": Topic.objects.first().pk,
        "helpdesk/closureday": closure.pk,
        "cases/cannedresponse": canned.pk,
        "cases/outboundemail": OutboundEmail.objects.first().pk,
        "cases/inboundemail": InboundEmail.objects.create(
            internet_message_id="<walk@example.org>",
            status=InboundEmail.Status.UNMATCHED,
            sender="ann@example.org",
            raw=ContentFile(b"From: ann@example.org\nSubject: Hello\n\nA question.\n", name="message.eml"),
        ).pk,
        "cases/team": Team.objects.get(is_default=True).pk,
        "cases/staffprofile": StaffProfile.objects.create(user=admin_user).pk,
        "triage/tree": small_tree.pk,
        "triage/node": small_tree.start_id,
        "r": case.pk,
    }
    values = {
        "pk": [attachment.pk, "0", HUGE],
        "number": [1, "0", HUGE],
        "fmt": ["svg", "dot", "x"],
        "content_type_id": [ContentType.objects.get_for_model(Case).pk, "abc", HUGE],
        "app_label": ["cases", "triage", "x"],
        "tree_slug": [small_tree.slug, "nothing"],
        "answers": ["importer/", "", "nothing/", "importer/importer/", "a" * 300 + "/", "%00/"],
    }
    return admin_client, ids, values


def addresses(template, ids, values):
    """The address with every part real, then with one part at a time malformed."""
    parts = re.findall(r"{(\w+)}", template)
    model = re.match(r"admin/(\w+/\w+|r)/", template)

    def choices(part):
        if part == "object_id":
            return [ids[model[1]], *BAD_IDS]
        return values[part]

    real = {part: choices(part)[0] for part in parts}
    yield "/" + template.format(**real)
    for part in parts:
        for value in choices(part)[1:]:
            yield "/" + template.format(**{**real, part: value})


def model_admin_of(template):
    """The ModelAdmin whose pages `template` belongs to, or None."""
    from django.apps import apps
    from django.contrib import admin

    found = re.match(r"admin/(\w+)/(\w+)/", template)
    if not found:
        return None
    try:
        model = apps.get_model(found[1], found[2])
    except LookupError:
        return None
    return admin.site._registry.get(model)


def requests_for(template, name, ids, values):
    """(method, address, data) for each request of the walk of one page."""
    model_admin = model_admin_of(template)
    queries, posts = list(QUERIES.get(name, [])), list(POSTS.get(name, []))
    if name and name.endswith("_changelist") and model_admin:
        queries += CHANGELIST + changelist_params(model_admin)
        actions = [*model_admin.actions, "delete_selected"]
        posts += [{"action": action, "_selected_action": value} for action in actions for value in ["abc", HUGE, "-1"]]
        posts += [
            {"action": "x", "_selected_action": ids.get(template[6:-1], "1")},
            {"action": actions[0], "index": "x"},
        ]
    for n, address in enumerate(addresses(template, ids, values)):
        yield "get", address, {}
        for query in queries if n == 0 else []:
            yield "get", address, query
        for data in posts if n == 0 else posts[:1]:
            yield "post", address, data


def test_the_walk_reaches_every_kind_of_staff_page(db):
    """The pages named in the project's URLs are found: the admin's own and those added beside them."""
    names = {name for _template, name in staff_routes()}
    assert {
        "index",
        "login",
        "app_list",
        "cases_case_changelist",
        "cases_case_change",
        "cases_case_reply",
        "cases_case_file",
        "cases_case_workload",
        "service_standard_report",
        "triage_tree_publish",
        "triage_tree_releases",
        "triage_tree_release",
        "triage_tree_roll_back",
        "triage_tree_to_draft",
        "triage_tree_graph",
        "triage_tree_graph_file",
        "triage_tree_analytics",
        "triage_node_change",
        "triage:preview_start",
        "triage:preview_step",
    } <= names
    assert not any(template.startswith(("admin/auth/", "admin/axes/")) for template, _name in staff_routes())
    assert set(QUERIES) | set(POSTS) <= names


def test_no_staff_page_answers_with_a_server_error(site):
    """Malformed ids, dates, ranges, filters, orders and forms: a page, a redirect or a 4xx, never a 5xx."""
    client, ids, values = site
    client.raise_request_exception = False
    failures, count = [], 0
    for template, name in staff_routes():
        for method, address, data in requests_for(template, name, ids, values):
            response = getattr(client, method)(address, data)
            count += 1
            if response.status_code >= 500:
                error = response.exc_info[1] if response.exc_info else ""
                failures.append(f"{method.upper()} {address} {data} -> {response.status_code} {error!r}"[:400])
    assert count > 500
    assert not failures, f"{len(failures)} of {count} requests failed:\n" + "\n".join(failures)
