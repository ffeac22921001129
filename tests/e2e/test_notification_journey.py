"""A day of the helpdesk kept by the system, in each language, with emails read from a real SMTP server:
a client files a request and follows up in a browser; the assignee is told of the case and of the
follow-up in their inbox, in the language their browser spoke when they signed in; the team's digest
comes at 7 am; the reply due soon is warned of, and once its target passes, the team's lead is told.
The clock moves (time-machine) only after the browsers are done."""

import re
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from email import message_from_string, policy

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import expect

from cases.models import Case, StaffProfile, Team
from cases.services import case_change
from helpdesk.calendar import HELPDESK_TZ, eastern, is_business_day, is_open
from helpdesk.models import Topic
from tests.e2e.test_conversation_journey import assert_posted
from tests.e2e.test_journeys import sign_in, staff

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "en": {
        "locale": "en-CA",
        "send": "Send request",
        "received": "Request received",
        "open": "Open your conversation",
        "assigned": "Case assigned to you: {}",
        "follow_up": "Client's follow-up: {}",
        "digest": "Your daily digest: 1 notice about cases",
        "soon": "Reply due soon: {}",
        "missed": "Reply target missed: {}",
    },
    "fr": {
        "locale": "fr-CA",
        "send": "Envoyer la demande",
        "received": "Demande reçue",
        "open": "Ouvrir votre conversation",
        "assigned": "Demande qui vous est attribuée\u00a0: {}",
        "follow_up": "Message de suivi du client\u00a0: {}",
        "digest": "Votre résumé quotidien\u00a0: 1 avis sur des demandes",
        "soon": "Réponse attendue bientôt\u00a0: {}",
        "missed": "Délai de réponse dépassé\u00a0: {}",
    },
}


class Mailbox:
    """The emails the SMTP server received, taken as they come: `new(count)` waits for the next `count`."""

    def __init__(self, smtp):
        self.smtp, self.seen = smtp, 0

    def new(self, count, timeout=10):
        deadline = time.monotonic() + timeout
        while len(self.smtp.inbox.messages) < self.seen + count and time.monotonic() < deadline:
            time.sleep(0.05)
        raw = self.smtp.inbox.messages[self.seen :]
        self.seen = len(self.smtp.inbox.messages)
        emails = [message_from_string(each, policy=policy.default) for each in raw]
        assert len(emails) == count, [(email["To"], email["Subject"]) for email in emails]
        return sorted(((email["To"], email["Subject"]), email) for email in emails)


def at(moment):
    """The whole process's clock stopped at `moment`."""
    return time_machine.travel(moment.astimezone(UTC), tick=False)


def first_digest_after(moment):
    """The first 7:00 of a business day after `moment`: when the digests of what was written then go."""
    day = eastern(moment).date()
    while True:
        digest = datetime.combine(day, clock_time(7, 0), tzinfo=HELPDESK_TZ)
        if digest > moment and is_business_day(day):
            return digest
        day += timedelta(days=1)


def last_open_minute_before(target):
    """The last open minute before `target`: within the open hours it is due soon at most a minute later."""
    moment = target - timedelta(minutes=1)
    while not is_open(moment):
        moment -= timedelta(minutes=1)
    return moment


def check(moment):
    with at(moment):
        call_command("check_due_cases")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_assignee_and_the_lead_are_told_by_email(site, new_page, smtp, settings, live_server, language):
    words = WORDS[language]
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = live_server.url
    mailbox = Mailbox(smtp)
    topic = Topic.objects.get(slug="portal-access")
    mia, lea = staff("mia", "Case reviewers"), staff("lea", "Case reviewers")
    for member in (mia, lea):
        member.email = f"{member.username}@cbsa.example"
        member.save()
    team = Team.objects.create(name_en="Access", name_fr="Accès")
    team.topics.add(topic)
    team.members.add(mia, lea)
    team.leads.add(lea)
    # Mia speaks the language of the journey through her browser; Lea chose English on her profile.
    sign_in(new_page(words["locale"]), site, "mia")
    assert StaffProfile.objects.get(user=mia).signed_in_language == language
    StaffProfile.objects.update_or_create(user=lea, defaults={"language": "en"})

    # The client files a request: they are acknowledged; the team's new case waits for the digest.
    client = new_page(words["locale"])
    client.goto(site + {"en": "/en/contact/", "fr": "/fr/nous-joindre/"}[language])
    client.locator(f"input[name=topic][value='{topic.pk}']").check()
    client.locator("input[name=full_name]").fill("Ann Smith")
    client.locator("input[name=email]").fill("ann@example.org")
    client.locator("textarea[name=description]").fill("EC-1012 appears when I register my business.")
    client.locator("input[name=consent]").check()
    client.get_by_role("button", name=words["send"]).click()
    expect(client.locator("h1")).to_have_text(words["received"])
    case = Case.objects.get()
    reference = case.display_reference
    ((to, _subject), acknowledgment), *others = mailbox.new(1)
    assert to == "ann@example.org" and not others

    # Lea assigns it to Mia: Mia is told, in her language.
    case_change(case, actor=lea, assigned_to=mia)
    ((to, subject), _email), *others = mailbox.new(1)
    assert (to, subject) == ("mia@cbsa.example", words["assigned"].format(reference)) and not others

    # The client follows up from their conversation page: it reaches Mia's inbox, naming the case only.
    text = acknowledgment.get_body(preferencelist=("plain",)).get_content()
    (link,) = re.findall(r"https?://\S+/conversation/(?:open|ouvrir)/\S+/", text)
    client.goto(link)
    client.get_by_role("button", name=words["open"]).click()
    client.locator("textarea[name=body]").fill("Any news? My client number is 555-0100.")
    with client.expect_response(lambda response: response.request.method == "POST") as posted:
        client.locator("#follow-up-form button[type=submit]").click()
    assert_posted(posted.value)
    ((to, subject), notice), *others = mailbox.new(1)
    assert (to, subject) == ("mia@cbsa.example", words["follow_up"].format(reference)) and not others
    notice_text = notice.get_body(preferencelist=("plain",)).get_content()
    assert f"{live_server.url}/admin/cases/case/{case.pk}/change/" in notice_text and "555-0100" not in notice_text

    # With no one watching: Lea's digest at 7 am, Mia's warning before the target, Lea's escalation after.
    case.refresh_from_db()
    filed, target = case.received_at, case.reply_due_at
    check(first_digest_after(filed))
    assert [head for head, _email in mailbox.new(2)] == [
        ("lea@cbsa.example", WORDS["en"]["digest"]),
        ("mia@cbsa.example", words["digest"]),
    ]
    check(last_open_minute_before(target))
    assert [head for head, _email in mailbox.new(1)] == [("mia@cbsa.example", words["soon"].format(reference))]
    check(target + timedelta(minutes=1))
    assert [head for head, _email in mailbox.new(1)] == [("lea@cbsa.example", WORDS["en"]["missed"].format(reference))]
    check(target + timedelta(minutes=6))  # and once only
    time.sleep(0.5)
    assert len(smtp.inbox.messages) == mailbox.seen
