"""The inbound benchmark, in a short form: a mailbox of replies fetched and filed, each as its kind says."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dovecot import DOVECOT

ROOT = Path(__file__).resolve().parents[2]


def test_a_mailbox_of_replies_is_fetched_and_filed():
    """20 messages (tagged, threaded, unmatched, with a PDF; English and French) from a real Dovecot: all kept,
    none rejected or left, each stored as expected."""
    if not DOVECOT:
        message = "Dovecot is not installed (Debian: apt-get install dovecot-imapd)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(
        [sys.executable, "bench/inbound_load.py", "--messages", "20"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kept: 20; rejected: 0; left in the inbox: 0" in result.stdout
    assert "tag 5, thread 5, unmatched 5, attachment 5" in result.stdout
    assert "result: OK: every message filed" in result.stdout
