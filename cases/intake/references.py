"""Case reference numbers: random, short, readable over the telephone, with a check character.

A reference is eight random Crockford base32 characters and a Luhn mod 32 check
character, shown as "CS-7KQ-2M9-XDT". Crockford's alphabet leaves out I, L, O and U,
and reads them as 1, 1, 0 and V, so a reference survives being read aloud or typed
in lower case.
"""

import secrets

from stdnum import luhn

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "CS"
RANDOM_LENGTH = 8
LENGTH = RANDOM_LENGTH + 1
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})


class InvalidReference(ValueError):
    """The text cannot be a reference: wrong length, characters or check character."""


def new_reference() -> str:
    """A fresh reference in its stored form, e.g. "7KQ2M9XDT"."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + luhn.calc_check_digit(body, alphabet=ALPHABET)


def compact(text: str) -> str:
    """What a person typed of a reference, in stored characters: upper case, without spaces,
    dashes or the prefix, characters that read alike read as the alphabet's (I→1, O→0...)."""
    kept = "".join(ch for ch in str(text).upper() if ch.isalnum()).translate(_READ_AS)
    # A whole stored reference may itself start with the prefix's letters: it keeps them.
    if kept.startswith(PREFIX) and len(kept) > len(PREFIX) + 3 and len(kept) != LENGTH:
        kept = kept[len(PREFIX) :]
    return kept


def normalise(text: str) -> str:
    """The stored form of a whole reference as a person typed it; raises InvalidReference."""
    compact_form = compact(text)
    if len(compact_form) != LENGTH or any(ch not in ALPHABET for ch in compact_form):
        raise InvalidReference(text)
    if not luhn.is_valid(compact_form, alphabet=ALPHABET):
        raise InvalidReference(text)
    return compact_form


def display(reference: str) -> str:
    """The form shown to people: "CS-7KQ-2M9-XDT"."""
    return "-".join([PREFIX, reference[0:3], reference[3:6], reference[6:9]])
