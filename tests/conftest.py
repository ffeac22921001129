"""Shared builders: the CARM tree from its fixture, and small or very large made-up trees."""

import asyncio
import importlib
import os
import socket
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone as django_timezone
from django.utils import translation

from tests.dovecot import DOVECOT, DovecotError, start_dovecot
from triage.models import Choice, Node, Tree
from triage.outline import parse_outline
from triage.releases import tree_publish

SEED = Path(__file__).parent / "triage" / "seed" / "get-help-with-the-carm-client-portal.txt"


@pytest.fixture(scope="session")
def carm_outline():
    return parse_outline(SEED.read_text(encoding="utf-8"))


@pytest.fixture
def carm_tree(db):
    """The CARM tree from its fixture, published as release 1."""
    from triage.releases import tree_publish

    call_command("loaddata", "carm_tree", verbosity=0)
    tree = Tree.objects.get(slug="carm")
    tree_publish(tree, note="Loaded for a test.")
    tree.refresh_from_db()
    return tree


def fr(text):
    """The French stand-in of a test text."""
    return f"FR {text}"


def build_tree(slug, spec, title="Test tree"):
    """Build a published tree from a nested spec: {"question text": {"label": subspec-or-outcome-title}}.

    Each text's French is the English with "FR " in front.
    """
    tree = Tree.objects.create(slug=slug, title_en=title, title_fr=fr(title))

    def build(item):
        if isinstance(item, str):
            return Node.objects.create(
                tree=tree,
                kind=Node.Kind.OUTCOME,
                title_en=item,
                title_fr=fr(item),
                guidance_en=f"About {item}.",
                guidance_fr=fr(f"About {item}."),
            )
        ((text, answers),) = item.items()
        question = Node.objects.create(tree=tree, kind=Node.Kind.QUESTION, text_en=text, text_fr=fr(text))
        for position, (label, sub) in enumerate(answers.items(), start=1):
            Choice.objects.create(
                question=question,
                label_en=label,
                label_fr=fr(label),
                slug=label.lower().replace(" ", "-"),
                position=position,
                target=build(sub),
            )
        return question

    tree.start = build(spec)
    tree.save()
    tree_publish(tree, note="Built for a test.")
    tree.refresh_from_db()
    return tree


@pytest.fixture
def small_tree(db):
    return build_tree(
        "small",
        {
            "Who are you?": {
                "Importer": {"Are you a non-resident business?": {"Yes": "Non-resident help", "No": "Resident help"}},
                "Other": "General help",
            }
        },
    )


def build_chain_tree(slug, depth, width):
    """A tree of `depth` questions in a row, each with `width` answers: one goes on, the rest end.

    Built with bulk inserts, so that thousands of nodes take little time.
    """
    tree = Tree.objects.create(slug=slug, title_en=f"Tree {slug}", title_fr=fr(f"Tree {slug}"))
    questions = Node.objects.bulk_create(
        [
            Node(tree=tree, kind=Node.Kind.QUESTION, text_en=f"Question {level}", text_fr=fr(f"Question {level}"))
            for level in range(depth)
        ]
    )
    outcomes = Node.objects.bulk_create(
        [
            Node(
                tree=tree,
                kind=Node.Kind.OUTCOME,
                title_en=f"Outcome {level}.{n}",
                title_fr=fr(f"Outcome {level}.{n}"),
                guidance_en="Guidance.",
                guidance_fr=fr("Guidance."),
            )
            for level in range(depth)
            for n in range(width - 1)
        ]
    )
    final = Node.objects.create(
        tree=tree,
        kind=Node.Kind.OUTCOME,
        title_en="The end",
        title_fr=fr("The end"),
        guidance_en="Done.",
        guidance_fr=fr("Done."),
    )
    choices = []
    for level, question in enumerate(questions):
        following = questions[level + 1] if level + 1 < depth else final
        choices.append(
            Choice(
                question=question, label_en="Go on", label_fr=fr("Go on"), slug="go-on", position=0, target=following
            )
        )
        for n in range(width - 1):
            target = outcomes[level * (width - 1) + n]
            choices.append(
                Choice(
                    question=question,
                    label_en=f"Stop {n}",
                    label_fr=fr(f"Stop {n}"),
                    slug=f"stop-{n}",
                    position=n + 1,
                    target=target,
                )
            )
    Choice.objects.bulk_create(choices)
    tree.start = questions[0]
    tree.save()
    Tree.touch(pk=tree.pk)
    tree_publish(tree, note="Built for a test.")
    tree.refresh_from_db()
    return tree


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in English, whatever language an earlier test's request left active."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def empty_shared_cache():
    """The rate limits' counters start at zero in each test when they live in Redis (CACHE_URL);
    in the database they go with each test's transaction."""
    from django.core.cache import caches

    if "Redis" in caches["shared"].__class__.__name__:
        caches["shared"].clear()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with no cached tree, so cached data never leaks between tests."""
    from django.core.cache import cache

    from triage.selectors import clear_graphs

    cache.clear()
    clear_graphs()
    yield
    cache.clear()
    clear_graphs()


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Tasks (emails among them) run at once in the test's process, once their transaction commits:
    in tests with the `db` fixture, which never commits, run them with django_capture_on_commit_callbacks
    (execute=True). Tests of the queue itself set the django-tasks-db backend."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves: clock.now, clock.to(moment)."""

    class Clock:
        now = django_timezone.now()

        def to(self, moment):
            self.now = moment

    frozen = Clock()
    monkeypatch.setattr("django.utils.timezone.now", lambda: frozen.now)
    return frozen


