"""Learning from labelled data: the unit ranker's training cases (PolicyQA answer spans and our
own labelled dev questions), their candidate features exactly as retrieval computes them at run
time, a listwise fit, and the sentence hit@k benchmark. Used by `scripts/train_ranker.py` (fit)
and the `policyqa` evaluation suite (benchmark: BM25, dense and the ranker in one run)."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge import embedders, labelled, query, ranker, sections, store, units
from knowledge.bm25 import BM25Index
from knowledge.text import tokens
from knowledge.types import Chunk

POLICYQA = Path(os.environ.get("PRIVACYBOT_POLICYQA", Path(__file__).resolve().parents[2] / "shared/data/policyqa"))
CACHE = Path(os.environ.get("PRIVACYBOT_TRAIN_CACHE", "/tmp/privacybot-train-cache"))
MODELS = ("e5",)
DENSE_K, BM25_K = 80, 20


@dataclass
class Corpus:
    name: str
    units: list
    sections: np.ndarray
    unit_feats: np.ndarray
    bm25: BM25Index
    vecs: dict  # model -> (n, dim)
    heading_ids: list
    heading_vecs: dict  # model -> (n_sections, dim)
    audiences: np.ndarray
    hubs: dict  # model -> lang -> array
    own: bool = False  # a built knowledge base with labelled questions (votes apply)


@dataclass
class Case:
    corpus: Corpus
    question: str
    lang: str
    positive: set  # unit indices
    answerable: bool = True
    group: str = ""  # labelled questions of one group (one writer's set) never vote for each other


def cached(model: str, texts: list[str], *, as_query: bool) -> np.ndarray:
    """Embeddings of `texts`, cached on disk by content (training and benchmarks re-run often)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256((model + str(as_query) + "\x00".join(texts)).encode()).hexdigest()[:24]
    path = CACHE / f"{key}.npy"
    if path.is_file():
        return np.load(path)
    vecs = embedders.embed_queries(model, texts) if as_query else embedders.embed_documents(model, texts)
    np.save(path, vecs)
    return vecs


def corpus(name: str, chunks: list[Chunk], unit_list=None, models=MODELS) -> Corpus:
    unit_list = unit_list or units.split_all(chunks)
    texts = [u.embed_text() for u in unit_list]
    heads = store.section_headings(unit_list)
    has_heads = any(h.strip() for h in heads.values())
    vecs = {m: cached(m, texts, as_query=False) for m in models}
    return Corpus(name, unit_list, np.array([u.section_id for u in unit_list]),
                  np.stack([ranker.unit_features(u) for u in unit_list]), BM25Index(texts), vecs, list(heads),
                  {m: cached(m, list(heads.values()), as_query=False) if has_heads else None for m in models},
                  np.array([u.audience for u in unit_list]),
                  {m: {lang: np.asarray(v, dtype=np.float32) for lang, v in query.hubness(vecs[m], m).items()}
                   for m in models})


def policyqa(split: str, models=MODELS, root: Path | None = None) -> list[Case]:
    """PolicyQA questions of one split, one case per distinct question of a policy."""
    data = json.loads(((root or POLICYQA) / f"{split}.json").read_text(encoding="utf-8"))
    cases: list[Case] = []
    for d, doc in enumerate(data["data"]):
        chunks, spans, pos, parts = [], [], 0, []
        for i, p in enumerate(doc["paragraphs"]):
            ctx = p["context"]
            chunks.append(Chunk(f"pqa{d}:{i}", "pqa", f"general/p{i}", "general", "", "", ctx, pos, pos + len(ctx)))
            spans.append(pos)
            parts.append(ctx)
            pos += len(ctx) + 2
        corp = corpus(f"{split}:{doc['title']}", chunks, models=models)
        # The same question is often annotated on several passages of a policy: every annotated
        # span is a right answer to it (one case per distinct question, positives merged).
        positives: dict[str, set] = {}
        for i, p in enumerate(doc["paragraphs"]):
            for qa in p["qas"]:
                for ans in qa["answers"]:
                    a = spans[i] + ans["answer_start"]
                    b = a + len(ans["text"])
                    positives.setdefault(qa["question"], set()).update(
                        k for k, u in enumerate(corp.units) if u.start < b and a < u.end)
        cases += [Case(corp, q, "en", pos) for q, pos in positives.items() if pos]
    return cases


