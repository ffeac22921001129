"""gunicorn's settings for carmsupport: logs that never hold the secret of a client's conversation link.

The production command names this file (`gunicorn -c deploy/gunicorn.conf.py carmsupport.wsgi ...`). Options on the
command line override what is set here.
"""

import sys
from pathlib import Path

from gunicorn.glogging import Logger

ROOT = Path(__file__).resolve().parent.parent  # the project's folder
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the config is read before gunicorn puts its working folder on the path

from carmsupport.middleware import RedactLinksFilter  # noqa: E402  (the rule Django's own log lines follow)


class RedactingLogger(Logger):
    """gunicorn's logger, with /conversation/open/<token>/ and /resolved/<token>/ blanked in every access
    and error line: the request line, the path and the Referer alike."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, RedactLinksFilter) for f in log.filters):  # setup runs again on reload
                log.addFilter(RedactLinksFilter())


logger_class = RedactingLogger
chdir = str(ROOT)


# Health and metrics: the hooks below. On SIGTERM the master first marks this instance as draining, so that
# /readyz answers 503 and the proxy stops sending new requests, keeps serving for DRAIN_SECONDS, then stops
# gracefully as usual. With PROMETHEUS_MULTIPROC_DIR, workers' metrics are kept in files in that folder:
# emptied when the master starts, and a dead worker's gauges are dropped.

import os  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from types import MethodType  # noqa: E402

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
