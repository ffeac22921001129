"""A database made before topics and closure days moved to the helpdesk app migrates with every row
kept, the staff groups' permissions on them kept, and the same tables a new database gets.

before_helpdesk_app.sql is such a database (SQLite's .dump), migrated through cases 0015 and triage
0004: the six topics (one renamed by staff), a closure day, a help tree whose outcome files under a
topic, three cases (one from that outcome), and the two staff groups.
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BEFORE = Path(__file__).with_name("before_helpdesk_app.sql")


def migrate(path):
    environment = {**os.environ, "SQLITE_PATH": str(path), "DJANGO_SETTINGS_MODULE": "carmsupport.settings"}
    environment.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=environment,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return sqlite3.connect(path)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    path = tmp_path_factory.mktemp("before") / "db.sqlite3"
    with sqlite3.connect(path) as database:
        database.executescript(BEFORE.read_text(encoding="utf-8"))
    return migrate(path)


@pytest.fixture(scope="module")
def new(tmp_path_factory):
    return migrate(tmp_path_factory.mktemp("new") / "db.sqlite3")


def rows(database, query):
    return database.execute(query).fetchall()


def test_rows_are_kept(migrated):
    assert rows(migrated, "SELECT name_en FROM cases_topic WHERE slug = 'other'") == [
        ("Other CARM functions (edited)",)
    ]
    assert rows(migrated, "SELECT COUNT(*) FROM cases_topic") == [(6,)]
    assert rows(migrated, "SELECT date, reason_fr FROM cases_closureday") == [("2026-12-24", "Fermeture du bureau")]
    assert rows(
        migrated,
        "SELECT t.slug FROM triage_node n JOIN cases_topic t ON t.id = n.topic_id WHERE n.kind = 'outcome'",
    ) == [("rm-account",)]
    assert rows(migrated, "SELECT COUNT(*) FROM cases_case WHERE outcome_id IS NOT NULL") == [(1,)]
    assert rows(migrated, "SELECT COUNT(*) FROM cases_case") == [(3,)]


def test_the_models_content_types_move_with_their_permissions(migrated):
    granted = rows(
        migrated,
        """SELECT c.app_label, p.codename FROM auth_group g
           JOIN auth_group_permissions gp ON gp.group_id = g.id
           JOIN auth_permission p ON p.id = gp.permission_id
           JOIN django_content_type c ON c.id = p.content_type_id
           WHERE g.name = 'Case reviewers' AND c.model IN ('topic', 'closureday') ORDER BY p.codename""",
    )
    assert granted == [
        ("helpdesk", "add_closureday"),
        ("helpdesk", "add_topic"),
        ("helpdesk", "change_closureday"),
        ("helpdesk", "change_topic"),
        ("helpdesk", "delete_closureday"),
        ("helpdesk", "view_closureday"),
        ("helpdesk", "view_topic"),
    ]
    assert rows(migrated, "SELECT COUNT(*) FROM django_content_type WHERE app_label = 'cases' AND model = 'topic'") == [
        (0,)
    ]


def test_both_databases_end_with_the_same_tables_and_group_permissions(migrated, new):
    def schema(database):
        tables = [name for (name,) in rows(database, "SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            table: sorted(
                (column[1], column[2], column[3]) for column in rows(database, f'PRAGMA table_info("{table}")')
            )
            for table in tables
            if table.split("_")[0] in {"cases", "triage"}
        }

    def grants(database):
        return rows(
            database,
            """SELECT g.name, c.app_label, p.codename FROM auth_group g
               JOIN auth_group_permissions gp ON gp.group_id = g.id
               JOIN auth_permission p ON p.id = gp.permission_id
               JOIN django_content_type c ON c.id = p.content_type_id ORDER BY 1, 2, 3""",
        )

    assert schema(migrated) == schema(new)
    assert "cases_topic" in schema(new)
    assert grants(migrated) == grants(new)


def test_a_new_database_has_the_helpdesk_topics_in_both_languages(new):
    assert rows(new, "SELECT slug, name_fr FROM cases_topic ORDER BY position")[2] == (
        "cad",
        "Déclaration en détail commerciale (DDC)",
    )
