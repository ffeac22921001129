"""Sessions in the database, as django.contrib.sessions keeps them, without the writes that change nothing."""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils.crypto import get_random_string


class SessionStore(DatabaseSessionStore):
    """Django's database sessions, written once per change.

    A session saved by a view (the contact form saves its own, to know the reference is kept) is not
    written again by the session middleware unless changed since, and a new session is inserted
    without first looking its key up: the INSERT refuses a key in use, and another is drawn.
    """

    _written = None  # the session key and the data last written under it, serialized

    def _get_new_session_key(self):
        return get_random_string(32, VALID_KEY_CHARS)

    def save(self, must_create=False):
        if not must_create and self.session_key is not None and self._written == self._state_of():
            return
        super().save(must_create=must_create)
        self._written = self._state_of()

    def _state_of(self):
        return self.session_key, self.serializer().dumps(self._get_session())
