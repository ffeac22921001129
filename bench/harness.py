"""Start the site under gunicorn on 127.0.0.1 with a fresh database, for the benchmarks."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(folder):
    """The server's environment: no rate limit, emails kept in memory, a database of its own."""
    values = dict(os.environ)
    values.update(
        DJANGO_SETTINGS_MODULE="carmsupport.settings",
        RATELIMIT_ENABLE="0",
        MAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
    )
    if not values.get("DATABASE_URL"):
        values["SQLITE_PATH"] = str(Path(folder) / "bench.sqlite3")
    return values


def database_name(values):
    return "PostgreSQL" if values.get("DATABASE_URL") else "SQLite"


def manage(values, *args):
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=values, cwd=ROOT, check=True)


def prepare_database(values):
    """The schema, the cache table, the CARM tree, and the French catalogue compiled (GNU gettext)."""
    manage(values, "compilemessages", "--ignore=.venv", "-v0")
    manage(values, "migrate", "--noinput", "-v0")
    manage(values, "createcachetable")
    manage(values, "load_trees", "-v0")


def use_database(values):
    """Point this process's Django at the benchmark's database, to check or prepare it."""
    for key in ("DATABASE_URL", "SQLITE_PATH", "DJANGO_SETTINGS_MODULE"):
        if key in values:
            os.environ[key] = values[key]
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


class Gunicorn:
    """gunicorn serving carmsupport on a free loopback port, stopped on leaving the block."""

    def __init__(self, values, workers):
        self.values, self.workers = values, workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "carmsupport.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
            env=self.values,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.process.terminate()
        raise SystemExit("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)
