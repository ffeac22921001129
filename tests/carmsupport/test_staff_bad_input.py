"""Staff pages given malformed ids, dates and filters: a 404, or the page with a message in the staff
member's language. tests/test_staff_urls.py walks every staff page; these say what each one answers."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils.html import escape

from cases.models import Attachment, Case
from tests.test_staff_urls import HUGE

FRENCH = {"accept-language": "fr-CA,fr"}


@pytest.mark.parametrize("case_id", ["abc", "1.5", "-1", HUGE])
def test_a_case_page_with_a_malformed_id_is_not_found(admin_client, make_case, case_id):
    """The reply page and a file's download, for an id that is no case's: 404."""
    case = make_case()
    file = Attachment.objects.create(case=case, file="a.pdf", name="a.pdf", content_type="application/pdf", size=8)
    assert admin_client.get(f"/admin/cases/case/{case_id}/reply/").status_code == 404
    assert admin_client.post(f"/admin/cases/case/{case_id}/reply/", {"action": "send"}).status_code == 404
    assert admin_client.get(f"/admin/cases/case/{case_id}/files/{file.pk}/").status_code == 404
    assert admin_client.get(f"/admin/cases/case/{case.pk}/files/{HUGE}/").status_code == 404


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "The period cannot end before 2000-01-01."),
        (FRENCH, "La période ne peut pas se terminer avant le 2000-01-01."),
    ],
)
def test_a_report_that_would_count_back_before_the_first_date_says_so(admin_client, headers, message):
    """The service-standard report ending on 0001-01-01 (or any day before 2000): the form says why, no figures."""
    for query in ({"end": "0001-01-01"}, {"end": "0001-01-31", "by": "week"}, {"end": "1999-12-31"}):
        response = admin_client.get("/admin/cases/service-standard/", query, headers=headers)
        page = response.content.decode()
        assert response.status_code == 200 and escape(message) in page
        assert 'id="first-responses-standard"' not in page
    assert admin_client.get("/admin/cases/service-standard/", {"end": "0001-01-01", "format": "csv"}).status_code == 400
    assert admin_client.get("/admin/cases/service-standard/", {"end": "2000-01-01"}).status_code == 200


@pytest.mark.parametrize(
    ("headers", "message"),
    [({}, "The period cannot end after today."), (FRENCH, "La période ne peut pas se terminer après aujourd'hui.")],
)
def test_tree_figures_for_a_period_ending_after_today_say_so(admin_client, small_tree, headers, message):
    """Analytics from 0001-01-01 to 9999-12-31: the form says the end is after today; the last 30 days show."""
    url = f"/admin/triage/tree/{small_tree.pk}/analytics/"
    for query in ({"start": "0001-01-01", "end": "9999-12-31"}, {"start": "9999-12-31", "end": "9999-12-31"}):
        response = admin_client.get(url, query, headers=headers)
        page = response.content.decode()
        assert response.status_code == 200 and escape(message) in page
        assert 'id="outcomes"' in page
    response = admin_client.get(url, {"start": "0001-01-01", "end": "9999-12-31", "format": "csv", "table": "outcomes"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize(
    "query",
    [
        {"assigned": HUGE},
        {"topic__id__exact": HUGE},
        {"received_at__year": HUGE},
        {"received_at__year": "1099511627776"},
        {"received_at__year": "9999", "received_at__month": "12", "received_at__day": "31"},
        {"received_at__year": "9999"},
    ],
)
def test_a_case_list_filter_no_database_can_hold_is_a_wrong_filter(admin_client, make_case, query):
    """A number too large for any column, or a day after 9999-12-31: the admin's page for wrong filters."""
    make_case()
    response = admin_client.get("/admin/cases/case/", query)
    assert response.status_code == 302 and response["Location"].endswith("?e=1")


@pytest.mark.parametrize("selected", ["abc", HUGE, "1.5"])
def test_an_action_on_a_selection_that_is_no_id_changes_nothing(admin_client, make_case, selected):
    """assign_to_me with a selection that names no case: back to the list, told so, in French too."""
    case = make_case()
    data = {"action": "assign_to_me", "_selected_action": [str(case.pk), selected], "index": "0"}
    response = admin_client.post("/admin/cases/case/", data, headers=FRENCH, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert escape("Des éléments doivent être sélectionnés afin d'appliquer les actions.") in page
    case.refresh_from_db()
    assert case.assigned_to is None


def test_view_on_site_with_malformed_ids_is_not_found(admin_client, make_case):
    """The admin's "view on site" address with ids that are no case's: 404."""
    case_type = ContentType.objects.get_for_model(Case).pk
    for address in (f"/admin/r/{case_type}/abc/", f"/admin/r/abc/{make_case().pk}/", f"/admin/r/{case_type}/{HUGE}/"):
        assert admin_client.get(address).status_code == 404