CONTACT = {
    "full_name": "Ann Smith",
    "email": "ann@example.org",
    "telephone": "",
    "business_name": "Smith Imports Inc.",
    "business_number": "123456782RM0001",
    "preferred_language": "en",
    "description": "EC-1012 when registering.",
}


@pytest.fixture
def make_case(db):
    """File a case through the service, as the contact form does; the fields of the path taken
    (response_class, path, outcome_id, outcome_title, release_id) given by name like the others."""
    from dataclasses import fields

    from cases.intake.help_paths import PathTaken
    from cases.intake.submission import case_submit
    from helpdesk.models import Topic

    def make(topic="portal-access", **overrides):
        topic = Topic.objects.get(slug=topic)
        taken = {field.name for field in fields(PathTaken)}
        contact = {**CONTACT, **{k: v for k, v in overrides.items() if k in CONTACT}}
        path = {"response_class": topic.response_class, **{k: v for k, v in overrides.items() if k in taken}}
        options = {k: v for k, v in overrides.items() if k not in CONTACT and k not in taken}
        case, _created = case_submit(contact=contact, path_taken=PathTaken(topic=topic, **path), **options)
        return case

    return make


def current_code(device):
    """The code a staff member's authenticator app shows now for `device` (a TOTPDevice)."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


STAFF_PASSWORD = "a-long-test-password"  # noqa: S105  (a test account's)


def make_staff(username, *groups, permissions=(), password=STAFF_PASSWORD, authenticator=False, **fields):
    """A staff member in the named groups (e.g. "Case reviewers", "Tree editors") with the given
    permissions ("app_label.codename"), and an authenticator app if asked, as `enrol_totp` gives."""
    from django.contrib.auth.models import Group, Permission, User
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.create_user(username, password=password, is_staff=True, **fields)
    user.groups.add(*Group.objects.filter(name__in=groups))
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    if authenticator:
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


@pytest.fixture
def reviewer(db):
    """A member of the Case reviewers group."""
    return make_staff("reviewer", "Case reviewers")


@pytest.fixture
def reviewer_client(client, reviewer):
    return sign_in_staff(client, reviewer)


def sign_in_staff(client, user):
    """Sign `user` in on the test client as the admin requires: password and a verified authenticator app."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's admin_client, signed in with a code as well, as the admin requires."""
    from django.test import Client

    return sign_in_staff(Client(), admin_user)


# A real SMTP server on this machine, for the tests of email delivery.


