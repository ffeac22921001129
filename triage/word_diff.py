"""A word-level diff of two texts as safe HTML, for staff comparing releases of a help tree: every text
escaped, insertions in <ins>, deletions in <del>, nothing else."""

import re
from difflib import SequenceMatcher

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# Words, runs of whitespace and runs of punctuation: the units a text diff adds or takes away.
TOKENS = re.compile(r"\s+|\w+|[^\w\s]+")


def text_diff_html(before: str, after: str) -> SafeString:
    """A word-level diff of two texts as safe HTML: all text escaped, <ins> and <del> the only markup."""
    old, new = TOKENS.findall(before or ""), TOKENS.findall(after or "")
    parts = []
    for op, i1, i2, j1, j2 in _merged(SequenceMatcher(None, old, new, autojunk=False).get_opcodes(), old):
        if op == "equal":
            parts.append(escape("".join(old[i1:i2])))
            continue
        deleted, inserted = "".join(old[i1:i2]), "".join(new[j1:j2])
        if deleted:
            parts.append(format_html("<del>{}</del>", deleted))
        if inserted:
            parts.append(format_html("<ins>{}</ins>", inserted))
    return mark_safe("".join(parts))  # noqa: S308  every part is escaped above


def _merged(opcodes, old):
    """The opcodes, with changes separated by nothing but whitespace made one: "<del>are you</del><ins>is
    asking</ins>" reads better than a change to each word."""
    merged = []
    for op, i1, i2, j1, j2 in opcodes:
        if op != "equal" and len(merged) >= 2 and merged[-2][0] != "equal":
            _op, e1, e2, _f1, _f2 = merged[-1]
            if _op == "equal" and not "".join(old[e1:e2]).strip():
                merged.pop()
        if op != "equal" and merged and merged[-1][0] != "equal":
            _op, i1, _i2, j1, _j2 = merged.pop()
            op = "replace"
        merged.append((op, i1, i2, j1, j2))
    return merged


def swap_html(before: str, after: str) -> SafeString:
    """A value replaced whole: the old one deleted, the new one inserted."""
    parts = []
    if before:
        parts.append(format_html("<del>{}</del>", before))
    if after:
        parts.append(format_html("<ins>{}</ins>", after))
    return mark_safe(" ".join(parts))  # noqa: S308  every part is escaped by format_html
