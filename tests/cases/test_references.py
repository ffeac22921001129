"""Reference numbers: random, readable, with a check character that catches typing mistakes."""

import re

import pytest

from cases.intake import references
from cases.intake.references import ALPHABET, InvalidReference, display, new_reference, normalise
from cases.models import Case


def test_format():
    """Eight random characters and a check character, shown as CS-XXX-XXX-XXX."""
    reference = new_reference()
    assert re.fullmatch(f"[{ALPHABET}]{{9}}", reference)
    assert re.fullmatch(f"CS-[{ALPHABET}]{{3}}-[{ALPHABET}]{{3}}-[{ALPHABET}]{{3}}", display(reference))


@pytest.mark.parametrize("typed", ["{d}", "{d_lower}", "{compact}", "{spaced}", "{bare}", "  {d_lower}  "])
def test_normalise_accepts_what_people_type(typed):
    """Lower case, with or without the prefix, spaces and dashes, all read the same."""
    reference = new_reference()
    shown = display(reference)
    forms = {
        "d": shown,
        "d_lower": shown.lower(),
        "compact": shown.replace("-", ""),
        "spaced": shown.replace("-", " "),
        "bare": reference.lower(),
    }
    assert normalise(typed.format(**forms)) == reference


def test_confusable_letters_read_as_digits():
    """O is read as 0 and I or L as 1, as Crockford's alphabet does."""
    reference = "0" + "1" * 7
    reference += references.luhn.calc_check_digit(reference, alphabet=ALPHABET)
    assert normalise("o" + "il" * 3 + "I" + reference[-1]) == reference


def test_every_single_character_mistake_is_caught():
    """Changing any one character of a reference makes it invalid."""
    reference = new_reference()
    for position in range(len(reference)):
        for character in ALPHABET.replace(reference[position], ""):
            with pytest.raises(InvalidReference):
                normalise(reference[:position] + character + reference[position + 1 :])


def test_most_swaps_of_neighbours_are_caught():
    """Swapping two different neighbouring characters is caught (Luhn mod 32)."""
    caught = total = 0
    for _ in range(200):
        reference = new_reference()
        for i in range(len(reference) - 1):
            if reference[i] != reference[i + 1]:
                total += 1
                swapped = reference[:i] + reference[i + 1] + reference[i] + reference[i + 2 :]
                try:
                    normalise(swapped)
                except InvalidReference:
                    caught += 1
    assert caught / total > 0.95


@pytest.mark.parametrize("typed", ["", "CS-", "ABC", "CS-123-456-78", "CS-123-456-7890", "CS-12!-456-789", "\x00" * 9])
def test_normalise_rejects_what_cannot_be_a_reference(typed):
    with pytest.raises(InvalidReference):
        normalise(typed)


def test_many_references_are_distinct():
    """Ten thousand new references hold no duplicate."""
    made = [new_reference() for _ in range(10_000)]
    assert len(set(made)) == len(made)


def test_a_taken_reference_is_retried(make_case, monkeypatch):
    """When a new reference is already taken, filing tries another instead of failing."""
    first = make_case()
    fresh = new_reference()
    offered = iter([first.reference, first.reference, fresh])
    monkeypatch.setattr("cases.intake.submission.new_reference", lambda: next(offered))
    second = make_case()
    assert second.reference == fresh
    assert Case.objects.count() == 2


def test_a_reference_whose_characters_start_like_the_prefix():
    """A stored reference may begin with C and S; typed with or without the prefix, it is itself."""
    from stdnum import luhn

    from cases.intake.references import ALPHABET, compact, display, normalise

    body = "CS7KQ2M9"
    reference = body + luhn.calc_check_digit(body, alphabet=ALPHABET)
    assert normalise(reference) == reference
    assert normalise(display(reference)) == reference
    assert compact(display(reference)) == reference