class Inbox:
    """The messages the server had whole, and what it does then: `after_data` is its reply
    ("250 Message accepted", or a refusal such as "451 Try again later"), "stall" (no reply
    for `stall_seconds`, then 250) or "hang up" (the connection closed without a reply).
    With `refuse_recipients`, it refuses every recipient, before any data."""

    def __init__(self):
        self.messages = []
        self.after_data = "250 Message accepted"
        self.stall_seconds = 0
        self.refuse_recipients = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_recipients:
            return "550 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        if self.after_data == "stall":
            await asyncio.sleep(self.stall_seconds)
            return "250 Message accepted"
        if self.after_data == "hang up":
            server.transport.close()
            return "250 Message accepted"  # never heard
        return self.after_data


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A local SMTP server the site sends to; .stop() and .start() it at will, .stall() it."""
    inbox, port = Inbox(), free_port()

    def use(timeout):
        settings.MAILERS = {
            "default": {
                "BACKEND": "carmsupport.mail.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": timeout},
            }
        }

    use(timeout=5)

    class Server:
        def __init__(self):
            self.inbox = inbox
            self.controller = None

        def stall(self):
            """Take each message whole, then say nothing for longer than the site waits (2 seconds here)."""
            use(timeout=2)
            inbox.after_data, inbox.stall_seconds = "stall", 3

        def start(self):
            self.controller = Controller(inbox, hostname="127.0.0.1", port=port)
            self.controller.start()

        def stop(self):
            self.controller.stop()
            self.controller = None

    server = Server()
    server.start()
    yield server
    if server.controller:
        server.stop()


@pytest.fixture(autouse=True)
def private_attachments(settings, tmp_path_factory, monkeypatch):
    """Clients' files (and the emails they send) go to a temporary directory of each test, never to the
    project's.

    The file field took its storage when the model was defined, so it is swapped too.
    """
    from django.core.files.storage import FileSystemStorage

    from cases.models import Attachment, InboundEmail

    location = tmp_path_factory.mktemp("attachments")
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": location}},
    }
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", FileSystemStorage(location=location))
    monkeypatch.setattr(InboundEmail._meta.get_field("raw"), "storage", FileSystemStorage(location=location))
    return location


@pytest.fixture
def seeded(transactional_db):
    """Put back what the data migrations seed, which tests that commit (live server, task worker) empty after each."""
    from django.apps import apps
    from django.core.cache import caches

    helpdesk = importlib.import_module("helpdesk.migrations.0001_initial")
    cases = importlib.import_module("cases.migrations.0001_squashed_0015_attachment_formulas")
    teams = importlib.import_module("cases.migrations.0006_teams")
    # The rate limits' counters live in a table that flushing the database leaves as it is.
    caches["shared"].clear()
    helpdesk.add_topics(apps, None)
    cases.create_groups(apps)
    teams.create_default_team(apps)
    teams.let_reviewers_view_teams(apps)


@pytest.fixture(autouse=True)
def empty_step_counts():
    """Steps counted by one test's pages are never written during another."""
    from triage import analytics

    analytics.discard()
    yield
    analytics.discard()


@pytest.fixture
def imap_server():
    """A real IMAP server (Debian's dovecot-imapd) of its own, with one user and an empty mailbox."""
    if not DOVECOT:
        message = "Dovecot is not installed (Debian: apt-get install dovecot-imapd)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it: its absence is a broken build, not a skip
        pytest.skip(message)
    try:
        server = start_dovecot()
    except DovecotError as error:
        pytest.fail(str(error))
    try:
        yield server
    finally:
        server.stop()


def address(language, name, *args):
    """A page's address in a language, in its words: address("fr", "cases:contact") == "/fr/nous-joindre/"."""
    with translation.override(language):
        return reverse(name, args=args)


def localized(language, path):
    """An address after /en/ as the same page's address in the language, in its words, query kept:
    localized("fr", "/help/carm/questions/importer/") == "/fr/aide/gcra/questions/importateur/"."""
    if language == "en":
        return f"/en{path}"
    from cases.old_addresses import old_french_address

    with translation.override("fr"):
        try:
            response = old_french_address(RequestFactory().get(f"/fr{path}"), path.split("?", 1)[0].lstrip("/"))
        except Http404:  # the same words in French
            return f"/fr{path}"
    return response["Location"]
