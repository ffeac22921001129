"""“Did we resolve your request?”: asked by the email that resolves a case, answered by two signed
links whose page records the answer only when the client confirms it, a No told to the assignee,
the comment removed with the case's personal data, and the answers counted in the report."""

import io
import logging
import re
import time
from datetime import UTC, date, datetime, timedelta
from html import unescape
from unittest import mock

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from carmsupport.middleware import RedactLinksFilter
from cases.conversation.services import case_reply
from cases.models import Case, CaseEvent, OutboundEmail, SatisfactionAnswer
from cases.reports.service_standard import monthly, weekly
from cases.satisfaction import services
from cases.services import case_change, cases_anonymise_closed
from cases.tokens import RESOLVED_SIGNER, resolved_token
from helpdesk.calendar import HELPDESK_TZ
from tests.cases.test_report import REPORT, Tables, csv_rows, parse_svg, staff_with
from tests.conftest import sign_in_staff

COMMENT = "Still EC-1012 at sign-in; call me at 613-555-0100."


@pytest.fixture
def sent(django_capture_on_commit_callbacks, settings):
    """Emails queued in a block are sent when it ends, as the worker would."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    return lambda: django_capture_on_commit_callbacks(execute=True)


def answer_links(text):
    """{"yes": path, "no": path} of the question's links in an email's text."""
    found = {}
    for path in re.findall(r"https?://[^/\s]+(/(?:en/resolved|fr/resolue)/[^/\s]+/)", text):
        found[RESOLVED_SIGNER.unsign(path.split("/")[3]).rsplit(".", 1)[1]] = path
    return found


# The first word of the links' addresses in each language.
RESOLVED = {"en": "resolved", "fr": "resolue"}


def link(case, answer, language="en"):
    return f"/{language}/{RESOLVED[language]}/{resolved_token(case, answer)}/"


@pytest.fixture
def resolved_case(make_case, reviewer):
    case = make_case()
    case_change(case, actor=reviewer, status=Case.Status.RESOLVED)
    return case


# The email that resolves the case asks, once.


@pytest.mark.parametrize(
    "language, question, yes, no",
    [
        (
            "en",
            "Did we resolve your request? Answer with one click:",
            "Yes, it is resolved:",
            "No, it is not resolved:",
        ),
        (
            "fr",
            "Avons-nous résolu votre demande\u00a0? Répondez en un clic\u00a0:",
            "Oui, elle est résolue\u00a0:",
            "Non, elle n'est pas résolue\u00a0:",
        ),
    ],
)
def test_a_reply_that_resolves_asks_with_both_links_in_the_clients_language(
    make_case, reviewer, sent, settings, language, question, yes, no
):
    case = make_case(preferred_language=language)
    mail.outbox.clear()
    with sent():
        case_reply(case, author=reviewer, body="Your account is fixed.", status=Case.Status.RESOLVED)
    (email,) = mail.outbox  # the reply, and no resolution email besides
    links = answer_links(email.body)
    assert set(links) == {"yes", "no"}
    assert all(path.startswith(f"/{language}/{RESOLVED[language]}/") for path in links.values())
    lines = email.body.splitlines()
    assert question in lines
    assert lines[lines.index(yes) + 1].endswith(links["yes"]) and lines[lines.index(no) + 1].endswith(links["no"])
    html = email.alternatives[0].content
    for path in links.values():
        assert f'href="{settings.SITE_URL}{path}"' in html
    assert OutboundEmail.objects.get(case=case, kind=OutboundEmail.Kind.REPLY).asks_if_resolved


def test_a_reply_that_does_not_resolve_does_not_ask(make_case, reviewer, sent):
    case = make_case()
    mail.outbox.clear()
    with sent():
        case_reply(case, author=reviewer, body="Which error code?", status=Case.Status.WAITING_ON_CLIENT)
    (email,) = mail.outbox
    assert "/resolved/" not in email.body and "Did we resolve" not in email.body


def test_resolving_without_a_reply_sends_one_resolution_email_that_asks(make_case, reviewer, sent):
    case = make_case(preferred_language="fr")
    mail.outbox.clear()
    with sent():
        case_change(case, actor=reviewer, status=Case.Status.RESOLVED)
        case_change(case, actor=reviewer, status=Case.Status.RESOLVED)  # no change: no second email
    (email,) = mail.outbox
    assert email.subject == f"Votre demande {case.display_reference} est résolue"
    assert set(answer_links(email.body)) == {"yes", "no"}
    assert "/fr/conversation/ouvrir/" in email.body
    # Reopened, then resolved by a reply: the reply asks, and no resolution email goes besides.
    with sent():
        case_change(case, actor=reviewer, status=Case.Status.IN_PROGRESS)
        case_reply(case, author=reviewer, body="Voilà.", status=Case.Status.RESOLVED)
    assert [e.kind for e in OutboundEmail.objects.filter(case=case)] == ["acknowledgment", "resolution", "reply"]
    assert set(answer_links(mail.outbox[-1].body)) == {"yes", "no"}


# The links' pages.


def test_loading_a_link_records_nothing_its_button_does(client, resolved_case):
    path = link(resolved_case, "yes")
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert f"You answered Yes: your request {resolved_case.display_reference} is resolved." in html
    assert re.search(r'<form id="resolved-form" method="post"', html) and "csrfmiddlewaretoken" in html
    assert "Confirm: Yes, it is resolved" in html and "<script" not in html
    assert 'name="comment"' not in html  # a comment goes with a No only
    assert not SatisfactionAnswer.objects.exists()
    assert not resolved_case.events.filter(code=CaseEvent.Code.ANSWERED_RESOLVED).exists()

    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == "/en/resolved/recorded/yes/"
    answer = SatisfactionAnswer.objects.get(case=resolved_case)
    assert (answer.answer, answer.comment, answer.language) == ("yes", "", "en")
    assert resolved_case.events.filter(code=CaseEvent.Code.ANSWERED_RESOLVED).count() == 1
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you for your answer" in thanks


def test_the_answer_needs_the_pages_csrf_token(resolved_case):
    client = Client(enforce_csrf_checks=True)
    path = link(resolved_case, "no")
    assert client.post(path, {"comment": "x"}).status_code == 403
    assert not SatisfactionAnswer.objects.exists()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(path).content.decode())[1]
    assert client.post(path, {"comment": "x", "csrfmiddlewaretoken": token}).status_code == 302
    assert SatisfactionAnswer.objects.get().answer == "no"


def later(days):
    """The links' clock `days` days after now."""
    return mock.patch("django.core.signing.time.time", return_value=time.time() + timedelta(days=days).total_seconds())


