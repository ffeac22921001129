"""The SMTP backend of the site: Django's, telling a sure failure from an unknown outcome.

A mail server that times out or hangs up after it was given the whole message (after its 354
reply to DATA) may have taken it: the email may be on its way to the client. Django's backend
raises the same error for that as for a server that was never reached, so an outbox that
tries again on every error sends the client copies. This backend raises DeliveryUnconfirmed
for the first case (the error it replaces is its __cause__); every failure before the data
(connection refused, sign-in refused, sender or recipient refused, DATA refused) and every
refusal of the message with a reply code is raised as Django raises it: a sure failure.

A message may carry `on_hand_over`, a callable without arguments, called at the last moment the
server surely has not got the message: after its 354 reply to DATA, right before the content and
the final "." are written. Should it raise, nothing of the content is written and the connection
is dropped, so the server discards the message; the error is raised as it is, a sure failure.
"""

import smtplib
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail.backends import smtp
from django.utils import translation


def sender(language: str | None = None) -> str:
    """The From of an email in `language` (the active one by default): the name of FROM_NAMES in that
    language, e.g. « Soutien de la GCRA », and the address of DEFAULT_FROM_EMAIL."""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((settings.FROM_NAMES.get(language, name), address))


class DeliveryUnconfirmed(smtplib.SMTPException):
    """The mail server had the whole message, then timed out or hung up before saying whether it took it."""


class _TracksTheData:
    """An SMTP connection that knows whether the data of its current message began to be sent, and calls
    `on_hand_over` (set for each message by EmailBackend) right before they are."""

    data_began = False
    on_hand_over = None
    _command = ""
    _data_next = False

    def putcmd(self, cmd, args=""):
        self._command = cmd.lower()
        super().putcmd(cmd, args)

    def getreply(self):
        code, message = super().getreply()
        if self._command == "data" and code == 354:  # "start mail input": the data go next
            self._data_next = True
        return code, message

    def send(self, s):
        if self._data_next:
            self._data_next = False
            if self.on_hand_over is not None:
                try:
                    self.on_hand_over()
                except BaseException:
                    self.close()  # without the final dot, the server drops the message
                    raise
            self.data_began = True
        super().send(s)


class _SMTP(_TracksTheData, smtplib.SMTP):
    pass


class _SMTP_SSL(_TracksTheData, smtplib.SMTP_SSL):
    pass


class EmailBackend(smtp.EmailBackend):
    """Django's SMTP backend, raising DeliveryUnconfirmed when the outcome of a message is unknown."""

    @property
    def connection_class(self):
        return _SMTP_SSL if self.use_ssl else _SMTP

    def _send(self, email_message):
        self.connection.data_began = False
        self.connection.on_hand_over = getattr(email_message, "on_hand_over", None)
        try:
            return super()._send(email_message)
        except smtplib.SMTPResponseException as error:
            if self.connection.data_began and not 400 <= error.smtp_code < 600:
                # An unreadable reply to the data ("Line too long", a garbled code).
                raise DeliveryUnconfirmed(f"no reply the message was taken: {error.smtp_code}") from error
            raise  # a reply code: the server refused the message
        except OSError as error:  # a time-out or a hang-up; SMTPServerDisconnected is one too
            if self.connection.data_began:
                raise DeliveryUnconfirmed(f"no reply after the message was sent: {error}") from error
            raise
