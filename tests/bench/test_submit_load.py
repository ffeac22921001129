"""The concurrency benchmark, in a short form: forms sent at once under gunicorn, nothing lost."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_concurrent_submissions_lose_nothing():
    """120 forms from 8 clients to 2 gunicorn workers: all confirmed, stored as sent, no 5xx."""
    result = subprocess.run(
        [sys.executable, "bench/submit_load.py", "--submissions", "120", "--clients", "8", "--workers", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "confirmed: 120; stored: 120; 5xx: 0; other failures: 0" in result.stdout
