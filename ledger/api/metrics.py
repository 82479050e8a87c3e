"""Prometheus metrics of one API process (`GET /metrics`, docs/operations.md "Health and
metrics"), in its own registry per app.

Read from the database at each scrape (the same for every process of a deployment): events
appended to the ledger, each read model's lag, the latest checkpoint's age, the events no
checkpoint covers yet and readiness. Counted by this process: request latency per route and
refusals per rule.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledger.config import Settings
from ledger.readiness import readiness


class LedgerCollector(Collector):
    """The ledger's state, read when Prometheus scrapes."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime]) -> None:
        self.settings, self.clock = settings, clock

    def collect(self) -> Iterator[Metric]:
        state = readiness(self.settings, self.clock())
        yield GaugeMetricFamily(
            "celltrace_ready", "1 when GET /readyz answers ready", value=int(state.ready)
        )
        if state.head is None:
            return
        yield CounterMetricFamily(
            "celltrace_events_appended",
            "Events appended to the ledger (its last notification id), by every process",
            value=state.head,
        )
        lag = GaugeMetricFamily(
            "celltrace_projection_lag_events",
            "Events the read model has yet to process",
            labels=["read_model"],
        )
        for name, behind in sorted(state.lag.items()):
            lag.add_metric([name], behind)
        yield lag
        yield GaugeMetricFamily(
            "celltrace_checkpoint_uncovered_events",
            "Events recorded after the last one the latest signed checkpoint covers",
            value=state.uncovered,
        )
        if state.checkpoint_age_seconds is not None:
            yield GaugeMetricFamily(
                "celltrace_checkpoint_age_seconds",
                "Seconds since the latest checkpoint was signed",
                value=state.checkpoint_age_seconds,
            )


class Metrics:
    """The registry of one app, and what the API counts in it."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime]) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(LedgerCollector(settings, clock))
        self.requests = Histogram(
            "celltrace_http_request_duration_seconds",
            "Time to answer an HTTP request, by route",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.refusals = Counter(
            "celltrace_refusals",
            "Steps and requests refused, by the rule that refused them",
            ["rule"],
            registry=self.registry,
        )

    def refused(self, rules: list[str]) -> None:
        for rule in rules:
            self.refusals.labels(rule=rule).inc()


API_PREFIX = "/api/v1"


class RequestTimer:
    """ASGI middleware: each HTTP request's duration, labelled with its route's path template
    (`/api/v1/items/{code}`, never the code itself) and status class."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            template = getattr(route, "path_format", None) or getattr(route, "path", None)
            if template and not scope["path"].startswith(template.split("{", 1)[0]):
                template = API_PREFIX + template  # a route of a router served under the prefix
            self.metrics.requests.labels(
                method=scope["method"],
                route=template or "(no route)",
                status=f"{status // 100}xx",
            ).observe(time.perf_counter() - start)
