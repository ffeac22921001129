"""gunicorn's settings for carmsupport: workers from the machine, time limits that suit the proxy in front, and
logs that never hold the secret of a client's conversation link.

The production command names this file (`gunicorn -c deploy/gunicorn.conf.py carmsupport.wsgi`); options on the
command line override what is set here. `kill -HUP` on the master (`systemctl reload carmsupport-web@N`) is
gunicorn's graceful reload: it reads this file and the code again, starts new workers, and lets the old ones
finish the requests they hold (up to `graceful_timeout`) before they stop. TERM first drains the instance (see
the hooks at the end), then stops the same graceful way.
"""

import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import MethodType

from gunicorn.glogging import Logger

# WEB_CONCURRENCY (gunicorn's own variable) sets the number of workers; by default 2 per core plus 1, as
# gunicorn's documentation advises for synchronous workers, whose requests mostly wait on PostgreSQL. The cores
# are those this process may run on (a CPUAffinity= of systemd counts), not all the machine's.
cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else multiprocessing.cpu_count()
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * cores + 1)
bind = [os.environ.get("GUNICORN_BIND") or "127.0.0.1:8000"]
# A worker silent this long is killed and replaced; the longest legitimate request (a 25 MB upload through the
# proxy, which buffers it first, or a large CSV export) ends well within it.
timeout = 30
graceful_timeout = 30  # on HUP or TERM, the old workers' time to finish what they hold
# Workers are gunicorn's synchronous ones, which close the connection after each response, so HAProxy never
# reuses a connection gunicorn is closing. With threaded workers (`--worker-class gthread`), an idle connection
# would be kept 5 s: far below HAProxy's `timeout server` (deploy/haproxy.cfg).
keepalive = 5
# Each worker is replaced after about 1,000 requests (± 100, so they do not all restart at once): a slow leak in
# a library cannot grow without bound, and the cost is one fork in a thousand requests.
max_requests = 1000
max_requests_jitter = 100
# No control socket: the master is driven by signals (HUP, TERM, TTIN/TTOU), and two app servers on one machine
# would otherwise share one socket path in the home folder.
control_socket_disable = True
# forwarded_allow_ips is left to gunicorn's default, FORWARDED_ALLOW_IPS or 127.0.0.1 and ::1: the application
# reads the client's address by its own rule (TRUSTED_PROXIES) and the scheme by SECURE_PROXY_SSL_HEADER.

ROOT = Path(__file__).resolve().parent.parent  # the project's folder
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the config is read before gunicorn puts its working folder on the path

from carmsupport.middleware import RedactLinksFilter  # noqa: E402  (the rule Django's own log lines follow)
from carmsupport.settings import LOG_FORMAT, LOGGING  # noqa: E402  (Django's logs)


class RedactingLogger(Logger):
    """gunicorn's logger, with /conversation/open/<token>/ and /resolved/<token>/ blanked in every access
    and error line: the request line, the path and the Referer alike."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, RedactLinksFilter) for f in log.filters):  # setup runs again on reload
                log.addFilter(RedactLinksFilter())


logger_class = RedactingLogger

# With LOG_FORMAT=json (the default in production), gunicorn's error log (its start, its workers' time-outs
# and deaths) comes out as the same JSON lines as Django's, and its access log is off: the portal logs one
# line per request itself (logger carmsupport.requests), and the proxy in front logs requests too.
if LOG_FORMAT == "json":
    logconfig_dict = {
        **LOGGING,
        "loggers": {
            **LOGGING["loggers"],
            "gunicorn.error": {"handlers": [], "propagate": True},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }

chdir = str(ROOT)


# Health and metrics: the hooks below. On SIGTERM the master first marks this instance as draining, so that
# /readyz answers 503 and the proxy stops sending new requests, keeps serving for DRAIN_SECONDS, then stops
# gracefully as usual. With PROMETHEUS_MULTIPROC_DIR, workers' metrics are kept in files in that folder:
# emptied when the master starts, and a dead worker's gauges are dropped.

from carmsupport.health import DRAINING_FILE_VARIABLE  # noqa: E402

DRAIN_SECONDS = float(os.environ.get("DRAIN_SECONDS", "3"))


def on_starting(server):
    """Before the workers are forked: the draining mark's path, in a folder of this master's own, for them to read."""
    folder = tempfile.mkdtemp(prefix="carmsupport-gunicorn-")
    os.environ[DRAINING_FILE_VARIABLE] = os.path.join(folder, "draining")
    server.draining_folder = folder
    metrics_folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if metrics_folder:
        os.makedirs(metrics_folder, exist_ok=True)
        for name in os.listdir(metrics_folder):  # a previous run's counts would be added to this one's
            if name.endswith(".db"):
                os.unlink(os.path.join(metrics_folder, name))
    graceful_stop = server.handle_term

    def handle_term(arbiter):
        """SIGTERM: readiness fails first, the workers serve DRAIN_SECONDS more, then the usual graceful stop."""
        with open(os.environ[DRAINING_FILE_VARIABLE], "w"):
            pass
        arbiter.log.info("Draining: /readyz answers 503; stopping in %s s.", DRAIN_SECONDS)
        time.sleep(DRAIN_SECONDS)
        graceful_stop()

    server.handle_term = MethodType(handle_term, server)


def on_exit(server):
    shutil.rmtree(getattr(server, "draining_folder", ""), ignore_errors=True)


def child_exit(server, worker):
    """A worker gone: its live gauges leave the metrics (prometheus-client's multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def pre_request(worker, req):
    """A worker whose master is gone (killed with -9) drains as its master would have: /readyz answers 503, so
    the proxy takes this server out; no request comes any more, and the worker, idle, sees its master gone
    and exits. Otherwise a busy worker would go on accepting, and the connections waiting in the socket's
    backlog when the last one left would be reset, a form posted among them lost."""
    if worker.ppid != os.getppid():
        with open(os.environ[DRAINING_FILE_VARIABLE], "w"):
            pass
