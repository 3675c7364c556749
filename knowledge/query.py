"""THE question analysis, used by retrieval and by answer composition alike: one embedding of the
(redacted) question, its content terms, and what small classifiers over that embedding say about
it — the answer type it wants (duration, recipients, yes/no…) and the audience part it concerns.

Language comes from the caller (the guard detected it); it picks the embedding model: MiniLM for
English, the multilingual e5 for French (and any other language). The classifiers were trained on
labelled EN/FR example files by `scripts/train_models.py`, one set per embedding model."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from knowledge import classify, embedders
from knowledge.classify import Prediction
from knowledge.text import tokens

MODELS_DIR = Path(__file__).with_name("models")
MODEL_FOR = {"en": "e5", "fr": "e5"}  # e5 ranks better than MiniLM in English too (dev hit@1, same run)
NO_AUDIENCE = "none"


def model_for(lang: str) -> str:
    return MODEL_FOR.get(lang, "e5")


@dataclass(frozen=True)
class Query:
    text: str
    lang: str
    model: str
    vec: np.ndarray = field(repr=False, compare=False)
    terms: tuple[str, ...] = ()
    answer_type: Prediction = field(default_factory=lambda: Prediction(None, {}))
    audience: Prediction = field(default_factory=lambda: Prediction(None, {}))

    @property
    def type_probs(self) -> dict[str, float]:
        return self.answer_type.probs

    def audience_named(self, known: set[str] | None = None) -> str | None:
        """The audience part the question names (None: it doesn't say, or not confidently)."""
        label = self.audience.label
        if label is None or label == NO_AUDIENCE or (known is not None and label not in known):
            return None
        return label


def classifier(kind: str, model: str) -> classify.EmbeddingClassifier:
    return classify.load(str(MODELS_DIR / f"{kind}-{model}.npz"))


def analyse(text: str, lang: str, *, model: str | None = None) -> Query:
    model = model or model_for(lang)
    vec = embedders.embed_query(model, text)
    return Query(text=text, lang=lang, model=model, vec=vec, terms=tuple(tokens(text)),
                 answer_type=classifier("answer_type", model).predict(vec),
                 audience=classifier("audience", model).predict(vec))


def with_text(query: Query, text: str) -> Query:
    """The same analysis for a rewritten question (new embedding and terms, same language)."""
    return analyse(text, query.lang, model=query.model)
