"""The drill's clients, through the proxy: question steps in both languages, contact forms (some with a file),
status lookups, follow-ups from the link in a staff reply's email, and staff replies. Each request is
recorded with when it started, what it was and whether it was served correctly."""

import http.cookiejar
import random
import re
import secrets
import struct
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib
from dataclasses import dataclass, field

ORIGIN = "?tree=carm&answers=importer/yes/yes/error-code/ec-1012/"
CONTACT = {"en": "/en/contact/", "fr": "/fr/nous-joindre/"}
STATUS = {"en": "/en/status/", "fr": "/fr/etat-demande/"}
STEPS = {
    "en": "/en/help/carm/questions/importer/yes/yes/difficulty-activating-or-configuring-your-business-account/"
    "error-code/ec-1012/",
    "fr": "/fr/aide/gcra/questions/importateur/oui/oui/probleme-d-activation-ou-de-configuration-de-votre-compte/"
    "code-d-erreur/ec-1012/",
}
FIRST_QUESTION = {"en": "/en/help/carm/questions/", "fr": "/fr/aide/gcra/questions/"}
STAFF_PASSWORD = secrets.token_urlsafe(16)  # the drill's staff account, made afresh each run


def png():
    """A valid 1×1 PNG: files are checked by their content."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\0\0\0")) + chunk(b"IEND", b"")
    )


PNG = png()


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content, kind) in files.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        parts.append(f"{head}Content-Type: {kind}\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def form_fields(page):
    """The hidden fields of the page's form (CSRF and form tokens)."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


@dataclass
class Record:
    at: float
    kind: str
    method: str
    ok: bool
    status: int | str
    seconds: float = 0.0


@dataclass
class Ledger:
    """What the clients did and saw, shared by their threads."""

    records: list = field(default_factory=list)
    confirmed: dict = field(default_factory=dict)  # marker → (reference, email, language)
    linked: list = field(default_factory=list)  # conversation links from staff replies' emails
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record):
        with self.lock:
            self.records.append(record)


class Browser:
    def __init__(self, base, ledger):
        self.base, self.ledger = base, ledger
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, kind, path, data=None, content_type=None, expect=(200,), base=None):
        """One request (redirects followed); recorded; returns the page's text, or None when it failed."""
        url = path if path.startswith("http") else f"{base or self.base}{path}"
        headers = {"Referer": url}
        if content_type:
            headers["Content-Type"] = content_type
        started = time.time()
        method = "POST" if data is not None else "GET"
        try:
            with self.opener.open(urllib.request.Request(url, data, headers=headers), timeout=30) as answer:
                body, status = answer.read().decode(), answer.status
        except urllib.error.HTTPError as error:
            body, status = "", error.code
        except OSError as error:
            body, status = "", type(error).__name__
        ok = status in expect
        self.ledger.add(Record(started, kind, method, ok, status, time.time() - started))
        return body if ok else None


class Client(Browser):
    def step(self, language):
        path = STEPS[language]
        cut = random.randint(0, path.count("/") - 5)
        self.request("step", path if not cut else path.rsplit("/", cut + 1)[0] + "/")

    def submit(self, language):
        page = self.request("contact form", CONTACT[language] + ORIGIN)
        if page is None:
            return
        marker = uuid.uuid4().hex[:12]
        email = f"client-{marker}@example.org"
        fields = {
            **form_fields(page),
            "full_name": "Drill Client",
            "email": email,
            "preferred_language": language,
            "description": f"Drill {marker}: EC-1012 when registering.",
            "consent": "on",
        }
        files = {"attachments": ("screen.png", PNG, "image/png")} if random.random() < 0.2 else {}
        body, kind = multipart(fields, files)
        # The form token makes sending it twice file one case: a client whose answer was lost sends it again.
        for _attempt in range(3):
            answer = self.request("contact POST", CONTACT[language] + ORIGIN, body, kind)
            if answer is not None:
                found = re.search(r'<p class="reference">(.+?)</p>', answer)
                if found:
                    with self.ledger.lock:
                        self.ledger.confirmed[marker] = (re.sub(r"<[^>]+>", "", found.group(1)), email, language)
                return
            time.sleep(1)

    def status(self, language):
        with self.ledger.lock:
            known = list(self.ledger.confirmed.values())[-50:]
        page = self.request("status form", STATUS[language])
        if page is None or not known:
            return
        reference, email, _language = random.choice(known)
        data = urllib.parse.urlencode({**form_fields(page), "reference": reference, "email": email}).encode()
        self.request("status POST", STATUS[language], data, "application/x-www-form-urlencoded")

    def follow_up(self, _language):
        with self.ledger.lock:
            links = list(self.ledger.linked)
        if not links:
            return
        page = self.request("conversation link", random.choice(links))
        if page is None:
            return
        action = re.search(r'<form method="post" action="([^"]+)"', page)
        conversation = self.request(
            "conversation open",
            action.group(1) if action else random.choice(links),
            urllib.parse.urlencode(form_fields(page)).encode(),
            "application/x-www-form-urlencoded",
        )
        if conversation is None:
            return
        files = {"attachments": ("more.png", PNG, "image/png")} if random.random() < 0.3 else {}
        body, kind = multipart({**form_fields(conversation), "body": "More detail from the drill."}, files)
        path = re.search(r'<form[^>]+method="post"[^>]*action="(/[a-z]{2}/conversation/)"', conversation)
        self.request("follow-up POST", path.group(1) if path else "/en/conversation/", body, kind)


class Staff(Browser):
    def sign_in(self):
        page = self.request("staff sign-in", "/admin/login/")
        data = {**form_fields(page or ""), "username": "drill-staff", "password": STAFF_PASSWORD}
        self.request(
            "staff sign-in",
            "/admin/login/?next=/admin/",
            urllib.parse.urlencode(data).encode(),
            "application/x-www-form-urlencoded",
        )

    def reply(self, case_id):
        path = f"/admin/cases/case/{case_id}/reply/"
        page = self.request("staff reply form", path)
        if page is None:
            return
        data = {
            **form_fields(page),
            "body": "Thank you. Please send the error's screenshot.",
            "status": "waiting",
            "action": "send",
        }
        self.request(
            "staff reply POST", path, urllib.parse.urlencode(data).encode(), "application/x-www-form-urlencoded"
        )


SCENARIOS = (("step", 0.55), ("submit", 0.25), ("status", 0.1), ("follow_up", 0.1))


def run_client(base, ledger, stop):
    client = Client(base, ledger)
    names, weights = zip(*SCENARIOS, strict=True)
    while not stop.is_set():
        scenario = random.choices(names, weights)[0]
        getattr(client, scenario)(random.choice(("en", "fr")))
        time.sleep(random.uniform(0.0, 0.05))


def run_staff(base, ledger, stop, cases_to_answer):
    """One member of staff answering the cases filed, one reply every second or so."""
    staff = Staff(base, ledger)
    staff.sign_in()
    while not stop.is_set():
        case_id = cases_to_answer()
        if case_id:
            staff.reply(case_id)
        stop.wait(1.0)