def own_policy(kb_dir: Path, models=MODELS, with_unanswerable: bool = False) -> list[Case]:
    """The labelled questions of a built knowledge base (its profile's `labelled_questions`: the dev
    sets and the training questions; never a holdout or blind set), tied to units as ingest ties them,
    each in its writer's group (`source`). `with_unanswerable`: also its `unanswerable_questions`
    (no positive unit, `answerable=False`)."""
    build = kb_dir.resolve()
    unit_list = [units.Unit(**json.loads(line)) for line in (build / "units.jsonl").open(encoding="utf-8")]
    source = (build / "source.txt").read_text(encoding="utf-8")
    import yaml

    profile = yaml.safe_load((build / "profile.yaml").read_text(encoding="utf-8")) or {}
    corp = corpus(str(kb_dir.name), [], unit_list, models)
    corp.own = True
    pos_of = {u.unit_id: k for k, u in enumerate(unit_list)}
    rows_ = labelled.read(profile)
    source_of = {r["question"]: str(r.get("source", "dev")) for r in reversed(rows_)}
    cases = [Case(corp, q.question, q.lang, {pos_of[u] for u in q.units}, group=source_of.get(q.question, "dev"))
             for q in labelled.tie(rows_, unit_list, source)]
    if with_unanswerable:  # near-topic questions it does not answer, in 5 groups for out-of-fold fits
        cases += [Case(corp, r["question"], str(r.get("lang", "en")), set(), False, f"unanswerable{i % 5}")
                  for i, r in enumerate(labelled.read(profile, "unanswerable_questions"))]
    return cases


def candidates(case: Case, model: str, qvec: np.ndarray, extra=()) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    c = case.corpus
    dense_all = c.vecs[model] @ qvec
    bm = c.bm25.scores(tokens(case.question))
    cand = set(np.argsort(-dense_all)[:DENSE_K].tolist()) | set(extra)
    if bm.any():
        cand |= {int(i) for i in np.argsort(-bm)[:BM25_K] if bm[i] > 0}
    idx = np.array(sorted(cand))
    floor = np.sort(dense_all)[-DENSE_K] if len(dense_all) > DENSE_K else dense_all.min()
    d = np.where(np.isin(idx, np.argsort(-dense_all)[:DENSE_K]), dense_all[idx], floor - 0.02).astype(np.float32)
    return idx, d, bm[idx].astype(np.float32)


def _asked_votes(cases: list[Case], qvecs: np.ndarray, i: int, by_group: bool = False) -> dict[int, tuple[float, float]]:
    """What the labelled-question neighbours of case i vote for, leaving the question itself (and
    its exact repeats) out, as at run time for a question nobody labelled; `by_group`: its whole
    writer's group out too (the answerability check's rows)."""
    me = cases[i]
    own = [j for j, c in enumerate(cases) if c.corpus is me.corpus and c.positive and c.question != me.question
           and not (by_group and c.group == me.group)]
    if not own or not getattr(me.corpus, "own", False):
        return {}
    sims = qvecs[own] @ qvecs[i]
    top = np.argsort(-sims)[:labelled.NEIGHBOURS]
    answers = [tuple(cases[own[t]].positive) for t in top]
    return labelled.votes(sims[top], answers)


def _kind_classifiers(cases: list[Case], qvecs: np.ndarray, model: str) -> list:
    """Per case, the section-kind classifier of its policy fitted without that question (out of
    fold, `knowledge.sections`); None for a policy without labelled questions."""
    out: list = [None] * len(cases)
    for corp in {id(c.corpus): c.corpus for c in cases if c.corpus.own}.values():
        mine = [n for n, c in enumerate(cases) if c.corpus is corp]
        rows_, labels = sections.examples([[str(corp.sections[u]) for u in sorted(cases[n].positive)]
                                           for n in mine])
        if not sections.trainable(labels):
            continue
        questions = [cases[n].question for n in mine]
        fitted = sections.out_of_fold(qvecs[mine], questions, rows_, labels, model, texts=questions)
        for j, n in enumerate(mine):
            out[n] = fitted[j]
    return out


def rows(cases: list[Case], model: str, by_group: bool = False):
    qvecs = cached(model, [c.question for c in cases], as_query=True)
    atype = query.classifier("answer_type", model)
    aud = query.classifier("audience", model)
    kinds = _kind_classifiers(cases, qvecs, model)
    out = []
    for n, (case, qv) in enumerate(zip(cases, qvecs, strict=True)):
        probs = atype.predict(qv, case.question).probs
        named = aud.predict(qv, case.question).label
        asked = _asked_votes(cases, qvecs, n, by_group)
        raw = qv
        qv = query.expand(qv, case.lang, model)  # retrieval's search vector
        idx, d, b = candidates(case, model, qv, extra=asked)
        c = case.corpus
        hv = c.heading_vecs.get(model)
        heading = None
        if hv is not None:
            sims = dict(zip(c.heading_ids, (hv @ qv).tolist(), strict=True))
            heading = np.array([sims[s] for s in c.sections[idx]], dtype=np.float32)
        auds = c.audiences[idx]
        hub = c.hubs.get(model, {}).get(case.lang)
        feats = ranker.features(d, b, c.sections[idx], c.unit_feats[idx], probs, heading=heading,
                                named=(auds == named) if named and named != "none" else None,
                                shared=np.isin(auds, ("general", "cookies")),
                                hub=hub[idx] if hub is not None else None,
                                asked=np.array([asked.get(int(i), (0.0, 0.0)) for i in idx], dtype=np.float32),
                                kind_p=sections.unit_probs(kinds[n], raw, c.sections[idx], case.question),
                                cross_lingual=query.cross_lingual(case.lang))
        labels = np.array([i in case.positive for i in idx], dtype=np.float32)
        out.append((case, idx, d, b, feats, labels))
    return out


