"""What the DPO office reads: the needs-attention queue and readable, escaped transcripts."""

from __future__ import annotations

import pytest

from tests.ui.fakes import FakeGuard
from ui.console_transcript import attention_queue, exchanges, reason_labels, transcript_html

G = FakeGuard()


@pytest.fixture
def store(settings):
    from bot.store import open_store

    s = open_store(settings)
    yield s
    s.close()


def add(store, site, question, answer, kind, rating=None, comment=None):
    sid = store.create_session(site, "en")
    store.add_message(sid, "visitor", G.redact(question), findings=G.inspect(question).findings)
    bot_id = store.add_message(sid, "bot", G.redact(answer), kind=kind, citations=["general/dpo"])
    if rating:
        store.add_feedback(sid, rating, G.redact(comment) if comment else None, message_id=bot_id)
    return sid


def test_the_queue_lists_refusals_down_votes_and_guard_findings_only(store):
    ok = add(store, "ece", "Who is the DPO?", "The DPO is dpo@omnes.test.", "answer", rating="up")
    refused = add(store, "ece", "What is on the menu?", "Not in the policy.", "refusal")
    down = add(store, "inseec", "How long do you keep CVs?", "Two years.", "answer", rating="down",
               comment="wrong <b>year</b>")
    found = add(store, "ece", "I am jeanne@example.org, delete me", "Write to the DPO.", "rights_request")
    queue = {q["session_id"]: q for q in attention_queue(store, days=1)}
    assert ok not in queue
    assert queue[refused]["reasons"] == ["refusal"] and queue[down]["reasons"] == ["down"]
    assert queue[found]["reasons"] == ["guard"] and "jeanne@example.org" not in queue[found]["question"]
    assert reason_labels(["refusal", "down"], "fr") == "refusée / introuvable, 👎 jugée inutile"


@pytest.mark.parametrize("lang, visitor, assistant", [("en", "Visitor", "Assistant"), ("fr", "Visiteur", "Assistant")])
def test_transcripts_are_readable_escaped_and_mark_the_queued_exchange(store, lang, visitor, assistant):
    sid = add(store, "ece", "Is <script>alert(1)</script> stored?", "No & never.", "answer", rating="down",
              comment="<img src=x onerror=alert(1)>")
    html = transcript_html(store.export_session(sid), lang, focus=0)
    assert "<script>" not in html and "<img" not in html and "&lt;script&gt;" in html and "No &amp; never." in html
    assert f"<strong>{visitor}</strong>" in html and f"<strong>{assistant}</strong>" in html
    assert "👎 — &lt;img" in html and "▶" in html and "general/dpo" in html
    assert "{" not in html  # never raw JSON


def test_exchanges_pair_questions_with_their_answers(store):
    sid = add(store, "ece", "First?", "One.", "answer")
    store.add_message(sid, "visitor", G.redact("Second?"))
    items = exchanges(store.export_session(sid))
    assert [(i["question"], i["answer"]) for i in items] == [("First?", "One."), ("Second?", "")]
