"""Sessions in the database, as django.contrib.sessions keeps them, without the writes that change nothing."""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import InterfaceError, OperationalError
from django.utils.crypto import get_random_string


class SessionStore(DatabaseSessionStore):
    """Django's database sessions, written once per change.

    A session saved by a view (the contact form saves its own, to know the reference is kept) is not
    written again by the session middleware unless changed since, and a new session is inserted
    without first looking its key up: the INSERT refuses a key in use, and another is drawn.

    A database that does not answer while a session is updated raises its own error (OperationalError,
    InterfaceError), for the "please try again" page; Django's store would call it UpdateError, as if the
    session had been deleted, and the client would get a 500.
    """

    _written = None  # the session key and the data last written under it, serialized

    def _get_new_session_key(self):
        return get_random_string(32, VALID_KEY_CHARS)

    def save(self, must_create=False):
        if not must_create and self.session_key is not None and self._written == self._state_of():
            return
        try:
            super().save(must_create=must_create)
        except UpdateError as error:
            if isinstance(error.__context__, OperationalError | InterfaceError):
                raise error.__context__ from None
            raise
        self._written = self._state_of()

    def _state_of(self):
        return self.session_key, self.serializer().dumps(self._get_session())
