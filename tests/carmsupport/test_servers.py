"""The site under the servers it runs on: the development server of scripts/serve (manage.py runserver)
and gunicorn with the project's deploy/gunicorn.conf.py, each on a free loopback port with a database of its own."""

import http.client
import io
import json
import os
import select
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.carmsupport.test_hardening import BOUNDARY, multipart_with_file
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "eyJjIjo0MiwiayI6IjdmM2EifQ:1vQ8xY:Zm9vYmFyLXNpZ25hdHVyZS1zZWNyZXQ"


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    """The servers' environment: SQLite in a temporary folder, migrated, whichever database the tests use."""
    folder = tmp_path_factory.mktemp("servers")
    values = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL", "DJANGO_ENV")}
    values.update(DJANGO_SETTINGS_MODULE="carmsupport.settings", SQLITE_PATH=str(folder / "site.sqlite3"))
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=values, check=True, timeout=300
    )
    return values


@contextmanager
def serving(arguments, environment, output):
    """The server started with arguments (a {port} in them), answering on its port; stopped on leaving."""
    port = free_port()
    with open(output, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, *(a.format(port=port) for a in arguments)],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the server did not start:\n{Path(output).read_text(errors='replace')}")
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def runserver(environment, output):
    return serving(["manage.py", "runserver", "127.0.0.1:{port}", "--noreload"], environment, output)


def gunicorn(environment, output, *options):
    arguments = ["-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "carmsupport.wsgi", "--bind", "127.0.0.1:{port}"]
    return serving([*arguments, "--workers", "1", *options], environment, output)


def post_as_a_browser(port, path, body, content_type):
    """POST the body as browsers and curl do: sending it while reading whatever answer comes, until the
    server closes the connection. Returns the answer (read) and the seconds taken; an error if the
    connection was reset before the whole answer arrived."""
    started = time.monotonic()
    received = bytearray()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        connection.sendall(head.encode())
        sent, view = 0, memoryview(body)
        while True:
            sending = [connection] if sent < len(body) else []
            readable, writable, _ = select.select([connection], sending, [], 10)
            if not readable and not writable:
                pytest.fail(f"no answer in 10 s; {sent} bytes sent, {len(received)} received")
            if readable:
                data = connection.recv(65536)  # ConnectionResetError if reset
                if not data:
                    break
                received += data
            if writable:
                try:
                    sent += connection.send(view[sent : sent + 64 * 1024])
                except (BrokenPipeError, ConnectionResetError):
                    sent = len(body)  # the server stopped reading: the answer is what it sent
    answer = http.client.HTTPResponse(Received(bytes(received)), method="POST")
    answer.begin()
    answer.page = answer.read().decode()
    return answer, time.monotonic() - started


class Received:
    """What a server sent, for http.client to read as an answer."""

    def __init__(self, data):
        self.data = data

    def makefile(self, mode):
        return io.BytesIO(self.data)


@pytest.mark.parametrize("server", [runserver, gunicorn])
def test_a_30_mb_upload_gets_the_413_page_at_once(environment, tmp_path, server):
    """scripts/serve's development server and gunicorn both answer a 30 MB upload with the 413 page, at once."""
    body = multipart_with_file(30_000_000).getvalue()
    with server(environment, tmp_path / "server.log") as port:
        answer, seconds = post_as_a_browser(port, "/en/contact/", body, f"multipart/form-data; boundary={BOUNDARY}")
    log = (tmp_path / "server.log").read_text(errors="replace")
    assert answer.status == 413, log
    assert "What you sent is too large" in answer.page and answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert seconds < 5
    assert "Traceback" not in log


def test_gunicorn_access_log_holds_no_conversation_token(environment, tmp_path):
    """With the project's deploy/gunicorn.conf.py, the access log shows a conversation link's address with the token
    blanked, in the request line and in the Referer alike."""
    access_log = tmp_path / "access.log"
    with gunicorn(environment, tmp_path / "server.log", "--access-logfile", str(access_log)) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        referer = f"http://127.0.0.1:{port}/fr/conversation/ouvrir/{TOKEN}/"
        connection.request("GET", f"/en/conversation/open/{TOKEN}/", headers={"Referer": referer})
        status = connection.getresponse().status  # whatever the page, the request is logged
        connection.close()
        deadline = time.monotonic() + 10
        while "/conversation/open/" not in access_log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
    (line,) = [line for line in access_log.read_text().splitlines() if "/conversation/open/" in line]
    assert TOKEN not in line and TOKEN[:12] not in line
    assert f'"GET /en/conversation/open/[redacted]/ HTTP/1.1" {status} ' in line
    assert f'"http://127.0.0.1:{port}/fr/conversation/ouvrir/[redacted]/"' in line
    assert TOKEN[:12] not in (tmp_path / "server.log").read_text()


def test_gunicorn_logs_json_lines_without_an_access_log(environment, tmp_path):
    """With LOG_FORMAT=json, gunicorn's own lines come out as the JSON lines of Django's logs, and its access log
    is off (the portal logs each request itself): every line is a JSON object, and no line holds a link's secret."""
    output = tmp_path / "server.log"
    with gunicorn({**environment, "LOG_FORMAT": "json"}, output, "--access-logfile", "-") as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", f"/en/conversation/open/{TOKEN}/")
        connection.getresponse().read()
        connection.close()
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    assert {"gunicorn.error"} <= {line["logger"] for line in lines}
    assert any(line["message"].startswith("Booting worker") for line in lines)
    assert all(line["time"].endswith("+00:00") and line["level"] and "request_id" in line for line in lines)
    assert not any(line["logger"] == "gunicorn.access" for line in lines)
    assert TOKEN[:12] not in output.read_text()