def test_links_work_for_30_days(client, resolved_case):
    path = link(resolved_case, "yes", "fr")
    with later(29.9):
        assert client.get(path).status_code == 200
    with later(30.01):
        page = client.get(path)
        assert client.post(path).status_code == 404
    assert page.status_code == 404
    html = page.content.decode()
    assert '<html lang="fr">' in html and "Ce lien ne peut plus enregistrer de réponse" in html
    assert "valides pendant 30 jours après notre courriel" in html
    assert not SatisfactionAnswer.objects.exists()


@pytest.mark.parametrize(
    "token",
    [
        "tampered",  # a character of the signature changed
        "other answer",  # a well-signed link whose answer is neither yes nor no
        "other salt",  # a conversation link's signature
        "unknown case",
        "x",
    ],
)
def test_a_tampered_link_gets_a_friendly_page(client, resolved_case, token):
    good = resolved_token(resolved_case, "yes")
    token = {
        "tampered": good[:-1] + ("A" if good[-1] != "A" else "B"),
        "other answer": RESOLVED_SIGNER.sign(f"{resolved_case.reference}.maybe"),
        "other salt": signing.TimestampSigner(salt="cases.conversation-link").sign(f"{resolved_case.reference}.yes"),
        "unknown case": RESOLVED_SIGNER.sign("ABCDEFGHJ.yes"),
    }.get(token, token)
    for language, words in (("en", "This link can no longer record an answer"), ("fr", "Ce lien ne peut plus")):
        address = f"/{language}/{RESOLVED[language]}/{token}/"
        for response in (client.get(address), client.post(address)):
            assert response.status_code == 404
            assert words in response.content.decode()
    assert not SatisfactionAnswer.objects.exists()


