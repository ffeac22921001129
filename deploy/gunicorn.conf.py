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
