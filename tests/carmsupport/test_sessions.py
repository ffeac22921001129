"""Sessions written once per change."""

import pytest
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


def test_a_database_away_while_a_session_is_updated_is_the_database_error(db, monkeypatch):
    """Not Django's UpdateError (a session deleted meanwhile, a 500): the database's own error, which the
    portal answers with "please try again"."""
    from django.db import OperationalError
    from django.db.models import Model

    store = SessionStore()
    store["reference"] = "CS-1"
    store.save()
    store["reference"] = "CS-2"

    def away(*args, **kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(Model, "save", away)
    with pytest.raises(OperationalError):
        store.save()