def test_the_last_answer_counts(client, resolved_case):
    client.post(link(resolved_case, "no"), {"comment": COMMENT})
    client.post(link(resolved_case, "yes", "fr"), {"comment": "ignored with a Yes"})
    answer = SatisfactionAnswer.objects.get(case=resolved_case)
    assert (answer.answer, answer.comment, answer.language) == ("yes", "", "fr")
    client.post(link(resolved_case, "no"), {"comment": "Not after all."})
    answer = SatisfactionAnswer.objects.get(case=resolved_case)
    assert (answer.answer, answer.comment) == ("no", "Not after all.")
    codes = list(resolved_case.events.filter(code__startswith="answered").values_list("code", flat=True))
    assert codes == ["answered_not_resolved", "answered_resolved", "answered_not_resolved"]


def test_a_no_tells_the_assignee_and_reopens_nothing(client, resolved_case, reviewer, admin_client, monkeypatch):
    case_change(resolved_case, actor=reviewer, assigned_to=reviewer)
    told = []  # through the hook the staff notifications will send their email from
    original = services.notify_not_resolved
    monkeypatch.setattr(
        services, "notify_not_resolved", lambda case, *, at: (told.append(case.pk), original(case, at=at))
    )
    client.post(link(resolved_case, "no"), {"comment": COMMENT})
    assert told == [resolved_case.pk]
    resolved_case.refresh_from_db()
    assert resolved_case.status == Case.Status.RESOLVED  # the assignee decides
    event = resolved_case.events.get(code=CaseEvent.Code.ANSWERED_NOT_RESOLVED)
    assert event.params == {"assignee": "reviewer"}  # never the comment
    assert event.description == "The client answered No: the request was not resolved (for reviewer)"

    page = admin_client.get(f"/admin/cases/case/{resolved_case.pk}/change/").content.decode()
    page = page.replace("&#x27;", "'")
    assert "Client's answer to “Did we resolve your request?”" in page
    assert "No: the request was not resolved (" in page
    assert f'<div lang="en">{COMMENT}</div>' in page
    assert "The client answered No: the request was not resolved (for reviewer)" in page


def test_the_comment_is_limited_and_kept_when_refused(client, resolved_case):
    too_long = "x" * 1001
    response = client.post(link(resolved_case, "no"), {"comment": too_long})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Did we resolve your request?" in html
    assert "Your comment must be 1,000 characters or fewer; it has 1,001." in html
    assert too_long in html and 'maxlength="1000"' in html
    assert '<label for="id_comment"' in html
    assert not SatisfactionAnswer.objects.exists()


def test_the_language_toggle_keeps_the_comment_and_records_nothing(client, resolved_case):
    page = client.get(link(resolved_case, "no")).content.decode()
    assert re.search(r'formaction="/fr/resolue/[^"]+/" name="language_switch"', page)
    french = client.post(link(resolved_case, "no", "fr"), {"comment": COMMENT, "language_switch": "1"})
    html = french.content.decode()
    assert french.status_code == 200 and '<html lang="fr">' in html
    assert "Avons-nous résolu votre demande\u00a0?" in html and "613-555-0100" in html
    assert not SatisfactionAnswer.objects.exists()


def test_the_comment_is_never_logged(client, resolved_case, caplog):
    with caplog.at_level(logging.DEBUG):
        client.post(link(resolved_case, "no"), {"comment": COMMENT})
    assert SatisfactionAnswer.objects.get().comment == COMMENT
    assert "613-555-0100" not in caplog.text