def hit_at(ranked_rows, scorer, k: int) -> float:
    hits = [float(lab[np.argsort(-scorer(d, b, f))[:k]].any()) for (_c, _i, d, b, f, lab) in ranked_rows]
    return float(np.mean(hits)) if hits else 0.0


def fit(train_rows, model: str, own_weight: float = 5.0, l2: float = 1e-2) -> ranker.RankerWeights:
    """Listwise fit (a softmax over each question's candidates, the positives' share maximised):
    what matters is the order within a question, not the base rate. Then a Platt scaling of the
    score on every candidate, so the score reads as the probability that a unit answers."""
    from scipy.optimize import minimize
    from sklearn.linear_model import LogisticRegression

    # features on their own scales (cosines differ by hundredths, flags are 0/1): standardise so the
    # regularisation treats them alike, then fold the scaling back into the weights
    allx = np.concatenate([f for (_c, _i, _d, _b, f, _l) in train_rows])
    mu, sd = allx.mean(axis=0), allx.std(axis=0)
    sd[sd < 1e-6] = 1.0
    groups = [((f - mu) / sd, lab > 0, own_weight if c.corpus.own else 1.0)
              for (c, _i, _d, _b, f, lab) in train_rows if lab.any()]
    total = sum(g[2] for g in groups)

    def loss(w):
        val, grad = l2 * w @ w, 2 * l2 * w
        for X, pos, weight in groups:
            s = X @ w
            m = s.max()
            e = np.exp(s - m)
            p_all = e / e.sum()
            p_pos = e[pos] / e[pos].sum()
            val += weight * (np.log(e.sum()) - np.log(e[pos].sum())) / total
            grad += weight * (X.T @ p_all - X[pos].T @ p_pos) / total
        return val, grad

    w0 = np.zeros(allx.shape[1])
    res = minimize(loss, w0, jac=True, method="L-BFGS-B", options={"maxiter": 500})
    w = res.x / sd  # raw-feature weights (the per-question constant from the means cancels in a ranking)
    S = np.concatenate([f @ w for (_c, _i, _d, _b, f, _l) in train_rows]).reshape(-1, 1)
    y = np.concatenate([lab for (_c, _i, _d, _b, _f, lab) in train_rows])
    platt = LogisticRegression(C=100.0).fit(S, y)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    return ranker.RankerWeights(model, (a * w).astype(np.float32), b, 0.0)


def not_found_threshold(weights: ranker.RankerWeights, own_rows, answerable_recall: float = 0.99) -> float:
    """The top-unit probability below which a question is taken as not answered by the policy:
    chosen so that `answerable_recall` of the answerable dev questions stay above it."""
    tops = [float(weights.score(f).max()) for (c, _i, _d, _b, f, _l) in own_rows if c.answerable]
    return float(np.quantile(tops, 1 - answerable_recall)) if tops else 0.0


def answerability_rows(own_rows, weights: ranker.RankerWeights, model: str):
    """The answerability check's training rows (`knowledge.answerable.features`, with the question's
    embedding) for the policy's labelled and unanswerable questions, each scored as at run time by a
    question nobody labelled: its neighbours come from other writers' groups only (a writer's
    paraphrases would flatter it)."""
    from knowledge import answerable

    cases = [r[0] for r in own_rows]
    qvecs = cached(model, [c.question for c in cases], as_query=True)
    sims = qvecs @ qvecs.T
    groups = np.array([c.group for c in cases])
    is_pos = np.array([c.answerable for c in cases])
    votes, kind_p = ranker.SIGNALS.index("asked_max"), ranker.SIGNALS.index("kind_p")
    X = []
    for n, (case, _idx, d, _b, f, _lab) in enumerate(own_rows):
        s = weights.score(f)
        order = np.argsort(-s)
        top = order[0]
        other = groups != case.group
        pos = sims[n, is_pos & other]
        neg = sims[n, ~is_pos & other]
        X.append(answerable.features(float(s[top]), float(s[order[1]]) if len(order) > 1 else 0.0, float(d[top]),
                                     float(f[top, votes]), float(f[top, kind_p]), np.sort(pos)[-answerable.K:],
                                     np.sort(neg)[-answerable.K:], qvecs[n]))
    return np.array(X), is_pos, groups.tolist()
