"""Sessions written once per change."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from carmsupport.sessions import SessionStore


def writes(queries):
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]


def test_a_session_saved_again_unchanged_is_not_written(db):
    session = SessionStore()
    session["submitted_case"] = "ABC"
    with CaptureQueriesContext(connection) as queries:
        session.save()
        session.save()
    assert len(writes(queries)) == 1
    assert SessionStore(session.session_key).load() == {"submitted_case": "ABC"}


def test_a_session_changed_after_its_save_is_written(db):
    session = SessionStore()
    session["submitted_case"] = "ABC"
    session.save()
    session["submitted_case"] = "DEF"
    with CaptureQueriesContext(connection) as queries:
        session.save()
    assert len(writes(queries)) == 1
    assert SessionStore(session.session_key).load() == {"submitted_case": "DEF"}
