"""Merging a client's duplicate case into the case that continues it: what moves, what is refused, the
audit trail, the one email, the status lookup, the report, and the staff page."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation

from cases.conversation.services import case_follow_up, case_reply
from cases.merging import case_merge
from cases.models import Attachment, Case, CaseEvent, CaseNote, Message, OutboundEmail
from cases.reports.service_standard import monthly
from cases.services import CaseRuleError, case_add_note, case_change
from cases.tokens import conversation_case
from helpdesk.calendar import HELPDESK_TZ
from tests.conftest import make_staff, sign_in_staff


def merge_url(case):
    return reverse("admin:cases_case_merge", args=[case.pk])


def change_url(case):
    return reverse("admin:cases_case_change", args=[case.pk])


def codes(case):
    return list(case.events.values_list("code", flat=True))


@pytest.fixture
def pair(make_case):
    """Two cases of one client, the address spelt differently: the first continues, the second is merged."""
    first = make_case(description="EC-1012 when registering.")
    second = make_case(email="ANN@Example.org", description="Still EC-1012, second try.")
    return first, second


# What moves


def test_a_merge_moves_the_request_messages_files_notes_and_audit_trail(pair, reviewer):
    first, second = pair
    request_file = Attachment.objects.create(
        case=second, file=ContentFile(b"a,b\n", name="a.csv"), name="a.csv", content_type="text/csv", size=4
    )
    follow_up = case_follow_up(second, body="A screenshot too.", language="fr").message
    follow_up_file = Attachment.objects.create(
        case=second,
        message=follow_up,
        file=ContentFile(b"%PDF-1.4", name="b.pdf"),
        name="b.pdf",
        content_type="application/pdf",
        size=8,
    )
    note = case_add_note(second, author=reviewer, text="Same as the other one.")
    moved_events = set(second.events.values_list("pk", flat=True))

    assert case_merge(second, first, actor=reviewer) is True

    second.refresh_from_db()
    first.refresh_from_db()
    assert second.merged_into == first and second.status == Case.Status.CLOSED and second.closed_at is not None
    assert second.reply_due_at is None
    assert not second.messages.exists() and not second.attachments.exists() and not second.notes.exists()
    # The merged request joins the conversation as a client message, with its target and its files.
    request = first.messages.get(body="Still EC-1012, second try.")
    assert request.kind == Message.Kind.FOLLOW_UP and request.created_at == second.received_at
    assert request.due_at == second.due_at and request.answered_at is None
    assert list(request.attachments.all()) == [Attachment.objects.get(pk=request_file.pk)]
    follow_up.refresh_from_db()
    assert follow_up.case == first and list(follow_up.attachments.all()) == [follow_up_file]
    assert CaseNote.objects.get(pk=note.pk).case == first
    # The merged case's audit trail moves, each event naming the case it happened on.
    assert moved_events <= set(first.events.values_list("pk", flat=True))
    received = first.events.filter(pk__in=moved_events, code=CaseEvent.Code.RECEIVED).get()
    assert received.description == f"Received through the contact form (moved from {second.display_reference})"
    # The merged case's messages wait for an answer on the case that continues.
    assert first.reply_due_at == min(first.due_at, second.due_at)


def test_the_merge_is_recorded_on_both_cases_in_english_and_french(pair, reviewer):
    first, second = pair
    case_merge(second, first, actor=reviewer)
    merged_into = second.events.get(code=CaseEvent.Code.MERGED_INTO)
    merged_from = first.events.get(code=CaseEvent.Code.MERGED_FROM)
    assert codes(second) == [CaseEvent.Code.STATUS_CHANGED, CaseEvent.Code.MERGED_INTO]
    assert merged_into.actor == reviewer and merged_from.actor == reviewer
    assert merged_into.description == f"Merged into {first.display_reference}"
    assert merged_from.description == f"{second.display_reference} merged into this case"
    with translation.override("fr"):
        assert merged_into.description == f"Jointe à la demande {first.display_reference}"
        assert merged_from.description == f"Demande {second.display_reference} jointe à celle-ci"


def test_a_waiting_case_goes_back_in_progress_when_a_merge_brings_a_request_to_answer(pair, reviewer):
    first, second = pair
    case_reply(first, author=reviewer, body="Try again.", status=Case.Status.WAITING_ON_CLIENT)
    first.refresh_from_db()
    assert first.reply_due_at is None
    case_merge(second, first, actor=reviewer)
    first.refresh_from_db()
    assert first.status == Case.Status.IN_PROGRESS and first.reply_due_at == second.due_at


def test_cases_merged_before_follow_the_case_that_continues(make_case, reviewer):
    """Merged in turn, a case hands on what was merged into it: every merged case names an open one."""
    first, second, third = make_case(), make_case(), make_case()
    case_merge(third, second, actor=reviewer)
    case_merge(second, first, actor=reviewer)
    third.refresh_from_db()
    assert third.merged_into == first


# What is refused


@pytest.mark.parametrize(
    "situation, message",
    [
        ("itself", "A case cannot be merged into itself."),
        ("closed", "is closed: a case can be merged only into one that is not closed."),
        ("anonymised", "Personal data was removed from case"),
        ("another client", "are not from the same client: their email addresses differ."),
        ("already merged", "was already merged into"),
        ("cycle", "was itself merged into another case"),
    ],
)
def test_refusals(make_case, reviewer, situation, message):
    merged, into = make_case(), make_case()
    if situation == "itself":
        into = merged
    elif situation == "closed":
        case_change(into, actor=reviewer, status=Case.Status.RESOLVED)
        case_change(into, actor=reviewer, status=Case.Status.CLOSED)
    elif situation == "anonymised":
        Case.objects.filter(pk=into.pk).update(anonymised_at=timezone.now())
    elif situation == "another client":
        Case.objects.filter(pk=into.pk).update(email="bob@example.org")
    elif situation == "already merged":
        case_merge(merged, make_case(), actor=reviewer)
    elif situation == "cycle":
        case_merge(into, merged, actor=reviewer)
    before = (Message.objects.count(), CaseEvent.objects.count(), OutboundEmail.objects.count())
    with pytest.raises(CaseRuleError, match=re.escape(message)):
        case_merge(merged, into, actor=reviewer)
    assert (Message.objects.count(), CaseEvent.objects.count(), OutboundEmail.objects.count()) == before


# The one email


def test_the_client_gets_one_email_naming_the_reference_that_continues(
    pair, reviewer, django_capture_on_commit_callbacks
):
    first, second = pair
    with django_capture_on_commit_callbacks(execute=True):
        assert case_merge(second, first, actor=reviewer) is True
        assert case_merge(second, first, actor=reviewer) is False  # run again: nothing changes, nothing sent
    (message,) = mail.outbox
    assert message.to == ["ANN@Example.org"]
    assert message.subject == f"Your request {second.display_reference} continues as {first.display_reference}"
    assert (
        f"Your request {second.display_reference} was joined to request {first.display_reference}, "
        "which is about the same matter." in message.body
    )
    html, _mimetype = message.alternatives[0]
    assert first.display_reference in html and second.display_reference in html
    # The link opens the conversation of the case that continues; nothing the client wrote is quoted.
    url = re.search(r"http://127\.0\.0\.1:8000/en/conversation/open/(\S+)/", message.body)
    assert conversation_case(url[1], 90)[0] == first
    assert "EC-1012" not in message.body and "Ann Smith" not in message.body
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.MERGED).count() == 1
    assert codes(second).count(CaseEvent.Code.MERGED_INTO) == 1
    assert codes(first).count(CaseEvent.Code.MERGED_FROM) == 1


def test_the_email_is_in_the_clients_language(make_case, reviewer, django_capture_on_commit_callbacks):
    first, second = make_case(preferred_language="fr"), make_case(preferred_language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        case_merge(second, first, actor=reviewer)
    (message,) = mail.outbox
    assert (
        message.subject
        == f"Votre demande {second.display_reference} se poursuit sous le numéro {first.display_reference}"
    )
    assert (
        f"Votre demande {second.display_reference} a été jointe à la demande {first.display_reference}" in message.body
    )
    assert "/fr/conversation/ouvrir/" in message.body and '<html lang="fr">' in message.alternatives[0][0]


# The client's side


def test_the_merged_reference_finds_the_case_that_continues(pair, reviewer, client):
    first, second = pair
    case_change(first, actor=reviewer, status=Case.Status.IN_PROGRESS)
    case_merge(second, first, actor=reviewer)
    page = client.post(
        reverse("cases:status"), {"reference": second.display_reference, "email": "ann@example.org"}, follow=True
    ).content.decode()
    assert f"Request {first.display_reference}" in page and "In progress" in page
    assert (
        f"Your request {second.display_reference} was joined to request {first.display_reference}, "
        "which is about the same matter." in page
    )
    # Asked from that page, the conversation link is the one of the case that continues.
    client.post(reverse("cases:conversation_link"), {"found": "1"})
    assert first.events.filter(code=CaseEvent.Code.LINK_REQUESTED).exists()


def test_the_status_of_an_unmerged_request_says_nothing_of_merging(make_case, client):
    case = make_case()
    page = client.post(
        reverse("cases:status"), {"reference": case.display_reference, "email": "ann@example.org"}, follow=True
    ).content.decode()
    assert f"Request {case.display_reference}" in page and "was joined to" not in page


def test_a_follow_up_to_the_merged_case_joins_the_case_that_continues(pair, reviewer):
    first, second = pair
    case_merge(second, first, actor=reviewer)
    result = case_follow_up(second, body="Any news?", language="en")
    assert result.case == first and not result.new_case
    assert first.messages.filter(body="Any news?").exists() and Case.objects.count() == 2


def test_a_follow_on_case_stays_linked_and_is_never_merged(make_case):
    old = make_case()
    Case.objects.filter(pk=old.pk).update(status=Case.Status.RESOLVED, resolved_at=timezone.now() - timedelta(days=90))
    new = case_follow_up(old, body="It happened again.", language="en").case
    new.refresh_from_db()
    old.refresh_from_db()
    assert new.follows == old and new.merged_into is None and old.merged_into is None


# The report


def test_the_report_counts_a_merged_pair_once(make_case, reviewer):
    received = datetime(2027, 1, 11, 9, 0, tzinfo=HELPDESK_TZ)
    now = datetime(2027, 2, 15, 12, 0, tzinfo=HELPDESK_TZ)
    first = make_case(received_at=received)
    second = make_case(received_at=received + timedelta(hours=1))
    old = make_case(received_at=received)
    Case.objects.filter(pk=old.pk).update(status=Case.Status.RESOLVED, resolved_at=received)
    follow_on = case_follow_up(old, body="Again.", language="en", at=received + timedelta(days=20)).case

    def january():
        return monthly(date(2027, 1, 1), months=1, now=now)[0].classes["standard"]

    before = january()
    case_merge(second, first, actor=reviewer)
    after = january()
    assert (before.received, before.follow_ups) == (4, 0)
    # The merged case is not a case received; its request is one of the other's client messages.
    assert (after.received, after.follow_ups) == (3, 1)
    assert follow_on.follows == old


# The staff page


def test_staff_merge_from_the_case_page_and_a_second_submission_changes_nothing(
    pair, reviewer_client, django_capture_on_commit_callbacks
):
    first, second = pair
    page = reviewer_client.get(change_url(second)).content.decode()
    assert f'href="{merge_url(second)}"' in page
    review = reviewer_client.get(merge_url(second), {"into": first.display_reference.lower()}).content.decode()
    assert "Still EC-1012, second try." in review and "EC-1012 when registering." in review
    assert f"Merge {second.display_reference} into {first.display_reference}" in review
    assert not Case.objects.filter(merged_into__isnull=False).exists()  # showing both merges nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(merge_url(second), {"into": first.reference}, follow=True)
        again = reviewer_client.post(merge_url(second), {"into": first.reference}, follow=True)
    assert response.redirect_chain[-1][0] == change_url(first)
    assert f"Case {second.display_reference} was merged into {first.display_reference}." in response.content.decode()
    assert again.redirect_chain[-1][0] == change_url(first)
    assert f"was already merged into {first.display_reference}: nothing changed." in again.content.decode()
    assert len(mail.outbox) == 1
    # Each case's page names the other.
    survivor_page = response.content.decode()
    assert f'<a href="{change_url(second)}">{second.display_reference}</a>' in survivor_page
    merged_page = reviewer_client.get(change_url(second)).content.decode()
    assert f'<a href="{change_url(first)}">{first.display_reference}</a>' in merged_page
    assert f'href="{merge_url(second)}"' not in merged_page


@pytest.mark.parametrize(
    "data, error",
    [
        ({}, "Enter the reference of the case that continues."),
        ({"into": "CS-not-a-ref"}, "This is not a case reference."),
        ({"into": "x" * 5000}, "Ensure this value has at most 40 characters"),
        ({"into": "\x00"}, "Null characters are not allowed."),
        ({"into": "{unknown}"}, "No case has this reference."),
        ({"into": "{other_client}"}, "are not from the same client"),
        ({"into": "{itself}"}, "A case cannot be merged into itself."),
    ],
)
def test_a_tampered_form_gets_its_reason_not_a_server_error(pair, make_case, reviewer_client, data, error):
    from cases.intake.references import new_reference

    first, second = pair
    other = make_case(email="bob@example.org")
    values = {"unknown": new_reference(), "other_client": other.reference, "itself": second.reference}
    data = {name: value.format(**values) for name, value in data.items()}
    response = reviewer_client.post(merge_url(second), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in page and error in page
    assert not Case.objects.filter(merged_into__isnull=False).exists() and not OutboundEmail.objects.filter(
        kind=OutboundEmail.Kind.MERGED
    )


def test_a_reviewer_without_the_change_permission_cannot_merge(pair, client):
    first, second = pair
    viewer = make_staff("viewer", permissions=["cases.view_case"])
    sign_in_staff(client, viewer)
    assert f'href="{merge_url(second)}"' not in client.get(change_url(second)).content.decode()
    assert client.get(merge_url(second), {"into": first.reference}).status_code == 403
    assert client.post(merge_url(second), {"into": first.reference}).status_code == 403
    second.refresh_from_db()
    assert second.merged_into is None and second.status == Case.Status.NEW
