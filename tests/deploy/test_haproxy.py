"""deploy/haproxy.cfg, checked by HAProxy and run in front of two small HTTP servers standing in for gunicorn."""

import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "haproxy.cfg"
HAPROXY = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")

pytestmark = pytest.mark.skipif(HAPROXY is None, reason="HAProxy is not installed (scripts/test installs it)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Backend:
    """An app server: answers its name, /readyz as `ready` says, and records every request but the health checks.

    With `drop` set it reads each request, then closes the connection without answering."""

    def __init__(self, name):
        self.name, self.ready, self.drop, self.requests = name, True, False, []
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                if self.path == "/readyz":
                    status, body = (200, b"ok") if backend.ready else (503, b"draining")
                else:
                    backend.requests.append((self.command, self.path, self.headers))
                    if backend.drop:
                        self.close_connection = True
                        return
                    status, body = 200, backend.name.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_HEAD = answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def environment(listen, app_a, app_b, socket_path=None):
    env = {**os.environ, "CARMSUPPORT_LISTEN": listen, "CARMSUPPORT_APP_A": app_a, "CARMSUPPORT_APP_B": app_b}
    env.pop("CARMSUPPORT_HOST", None)
    if socket_path:
        env["CARMSUPPORT_HAPROXY_SOCKET"] = str(socket_path)
    return env


class Proxy:
    """HAProxy run from deploy/haproxy.cfg in the foreground, as the drill and the systemd unit run it."""

    def __init__(self, tmp_path, app_a, app_b):
        self.port = free_port()
        self.socket = tmp_path / "haproxy.sock"
        env = environment(f"127.0.0.1:{self.port}", app_a, app_b, self.socket)
        self.log = open(tmp_path / "haproxy.log", "w")  # noqa: SIM115  (closed in stop)
        self.process = subprocess.Popen(
            [HAPROXY, "-f", str(CONFIG), "-db"], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 5
        while not self.socket.exists() or not self.accepts():
            assert self.process.poll() is None, (tmp_path / "haproxy.log").read_text()
            assert time.monotonic() < deadline, "HAProxy did not start"
            time.sleep(0.02)

    def accepts(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def request(self, path, method="GET", data=None):
        """The status and body of a request through the proxy."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method, data=data)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stats(self):
        """Each proxy's and server's counters from the admin socket's `show stat`, by "proxy/server"."""
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(self.socket))
            s.sendall(b"show stat\n")
            text = b"".join(iter(lambda: s.recv(65536), b"")).decode()
        header, *rows = [line for line in text.splitlines() if line]
        names = header.lstrip("# ").split(",")
        return {f"{r[0]}/{r[1]}": dict(zip(names, r, strict=False)) for r in (row.split(",") for row in rows)}

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=5)
        self.log.close()


@pytest.fixture
def backends():
    a, b = Backend("a"), Backend("b")
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def start_proxy(tmp_path):
    proxies = []

    def start(app_a, app_b):
        proxies.append(Proxy(tmp_path, app_a, app_b))
        return proxies[-1]

    yield start
    for proxy in proxies:
        proxy.stop()


def test_configuration_is_valid_with_its_environment(tmp_path):
    """`haproxy -c` accepts the file with the addresses set, with and without the optional admin socket."""
    for socket_path in (None, tmp_path / "admin.sock"):
        env = environment("127.0.0.1:8080", "127.0.0.1:8001", "127.0.0.1:8002", socket_path)
        result = subprocess.run([HAPROXY, "-c", "-f", str(CONFIG)], env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_configuration_without_addresses_is_refused():
    """Without CARMSUPPORT_LISTEN and the servers' addresses, HAProxy refuses the file instead of guessing."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARMSUPPORT_")}
    result = subprocess.run([HAPROXY, "-c", "-f", str(CONFIG)], env=env, capture_output=True, text=True)
    assert result.returncode != 0


def test_get_goes_to_the_live_server_when_the_other_refuses_connections(backends, start_proxy):
    """A server that stops listening, before its checks mark it down: every GET is answered by the other."""
    stopping, live = backends
    proxy = start_proxy(stopping.address, live.address)
    time.sleep(1.5)  # both servers checked healthy
    stopping.close()
    answers = [proxy.request(f"/en/page/{n}") for n in range(6)]
    assert answers == [(200, "b")] * 6
    retried = proxy.stats()["app/BACKEND"]
    assert int(retried["wretr"]) + int(retried["wredis"]) >= 1


def test_post_that_reached_a_server_is_never_sent_again(backends, start_proxy):
    """A server that closes without answering: a GET is tried again elsewhere, a POST gets 502 and is sent once."""
    dropping, live = backends
    dropping.drop = True
    proxy = start_proxy(dropping.address, live.address)
    posts = [proxy.request(f"/en/contact/{n}", method="POST", data=b"x=1")[0] for n in range(4)]
    dropped = [path for method, path, _ in dropping.requests if method == "POST"]
    assert set(posts) == {502, 200}  # the servers take turns
    assert len(dropped) == len(set(dropped)) == posts.count(502)
    assert [path for method, path, _ in live.requests if method == "POST" and path in dropped] == []
    dropping.requests.clear()
    assert [proxy.request(f"/en/help/{n}") for n in range(4)] == [(200, "b")] * 4
    assert any(method == "GET" for method, _, _ in dropping.requests)


def test_metrics_are_refused_through_the_proxy(backends, start_proxy):
    """/metrics answers 403 from the proxy and never reaches an app server."""
    a, b = backends
    proxy = start_proxy(a.address, b.address)
    assert proxy.request("/metrics")[0] == 403
    assert proxy.request("/metrics/?x=1")[0] == 403
    assert not [r for r in a.requests + b.requests if r[1].startswith("/metrics")]


def test_server_whose_readiness_fails_gets_no_traffic(backends, start_proxy):
    """Two seconds or so after a server's /readyz answers 503 it receives no request; when ready, it gets some again."""
    a, b = backends
    proxy = start_proxy(a.address, b.address)
    b.ready = False
    time.sleep(2.5)
    b.requests.clear()
    assert [proxy.request(f"/en/{n}") for n in range(8)] == [(200, "a")] * 8
    assert b.requests == []
    b.ready = True
    time.sleep(2.5)
    assert {proxy.request(f"/en/{n}")[1] for n in range(8)} == {"a", "b"}


def test_forwarded_headers_and_request_id(backends, start_proxy):
    """The app gets the client's address appended to X-Forwarded-For, X-Forwarded-Proto http and a fresh request id."""
    a, b = backends
    proxy = start_proxy(a.address, b.address)
    request = urllib.request.Request(
        f"http://127.0.0.1:{proxy.port}/en/",
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Request-ID": "chosen-by-client"},
    )
    urllib.request.urlopen(request, timeout=5).read()
    (_, _, headers), *_ = a.requests + b.requests
    assert headers.get_all("X-Forwarded-Proto") == ["http"]
    assert ",".join(headers.get_all("X-Forwarded-For")).replace(" ", "").split(",")[-1] == "127.0.0.1"
    (request_id,) = headers.get_all("X-Request-ID")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", request_id)


def test_log_blanks_the_secret_of_clients_links(backends, start_proxy, tmp_path):
    """HAProxy's log line shows a conversation link's or a "resolved" link's path with its token blanked."""
    a, b = backends
    proxy = start_proxy(a.address, b.address)
    for path in ("/en/conversation/open/Secret-Token-1/", "/fr/resolue/Secret-Token-2/?x=1", "/metrics/open"):
        proxy.request(path)
    time.sleep(0.2)
    log = (tmp_path / "haproxy.log").read_text()
    assert "Secret-Token" not in log
    assert '"GET /en/conversation/open/[redacted]/ HTTP/1.1"' in log and "/fr/resolue/[redacted]/ " in log
    assert '"GET /metrics/open HTTP/1.1"' in log
