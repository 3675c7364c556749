"""Questions about the assistant itself ("is this chat stored?", "are you a human?", "can I delete
this conversation?"), answered from its own processing notice: paragraphs generated from the
running settings (retention period, store, the policy's DPO contact), in the visitor's language,
and cited like the policy (section `assistant/notice`). The paragraph that answers is the one
closest in meaning to the question (the same embedding the question was analysed with).

When the policy itself answers the question too (a policy may describe the sites' chatbots), the
policy's answer comes first and the notice follows (`with_policy`): the visitor gets what the
organisation commits to, and what this assistant does."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from bot.answers import Reply
from bot.catalogue import t
from bot.types import Citation
from knowledge import embedders
from knowledge.query import Query

PARAGRAPHS = ("notice_ai", "notice_stored", "notice_retention", "notice_redaction", "notice_delete",
              "notice_access", "notice_contact")
SECTION = "assistant/notice"


@dataclass(frozen=True)
class Notice:
    """The assistant's notice for one deployment: paragraph key -> text, per language."""

    retention_days: int
    store: str  # "SQLite file" / "PostgreSQL database"
    dpo_email: str

    def paragraphs(self, lang: str) -> list[tuple[str, str]]:
        values = {"retention_days": self.retention_days, "store": t(f"notice_store_{self.store}", lang),
                  "dpo_email": self.dpo_email or t("dpo_contact_unknown", lang)}
        return [(key, t(key, lang, **values)) for key in PARAGRAPHS]


def _vectors(notice: Notice, lang: str, model: str) -> np.ndarray:
    return _embedded(notice, lang, embedders.get(model))


@lru_cache(maxsize=16)
def _embedded(notice: Notice, lang: str, embedder) -> np.ndarray:
    """Keyed by the embedder object too: a model swapped in (tests, another process's factory)
    never meets vectors of another model."""
    return np.asarray(embedder.documents([p for _, p in notice.paragraphs(lang)]), dtype=np.float32)


def answer(query: Query, notice: Notice, lang: str, base: dict) -> Reply:
    paragraphs = notice.paragraphs(lang)
    sims = _vectors(notice, lang, query.model) @ query.vec
    order = np.argsort(-sims)
    chosen = [int(order[0])]
    if len(order) > 1 and sims[order[1]] >= sims[order[0]] - 0.03:
        chosen.append(int(order[1]))
    label = t("notice_label", lang)
    cites = [Citation(SECTION, "assistant", label, paragraphs[i][1], float(sims[i]), label=label,
                      start=0, end=len(paragraphs[i][1]), kb="assistant") for i in chosen]
    text = "\n\n".join(paragraphs[i][1] for i in chosen)
    trace = dict(base, chosen=[{"section_id": SECTION, "key": paragraphs[i][0]} for i in chosen])
    return Reply("answer", text, cites, trace=trace)


def with_policy(own: Reply, from_policy: Reply) -> Reply:
    """The policy's answer, then the notice's paragraphs; the notice alone when the policy does not
    answer (a refusal, or a clarification the notice makes unnecessary)."""
    if from_policy.kind != "answer":
        return own
    trace = dict(from_policy.trace, assistant=own.trace.get("chosen"))
    return Reply("answer", f"{from_policy.text}\n\n{own.text}", [*from_policy.citations, *own.citations],
                 from_policy.quick_replies, trace)
