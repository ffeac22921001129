"""The SMTP backend calls a message's `on_hand_over` after the server's 354, right before the content goes,
and never when the message fails before its data; an error of the call leaves the server nothing."""

import smtplib
import time

import pytest
from django.core.mail import EmailMessage


def message():
    return EmailMessage("Subject", "Body", "support@example.ca", ["ann@example.org"])


def test_the_hand_over_comes_after_the_data_command_and_before_the_content(smtp):
    """When it is called, the server has nothing yet; once the message is sent, the server has it whole."""
    seen = []
    email = message()
    email.on_hand_over = lambda: seen.append(len(smtp.inbox.messages))
    assert email.send() == 1
    assert seen == [0] and len(smtp.inbox.messages) == 1


def test_no_hand_over_when_the_message_fails_before_its_data(smtp):
    """A recipient refused: the message never reached DATA, and the hand-over is not called."""
    smtp.inbox.refuse_recipients = True
    seen = []
    email = message()
    email.on_hand_over = lambda: seen.append("called")
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        email.send()
    assert seen == [] and smtp.inbox.messages == []


def test_no_hand_over_when_the_server_is_down(smtp):
    smtp.stop()
    seen = []
    email = message()
    email.on_hand_over = lambda: seen.append("called")
    with pytest.raises(ConnectionRefusedError):
        email.send()
    assert seen == []


def test_an_error_of_the_hand_over_leaves_the_server_nothing(smtp):
    """The error is raised as it is, and the connection dropped at once, before the final dot: the server has
    no message."""

    class Refused(Exception):
        pass

    def refuse():
        raise Refused

    email = message()
    email.on_hand_over = refuse
    started = time.monotonic()
    with pytest.raises(Refused):
        email.send()
    assert time.monotonic() - started < 2  # dropped at once, not left to time out (5 seconds here)
    time.sleep(0.2)  # the server would take a message it had whole at once
    assert smtp.inbox.messages == []
    follow_up = message()  # the next message, on a new connection, goes as usual
    assert follow_up.send() == 1 and len(smtp.inbox.messages) == 1