def test_the_links_never_reach_the_logs(client, resolved_case):
    """A link's token is blanked in the site's log lines, as a conversation link's is."""
    handler = next(h for h in logging.getLogger().handlers if isinstance(h.filters[-1], RedactLinksFilter))
    written = io.StringIO()
    stream = handler.setStream(written)
    try:
        token = resolved_token(resolved_case, "no")
        client.get(f"/en/resolved/{token}x/")  # a bad link: "Not Found" is logged
        logging.getLogger("django.server").info('"GET /fr/resolue/%s/ HTTP/1.1" 200 0', token)
        logging.getLogger("django.server").info('"GET /fr/resolved/%s/ HTTP/1.1" 301 0', token)  # an old address
        logging.getLogger("django.server").info('"GET /fr/resolue/reponse/non/ HTTP/1.1" 200 0')
        logging.getLogger("django.server").info('"GET /en/resolved/recorded/no/ HTTP/1.1" 200 0')
    finally:
        handler.setStream(stream)
    lines = written.getvalue()
    assert token not in lines and lines.count("/resolved/[redacted]/") == 2
    assert lines.count("/resolue/[redacted]/") == 1
    assert "/fr/resolue/reponse/non/" in lines and "/en/resolved/recorded/no/" in lines


def test_the_comment_is_removed_on_anonymisation(client, resolved_case, reviewer):
    client.post(link(resolved_case, "no"), {"comment": COMMENT})
    case_change(resolved_case, actor=reviewer, status=Case.Status.CLOSED)
    cases_anonymise_closed(older_than_days=0, now=timezone.now() + timedelta(seconds=1))
    answer = SatisfactionAnswer.objects.get(case=resolved_case)
    assert (answer.answer, answer.comment) == ("no", "")  # the answer stays for the report
    # Its links no longer record anything.
    assert client.post(link(resolved_case, "no"), {"comment": COMMENT}).status_code == 404
    assert SatisfactionAnswer.objects.get(case=resolved_case).comment == ""


def test_no_page_is_stored(client, resolved_case):
    path = link(resolved_case, "no")
    for response in (
        client.get(path),
        client.post(path, {"comment": "x" * 1001}),
        client.post(path, {"comment": "ok"}),
        client.get("/en/resolved/recorded/no/"),
        client.get("/fr/resolue/reponse/oui/"),
        client.get("/en/resolved/nonsense/"),
    ):
        assert "no-store" in response["Cache-Control"]
    assert client.get("/en/resolved/recorded/maybe/").status_code == 404


def test_the_pages_in_french(client, resolved_case):
    html = client.get(link(resolved_case, "no", "fr")).content.decode()
    assert '<html lang="fr">' in html
    assert f"Vous avez répondu Non\u00a0: votre demande {resolved_case.display_reference} n'est pas résolue." in html
    assert "Confirmer\u00a0: Non, elle n'est pas résolue" in html
    assert "jusqu'à 1\u00a0000 caractères." in unescape(html)
    thanks = client.get("/fr/resolue/reponse/non/").content.decode()
    assert "Merci de votre réponse" in thanks


# The report.


def toronto(*args):
    return datetime(*args, tzinfo=HELPDESK_TZ)


def answered(make_case, answer, at, topic="portal-access"):
    case = make_case(topic=topic)
    SatisfactionAnswer.objects.create(case=case, answer=answer, language="en", answered_at=at)
    return case


@pytest.fixture
def answers(make_case):
    """December 2026: 3 Yes and 1 No (one of each in the financial class); January 2027: 1 No."""
    answered(make_case, "yes", toronto(2026, 12, 1, 0, 0))  # the first moment of December, Toronto time
    answered(make_case, "yes", toronto(2026, 12, 15, 10, 0))
    answered(make_case, "yes", toronto(2026, 12, 31, 23, 59), topic="rm-account")
    answered(make_case, "no", toronto(2026, 12, 20, 10, 0), topic="rm-account")
    answered(make_case, "no", toronto(2027, 1, 2, 10, 0))
    answered(make_case, "yes", toronto(2026, 11, 30, 23, 59))  # November, in Toronto (December in UTC)


