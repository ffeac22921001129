"""Production settings: loud failure without a secret, and a clean deployment check."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-test-key-with-enough-entropy-1234567890",
    "DJANGO_ALLOWED_HOSTS": "carm-support.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://carm-support.example.org",
    "EMAIL_HOST": "smtp.example.org",
    "DATABASE_URL": "postgres://carm@db.invalid:5432/carmsupport",
}


def test_production_refuses_to_start_without_a_secret_key():
    """No DJANGO_SECRET_KEY in production: a clear message and a non-zero exit."""
    result = manage("check", DJANGO_ENV="production")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_ENV=production." in result.stderr


def test_production_refuses_to_start_without_a_database_url():
    """In production, a missing DATABASE_URL stops the start instead of falling back to SQLite."""
    settings = {key: value for key, value in PRODUCTION.items() if key != "DATABASE_URL"}
    result = manage("check", **settings)
    assert result.returncode != 0
    assert "DATABASE_URL must be set when DJANGO_ENV=production." in result.stderr


def test_check_deploy_is_clean_in_production():
    """manage.py check --deploy reports no warning under production settings."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_development_defaults_are_safe():
    """Without any variable, DEBUG is off and the local hosts only are allowed."""
    result = manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)")
    assert result.stdout.strip().endswith("False ['127.0.0.1', 'localhost', 'testserver']")


def test_static_files_collect_hashed_and_compressed(tmp_path):
    """collectstatic under production settings writes hashed names and compressed copies."""
    result = manage("collectstatic", "--noinput", "-v0", STATIC_ROOT=str(tmp_path), **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").exists()
    hashed = list((tmp_path / "css").glob("site.*.css"))
    assert hashed and any(path.suffix == ".css" for path in hashed)
    assert list((tmp_path / "css").glob("site.*.css.gz"))


def test_postgresql_fails_fast_when_down():
    """A PostgreSQL server that is down fails the connection in 3 s; connections are reused, checked first."""
    result = manage(
        "shell",
        "-c",
        "from django.db import connection as db;\n"
        "print(db.settings_dict['OPTIONS'], db.settings_dict['CONN_HEALTH_CHECKS'])",
        **PRODUCTION,
    )
    assert result.stdout.strip().endswith("{'connect_timeout': 3} True"), result.stderr
