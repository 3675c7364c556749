"""Prometheus metrics on the app's own registry. Labels are route templates, status codes,
answer kinds and guard entity names: never message text, session ids or IP addresses."""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from guards.types import SPECIAL_CATEGORIES

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0, 5.0, 10.0)


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "privacybot_http_requests", "HTTP requests by route template, method and status.",
            ["route", "method", "status"], registry=r,
        )
        self.latency = Histogram(
            "privacybot_http_request_duration_seconds", "HTTP request latency by route template.",
            ["route", "method"], buckets=_LATENCY_BUCKETS, registry=r,
        )
        self.engine_latency = Histogram(
            "privacybot_engine_seconds", "Time spent in engine.ask (guard, retrieval, answer).",
            buckets=_LATENCY_BUCKETS, registry=r,
        )
        self.answers = Counter(
            "privacybot_answers", "Answers by kind and language.", ["kind", "lang"], registry=r,
        )
        self.guard_findings = Counter(
            "privacybot_guard_findings",
            "Guard findings in visitor messages and feedback comments, by category and entity.",
            ["category", "entity", "source"], registry=r,
        )
        self.errors = Counter("privacybot_errors", "Error responses by code.", ["code"], registry=r)
        self.rate_limited = Counter(
            "privacybot_rate_limited", "Requests refused by a rate limit.", ["scope"], registry=r,
        )
        self.feedback = Counter("privacybot_feedback", "Feedback by rating.", ["rating"], registry=r)
        self.ready = Gauge("privacybot_ready", "1 when the index and models are loaded.", registry=r)

    def observe_findings(self, findings, source: str) -> None:
        for f in findings:
            entity = f["entity"] if isinstance(f, dict) else f.entity
            category = "special" if entity in SPECIAL_CATEGORIES else "personal"
            self.guard_findings.labels(category=category, entity=entity, source=source).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
