"""The OpenAPI schema matches the app: every route with its methods, real models."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute


def test_every_route_is_documented_with_its_methods(client):
    from ui.server import ROUTERS

    spec = client.get("/openapi.json").json()
    routes = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute) and r.include_in_schema]
    assert len(routes) >= 9
    assert {r.path for r in routes} == set(spec["paths"])
    methods: dict[str, set[str]] = {}
    for route in routes:
        methods.setdefault(route.path, set()).update(m.lower() for m in route.methods)
    assert methods == {path: set(ops) for path, ops in spec["paths"].items()}


def test_every_documented_operation_exists_on_the_server(client):
    """Call each documented (path, method): the router must know it (no 'No such endpoint', no 405)."""
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        url = path.replace("{session_id}", "unknownsession123")
        for method in ops:
            r = client.request(method.upper(), url, json={})
            assert r.status_code != 405, (method, path)
            if r.status_code == 404:
                assert r.json()["error"]["message"] != "No such endpoint; see /docs for the API.", (method, path)


@pytest.mark.parametrize(
    "path, method, request_model, response_model",
    [
        ("/api/chat", "post", "ChatRequest", "AnswerOut"),
        ("/api/chat/stream", "post", "ChatRequest", None),
        ("/api/feedback", "post", "FeedbackRequest", "FeedbackOut"),
        ("/api/config", "get", None, "ConfigOut"),
        ("/api/sessions/{session_id}", "delete", None, "DeletedOut"),
        ("/readyz", "get", None, "ReadyOut"),
    ],
)
def test_request_and_response_models_are_declared(client, path, method, request_model, response_model):
    op = client.get("/openapi.json").json()["paths"][path][method]
    if request_model:
        ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith(f"/{request_model}")
    ok = op["responses"]["200"]["content"]
    if response_model:
        assert ok["application/json"]["schema"]["$ref"].endswith(f"/{response_model}")
    if path.startswith("/api/"):
        for status in ("422", "429"):
            assert op["responses"][status]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    if path == "/api/chat/stream":
        assert "text/event-stream" in ok


def test_stream_events_are_described(client):
    op = client.get("/openapi.json").json()["paths"]["/api/chat/stream"]["post"]
    desc = op["responses"]["200"]["description"]
    assert all(f"`{e}`" in desc for e in ("meta", "token", "sources", "done", "error"))
