"""Headers, health check, request size, and the friendly 503 when the database fails."""

import io
import logging
import re

import pytest
from django.db import OperationalError
from django.test import TestCase
from django.urls import reverse

from cases.models import Case, CaseEvent
from tests.conftest import localized

PUBLIC_PAGES = [
    "/en/",
    "/en/help/carm/",
    "/en/help/carm/questions/",
    "/en/help/carm/questions/importer/yes/yes/error-code/ec-1012/",
    "/en/contact/",
    "/en/status/",
    "/en/help/carm/questions/nope/",
]


def test_security_headers(carm_tree, client):
    """Every page carries a strict CSP and the other protective headers."""
    response = client.get("/en/help/carm/questions/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.parametrize("address", PUBLIC_PAGES)
def test_no_inline_script_or_style(carm_tree, client, address):
    """Public pages hold no inline script or style, so the strict policy loses nothing."""
    page = client.get(address).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "<style" not in page and " style=" not in page and " onclick=" not in page


def test_request_id_from_proxy_is_kept(db, client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc12345-proxy")["X-Request-ID"] == "abc12345-proxy"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="<bad>")["X-Request-ID"] != "<bad>"


def test_healthz_touches_nothing(db, client, django_assert_num_queries, monkeypatch):
    """Liveness answers 200 without a query, and still does while the database is unreachable."""
    with django_assert_num_queries(0):
        assert client.get("/healthz").status_code == 200

    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server")

    with monkeypatch.context() as patched:
        patched.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", unreachable)
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"


def test_database_failure_anywhere_is_a_friendly_503(carm_tree, client, monkeypatch):
    """A database error in any page gives "please try again" with 503, not a 500."""

    def broken(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("triage.views.tree_graph", broken)
    response = client.get("/en/help/carm/questions/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "Please try again in a minute" in response.content.decode()


def test_database_failure_while_filing_keeps_the_form(carm_tree, client, monkeypatch):
    """Locked beyond the timeout while saving: 503, what was typed is on the page, nothing half-written."""
    from tests.cases.test_contact import FORM, contact_url, form_token

    url = contact_url("importer/yes/yes/error-code/ec-1012/")
    data = {**FORM, "token": form_token(client, url), "description": "My <unique> description"}

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("cases.intake.submission.CaseEvent.objects.create", locked)
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 503
    assert "Your request was not sent" in page
    assert "My &lt;unique&gt; description</textarea>" in page and 'value="Ann Smith"' in page
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_oversized_request_is_refused(db, client):
    """A body over the limit is refused with 413, before the form reads it."""
    response = client.post(reverse("cases:contact"), {"description": "x" * 300_000})
    assert response.status_code == 413
    assert "What you sent is too large" in response.content.decode()


class CountingStream(io.BytesIO):
    """A request body that counts how much of it is read."""

    def read(self, size=-1):
        chunk = super().read(size)
        self.taken = getattr(self, "taken", 0) + len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.taken = getattr(self, "taken", 0) + len(line)
        return line


def post_raw(path, body, length, query=""):
    """Send a body through the request handler as a server would; return the status and the page."""
    from django.test.client import ClientHandler

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": body,
        "CONTENT_LENGTH": str(length),
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
    }
    response = ClientHandler()(environ)
    return str(response.status_code), response.content.decode()


BOUNDARY = "carmsupport-boundary"


def multipart_with_file(size):
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="full_name"\r\n\r\nAnn\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="screenshot"; filename="big.png"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode()
    return CountingStream(head + b"\0" * size + f"\r\n--{BOUNDARY}--\r\n".encode())


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_large_upload_is_refused_unread(carm_tree, language):
    """A 30 MB file sent to the contact form is refused with 413 by its declared length, unread."""
    body = multipart_with_file(30_000_000)
    status, page = post_raw(localized(language, "/contact/"), body, len(body.getvalue()))
    assert status.startswith("413") and getattr(body, "taken", 0) == 0
    assert f'<html lang="{language}">' in page


@pytest.mark.parametrize("path", ["//evil.example/", "/\\evil.example", "https://evil.example/", "/en//evil.example/"])
def test_the_413_page_never_links_off_the_site(db, path):
    """The page's "Return to the form" link is rebuilt from the route, never the raw path of the request."""
    status, page = post_raw(path, CountingStream(), 30_000_000)
    assert status == "413" and "What you sent is too large" in page
    assert "Return to the form" not in page
    assert re.findall(r'href="([^"]*)"', page.split("<main", 1)[1].split("</main>", 1)[0]) == ["/en/"]  # "Start again"
    # Nowhere on the page a link that a browser would take to another site, but the footer's fixed
    # Canada.ca terms and conditions.
    assert all(
        re.match(r"#|data:,$|/[^/\\]|https://www\.canada\.ca/en/transparency/terms\.html$", href)
        for href in re.findall(r'href="([^"]*)"', page)
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_413_page_links_back_to_the_form_sent(db, language):
    """From the contact form, with the help tool's answers in its address, the link reopens that form."""
    status, page = post_raw(
        localized(language, "/contact/"), CountingStream(), 30_000_000, query="tree=carm&answers=a.b"
    )
    assert status == "413"
    assert re.findall(r'<a href="([^"]*)">[^<]*</a>', page.split("<main", 1)[1])[0] == (
        localized(language, "/contact/") + "?tree=carm&amp;answers=a.b"
    )


def test_a_file_part_is_refused_where_no_form_takes_files(carm_tree):
    """A small file part, within the size limit, is refused as soon as the reader meets it."""
    body = multipart_with_file(200_000)
    # The status form: the contact form takes attachments (@accepts_attachments).
    status, page = post_raw("/en/status/", body, len(body.getvalue()))
    assert status.startswith("413") and "What you sent is too large" in page
    assert body.taken < len(body.getvalue())
    assert not Case.objects.exists()


def test_logs_carry_the_request_id_and_no_personal_data(carm_tree, client, monkeypatch):
    """An error while filing is logged with the request id, without the client's details."""
    from carmsupport.middleware import RequestIdFilter
    from tests.cases.test_contact import FORM, contact_url, form_token

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s [%(request_id)s] %(message)s"))
    logging.getLogger().addHandler(handler)
    try:

        def refuse(self, messages):
            raise ConnectionRefusedError("recipient ann@example.org refused")

        monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
        url = contact_url("importer/yes/yes/error-code/ec-1012/")
        with TestCase.captureOnCommitCallbacks(execute=True):  # the acknowledgment is tried as the case is filed
            response = client.post(url, {**FORM, "token": form_token(client, url)})
    finally:
        logging.getLogger().removeHandler(handler)
    log = stream.getvalue()
    assert "(acknowledgment, case" in log and "ConnectionRefusedError" in log
    request_id = response["X-Request-ID"]
    assert f"[{request_id}]" in log
    for private in ("ann@example.org", "Ann Smith", "123 456 782", "Smith Imports", FORM["description"]):
        assert private not in log


def test_page_language_matches_its_text(carm_tree, client):
    """A browser asking for French gets the English pages marked as English, until French exists."""
    page = client.get("/en/help/carm/questions/", HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9").content.decode()
    assert '<html lang="en">' in page and "Please identify yourself" in page


def test_healthz_is_answered_before_the_rest_of_the_middleware(client, monkeypatch):
    """/healthz costs only its view: no session, language, CSRF check or user is looked at, and it still
    answers "ok", never cached, with its request id."""

    def broken(*args, **kwargs):
        raise AssertionError("the probe went through the middleware")

    monkeypatch.setattr("django.contrib.sessions.middleware.SessionMiddleware.process_request", broken)
    monkeypatch.setattr("django.middleware.locale.LocaleMiddleware.process_request", broken)
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc12345-proxy")
    assert (response.status_code, response.content, response["Content-Type"]) == (200, b"ok\n", "text/plain")
    assert "no-store" in response["Cache-Control"] and response["Content-Length"] == "3"
    assert response["X-Request-ID"] == "abc12345-proxy"
