"""Fakes for unit tests (no model is loaded), like presidio's tests/mocks and simonw/llm's
EmbedDemo: a deterministic hash embedder, and classifiers trained on it from the repo's own
labelled examples, so the engine runs end to end in milliseconds. Only tests marked `slow` load
the real models."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from knowledge.text import fold, stem

DIM = 512
ROOT = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=65536)
def _feature(feat: str) -> int:
    return int.from_bytes(hashlib.blake2b(feat.encode(), digest_size=4).digest(), "little") % DIM


@lru_cache(maxsize=65536)
def _hash_vec(text: str) -> np.ndarray:
    """The same text gives the same vector: computed once per test process (a policy is embedded by
    many tests' ingests, the training examples by every fake classifier)."""
    v = np.zeros(DIM, dtype=np.float32)
    for w in re.findall(r"[a-z0-9]+", fold(text)):
        s = stem(w)
        v[_feature(s)] += 1.0
        for i in range(max(1, len(w) - 2)):
            tri = w[i:i + 3]
            v[_feature(tri)] += 1.0 if tri == s else 0.3
    n = float(np.linalg.norm(v))
    out = v / n if n else v
    out.flags.writeable = False
    return out


class HashEmbedder:
    """Bag of hashed word stems and character trigrams, L2-normalised: texts sharing words are
    close, which is all retrieval and classifier tests need."""

    version = "hash-embedder-1"

    def __init__(self, name: str = "hash"):
        self.name = name

    def _vec(self, text: str) -> np.ndarray:
        return _hash_vec(text).copy()

    def documents(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, DIM), np.float32)

    def query(self, text: str) -> np.ndarray:
        return self._vec(text)

    def queries(self, texts: list[str]) -> np.ndarray:
        return self.documents(texts)


def train_fake_classifiers(out: Path) -> None:
    """Question and intent classifiers on the hash embedder, from the repo's training files."""
    from knowledge import classify

    emb = HashEmbedder()
    questions = classify.read_examples(sorted(ROOT.glob("knowledge/training/questions*.yaml")), nested=True)
    intents = classify.read_examples(sorted(ROOT.glob("bot/training/intents*.yaml")))
    rights = classify.read_examples(sorted(ROOT.glob("bot/training/rights*.yaml")))

    def examples(section):
        pairs = [(x, label) for label, by in section.items() for lang in ("en", "fr") for x in by.get(lang) or []]
        return [p[0] for p in pairs], [p[1] for p in pairs]

    reference = {lang: emb.documents([x for sec in questions.values() for by in sec.values()
                                      for x in by.get(lang, [])][:200]) for lang in ("en", "fr")}
    np.savez(out / "reference-e5.npz", **reference)
    for name, section in (("answer_type", questions["answer_types"]), ("audience", questions["audiences"]),
                          ("intent", intents), ("right", rights)):
        texts, labels = examples(section)
        for model in ("e5",):
            clf, _ = classify.fit(name, model, emb.documents(texts), labels, calibrate=False,
                                  texts=texts)  # as in training: every one also reads the characters
            clf.save(out / f"{name}-{model}.npz")
    from knowledge.query import self_description_examples

    texts, labels = self_description_examples(intents, ("en", "fr"))
    clf, _ = classify.fit("self_description", "e5", emb.documents(texts), labels, calibrate=False, texts=texts)
    clf.save(out / "self_description-e5.npz")


class FakeGuard:
    """Redacts emails and phone numbers with regexes; enough for engine and store tests."""

    _EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
    _PHONE = re.compile(r"\+?\d[\d .]{7,}\d")

    def inspect(self, text: str, lang: str | None = None, *, allow=None):
        from guards import types

        findings, out, pos = [], [], 0
        spans = sorted([(m.start(), m.end(), "EMAIL_ADDRESS") for m in self._EMAIL.finditer(text)] +
                       [(m.start(), m.end(), "PHONE_NUMBER") for m in self._PHONE.finditer(text)])
        for a, b, entity in spans:
            if a < pos or (allow and text[a:b] in allow):
                continue
            findings.append(types.Finding(entity, a, b, 1.0))
            out += [text[pos:a], f"[{entity}]"]
            pos = b
        out.append(text[pos:])
        detected = lang or ("fr" if re.search(r"\b(je|vous|les|des|est|mes)\b", text.lower()) else "en")
        redacted = types.Redacted("".join(out), _token=types._GUARD_TOKEN)  # a fake guard may mint them
        return types.Inspection(redacted=redacted, findings=tuple(findings), lang=detected)

    def redact(self, text: str, lang: str | None = None, *, allow=None):
        return self.inspect(text, lang, allow=allow).redacted
