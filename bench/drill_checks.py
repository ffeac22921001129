"""What bench/ha_drill.py checks: the release published on one app server and seen on the other, the outbox
drained, every confirmed submission stored once, every email delivered once; and the figures it prints."""

import html
import re
import time
import urllib.parse

import drill_load
from django.db import DatabaseError, close_old_connections, connections


def fresh_connections():
    """Forget this thread's database connections: the drill restarts the database under them."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except DatabaseError:
            connection.connection = None


def _database(read, default=None):
    """A read of the drill's database that survives the database's own outages (the drill causes them)."""
    try:
        return read()
    except DatabaseError:  # OperationalError, InterfaceError while PostgreSQL is away
        fresh_connections()
        return default


def case_to_answer():
    from cases.models import Case

    def oldest_new():
        close_old_connections()
        return Case.objects.filter(status=Case.Status.NEW).order_by("pk").values_list("pk", flat=True).first()

    return _database(oldest_new)


def wait_for_sending(seconds):
    """Wait until an email is being sent (the moment to kill a worker); whether one was seen."""
    from cases.models import OutboundEmail

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _database(lambda: OutboundEmail.objects.filter(status=OutboundEmail.Status.SENDING).exists(), False):
            return True
        time.sleep(0.005)
    return False


def conversation_links(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.findall(r"https?://\S+/conversation/(?:open|ouvrir)/\S+/", text)


class Release:
    """A new release of the CARM tree, published through app server A's admin, then read on B."""

    def __init__(self, drill, mark_en, mark_fr):
        self.drill, self.marks = drill, {"en": mark_en, "fr": mark_fr}
        self.published_at = None
        self.seen_new, self.seen_old = 0, 0

    def publish(self):
        from triage.models import Node, Tree

        tree = Tree.objects.get(slug="carm")
        Node.objects.filter(pk=tree.start_id).update(hint_en=self.marks["en"], hint_fr=self.marks["fr"])
        staff = drill_load.Staff(self.drill.app_a.url, drill_load.Ledger())
        staff.sign_in()
        path = f"/admin/triage/tree/{tree.pk}/publish/"
        page = staff.request("publish form", path) or ""
        data = {**drill_load.form_fields(page), "note": "Drill: a new hint", "languages_checked": "on"}
        answer = staff.request(
            "publish", path, urllib.parse.urlencode(data).encode(), "application/x-www-form-urlencoded"
        )
        self.published_at = time.time()
        published = answer is not None and ("is published" in answer or "est publiée" in answer)
        self.drill.say(f"release published on app server A: {'yes' if published else 'NO'}")
        self.published = published
        # Clients on B (and on A) read the first question right after: each page must show the new release.
        reader = drill_load.Browser(self.drill.app_b.url, drill_load.Ledger())
        for _ in range(5):
            for language in ("en", "fr"):
                for server in (self.drill.app_b, self.drill.app_a):
                    page = reader.request("read", drill_load.FIRST_QUESTION[language], base=server.url) or ""
                    if html.escape(self.marks[language]) in page:
                        self.seen_new += 1
                    else:
                        self.seen_old += 1
            time.sleep(0.1)
