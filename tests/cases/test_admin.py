"""Staff review cases in the admin: find, assign, answer, close; groups see only their work."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.conversation.services import case_record_response
from cases.models import Case
from helpdesk.models import ClosureDay
from tests.conftest import make_staff, sign_in_staff

CHANGELIST = reverse("admin:cases_case_changelist")


def change_url(case):
    return reverse("admin:cases_case_change", args=[case.pk])


def edit_data(case, **changes):
    data = {
        "team": case.team_id or "",
        "status": case.status,
        "assigned_to": case.assigned_to_id or "",
        "notes-TOTAL_FORMS": "0",
        "notes-INITIAL_FORMS": "0",
        "notes-MIN_NUM_FORMS": "0",
        "notes-MAX_NUM_FORMS": "1000",
        "notes-2-TOTAL_FORMS": "1",
        "notes-2-INITIAL_FORMS": "0",
        "notes-2-MIN_NUM_FORMS": "0",
        "notes-2-MAX_NUM_FORMS": "1",
        "notes-2-0-text": "",
        "notes-2-0-case": case.pk,
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_changelist_columns(make_case, reviewer_client):
    """The list shows reference, received, topic, status, due, overdue, assignee and language; the
    response class is a filter, not a column, so that the columns fit 1280 pixels."""
    case = make_case()
    page = reviewer_client.get(CHANGELIST).content.decode()
    assert case.display_reference in page
    headings = re.findall(r'<th scope="col" class="[^"]*column-[^"]*">.*?<div class="text">(.*?)</div>', page, re.S)
    assert [re.sub(r"<[^>]+>", "", heading) for heading in headings] == [
        "Reference",
        "Received",
        "Topic",
        "Status",
        "Next reply due",
        "Overdue",
        "Assigned to",
        "Language of the request",
    ]
    assert "By response class" in page


def test_changelist_queries_do_not_grow_with_cases(make_case, reviewer_client, reviewer, django_assert_max_num_queries):
    """Forty cases, half of them assigned, cost no more queries than one: no query per row."""
    make_case()
    with django_assert_max_num_queries(20) as first:
        reviewer_client.get(CHANGELIST)
    for number in range(40):
        case = make_case(topic="rm-account" if number % 2 else "cad")
        if number % 2:
            Case.objects.filter(pk=case.pk).update(assigned_to=reviewer)
    with django_assert_max_num_queries(len(first.captured_queries)):
        reviewer_client.get(CHANGELIST)


@pytest.mark.parametrize(
    "term", ["{shown}", "{lower}", "{compact}", "{bare}", "ann@example.org", "Ann Smith", "123456782"]
)
def test_search(make_case, reviewer_client, term):
    """Find a case by its reference (any way it is typed), email, name or business number."""
    case = make_case()
    other = make_case(email="bob@example.org", full_name="Bob Jones", business_number="")
    shown = case.display_reference
    query = term.format(shown=shown, lower=shown.lower(), compact=shown.replace("-", ""), bare=case.reference)
    page = reviewer_client.get(CHANGELIST, {"q": query}).content.decode()
    assert shown in page and other.display_reference not in page


def test_filters(make_case, reviewer_client, reviewer):
    """Filters: status, topic, class, overdue, assigned to me (open cases unless a status is chosen)."""
    late = make_case(received_at=timezone.now() - timedelta(days=30))
    mine = make_case(topic="rm-account")
    Case.objects.filter(pk=mine.pk).update(assigned_to=reviewer)

    def listed(**params):
        page = reviewer_client.get(CHANGELIST, params).content.decode()
        return {c.display_reference for c in (late, mine) if c.display_reference in page}

    assert listed(overdue="yes") == {late.display_reference}
    assert listed(overdue="no") == {mine.display_reference}
    assert listed(assigned="me") == {mine.display_reference}
    assert listed(response_class__exact="financial") == {mine.display_reference}
    assert listed(status="new") == {late.display_reference, mine.display_reference}
    assert listed(status="closed") == set()
    assert listed(topic__id__exact=str(mine.topic_id)) == {mine.display_reference}


def test_change_page_shows_the_request_read_only(make_case, reviewer_client):
    """The path snapshot and the client's text are shown, as text, and cannot be edited."""
    case = make_case(
        description="<script>alert(1)</script> help", path=[{"question": "Who?", "answer": "<i>Importer</i>"}]
    )
    page = reviewer_client.get(change_url(case)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; help" in page
    assert "<dt>Who?</dt><dd>&lt;i&gt;Importer&lt;/i&gt;</dd>" in page
    assert 'name="description"' not in page and 'name="email"' not in page
    assert 'name="status"' in page and 'name="assigned_to"' in page
    assert "Received through the contact form" in page  # the audit trail


def test_status_change_and_note_are_recorded(make_case, reviewer_client, reviewer):
    """Saving a status, an assignee and a note records who did what in the audit trail."""
    case = make_case()
    data = edit_data(case, status="in_progress", assigned_to=reviewer.pk, **{"notes-2-0-text": "Called the client."})
    response = reviewer_client.post(change_url(case), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "in_progress" and case.assigned_to == reviewer
    note = case.notes.get()
    assert note.author == reviewer and note.text == "Called the client."
    actions = [
        (event.description, event.actor and event.actor.username) for event in case.events.select_related("actor")
    ]
    assert ("Status changed from New to In progress", "reviewer") in actions
    assert ("Assigned to reviewer", "reviewer") in actions
    assert ("Internal note added", "reviewer") in actions


def test_forbidden_transition_is_explained(make_case, reviewer_client):
    """A closed case cannot be reopened; the form says why and nothing changes."""
    case = make_case()
    Case.objects.filter(pk=case.pk).update(status="closed")
    case.refresh_from_db()
    page = reviewer_client.post(change_url(case), edit_data(case, status="new")).content.decode()
    assert "A case cannot go from Closed to New." in page
    case.refresh_from_db()
    assert case.status == "closed"


def test_actions_assign_record_and_export(make_case, reviewer_client, reviewer):
    """Assign to me, record first response, export CSV."""
    cases = [make_case(), make_case(topic="rm-account")]
    ids = [c.pk for c in cases]
    reviewer_client.post(CHANGELIST, {"action": "assign_to_me", "_selected_action": ids})
    assert set(Case.objects.values_list("assigned_to", flat=True)) == {reviewer.pk}
    reviewer_client.post(CHANGELIST, {"action": "record_telephone_response", "_selected_action": ids})
    for case in Case.objects.all():
        assert case.first_response_by == reviewer and case.met_standard is True
    response = reviewer_client.post(CHANGELIST, {"action": "export_csv", "_selected_action": ids})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert {row["reference"] for row in rows} == {c.display_reference for c in cases}
    assert {row["target met"] for row in rows} == {"yes"}
    assert "ann@example.org" not in response.content.decode()


def test_export_in_french_has_french_headers(make_case, reviewer_client):
    """The export's headers are in the staff member's language, the file otherwise the same."""
    case = make_case()
    response = reviewer_client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [case.pk]}, headers={"accept-language": "fr-CA"}
    )
    assert response["Content-Disposition"] == 'attachment; filename="cases.csv"'
    header, row = csv.reader(io.StringIO(response.content.decode()))
    assert header == [
        "référence",
        "reçue",
        "sujet",
        "catégorie de délai de réponse",
        "état",
        "échéance",
        "première réponse",
        "délai cible respecté",
        "attribuée à",
    ]
    assert row[0] == case.display_reference


