"""Every business number written as an example, in any language, passes its own check digit."""

import re
from pathlib import Path

from stdnum.ca import bn

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    "fixtures/*.json",
    "fixtures/*.toml",
    "**/templates/**/*.html",
    "**/templates/**/*.txt",
    "locale/*/LC_MESSAGES/*.po",
    "cases/*.py",
    "triage/*.py",
    "README.md",
]
# A BN9, or a BN15: the BN9, two letters and four digits.
BUSINESS_NUMBER = re.compile(r"(?<![\w-])\d{9}(?:[A-Z]{2}\d{4})?(?![\w-])")


def test_example_business_numbers_are_valid():
    found = {}
    for pattern in SOURCES:
        for path in ROOT.glob(pattern):
            if ".venv" in path.parts:
                continue
            for number in BUSINESS_NUMBER.findall(path.read_text(encoding="utf-8")):
                found.setdefault(number, set()).add(str(path.relative_to(ROOT)))
    assert "123456782RM0001" in found and "123456782" in found
    invalid = {number: sorted(paths) for number, paths in found.items() if not bn.is_valid(number)}
    assert not invalid, invalid
