"""Guard fixtures (registered in tests/conftest.py).

- `guard`: the real guard (Presidio + spaCy en/fr), loaded once per session: the slow tier.
- `stub_guard`: the same guard on `StubNlpEngine` (Presidio tests/mocks style): spaCy's blank
  tokenizers, and NER "finds" only the names a test declares. No model loads: the fast tier."""

from __future__ import annotations

import pytest
import spacy
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine


class StubNlpEngine(NlpEngine):
    """Tokenises with spaCy's blank pipelines; `names` are the spans NER would tag as PERSON."""

    def __init__(self, names: tuple[str, ...] = ()):
        self.names = tuple(names)
        self.nlp = {}

    def load(self) -> None:
        self.nlp = {lang: spacy.blank(lang) for lang in ("en", "fr")}

    def is_loaded(self) -> bool:
        return bool(self.nlp)

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        if not self.nlp:
            self.load()
        doc = self.nlp[language](text)
        ents = []
        for name in self.names:
            start = text.find(name)
            span = doc.char_span(start, start + len(name), label="PERSON") if start >= 0 else None
            if span is not None:
                ents.append(span)
        return NlpArtifacts(entities=ents, tokens=doc, tokens_indices=[t.idx for t in doc],
                            lemmas=[t.lower_ for t in doc], nlp_engine=self, language=language,
                            scores=[0.85] * len(ents))

    def process_batch(self, texts, language, batch_size=1, n_process=1, **kwargs):
        for text in texts:
            yield text, self.process_text(text, language)

    def is_stopword(self, word: str, language: str) -> bool:
        return False

    def is_punct(self, word: str, language: str) -> bool:
        return len(word) == 1 and not word.isalnum()

    def get_supported_entities(self) -> list[str]:
        return ["PERSON"]

    def get_supported_languages(self) -> list[str]:
        return ["en", "fr"]


def _heuristic_language(text: str) -> str:
    from guards.language import _heuristic

    return _heuristic(text) or "en"


def make_stub_guard(names: tuple[str, ...] = ()):
    from guards.guard import Guard

    return Guard(nlp_engine=StubNlpEngine(names), detect=_heuristic_language)


@pytest.fixture(scope="session")
def guard():
    """The real guard (Presidio + spaCy en/fr), loaded once per test session."""
    from guards.guard import get_guard

    return get_guard()


@pytest.fixture(scope="session")
def stub_guard():
    """The guard with an NLP-engine stub: every recognizer real, no spaCy model, no lingua."""
    return make_stub_guard(("Emily Carter", "Lucas Martin", "Camille Lefebvre"))
