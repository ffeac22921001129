"""The help tool's metric: how long step counts have waited in a process's memory for the database."""

from prometheus_client import Gauge

# One series per live process in prometheus-client's multiprocess mode (a pid label): each holds its own
# counts. The age of the oldest: time() - min(carmsupport_step_counts_oldest_unwritten_timestamp_seconds > 0).
OLDEST_UNWRITTEN = Gauge(
    "carmsupport_step_counts_oldest_unwritten_timestamp_seconds",
    "Unix time of the oldest help-tool step count this process has not written to the database yet; 0 when none.",
    multiprocess_mode="liveall",
)