def test_first_response_after_the_target_is_missed(make_case, reviewer):
    """A first response after the due time counts as a missed target."""
    case = make_case()
    case_record_response(case, actor=reviewer, channel="telephone", at=case.due_at + timedelta(minutes=1))
    case.refresh_from_db()
    assert case.met_standard is False
    assert not case_record_response(case, actor=reviewer, channel="telephone")


def test_closure_days_page_lists_coming_holidays(reviewer_client):
    """Closure days are edited beside the designated holidays of the coming year, Easter Monday included."""
    ClosureDay.objects.create(
        date=timezone.localdate() + timedelta(days=30), reason_en="Portal outage", reason_fr="Panne du portail"
    )
    page = reviewer_client.get(reverse("admin:helpdesk_closureday_changelist")).content.decode()
    assert "Portal outage" in page and "Panne du portail" in page
    assert "Designated paid holidays in the coming year" in page and "Christmas Day" in page
    assert "Easter Monday" in page and "Civic Holiday" in page
    page = reviewer_client.get(
        reverse("admin:helpdesk_closureday_changelist"), headers={"accept-language": "fr-CA"}
    ).content.decode()
    assert "Jour de Noël" in page and "Christmas Day" not in page and "décembre" in page
    assert "Jours fériés désignés payés" in page and "Lundi de Pâques" in page and "Congé civique" in page


