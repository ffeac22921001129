"""Automatic answers to emails received, in English and French, each saying it is automatic: to a
stranger once a day, to a client whose files were refused, to an email too large; never to a program.
And a flood from one address is held, not posted."""

from datetime import timedelta

import pytest

from cases.inbound.services import case_accept_held, receive_message
from cases.models import InboundEmail, Message, OutboundEmail
from tests.cases.test_inbound_receive import raw, reply

Status = InboundEmail.Status
Kind = OutboundEmail.Kind


@pytest.fixture(autouse=True)
def inbound(settings):
    settings.INBOUND_EMAIL_ADDRESS = "support@support.example.ca"


@pytest.fixture
def take(mailoutbox, django_capture_on_commit_callbacks):
    """take(raw): receive_message with its emails sent; the emails sent, as EmailMessages."""

    def run(message, **options):
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            run.outcome = receive_message(message, **options)
        return mailoutbox[before:]

    return run


def stranger(case, number=1, **headers):
    return raw(reply(case, to="support@support.example.ca", subject=f"Question {number}", **headers))


def test_a_stranger_is_answered_once_a_day_in_both_languages(make_case, take, clock):
    case = make_case()
    (answer,) = take(stranger(case))
    assert answer.to == ["ann@example.org"]
    assert answer.from_email.startswith("CARM Client Support <")  # the name of its first part's language
    assert answer.subject == (
        "Automatic answer: we could not tell which request your email is about / "
        "Réponse automatique\u00a0: nous n'avons pas pu savoir de quelle demande traite votre courriel"
    )
    assert answer.extra_headers["Auto-Submitted"] == "auto-replied"
    assert answer.extra_headers["In-Reply-To"] == InboundEmail.objects.get().internet_message_id
    assert "/en/contact/" in answer.body and "/fr/nous-joindre/" in answer.body and "/fr/etat-demande/" in answer.body
    assert take(stranger(case, 2)) == []  # the same day
    clock.to(clock.now + timedelta(days=1))
    assert len(take(stranger(case, 3))) == 1


def test_a_program_is_never_answered(make_case, take):
    case = make_case()
    assert take(stranger(case, Auto_Submitted="auto-replied")) == []
    assert take(stranger(case, 2, Precedence="junk")) == []


def test_a_client_whose_files_were_refused_is_told_which(make_case, take):
    case = make_case(preferred_language="fr")
    message = reply(case)
    message.add_attachment(b"MZ\x90\x00binary", maintype="application", subtype="octet-stream", filename="run.exe")
    (answer,) = take(raw(message))
    assert take.outcome.reason == Status.POSTED
    assert answer.subject.startswith(
        f"Réponse automatique\u00a0: fichiers non ajoutés à la demande {case.display_reference}"
    )
    assert answer.from_email.startswith("Soutien de la GCRA <")
    french, english = answer.body.split("\n---\n")
    assert "- run.exe\u00a0:" in french and "- run.exe: " in english and "is not a PNG" in english


def test_an_email_too_large_is_answered(make_case, take):
    case = make_case()
    headers = raw(reply(case)).partition(b"\n\n")[0] + b"\n\n"
    (answer,) = take(headers, too_large=True)
    assert "Automatic answer: your email was too large" in answer.subject
    assert OutboundEmail.objects.get(kind=Kind.TOO_LARGE_ANSWER).case == case


def test_a_flood_from_one_address_is_held(make_case, settings, clock, reviewer):
    settings.INBOUND_EMAILS_PER_HOUR = 3
    case = make_case()
    for number in range(3):
        assert receive_message(raw(reply(case, text=f"Message {number}"))).reason == Status.POSTED
    flooded = receive_message(raw(reply(case, text="Message 3"))).inbound
    assert flooded.status == Status.FLOODED
    assert case.messages.filter(kind=Message.Kind.FOLLOW_UP).count() == 3
    assert case_accept_held(flooded, actor=reviewer)
    assert case.messages.filter(kind=Message.Kind.FOLLOW_UP).count() == 4
    clock.to(clock.now + timedelta(hours=1, seconds=1))
    assert receive_message(raw(reply(case, text="Later"))).reason == Status.POSTED
