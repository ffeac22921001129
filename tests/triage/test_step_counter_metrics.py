"""How long step counts wait in memory: the Unix time of the oldest not written yet, told to the metrics."""

import time

from django.db import OperationalError
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from helpdesk.calendar import eastern_date
from triage import analytics
from triage.models import StepCount
from triage.step_counter import StepCounter

GAUGE = "carmsupport_step_counts_oldest_unwritten_timestamp_seconds"
KEY = (1, 1, "", eastern_date(), StepCount.Kind.VISIT, "en")


def test_the_oldest_unwritten_count_is_told_until_written():
    """The first count after a flush sets the time; more counts keep it; a flush that writes clears it."""
    told = []
    counter = StepCounter(write=lambda counts: None, on_oldest=told.append)
    assert counter.oldest() == 0
    before = time.time()
    counter.add(KEY)
    first = counter.oldest()
    assert before <= first <= time.time()
    counter.add(KEY)
    assert counter.oldest() == first
    assert counter.flush() == 2
    assert counter.oldest() == 0
    assert told == [first, 0]


def test_a_failed_flush_keeps_the_oldest_time():
    """Counts that could not be written keep the time they first came, so the wait shows how long it lasts."""
    told = []

    def failing(counts):
        raise OperationalError("database is locked")

    counter = StepCounter(write=failing, on_oldest=told.append)
    counter.add(KEY)
    first = counter.oldest()
    assert counter.flush() == 0
    counter.add(KEY)
    assert counter.oldest() == first
    assert told == [first]


def test_the_process_counter_sets_the_gauge(client, db):
    """The help tool's counter tells the metric: its value is the oldest count's time, 0 once flushed."""
    analytics.counter.add(KEY)
    assert REGISTRY.get_sample_value(GAUGE) == analytics.counter.oldest() > 0
    assert GAUGE in client.get("/metrics").content.decode()
    analytics.discard()
    assert REGISTRY.get_sample_value(GAUGE) == 0


def test_the_age_of_the_oldest_unwritten_count_is_read_at_scrape_time(client, db, monkeypatch):
    """The scrape gives how long the oldest count not written yet has waited, and 0 once none waits."""
    age = "carmsupport_step_counts_unwritten_age_seconds"
    analytics.counter.add(KEY)
    monkeypatch.setattr(analytics.counter, "_since", time.time() - 100)
    figures = {
        sample.name: sample.value
        for family in text_string_to_metric_families(client.get("/metrics").content.decode())
        for sample in family.samples
    }
    assert 100 <= figures[age] < 110
    analytics.discard()
    assert f"\n{age} 0.0\n" in client.get("/metrics").content.decode()
