"""The section-kind classifier a policy learns from its labelled questions (knowledge/sections.py):
a question nobody labelled, worded differently, points to the right kind of section, in English
and French; the question's own words decide the kind when its topic does not; the built index carries
it; a damaged one says how to rebuild. Fake embedder only."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge import sections
from knowledge.labelled import Labelled
from knowledge.units import Unit
from tests.fakes import HashEmbedder

EMB = HashEmbedder()


def _unit(uid: str, section_id: str) -> Unit:
    return Unit(unit_id=uid, chunk_id="c", section_id=section_id, audience=section_id.split("/")[0], section="",
                heading="", kind="sentence", start=0, end=1, quote_start=0, quote_end=1, group_start=0, group_end=1,
                context="", text="x")


LABELLED = [
    ("how long do you keep my file", "en", "students/VII-storage"),
    ("how many years is my data stored", "en", "staff/VII-storage"),
    ("when is my data deleted", "en", "alumni/VII-storage"),
    ("combien de temps gardez-vous mon dossier", "fr", "students/VII-storage"),
    ("pendant combien d'années mes données sont conservées", "fr", "staff/VII-storage"),
    ("quand mes données sont-elles supprimées", "fr", "alumni/VII-storage"),
    ("who receives my data", "en", "students/IV-recipients"),
    ("who gets access to my information", "en", "staff/IV-recipients"),
    ("is my data shared with other companies", "en", "alumni/IV-recipients"),
    ("qui reçoit mes données", "fr", "students/IV-recipients"),
    ("qui a accès à mes informations", "fr", "staff/IV-recipients"),
    ("mes données sont-elles partagées avec d'autres entreprises", "fr", "alumni/IV-recipients"),
] * 2


@pytest.fixture(scope="module")
def fitted():
    units = [_unit(f"u{i}", sid) for i, (_q, _l, sid) in enumerate(LABELLED)]
    asked = [Labelled(q, lang, (f"u{i}",)) for i, (q, lang, _s) in enumerate(LABELLED)]
    section_of = {u.unit_id: u.section_id for u in units}
    rows, kinds = sections.examples([[section_of[u] for u in q.units] for q in asked])
    assert sections.trainable(kinds)
    return sections.fit("e5", EMB.queries([q.question for q in asked])[rows], kinds)


@pytest.mark.parametrize(("question", "kind"), [
    ("how long is my data kept", "VII-storage"),
    ("combien de temps est-ce que vous gardez mes données", "VII-storage"),
    ("who has access to my data", "IV-recipients"),
    ("qui a accès à mon dossier", "IV-recipients"),
])
def test_an_unlabelled_question_points_to_its_kind_of_section(fitted, question, kind):
    probs = sections.unit_probs(fitted, EMB.query(question), [f"students/{kind}", "students/II-purposes",
                                                            "students/VII-storage", "students/IV-recipients"])
    assert probs[0] == probs.max() and probs[0] > 0.5


# Each kind's labelled questions are about every topic: the topic cannot tell the kind, the wording can.
TOPICS = {"en": ("my bank details", "my grades", "my payslips", "my CV"),
          "fr": ("mes coordonnées bancaires", "mes notes", "mes fiches de paie", "mon CV")}
ASKED = {"VII-storage": {"en": ("how long do you keep {}", "when do you delete {}"),
                         "fr": ("combien de temps gardez-vous {}", "quand supprimez-vous {}")},
         "IV-recipients": {"en": ("who can see {}", "who do you share {} with"),
                           "fr": ("qui peut voir {}", "avec qui partagez-vous {}")}}


@pytest.fixture(scope="module")
def topic_blind():
    """Fitted on vectors that carry the topic only (the same vector for one topic, whatever is asked),
    with the questions' words: what is asked can only come from the words."""
    texts, kinds, topics = [], [], []
    for kind, by_lang in ASKED.items():
        for lang, patterns in by_lang.items():
            for p in patterns:
                for t in TOPICS[lang]:
                    texts.append(p.format(t))
                    kinds.append(kind)
                    topics.append(t)
    vecs = EMB.queries(topics)
    return sections.fit("e5", vecs, kinds, texts), sections.fit("e5", vecs, kinds)


@pytest.mark.parametrize(("question", "topic", "kind"), [
    ("and who sees my bank details then?", "my bank details", "IV-recipients"),
    ("et qui voit mes coordonnées bancaires du coup ?", "mes coordonnées bancaires", "IV-recipients"),
    ("how long will you keep my grades?", "my grades", "VII-storage"),
    ("vous gardez mes notes combien de temps ?", "mes notes", "VII-storage"),
])
def test_the_question_words_say_the_kind_when_the_topic_does_not(topic_blind, question, topic, kind):
    with_words, topic_only = topic_blind
    secs = [f"students/{kind}", "students/VII-storage", "students/IV-recipients"]
    probs = sections.unit_probs(with_words, EMB.query(topic), secs, question)
    assert probs[0] == probs.max() and probs[0] > 0.55
    # the embedding alone cannot tell (the two kinds' questions share every topic)
    blind = sections.unit_probs(topic_only, EMB.query(topic), secs, question)
    assert abs(blind[1] - blind[2]) < 0.1


def test_the_words_view_is_saved_with_the_index(topic_blind, tmp_path):
    with_words, _ = topic_blind
    sections.save(with_words, tmp_path, "e5")
    loaded = sections.load(tmp_path, "e5")
    secs = ["students/VII-storage", "students/IV-recipients"]
    np.testing.assert_allclose(sections.unit_probs(loaded, EMB.query("mes notes"), secs, "qui voit mes notes ?"),
                               sections.unit_probs(with_words, EMB.query("mes notes"), secs, "qui voit mes notes ?"),
                               atol=1e-5)


def test_section_kinds_repeat_across_parts_and_general_sections_keep_their_slug():
    assert sections.kind("staff/VII-storage") == sections.kind("alumni/VII-storage") == "VII-storage"
    assert sections.kind("general/dpo") == "dpo"


def test_without_labelled_questions_there_is_no_classifier_and_no_signal(tmp_path):
    assert not sections.trainable(["VII-storage"] * 50)
    assert sections.load(tmp_path, "e5") is None
    assert not sections.unit_probs(None, np.ones(4), ["a/b", "c/d"]).any()


def test_out_of_fold_never_fits_a_question_into_its_own_classifier():
    data = LABELLED * 2
    vecs = EMB.queries([q for q, _l, _s in data])
    groups = [q for q, _l, _s in data]
    labels = [sections.kind(s) for _q, _l, s in data]
    fitted = sections.out_of_fold(vecs, groups, list(range(len(labels))), labels, "e5")
    assert all(f is not None for f in fitted)
    # every copy of a question is scored by the same classifier, fitted without any of them
    for i, q in enumerate(groups):
        copies = [j for j, g in enumerate(groups) if g == q]
        assert all(fitted[j] is fitted[i] for j in copies)
    assert len({id(f) for f in fitted}) == 5


def test_the_built_index_carries_the_classifier_and_a_damaged_one_says_rebuild(fake_kb):
    from knowledge import store
    from knowledge.errors import IndexCorruptError

    _, retriever = fake_kb
    build = retriever.index.path
    assert "e5" in retriever.index.section_kinds
    path = build / sections.FILE.format(model="e5")
    saved = path.read_bytes()
    try:
        path.write_bytes(b"not a classifier")
        sections.classify.load.cache_clear()
        with pytest.raises(IndexCorruptError, match="ingest"):
            store.load(build, retriever.kb)  # a build dir loads like the kb link that points at it
    finally:
        path.write_bytes(saved)
        sections.classify.load.cache_clear()