def test_tree_editor_cannot_see_cases(carm_tree, client, make_case):
    """Tree editors edit trees and nothing of cases."""
    sign_in_staff(client, make_staff("editor", "Tree editors"))
    case = make_case()
    assert client.get(reverse("admin:triage_node_changelist")).status_code == 200
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(case)).status_code == 403


def test_case_reviewer_cannot_edit_trees(carm_tree, reviewer_client):
    """Case reviewers work on cases and cannot open or change help trees."""
    assert reviewer_client.get(CHANGELIST).status_code == 200
    node = carm_tree.start
    assert reviewer_client.get(reverse("admin:triage_node_change", args=[node.pk])).status_code == 403
    assert reviewer_client.post(reverse("admin:triage_node_delete", args=[node.pk]), {"post": "yes"}).status_code == 403
    assert reviewer_client.get(reverse("admin:triage_tree_changelist")).status_code == 403


def test_cases_cannot_be_added_or_deleted(make_case, admin_client):
    """Cases come from the contact form and are kept."""
    case = make_case()
    assert admin_client.get(reverse("admin:cases_case_add")).status_code == 403
    assert admin_client.get(reverse("admin:cases_case_delete", args=[case.pk])).status_code == 403


def test_service_standard_summary(make_case, reviewer_client, reviewer):
    """The case list says how many recent cases were answered by their target."""
    on_time, late, waiting = make_case(), make_case(), make_case()
    case_record_response(on_time, actor=reviewer, channel="telephone")
    case_record_response(late, actor=reviewer, channel="telephone", at=late.due_at + timedelta(hours=1))
    past = timezone.now() - timedelta(hours=1)
    Case.objects.filter(pk=waiting.pk).update(due_at=past, reply_due_at=past)
    page = reviewer_client.get(CHANGELIST).content.decode()
    assert "3 received, 2 answered, 1 of them by their target (50%); 1 waiting past their target." in page


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_export_neutralises_formulas(make_case, reviewer_client, start):
    """A cell that a spreadsheet would run as a formula is exported as text."""
    import csv
    import io

    from helpdesk.models import Topic

    Topic.objects.filter(slug="portal-access").update(name_en=f'{start}HYPERLINK("http://evil.example")')
    case = make_case()
    response = reviewer_client.post(CHANGELIST, {"action": "export_csv", "_selected_action": [case.pk]})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][2] == f'\'{start}HYPERLINK("http://evil.example")'
    assert rows[1][0] == case.display_reference and rows[1][1][0].isdigit()


def test_one_rule_for_status_changes(make_case, admin_user):
    """The service refuses what the form refuses, with the same explanation."""
    from cases.services import CaseRuleError, case_change

    case = make_case()
    with pytest.raises(CaseRuleError, match="A case cannot go from New to Closed. From New it can go to: "):
        case_change(case, actor=admin_user, status=Case.Status.CLOSED)
    assert Case.objects.get(pk=case.pk).status == Case.Status.NEW
