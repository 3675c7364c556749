"""THE question analysis, used by retrieval and by answer composition alike: one embedding of the
(redacted) question, its content terms, and what small classifiers over that embedding say about
it — the answer type it wants (duration, recipients, yes/no…) and the audience part it concerns.

Language comes from the caller (the guard detected it). One multilingual embedding model (e5)
serves English and French (`MODEL_FOR`): one index per policy, and a French question is matched
against the English policy text directly (MiniLM remains the naive-RAG baseline's embedder). The classifiers were trained on
labelled EN/FR example files by `scripts/train_models.py`, one set per embedding model."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from knowledge import classify, embedders
from knowledge.classify import Prediction
from knowledge.text import clauses, coordinated, tokens

MODELS_DIR = Path(__file__).with_name("models")
MODEL_FOR = {"en": "e5", "fr": "e5"}
POLICY_LANG = "en"  # the policies are English: a question in another language meets them across languages
EXPAND_K, EXPAND_WEIGHT = 10, 1.0  # cross-lingual expansion (chosen on the French dev questions)  # e5 ranks better than MiniLM in English too (dev hit@1, same run)
NO_AUDIENCE = "none"
SELF, SELF_MIN = "self", 0.3  # a clause is the writer saying who they are (chosen on blind sets A + B)
SELF_TIE = 0.1  # self-description clauses this close to the surest one count as equally sure
# Self-descriptions are short: only clauses up to this length are embedded (each costs an embedding)
SELF_MAX_WORDS, SELF_MAX_CLAUSES = 16, 3
# In a conversation whose audience is known, a message moves it to another part by its topic alone
# only with this confidence ("et pour les profs ?" yes; "what if I miss a payment?" from a student, no)
SWITCH = 0.8
# A referring turn's search vector: its own embedding plus this share of the earlier question's
# (chosen on dialogue sets 1-12, 2,361 turns: joined text 1,724 right; share 1.0 -> 1,719, 0.5 -> 1,738, 0.25 -> 1,743)
FOLLOW_UP_WEIGHT = 0.25
# A new question in a conversation (not a referring turn) searches with this share of the last answered
# question: the conversation's topic as a prior, the message's own words first. Chosen on dialogue sets 1-17
# (3,291 turns right: 0 -> 2,506; 0.1 -> 2,518; 0.2 -> 2,520; 0.25 -> 2,526; 0.3 -> 2,515; 0.5 -> 2,490;
# 1.0 -> 2,310; reading the votes and the answerability check from the message alone at 0.25: 2,523). Checked
# again in round 32 on dialogue sets 1-48 (10,505 turns, round 31's ranker): 0.25 -> 8,501, 0.15 -> 8,495, 0.35 -> 8,483.
CONTINUITY_WEIGHT = 0.25
# The topic vector: the message without the self-description clause plus this share of the whole message
# (a self-description often carries topic too: "I applied through Parcoursup, do you get my file from them?").
# Chosen on dialogue sets 1-17 (3,291 turns right: before 2,487) and answer sets A-N + holdout (EN/FR facts,
# mean over the sets: before 0.894/0.799): clause removed outright 2,491, 0.872/0.792; share 0.5 -> 2,505,
# 0.888/0.809; 1.0 -> 2,509, 0.891/0.813; 2.0 -> 2,508, 0.898/0.814.
WHOLE_IN_TOPIC = 1.0
# Which part the writer's self-description clause names: its audience probabilities times the whole message's
# to this power (0: the clause alone, as before round 18). Chosen on dialogue sets 1-17 (3,291 turns) and answer
# sets A-N + dev (2,387 cases), cases right: 0 -> 2,541 / 1,961; 0.5 -> 2,540 / 1,973; 1.0 -> 2,543 / 1,984.
WHOLE_IN_WRITER = 1.0


def model_for(lang: str) -> str:
    return MODEL_FOR.get(lang, "e5")


@dataclass(frozen=True)
class Query:
    text: str
    lang: str
    model: str
    vec: np.ndarray = field(repr=False, compare=False)
    search_vec: np.ndarray | None = field(default=None, repr=False, compare=False)  # what retrieval uses
    # what the message asks about: its embedding without the writer's self-description clause (None: = vec)
    topic_vec: np.ndarray | None = field(default=None, repr=False, compare=False)
    terms: tuple[str, ...] = ()
    answer_type: Prediction = field(default_factory=lambda: Prediction(None, {}))
    audience: Prediction = field(default_factory=lambda: Prediction(None, {}))
    writer: Prediction = field(default_factory=lambda: Prediction(None, {}))  # audience of a self-description clause
    slot: Prediction = field(default_factory=lambda: Prediction(None, {}))  # the kind of value asked (knowledge.values)

    @property
    def type_probs(self) -> dict[str, float]:
        return self.answer_type.probs

    @property
    def topic(self) -> np.ndarray:
        """The embedding of what the message asks about (`vec` when no clause says who the writer is)."""
        return self.vec if self.topic_vec is None else self.topic_vec

    def audience_named(self, known: set[str] | None = None) -> str | None:
        """The audience part the question names (None: it doesn't say, or not confidently). Who the
        writer says they are ("I'm a lecturer here", "ancien de l'ESCE") wins over what the whole
        question is about ("…will my details be given to your students?"): the policy's parts are
        organised by whose data it is."""
        return self.writer_named(known) or _part(self.audience.label, known)

    def writer_named(self, known: set[str] | None = None) -> str | None:
        """The audience part of the writer's self-description clause (None: no such clause), read in the
        light of the whole message: the clause's probabilities times the whole message's to the power
        `WHOLE_IN_WRITER` ("im doing my master at inseec rn, how long will u keep my stuff after i
        finish": the clause alone leans staff 0.46 / students 0.37, the whole message says students 0.76)."""
        if _part(self.writer.label, known) is None:
            return None
        parts = [a for a in self.writer.probs if a != NO_AUDIENCE and (known is None or a in known)]
        return max(parts, key=lambda a: self.writer.p(a) * self.audience.p(a) ** WHOLE_IN_WRITER)


def _part(label: str | None, known: set[str] | None) -> str | None:
    """A predicted label as an audience part: None for no prediction, `none`, or a part not in `known`."""
    if label is None or label == NO_AUDIENCE or (known is not None and label not in known):
        return None
    return label


def audience_in_conversation(query: Query, current: str | None, known: set[str] | None = None) -> str | None:
    """The part a message is about when the conversation is already about `current`: what the
    writer says they are, or a topic confidently about another part, else None (stay with it)."""
    named = query.audience_named(known)
    if named is None or current is None or named == current:
        return named
    return named if query.writer_named(known) or query.audience.p(named) >= SWITCH else None


def hubness(vectors: np.ndarray, model: str, k: int = 10) -> dict[str, list[float]]:
    """Per language, each unit's mean similarity to its k nearest reference questions: how much a
    unit attracts questions in general. Retrieval subtracts part of it (CSLS), so units close to
    every question (a recurring problem of cross-lingual embeddings) stop winning by default."""
    path = MODELS_DIR / f"reference-{model}.npz"
    if not path.is_file() or not len(vectors):
        return {}
    with np.load(path) as ref:
        out = {}
        for lang in ref.files:
            sims = vectors @ ref[lang].astype(np.float32).T
            kk = min(k, sims.shape[1])
            out[lang] = np.sort(sims, axis=1)[:, -kk:].mean(axis=1).round(5).tolist()
    return out


def classifier(kind: str, model: str) -> classify.EmbeddingClassifier:
    return classify.load(str(MODELS_DIR / f"{kind}-{model}.npz"))


@lru_cache(maxsize=4)
def _english_reference(model: str, models_dir: str) -> np.ndarray | None:
    path = Path(models_dir) / f"reference-{model}.npz"
    if not path.is_file():
        return None
    with np.load(path) as ref:
        return ref["en"].astype(np.float32) if "en" in ref.files else None


def cross_lingual(lang: str) -> bool:
    """The question is not in the policies' language (retrieval expands it; the ranker weighs it on its own)."""
    return lang != POLICY_LANG


def expand(vec: np.ndarray, lang: str, model: str) -> np.ndarray:
    """The search vector of a non-English question: itself plus the mean of the English reference
    questions closest to it, so it meets English policy text in the same language (the policies
    are English; the multilingual model's cross-language similarities are weaker)."""
    ref = _english_reference(model, str(MODELS_DIR))
    if not cross_lingual(lang) or ref is None or not len(ref):
        return vec
    near = ref[np.argsort(-(ref @ vec))[:EXPAND_K]].mean(axis=0)
    out = vec + EXPAND_WEIGHT * near
    return (out / np.linalg.norm(out)).astype(np.float32)


def self_description_examples(intents: dict, langs, writers: dict | None = None,
                              others: dict | None = None) -> tuple[list[str], list[str]]:
    """Training pairs for the self-description classifier: the intent examples where the visitor
    only says who they are, and the labelled self-descriptions (`writers`: part -> {lang: [...]},
    who a visitor says they are, alone or in passing), are `self`; every other intent's examples, and
    the labelled clauses that name a group, a person or a school thing without being the writer
    (`others`: label -> {lang: [...]}), are not."""
    texts, labels = [], []
    for group, label_of in ((intents, lambda k: SELF if k == "audience_statement" else "other"),
                            (writers, lambda k: SELF), (others, lambda k: "other")):
        for key, by_lang in (group or {}).items():
            for lang in langs:
                for text in (by_lang or {}).get(lang) or []:
                    texts.append(str(text))
                    labels.append(label_of(key))
    return texts, labels


def self_description_clauses(text: str) -> list[str]:
    """The clauses of a longer message that could be the writer saying who they are (short ones:
    each costs an embedding; a long one is read in its coordinated statements: "j'ai eu mon diplôme en 2015 à
    l'ESCE et je ne me suis plus connecté à mon compte alumni depuis des années"); [] for a single-clause
    message."""
    parts = [p for c in clauses(text) for p in ([c] if len(c.split()) <= SELF_MAX_WORDS else coordinated(c))]
    return [p for p in parts if len(p.split()) <= SELF_MAX_WORDS][:SELF_MAX_CLAUSES]


def _writer(vecs: np.ndarray, model: str, texts: list[str]) -> tuple[Prediction, int | None]:
    """The audience of the clause in which the writer says who they are, when one of the clauses
    (`texts`, `vecs`: their embeddings) is one, and that clause's index: the self-description classifier's
    most likely clause must reach `SELF_MIN`. No clauses (a single-clause message): no prediction,
    the whole question's holds."""
    if not len(vecs):
        return Prediction(None, {}), None
    selfdesc = classifier("self_description", model)
    scores = [selfdesc.predict(v, t).p(SELF) for v, t in zip(vecs, texts, strict=True)]
    best = max(scores)
    if best < SELF_MIN:
        return Prediction(None, {}), None
    # the last of the surest: a later self-description corrects an earlier one ("I'm a student… actually I graduated")
    i = max(i for i, p in enumerate(scores) if p >= best - SELF_TIE)
    return classifier("audience", model).predict(vecs[i], texts[i]), i


def without_clause(text: str, clause: str, occurrence: int = 0) -> str:
    """The message without one of its clauses (its `occurrence`-th copy, from 0, and the punctuation that
    joined it), '' when what is left is under two words: "je suis prof à l'ECE, vous gardez mes données
    combien de temps ?" -> "vous gardez mes données combien de temps ?"."""
    at = -1
    for _ in range(occurrence + 1):
        at = text.find(clause, at + 1)
        if at < 0:
            return ""
    rest = (text[:at].rstrip(" ,;:-–—(") + " " + text[at + len(clause):].lstrip(" ,;:.!-–—)")).strip()
    return rest if len(re.findall(r"\w+", rest)) >= 2 else ""


def _slot(vec: np.ndarray, model: str) -> Prediction:
    """Which kind of value the question asks for (a name, a phone number, an amount...); no
    prediction when the slot classifier was not trained for this model."""
    if not (MODELS_DIR / f"slot-{model}.npz").is_file():
        return Prediction(None, {})
    return classifier("slot", model).predict(vec)


def analyse(text: str, lang: str, *, model: str | None = None, writer: Prediction | None = None) -> Query:
    """`writer`: who the writer said they are, when already known (a rewrite of the same message).
    The message and its candidate self-description clauses are embedded in one model call. When a
    clause says who the writer is and the rest asks something, the rest alone is embedded again: it
    is what retrieval, the answer type and the kind of value read ("je suis étudiante à l'INSEEC,
    vous partagez mes données avec qui ?" asks about recipients, not about where student data comes
    from); routing and the audience read the whole message."""
    model = model or model_for(lang)
    parts = self_description_clauses(text) if writer is None else []
    vec, part_vecs = embedders.embed_query_with(model, text, parts)
    topic_vec, rest = None, ""
    if writer is None:
        writer, at = _writer(part_vecs, model, parts)
        rest = without_clause(text, parts[at], parts[:at].count(parts[at])) if at is not None else ""
        if rest:
            topic_vec = _unit(embedders.embed_query(model, rest) + WHOLE_IN_TOPIC * vec)
    topic = vec if topic_vec is None else topic_vec
    return Query(text=text, lang=lang, model=model, vec=vec, search_vec=expand(topic, lang, model),
                 topic_vec=topic_vec, terms=tuple(tokens(text)),
                 answer_type=classifier("answer_type", model).predict(topic, rest or text),
                 audience=classifier("audience", model).predict(vec, text),
                 writer=writer, slot=_slot(topic, model))


def with_text(query: Query, text: str) -> Query:
    """The same analysis for a rewritten question (new embedding and terms, same language)."""
    return analyse(text, query.lang, model=query.model, writer=query.writer)


def follow_up(query: Query, previous: str, rewritten: str, weight: float = FOLLOW_UP_WEIGHT) -> Query:
    """A referring turn ("who else sees it?" after "how long do you keep my CV?"): its own meaning
    first, the earlier question it leans on as context. Retrieval reads the weighted mean of the two
    embeddings (`weight`: the earlier question's share) and the words of both (`rewritten`: the turn
    joined with the earlier question, as the conversation rewrote it); what the turn asks
    for (answer type, kind of value) is the turn's own. Embedding the two texts joined instead let
    the earlier, longer question decide the aspect ("who sees it?" answered with its retention). The
    audience of the weighted mean is read from the embedding alone: no one text stands for it."""
    prev = weight * embedders.embed_query(query.model, previous)
    whole = _unit(query.vec + prev)  # what routing and the audience read, as for any message
    topic = None if query.topic_vec is None else _unit(query.topic_vec + prev)
    return Query(text=rewritten, lang=query.lang, model=query.model, vec=whole,
                 search_vec=expand(whole if topic is None else topic, query.lang, query.model), topic_vec=topic,
                 terms=tuple(tokens(rewritten)), answer_type=query.answer_type,
                 audience=classifier("audience", query.model).predict(whole), writer=query.writer, slot=query.slot)


def _unit(vec: np.ndarray) -> np.ndarray:
    return (vec / np.linalg.norm(vec)).astype(np.float32)
