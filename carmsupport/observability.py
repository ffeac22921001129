"""Prometheus metrics (/metrics) and one log line per request: what the site does, never who asked.

Requests are counted and timed per view: the URL's name (`triage:question`), `static`, or `unresolved`;
never the path, which may hold a client's token. Apps add the figures read from the database at scrape
time through SCRAPE_COLLECTORS (cases and triage, in their AppConfig.ready): they run in the scrape
request, once, whatever the number of worker processes. With PROMETHEUS_MULTIPROC_DIR, the counters of
every gunicorn worker are read from that folder (prometheus-client's multiprocess mode); without it, from
this process.
"""

import hmac
import ipaddress
import logging
import os
import time
from functools import lru_cache

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

REQUESTS = Counter(
    "carmsupport_requests", "Requests answered, by view, method and status class.", ["view", "method", "status"]
)
REQUEST_SECONDS = Histogram(
    "carmsupport_request_duration_seconds",
    "Time to answer a request, to the start of its response.",
    ["view", "method"],
)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# Collectors of figures read at scrape time, each with a `name` and a `collect()` (prometheus-client's
# custom collectors); appended by the apps.
SCRAPE_COLLECTORS: list = []

request_log = logging.getLogger("carmsupport.requests")
logger = logging.getLogger(__name__)


def view_label(request, static_prefix) -> str:
    """The URL name of the view that answered, `static`, or `unresolved` (a 404, a redirect to a language)."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name
    return "static" if request.path_info.startswith(static_prefix) else "unresolved"


PROBE_VIEWS = frozenset({"healthz", "readyz"})


class RequestMetricsMiddleware:
    """Counts and times each request per view, and logs it in one line on `carmsupport.requests`."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")
        # The metrics' children per (view, method, status class), a finite set: labels() costs microseconds.
        self.children = {}

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        view = view_label(request, self.static_prefix)
        method = request.method if request.method in METHODS else "other"
        key = (view, method, response.status_code // 100)
        if (children := self.children.get(key)) is None:
            children = self.children[key] = (
                REQUESTS.labels(view, method, f"{key[2]}xx"),
                REQUEST_SECONDS.labels(view, method),
            )
        children[0].inc()
        children[1].observe(seconds)
        # A passing probe (the load balancer's, every second) only at DEBUG: the log keeps what people asked.
        passing_probe = view in PROBE_VIEWS and response.status_code < 400
        request_log.log(
            logging.DEBUG if passing_probe else logging.INFO,
            "request",
            extra={
                "view": view,
                "method": method,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
            },
        )
        return response


@lru_cache(maxsize=4)
def _networks(addresses: tuple[str, ...]):
    return tuple(ipaddress.ip_network(address, strict=False) for address in addresses)


def metrics_allowed(request) -> bool:
    """From an address of METRICS_ALLOWED_ADDRESSES (the socket's: X-Forwarded-For is the client's word), or
    with `Authorization: Bearer` and METRICS_TOKEN; never with a bearer when no token is set."""
    token = settings.METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in _networks(tuple(settings.METRICS_ALLOWED_ADDRESSES)))


class ProcessMetrics:
    """This process's metrics (the default registry), for a scrape without multiprocess mode."""

    def collect(self):
        yield from REGISTRY.collect()


def scrape_registry() -> CollectorRegistry:
    """The metrics of one scrape: the workers' (or this process's), then the apps' scrape-time figures."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(ProcessMetrics())
    registry.register(ScrapeCollectors())
    return registry


class ScrapeCollectors:
    """The apps' collectors; one that fails (the database away) is left out, and says so in
    carmsupport_scrape_collector_up."""

    def collect(self):
        up = GaugeMetricFamily(
            "carmsupport_scrape_collector_up",
            "Whether a scrape-time collector answered (1) or failed (0).",
            labels=["collector"],
        )
        for collector in SCRAPE_COLLECTORS:
            try:
                families = list(collector.collect())
            except Exception as error:  # a failing figure must not hide the others
                logger.warning("Metrics of %s not collected: %s", collector.name, type(error).__name__)
                up.add_metric([collector.name], 0)
                continue
            up.add_metric([collector.name], 1)
            yield from families
        yield up


@never_cache
def metrics(request):
    """Prometheus's text format, for allowed addresses and the bearer of the token; a 404 for anyone else."""
    if not metrics_allowed(request):
        raise Http404
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
