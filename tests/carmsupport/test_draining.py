"""gunicorn with deploy/gunicorn.conf.py, for real: readiness fails first on SIGTERM, then the server stops; the
metrics of several workers are read together."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.carmsupport.test_servers import ROOT, environment  # noqa: F401  (a fixture)
from tests.conftest import free_port


def status(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def served(environment, tmp_path):  # noqa: F811
    """gunicorn with two workers, metrics in multiprocess mode, a drain of 2 seconds; its port and process."""
    values = {
        **environment,
        "DRAIN_SECONDS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "ATTACHMENTS_ROOT": str(tmp_path / "attachments"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=environment, check=True, timeout=120
    )
    port = free_port()
    log = tmp_path / "server.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "carmsupport.wsgi"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=ROOT,
            env=values,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while True:
        try:
            if status(port, "/healthz")[0] == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"gunicorn did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)
    try:
        yield port, process, log
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_readiness_fails_while_gunicorn_drains_then_it_stops(served):
    """On SIGTERM /readyz answers 503 at once while /healthz still answers 200; gunicorn stops after the drain."""
    port, process, log = served
    assert status(port, "/readyz") == (200, "database ok\ncache ok\nstorage ok\n"), log.read_text(errors="replace")
    process.send_signal(signal.SIGTERM)
    terminated = time.monotonic()
    seen = []
    while process.poll() is None and time.monotonic() - terminated < 30:
        try:
            seen.append((time.monotonic() - terminated, status(port, "/readyz")[0], status(port, "/healthz")[0]))
        except OSError:
            break  # the socket is closed: the graceful stop has begun
        time.sleep(0.1)
    assert process.wait(timeout=30) == 0
    stopped = time.monotonic() - terminated
    draining = [(at, ready, live) for at, ready, live in seen if ready == 503]
    assert draining and draining[0][0] < 1, seen
    assert all(live == 200 for _at, _ready, live in draining), seen
    assert draining[-1][0] >= 1.5, seen  # served through most of the 2 seconds' drain
    assert 2 <= stopped < 15
    assert "Draining" in log.read_text(errors="replace")


def test_metrics_of_every_worker_are_read_together(served):
    """In multiprocess mode, the requests answered by both workers add up in one scrape."""
    port, process, log = served
    for _ in range(20):
        status(port, "/healthz")
    answer, text = status(port, "/metrics")
    assert answer == 200
    counted = [
        line
        for line in text.splitlines()
        if line.startswith("carmsupport_requests_total{") and 'view="healthz"' in line and 'status="2xx"' in line
    ]
    assert counted and float(counted[0].rsplit(" ", 1)[1]) >= 20, text
    assert 'carmsupport_scrape_collector_up{collector="cases"} 1.0' in text
    assert 'carmsupport_scrape_collector_up{collector="step_counts"} 1.0' in text
    assert "\ncarmsupport_step_counts_unwritten_age_seconds 0.0\n" in text
    assert 'carmsupport_step_counts_oldest_unwritten_timestamp_seconds{pid="' in text
    assert len([name for name in os.listdir(Path(log).parent / "metrics") if name.endswith(".db")]) >= 2


def test_workers_left_by_a_killed_master_drain_and_leave(served):
    """kill -9 of the master: its workers answer what they are asked, with /readyz 503 so the proxy takes the
    server out, never ready again; once no request comes, they leave, and the port with them."""
    port, process, log = served
    workers = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert len(workers) == 2
    process.kill()
    process.wait(timeout=10)
    answers = set()
    for _ in range(4):  # each worker takes some of them, until it has left
        try:
            answers.add(status(port, "/readyz")[0])
        except OSError:
            answers.add("gone")
    assert answers <= {503, "gone"}, log.read_text(errors="replace")
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "a worker left by its master stayed"
