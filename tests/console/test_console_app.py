"""The running console, driven over HTTP with gradio_client (login, named endpoints)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from tests.console.conftest import STAFF_PASSWORD
from ui.console_chat import md_escape

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("user, password", [("staff", "wrong-password"), ("staff", ""), ("", STAFF_PASSWORD)])
def test_wrong_credentials_are_refused(console_url, user, password):
    with pytest.raises(ValueError, match="Could not login"):
        Client(console_url, auth=(user, password), verbose=False)


def test_without_login_the_api_is_closed(console_url):
    assert httpx.get(console_url + "config", timeout=10).status_code == 401
    assert httpx.get(console_url + "gradio_api/info", timeout=10).status_code == 401


@pytest.fixture(scope="module")
def client(console_url):
    return Client(console_url, auth=("staff", STAFF_PASSWORD), verbose=False)


def test_monitoring_and_share_links_are_off(client, console_url):
    cookies = client.cookies
    assert httpx.get(console_url + "monitoring", cookies=cookies, timeout=10).status_code == 403
    config = httpx.get(console_url + "config", cookies=cookies, timeout=10).json()
    assert config.get("footer_links") == []
    assert config.get("run_history") is False
    chatbot = next(c for c in config["components"] if c.get("props", {}).get("elem_id") == "console-chat")
    assert "share" not in chatbot["props"]["buttons"]


@pytest.mark.parametrize(
    "question, lang, raw_value, placeholder, expected_lang",
    [
        ("My email is jeanne.martin@example.org. How long do you keep applicants' data?", "auto",
         "jeanne.martin@example.org", "EMAIL_ADDRESS", "en"),
        ("Je suis enceinte. Combien de temps conservez-vous les données des candidats ?", "fr",
         "enceinte", "HEALTH", "fr"),
    ],
)
def test_chat_endpoint_answers_and_shows_only_the_redacted_message(client, question, lang, raw_value,
                                                                     placeholder, expected_lang):
    history, answer, status, textbox = client.predict(question, [], lang, "auto", api_name="/chat")
    assert textbox == ""
    assert answer["lang"] == expected_lang
    assert answer["kind"] in ("answer", "refusal", "rights_request", "clarification")
    assert raw_value not in str(history) and raw_value not in str(answer)
    assert md_escape(f"[{placeholder}]") in history[0]["content"][0]["text"]  # shown literally
    titles = [m["metadata"]["title"] for m in history if m.get("metadata") and m["metadata"].get("title")]
    assert len(titles) == 5 and any("Sources" in t for t in titles)
    assert history[-1]["role"] == "assistant" and not (history[-1].get("metadata") or {}).get("title")


def test_empty_question_is_a_friendly_message(client):
    history, answer, status, _ = client.predict("   ", [], "auto", "auto", api_name="/chat")
    assert history == [] and answer is None and "empty" in status


def test_guard_endpoint_highlights_and_redacts(client):
    text = "Bonjour, je m'appelle Jeanne Martin, mon email est jeanne.martin@example.org."
    highlighted, redacted, rows, status = client.predict(text, "fr", api_name="/inspect")
    assert "jeanne.martin@example.org" not in redacted and "[EMAIL_ADDRESS]" in redacted
    labels = {item["class_or_confidence"] for item in highlighted if item["class_or_confidence"]}
    assert "EMAIL_ADDRESS" in labels
    assert "finding(s)" in status


def test_huge_paste_is_truncated_with_a_visible_note(client):
    policy = (ROOT / "knowledge" / "sources" / "omnes.txt").read_text(encoding="utf-8")
    text = "Contact jeanne.martin@example.org about this. " + policy  # > 90 kB
    _, redacted, _, status = client.predict(text, "en", api_name="/inspect")
    assert "only the first 50,000 bytes were analysed" in status
    assert "jeanne.martin@example.org" not in redacted and "[EMAIL_ADDRESS]" in redacted
    assert len(redacted.encode("utf-8")) < 60_000  # the analysed part only (placeholders change lengths)


@pytest.fixture(scope="module")
def bare_mount_url(console_settings, console_engine, guard, console_store):
    """The console mounted on a FastAPI app the naive way (no auth, no options), served by uvicorn."""
    import threading
    import time

    import gradio as gr
    import uvicorn
    from fastapi import FastAPI

    from tests.console.conftest import free_port
    from ui.console import build_console

    app = FastAPI()
    gr.mount_gradio_app(app, build_console(console_settings, console_engine, console_store, guard), path="/console")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/console/"
    server.should_exit = True
    thread.join(10)


def test_console_mounted_without_auth_still_requires_the_password(bare_mount_url):
    assert httpx.get(bare_mount_url + "config", timeout=10).status_code == 401
    with pytest.raises(ValueError, match="Could not login"):
        Client(bare_mount_url, auth=("staff", "wrong"), verbose=False)
    client = Client(bare_mount_url, auth=("staff", STAFF_PASSWORD), verbose=False)
    config = httpx.get(bare_mount_url + "config", cookies=client.cookies, timeout=10).json()
    assert config.get("run_history") is False  # pasted text is never kept in the browser
    _, redacted, _, _ = client.predict("Call me on 06 12 34 56 78", "fr", api_name="/inspect")
    assert "06 12 34 56 78" not in redacted


def test_evaluation_runs_once_at_a_time_and_shows_metrics_plots_and_failures(client):
    import time

    from ui import console_eval

    job = client.submit(["guard"], api_name="/evaluate")
    deadline = time.time() + 60
    while console_eval.running_since() is None and time.time() < deadline and not job.done():
        time.sleep(0.05)
    assert console_eval.running_since() is not None, "the first evaluation should be running"
    _, _, _, refused, _, _ = client.predict(["guard"], api_name="/evaluate")
    assert refused.startswith("An evaluation is already running — started at ")
    metrics, plots, failures, status, files, _ = job.result(timeout=600)
    assert {Path(str(f)).name for f in files} >= {"report.html", "metrics.json"}  # downloadable
    assert status.startswith("Finished"), status
    rows = metrics["data"]
    assert rows and {r[0] for r in rows} == {"guard"}
    assert any(r[1] == "leak_rate_structured" for r in rows)
    report = json.loads(Path(next(str(f) for f in files if str(f).endswith("metrics.json"))).read_text())
    assert len(plots or []) == len(report["suites"]["guard"]["plots"])  # every plot of the report is shown
    assert all(str(p["image"]).endswith(".png") for p in plots or [])  # downloaded by the client
    assert failures["headers"][3] == "question (redacted)"