NOW = toronto(2027, 2, 15, 12, 0)


@pytest.fixture
def manager_client(client, db, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW.astimezone(UTC))
    return sign_in_staff(client, staff_with("manager", "view_service_standard"))


def test_report_figures(answers):
    november, december, january = monthly(date(2026, 11, 1), months=3, now=NOW)
    assert (november.answers.count, november.answers.yes) == (1, 1)
    assert (december.answers.count, december.answers.yes, december.answers.no) == (4, 3, 1)
    assert december.answers.yes_percent == 75.0
    assert (december.classes["financial"].answers.count, december.classes["financial"].answers.yes) == (2, 1)
    assert (january.answers.count, january.answers.yes, january.answers.yes_percent) == (1, 0, 0.0)
    empty = monthly(date(2026, 10, 1), months=1, now=NOW)[0]
    assert empty.answers.count == 0 and empty.answers.yes_percent is None
    week = weekly(date(2026, 12, 28), weeks=1, now=NOW)[0]  # 28 December to 3 January
    assert (week.answers.count, week.answers.yes) == (2, 1)


def test_report_page_chart_and_csv(answers, manager_client):
    html = manager_client.get(REPORT, {"by": "month", "end": "2027-01-31"}).content.decode()
    page = Tables(html)
    image = next(i for i in page.images if "chart=resolved" in i["src"])
    assert "Yes" in image["alt"]
    assert page.order[page.order.index(("img", image["src"])) + 1] == ("table", "resolved-chart-data")
    rows = {row[0]: row[1:] for row in page.tables["resolved-chart-data"]}
    assert rows["Month"] == ["Answers", "Yes", "No", "Percentage Yes"]
    assert rows["December 2026"] == ["4", "3", "1", "75.0%"]
    assert rows["January 2027"] == ["1", "0", "1", "0.0%"]
    assert rows["October 2026"] == ["0", "0", "0", "no answers"]

    svg = manager_client.get(image["src"])
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    root = parse_svg(svg.content)
    values = [d.text for d in root.iter("{http://www.w3.org/2000/svg}desc") if d.get("class") == "value"]
    assert values == ["100.0%", "75.0%", "0.0%"]  # November, December, January

    chart_csv = csv_rows(manager_client.get(REPORT, {"end": "2027-01-31", "chart": "resolved", "format": "csv"}))
    assert chart_csv[0] == [
        "Period",
        "First day",
        "Last day",
        "Answers to “Did we resolve your request?”",
        "Answered Yes",
        "Answered No",
        "Percentage answered Yes",
    ]
    assert chart_csv[-2:] == [
        ["2026-12", "2026-12-01", "2026-12-31", "4", "3", "1", "75.0"],
        ["2027-01", "2027-01-01", "2027-01-31", "1", "0", "1", "0.0"],
    ]

    rows = csv_rows(manager_client.get(REPORT, {"by": "month", "end": "2027-01-31", "format": "csv"}))
    assert rows[0][-3:] == ["Answers to “Did we resolve your request?”", "Answered Yes", "Percentage answered Yes"]
    by_key = {(row[0], row[3]): row[-3:] for row in rows[1:]}
    assert by_key["2026-12", "Standard (2 business days)"] == ["2", "2", "100.0"]
    assert by_key["2026-12", "Financial account (15 business days)"] == ["2", "1", "50.0"]
    assert by_key["2026-10", "Standard (2 business days)"] == ["0", "0", ""]

    french = csv_rows(manager_client.get(REPORT, {"chart": "resolved", "format": "csv"}, HTTP_ACCEPT_LANGUAGE="fr"))
    assert french[0][3:] == [
        "Réponses à «\u00a0Avons-nous résolu votre demande\u00a0?\u00a0»",
        "Réponses Oui",
        "Réponses Non",
        "Pourcentage de réponses Oui",
    ]
