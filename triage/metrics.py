"""The help tool's metrics: how long step counts have waited in the processes' memory for the database."""

import os
import time
from pathlib import Path

from prometheus_client import Gauge
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

# One series per live process in prometheus-client's multiprocess mode (a pid label): each holds its own counts.
OLDEST_UNWRITTEN_NAME = "carmsupport_step_counts_oldest_unwritten_timestamp_seconds"
OLDEST_UNWRITTEN = Gauge(
    OLDEST_UNWRITTEN_NAME,
    "Unix time of the oldest help-tool step count this process has not written to the database yet; 0 when none.",
    multiprocess_mode="liveall",
)


def oldest_unwritten_times(counter) -> list[float]:
    """Each live process's OLDEST_UNWRITTEN: read from PROMETHEUS_MULTIPROC_DIR's files, or this process's."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return [counter.oldest()]
    files = [str(path) for path in Path(folder).glob("gauge_liveall_*.db")]
    return [
        sample.value
        for metric in MultiProcessCollector.merge(files, accumulate=False)
        if metric.name == OLDEST_UNWRITTEN_NAME
        for sample in metric.samples
    ]


class StepCountsCollector:
    """At scrape time, the age of the oldest step count any process has not written yet."""

    name = "step_counts"

    def collect(self):
        from .analytics import counter

        oldest = min((t for t in oldest_unwritten_times(counter) if t > 0), default=0.0)
        yield GaugeMetricFamily(
            "carmsupport_step_counts_unwritten_age_seconds",
            "How long the oldest help-tool step count not yet written to the database has waited; 0 when none.",
            max(0.0, time.time() - oldest) if oldest else 0.0,
        )
