"""The production topology on one machine, for bench/ha_drill.py: PostgreSQL, Redis, an SMTP sink, two
gunicorn app servers from deploy/gunicorn.conf.py, HAProxy from deploy/haproxy.cfg, two task workers and
the periodic check of cases due, each a process the drill may kill, restart or reload."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from email import message_from_bytes, policy
from pathlib import Path

import harness

ROOT = harness.ROOT
PYTHON = sys.executable


def pg_bin():
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise SystemExit("PostgreSQL is not installed. On Debian: apt-get install postgresql")
    return found[-1].parent


def as_postgres(command):
    """initdb and pg_ctl refuse to run as root: as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else command


def wait_until(check, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise SystemExit(f"{what} did not come up within {seconds} s")


def answers(url, status=200):
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == status
    except OSError:
        return False


class Postgres:
    def __init__(self, folder):
        self.bin, self.folder, self.port = pg_bin(), Path(folder) / "pg", harness.free_port()
        self.version = subprocess.run(
            [self.bin / "postgres", "--version"], capture_output=True, text=True
        ).stdout.split()[2]
        self.url = f"postgres://carm@127.0.0.1:{self.port}/carmsupport"

    def ctl(self, *args):
        subprocess.run(
            as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), *args]),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def create(self):
        self.folder.mkdir()
        if os.getuid() == 0:
            shutil.chown(self.folder, "postgres")
        subprocess.run(
            as_postgres(
                [
                    str(self.bin / "initdb"),
                    "-D",
                    str(self.folder / "data"),
                    "-U",
                    "carm",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.start()
        subprocess.run(
            as_postgres(
                [str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "carm", "carmsupport"]
            ),
            check=True,
        )

    def start(self):
        options = f"-k {self.folder} -p {self.port} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self.ctl("-l", str(self.folder / "server.log"), "-w", "-o", options, "start")

    def stop(self):
        self.ctl("-m", "fast", "-w", "stop")

    def restart(self):
        self.ctl("-m", "fast", "-w", "restart")


class Redis:
    def __init__(self, folder):
        self.folder, self.port = Path(folder) / "redis", harness.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.folder.mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_until(
            lambda: subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).returncode == 0,
            10,
            "Redis",
        )

    def stop(self):
        self.process.terminate()
        self.process.wait(10)

    def restart(self):
        self.stop()
        self.start()


class SmtpSink:
    """A real SMTP server (aiosmtpd) that keeps each email's Message-ID, in order of arrival."""

    def __init__(self, delay=0.0):
        from aiosmtpd.controller import Controller

        self.port, self.delay, self.lock = harness.free_port(), delay, threading.Lock()
        self.received = []  # (Message-ID, the email)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.received.append((message["Message-ID"], message))
        if self.delay:
            await asyncio.sleep(self.delay)  # a slow mail server: workers spend their time sending
        return "250 OK"

    def start(self):
        self.controller.start()

    def stop(self):
        self.controller.stop()

    def snapshot(self):
        with self.lock:
            return list(self.received)


class Service:
    """A process of the portal (app server, worker, periodic job), started again on demand."""

    def __init__(self, name, command, values, log):
        self.name, self.command, self.values, self.log = name, command, values, log
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            self.command, env=self.values, cwd=ROOT, stdout=self.log, stderr=self.log, start_new_session=True
        )

    def kill(self):
        """kill -9 of the process (a gunicorn master: its workers finish the requests they hold, find their
        master gone and exit)."""
        self.process.kill()
        self.process.wait(10)

    def signal(self, number):
        self.process.send_signal(number)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def alive(self):
        return self.process is not None and self.process.poll() is None


class AppServer(Service):
    def __init__(self, name, values, log, workers=2):
        self.port, self.workers = harness.free_port(), workers
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            PYTHON,
            "-m",
            "gunicorn",
            "-c",
            "deploy/gunicorn.conf.py",
            "carmsupport.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
        ]
        super().__init__(name, command, values, log)

    def start(self):
        # After a kill -9 of the master, its workers leave the port once their requests are done.
        wait_until(self._port_free, 30, f"{self.name}'s port")
        super().start()
        wait_until(lambda: answers(f"{self.url}/healthz"), 30, self.name)

    def _port_free(self):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", self.port))
            except OSError:
                return False
            return True


class Proxy(Service):
    def __init__(self, values, log, app_a, app_b):
        self.port = harness.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        values = {
            **values,
            "CARMSUPPORT_LISTEN": f"127.0.0.1:{self.port}",
            "CARMSUPPORT_APP_A": f"127.0.0.1:{app_a.port}",
            "CARMSUPPORT_APP_B": f"127.0.0.1:{app_b.port}",
            "CARMSUPPORT_APP_MAXCONN": str(app_a.workers),
        }
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"  # Debian puts it in /usr/sbin
        super().__init__("haproxy", [haproxy, "-db", "-f", str(ROOT / "deploy" / "haproxy.cfg")], values, log)

    def start(self):
        super().start()
        wait_until(lambda: answers(f"{self.url}/readyz"), 30, "HAProxy")
