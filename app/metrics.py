"""Prometheus metrics of this process (``GET /metrics``)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry()

SOCKETS = Gauge(
    "parley_sockets_open", "Websockets open on this process", ["kind"], registry=REGISTRY
)
MESSAGES = Counter(
    "parley_messages_total", "Messages stored through this process", ["kind"], registry=REGISTRY
)
QUEUE = Gauge("parley_queue_length", "Chats waiting for an agent (all sites)", registry=REGISTRY)
# From publish (after commit) to the frame being queued for a local socket, across processes.
DELIVERY = Histogram(
    "parley_delivery_seconds",
    "Publish-to-socket delivery latency",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
    registry=REGISTRY,
)
SLOW_CONSUMERS = Counter(
    "parley_slow_consumer_closes_total",
    "Sockets closed because the client could not keep up",
    registry=REGISTRY,
)
