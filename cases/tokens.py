"""One-time contact-form tokens: issued by the server and signed, so that no client can choose one.

A form carries a token; the case it files keeps the token's random part, so that the same
form sent twice files one case. A token is good for a day.
"""

import secrets

from django.core import signing

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
