"""Model-free stand-ins for the UI tests: a policy-backed fake engine that returns real
`bot.types.Answer` objects (citations with offsets into its own policy), and a fake guard that
removes e-mail addresses. They answer from a small Markdown policy by word overlap, so two
schools with two policies give two different answers, and questions outside the policy are
refused, without loading any model."""

from __future__ import annotations

import dataclasses
import re
import threading
from pathlib import Path

from bot.types import Answer, Citation, GuardReport, new_session_id
from guards.types import _GUARD_TOKEN, Finding, Inspection, Redacted
from knowledge.types import Chunk

FIXTURES = Path(__file__).parent / "fixtures"
OTHER_SCHOOL = Path(__file__).resolve().parents[1] / "knowledge" / "fixtures" / "other_school.md"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_WORD = re.compile(r"[a-zà-ÿ]{4,}")
_STOP = {"what", "when", "your", "data", "with", "this", "that", "have", "from", "does", "about", "long",
         "keep", "vous", "vos", "mes", "données", "quelle", "combien", "temps", "gardez"}


class FakeGuard:
    """Removes e-mail addresses (entity EMAIL_ADDRESS); nothing else."""

    def inspect(self, text: str, lang: str | None = None) -> Inspection:
        findings = tuple(Finding("EMAIL_ADDRESS", m.start(), m.end(), 1.0, "fake") for m in _EMAIL.finditer(text))
        redacted = _EMAIL.sub("<EMAIL_ADDRESS>", text)
        return Inspection(redacted=Redacted(redacted, _token=_GUARD_TOKEN), findings=findings,
                          lang=lang or ("fr" if re.search(r"[éèàç]| les | vos ", text) else "en"))

    def redact(self, text: str, lang: str | None = None) -> Redacted:
        return self.inspect(text, lang).redacted


class FakeRetriever:
    """`## heading` sections of a Markdown policy as chunks with exact offsets."""

    def __init__(self, kb: str, path: Path):
        self.kb = kb
        self.source_text = path.read_text(encoding="utf-8")
        self.build_id = f"{kb}-fake"
        self.chunks: list[Chunk] = []
        heads = list(re.finditer(r"^## (.+)$", self.source_text, re.M))
        for i, m in enumerate(heads):
            start = m.end() + 1
            end = heads[i + 1].start() if i + 1 < len(heads) else len(self.source_text)
            body = self.source_text[start:end].strip()
            start = self.source_text.index(body, start)
            slug = re.sub(r"[^a-z0-9]+", "-", m.group(1).lower()).strip("-")
            self.chunks.append(Chunk(f"{kb}-{i}", kb, f"general/{slug}", "general", "", m.group(1), body,
                                     start, start + len(body)))


def _citation(chunk: Chunk, quote_start: int, quote: str, lang: str) -> Citation:
    extra = {"label": chunk.heading, "start": quote_start, "end": quote_start + len(quote), "kb": chunk.kb}
    names = {f.name for f in dataclasses.fields(Citation)}
    if set(extra) <= names:
        return Citation(chunk.section_id, chunk.audience, chunk.heading, quote, 0.9, **extra)
    return _OffsetCitation(chunk.section_id, chunk.audience, chunk.heading, quote, 0.9, **extra)


@dataclasses.dataclass(frozen=True)
class _OffsetCitation(Citation):
    """Citation with the offsets the engine is adding (used until bot.types has them)."""

    label: str = ""
    start: int = 0
    end: int = 0
    kb: str = ""

    def to_dict(self) -> dict:
        return {**super().to_dict(), "label": self.label, "start": self.start, "end": self.end, "kb": self.kb}


class FakeEngine:
    def __init__(self, kb: str = "demo_school", policy: Path = FIXTURES / "demo_school.md", *, store=None,
                 delay_s: float = 0.0):
        self.retriever = FakeRetriever(kb, policy)
        self.guard = FakeGuard()
        self.store = store
        self.delay_s = delay_s
        self.asked: list[dict] = []
        self._lock = threading.Lock()

    def forget_session(self, session_id: str) -> bool:
        return True

    def ask(self, message: str, *, session_id=None, lang=None, site=None, audience=None, record=True) -> Answer:
        if self.delay_s:
            threading.Event().wait(self.delay_s)
        inspection = self.guard.inspect(message, lang)
        text = inspection.text
        out_lang = lang or inspection.lang
        with self._lock:
            self.asked.append({"text": text, "lang": lang, "site": site, "record": record})
        words = set(_WORD.findall(text.lower())) - _STOP
        best, score = None, 0
        for chunk in self.retriever.chunks:
            overlap = len(words & set(_WORD.findall((chunk.heading + " " + chunk.text).lower())))
            if overlap > score:
                best, score = chunk, overlap
        sid = session_id or new_session_id()
        report = GuardReport(text, inspection.findings,
                             "An e-mail address was removed." if inspection.findings else None)
        if best is None:
            answer = Answer(sid, "refusal", out_lang, "This is not covered by the privacy policy. "
                            "Write to the Data Protection Officer.", guard=report, disclosure="AI assistant")
        else:
            sentence = best.text.split(". ")[0].rstrip(".") + "."
            quote_start = self.retriever.source_text.index(sentence[:-1], best.start)
            lead = "Selon la politique :" if out_lang == "fr" else "According to the policy:"
            long_tail = "\n\n".join(f"Detail {i}: see the quoted section for the exact wording." for i in range(1, 9))
            answer = Answer(sid, "answer", out_lang, f"{lead} “{sentence}”\n\n{long_tail}",
                            citations=[_citation(best, quote_start, sentence[:-1], out_lang)], guard=report,
                            disclosure="AI assistant", quick_replies=[], timings_ms={"total": 1.0})
        if record and self.store is not None:  # what the engine writes: redacted text only
            if not self.store.session_exists(sid):
                self.store.create_session(site, out_lang, session_id=sid)
            self.store.add_message(sid, "visitor", inspection.redacted, findings=inspection.findings)
            self.store.add_message(sid, "bot", self.guard.redact(answer.text), kind=answer.kind,
                                   citations=[c.section_id for c in answer.citations])
        return answer
