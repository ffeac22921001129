"""One-time form tokens: issued by the server and signed, so that no client can choose one.

A form that must act once however often it is sent (the contact form, a client's follow-up, a staff
reply) carries a token; what it saves keeps the token's random part, so that the same form sent twice
files one case or writes one message. A token is good for a day.
"""

import secrets
from datetime import UTC, datetime, timedelta

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

SIGNER = signing.TimestampSigner(salt="cases.contact-form-token")
MAX_AGE = 24 * 60 * 60


class InvalidToken(ValueError):
    """Not a token this site issued, or one older than a day."""


def issue_token() -> str:
    return SIGNER.sign(secrets.token_hex(16))


def redeem_token(token: str) -> str:
    """The random part of a token this site issued, to store on the case; raises InvalidToken."""
    try:
        return SIGNER.unsign(token, max_age=MAX_AGE)
    except signing.BadSignature:
        raise InvalidToken from None


def token_or_new(token: str) -> str:
    """The token, if this site issued it and it is still good; else a new one (for a form shown again)."""
    try:
        redeem_token(token)
    except InvalidToken:
        return issue_token()
    return token


class FormTokenField(forms.CharField):
    """A form's one-time token, hidden: a blank form gets a new one, and it cleans to its random part. A
    form without one (a page loaded before tokens were added to it) is told what an expired one is."""

    default_error_messages = {
        "required": _("This form has expired. Send it again."),
        "bad_token": _("This form has expired. Send it again."),
    }

    def __init__(self, **kwargs):
        super().__init__(widget=forms.HiddenInput, max_length=200, initial=issue_token, **kwargs)

    def clean(self, value):
        try:
            return redeem_token(super().clean(value))
        except InvalidToken:
            raise forms.ValidationError(self.error_messages["bad_token"], code="bad_token") from None


def renew_expired_token(form, name="token") -> None:
    """Give a bound form whose token was refused a new one, so that the corrected form can be sent."""
    if name in form.errors:
        form.data = form.data.copy()
        form.data[name] = issue_token()


# Conversation links: the case's reference and its conversation key, signed with the time the
# email was written. A new key (staff revoke the links, or the case is anonymised) voids them all.
LINK_SIGNER = signing.TimestampSigner(salt="cases.conversation-link")


def conversation_token(case) -> str:
    return LINK_SIGNER.sign(f"{case.reference}.{case.conversation_key}")


def conversation_case(token: str, max_age_days: int):
    """The case a conversation link opens, and when the link stops working; raises InvalidToken for a
    tampered, expired or revoked link, or one naming no case, all alike."""
    from .models import Case

    max_age = timedelta(days=max_age_days)
    try:
        reference, key = LINK_SIGNER.unsign(token, max_age=max_age).split(".", 1)
        signed_at = datetime.fromtimestamp(signing.b62_decode(token.rsplit(LINK_SIGNER.sep, 2)[-2]), tz=UTC)
    except (signing.BadSignature, ValueError):
        raise InvalidToken from None
    case = Case.objects.select_related("topic").filter(reference=reference).first()
    if case is None or not case.conversation_key or not secrets.compare_digest(case.conversation_key, key):
        raise InvalidToken
    return case, signed_at + max_age


# "Did we resolve your request?" links: the case's reference and the answer, signed with the time the
# email was written. They open nothing and show nothing of the case but its reference: a link only
# offers to record its answer, on a page whose button sends it.
RESOLVED_SIGNER = signing.TimestampSigner(salt="cases.resolved-answer")
RESOLVED_LINK_DAYS = 30


def resolved_token(case, answer: str) -> str:
    return RESOLVED_SIGNER.sign(f"{case.reference}.{answer}")


def resolved_answer(token: str, answers) -> tuple[str, str]:
    """The reference and answer a link carries; raises InvalidToken for a tampered link, one older than
    RESOLVED_LINK_DAYS, or one whose answer is not among `answers`, all alike."""
    try:
        reference, answer = RESOLVED_SIGNER.unsign(token, max_age=timedelta(days=RESOLVED_LINK_DAYS)).split(".", 1)
    except (signing.BadSignature, ValueError):
        raise InvalidToken from None
    if answer not in answers:
        raise InvalidToken
    return reference, answer
