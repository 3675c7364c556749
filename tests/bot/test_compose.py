"""Which units an answer rests on (bot/answers/compose.py) and what the visitor reads first
(bot/answers/render.py): a list intro ("In particular, we use your data:") never answers by itself.
Units come from the real splitter on a small policy text; scores are set by hand."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from bot.answers import compose, render
from knowledge import units
from knowledge.query import Query
from knowledge.retrieve import UnitHit
from knowledge.types import Chunk

LISTS = {
    "en": ("In particular, we use your data:\n\n  • to manage your application;\n"
           "  • to maintain the physical security of our premises (for example, visitor logbooks);\n"
           "  • to send you our newsletter if you agreed to it.\n\nWe never sell your data."),
    "fr": ("Nous utilisons notamment vos données :\n\n  • pour gérer votre candidature ;\n"
           "  • pour assurer la sécurité physique de nos locaux (par exemple, registres des visiteurs) ;\n"
           "  • pour vous envoyer notre lettre d'information si vous l'avez accepté.\n\nNous ne vendons jamais vos données."),
}


def _units(text: str):
    chunk = Chunk("kb:p:0", "kb", "prospects/II-purposes", "prospects", "II", "Purposes", text, 0, len(text))
    return text, units.split(chunk)


def _retriever(got):
    neighbours = {}
    for i, u in enumerate(got):
        neighbours[u.unit_id] = (got[i - 1] if i else None, got[i + 1] if i + 1 < len(got) else None)
    return SimpleNamespace(neighbours=neighbours)


def _hits(got, order_scores):
    by_kind = {"intro": [u for u in got if u.kind == "intro"], "bullet": [u for u in got if u.kind == "bullet"],
               "sentence": [u for u in got if u.kind == "sentence"]}
    out = []
    for (kind, n), score in order_scores:
        out.append(UnitHit(by_kind[kind][n], score, 0.8, 0.0))
    return out


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_intro_ranked_first_gives_the_lead_to_its_best_item(lang):
    source, got = _units(LISTS[lang])
    hits = _hits(got, [(("intro", 0), 0.50), (("bullet", 1), 0.40), (("bullet", 0), 0.30), (("sentence", 0), 0.2)])
    chosen, spans = compose.choose(hits, "purpose", _retriever(got))
    assert chosen[0].unit.kind == "bullet" and chosen[0].unit is hits[1].unit
    first = render.unit_text(chosen[0].unit)
    assert not first.rstrip().endswith(":")  # what the visitor reads first says something
    assert any(a <= chosen[0].unit.start and chosen[0].unit.end <= b for a, b in spans)  # and it is quoted


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("answer_type", ["who", "yes_no", "purpose"])
def test_a_question_about_the_whole_list_reads_the_whole_list(lang, answer_type):
    """"Who gets it?", "what rights do I have?": the intro ranks first and no item comes near it. The visitor
    reads the intro and every item, in order, whatever answer type the question was read as; before, the
    item that happened to rank first was the answer ("who gets it?" -> the law-enforcement recipient alone)."""
    source, got = _units(LISTS[lang])
    hits = _hits(got, [(("intro", 0), 0.8), (("bullet", 1), 0.3), (("bullet", 0), 0.28), (("sentence", 0), 0.2)])
    assert compose.about_the_list(hits)
    chosen, spans = compose.choose(hits, answer_type, _retriever(got))
    cites = render.citations(chosen, spans, source, "kb", lang)
    first, _ = render.text(answer_type, chosen, cites, lang)
    intro = next(u for u in got if u.kind == "intro")
    items = [u.text for u in got if u.kind == "bullet"]
    body = first[first.index(intro.text):]
    assert [ln.rstrip(" »") for ln in body.splitlines()[1:]] == [f"• {i}" for i in items]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("item_score, whole", [(0.3, True), (0.7, False)])
def test_an_item_close_to_its_intro_still_leads(lang, item_score, whole):
    """"Do you use it for the security of the premises?": the security item scores close to the intro, so it
    leads; far below the intro, the list is the answer."""
    _source, got = _units(LISTS[lang])
    hits = _hits(got, [(("intro", 0), 0.8), (("bullet", 1), item_score), (("bullet", 0), 0.2)])
    assert compose.about_the_list(hits) is whole
    chosen, _spans = compose.choose(hits, "yes_no", _retriever(got))
    assert chosen[0].unit.kind == ("intro" if whole else "bullet")


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("ranking", [
    [(("bullet", 2), 0.5), (("intro", 0), 0.4)],  # an item first already: kept
    [(("sentence", 0), 0.5), (("intro", 0), 0.4)],  # a sentence first: kept
    [(("intro", 0), 0.5), (("sentence", 0), 0.4)],  # an intro whose items were not ranked: nothing to promote
])
def test_anything_but_an_intro_first_keeps_its_place(lang, ranking):
    _source, got = _units(LISTS[lang])
    hits = _hits(got, ranking)
    assert compose.lead_item(hits) == hits


def test_an_item_of_another_list_is_not_promoted():
    text = LISTS["en"] + "\n\nWe send your data to:\n\n  • our schools;\n  • our service providers."
    _source, got = _units(text)
    intros = [u for u in got if u.kind == "intro"]
    other = next(u for u in got if u.kind == "bullet" and u.group_start == intros[1].group_start)
    hits = [UnitHit(intros[0], 0.5, 0.8, 0.0), UnitHit(other, 0.4, 0.8, 0.0)]
    assert compose.lead_item(hits) == hits


PARTS = {  # (language of the question does not matter here: what is compared is the policy's text)
    "students": ("We may send your personal data to the following recipients:\n\n  • our schools;\n"
                 "  • the companies hosting your internship;\n  • the ministry of higher education."),
    "alumni": ("We may send your personal data to the following recipients:\n\n  • our schools;\n"
               "  • the alumni association and its chapters abroad;\n  • recruiters looking for graduates."),
}


def _two_parts(items_differ: bool, texts: dict | None = None, section: str = "IV-recipients"):
    texts = texts or (dict(PARTS) if items_differ else {a: PARTS["students"] for a in PARTS})
    source, got, pos = "", [], 0
    for aud, text in texts.items():
        chunk = Chunk(f"kb:{aud}:0", "kb", f"{aud}/{section}", aud, section.split("-")[0], section, text, pos,
                      pos + len(text))
        got += units.split(chunk)
        source += text + "\n\n"
        pos = len(source)
    retriever = SimpleNamespace(source_text=source, section_ids=[f"{a}/{section}" for a in texts],
                                profile_audiences=lambda askable=False: list(texts),
                                neighbours={k: v for aud in texts
                                            for k, v in _retriever([u for u in got if u.audience == aud]).neighbours.items()})
    return got, retriever


@pytest.mark.parametrize("items_differ, asked", [(True, ["students", "alumni"]), (False, [])])
@pytest.mark.parametrize("lead", ["intro", "bullet"])
def test_parts_whose_lists_differ_are_asked_about_even_when_their_intros_read_the_same(items_differ, asked, lead):
    got, retriever = _two_parts(items_differ)
    pick = {aud: next(u for u in got if u.audience == aud and u.kind == lead) for aud in PARTS}
    hits = [UnitHit(pick["students"], 0.5, 0.8, 0.0), UnitHit(pick["alumni"], 0.45, 0.8, 0.0)]
    assert compose.audience_conflict(hits, retriever, "recipients") == asked


# The same rule in every part, illustrated by a different example in each: an example is quoted with its rule,
# and the answers differ, so the question waits for who they are; the same rule and the same example does not.
# Lists that share some items but not all are different answers too.
RULE = {
    "en": ("We process your data in compliance with our legitimate interests.", "For example, {}."),
    "fr": ("Nous traitons vos données conformément à nos intérêts légitimes.", "Par exemple, {}."),
}
EXAMPLES = {"en": ("this is the case for satisfaction surveys about your courses",
                   "this is the case for the alumni directory and reunions"),
            "fr": ("c'est le cas des enquêtes de satisfaction sur vos cours",
                   "c'est le cas de l'annuaire des anciens et des retrouvailles")}


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("examples_differ, asked", [(True, ["students", "alumni"]), (False, [])])
def test_parts_whose_rule_has_a_different_example_are_asked_about(lang, examples_differ, asked):
    rule, example = RULE[lang]
    first, second = EXAMPLES[lang]
    texts = {"students": f"{rule} {example.format(first)}",
             "alumni": f"{rule} {example.format(second if examples_differ else first)}"}
    got, retriever = _two_parts(True, texts, "III-legal-basis")
    rules = {aud: next(u for u in got if u.audience == aud and u.text.startswith(rule[:10])) for aud in texts}
    examples = {aud: next(u for u in got if u.audience == aud and u is not rules[aud]) for aud in texts}
    hits = [UnitHit(examples["students"], 0.5, 0.8, 0.0), UnitHit(examples["alumni"], 0.49, 0.8, 0.0),
            UnitHit(rules["students"], 0.3, 0.5, 0.0), UnitHit(rules["alumni"], 0.3, 0.5, 0.0)]
    assert compose.audience_conflict(hits, retriever, "legal_basis") == asked


def test_a_list_that_shares_fewer_than_half_its_items_is_a_different_answer():
    other = ("We may send your personal data to the following recipients:\n\n  • our schools;\n"
             "  • the regional council that funds your grant;\n  • the bank that manages your student loan;\n"
             "  • the insurer of your internship.")
    got, retriever = _two_parts(True, {"students": PARTS["students"], "alumni": other})
    intro = {aud: next(u for u in got if u.audience == aud and u.kind == "intro") for aud in ("students", "alumni")}
    hits = [UnitHit(intro["students"], 0.5, 0.8, 0.0), UnitHit(intro["alumni"], 0.45, 0.8, 0.0)]
    assert compose.audience_conflict(hits, retriever, "recipients") == ["students", "alumni"]


def test_one_statement_held_by_the_other_parts_list_is_the_same_answer():
    """One part's best unit is a single item ("file a complaint with the CNIL"), another part's the list that holds
    it: the visitor would read the same line, so nobody is asked who they are."""
    got, retriever = _two_parts(False)
    pick = {"students": next(u for u in got if u.audience == "students" and u.kind == "intro"),
            "alumni": next(u for u in got if u.audience == "alumni" and "internship" in u.text)}
    hits = [UnitHit(pick["alumni"], 0.5, 0.8, 0.0), UnitHit(pick["students"], 0.45, 0.8, 0.0)]
    assert compose.audience_conflict(hits, retriever, "yes_no") == []


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("answer_type, whole_list", [("purpose", True), ("yes_no", False)])
def test_a_question_that_wants_the_list_reads_the_whole_list_intro_first(lang, answer_type, whole_list):
    """"Why do you use my data?" is answered by the list, not by the item that ranked first; "do you use it
    for the security of the premises?" is answered by that item."""
    source, got = _units(LISTS[lang])
    hits = _hits(got, [(("bullet", 1), 0.5), (("intro", 0), 0.4), (("bullet", 0), 0.35), (("bullet", 2), 0.3)])
    chosen, spans = compose.choose(hits, answer_type, _retriever(got))
    cites = render.citations(chosen, spans, source, "kb", lang)
    first, _ = render.text(answer_type, chosen, cites, lang)
    intro = next(u for u in got if u.kind == "intro")
    items = [u.text for u in got if u.kind == "bullet"]
    if whole_list:
        body = first[first.index(intro.text):]
        assert [ln.rstrip(" »") for ln in body.splitlines()[1:]] == [f"• {i}" for i in items]  # in order
    else:
        assert hits[0].unit.text in first and intro.text not in first


HOSTS = {"en": "The site is hosted by :\n\nPLATFORM.SH\n\nSAS with a capital of 360,590 euros\n\n"
               "131 Boulevard de Sebastopol – 75002 Paris\n\nTelephone number: 01 40 09 30 00",
         "fr": "Le site est hébergé par :\n\nOVH\n\n2 rue Kellermann – 59100 Roubaix\n\nTéléphone : 09 72 10 10 07"}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_who_hosts_the_site_names_the_host_and_quotes_its_address(lang):
    """The label's first value line is the name the answer gives; the quote carries the whole block."""
    source, got = _units(HOSTS[lang])
    label = got[0]
    hits = [UnitHit(label, 0.9, 0.8, 1.0, {})]
    chosen, spans = compose.choose(hits, "who", _retriever(got))
    cites = render.citations(chosen, spans, source, "kb", lang)
    first, stated = render.text("who", chosen, cites, lang)
    name, address = HOSTS[lang].split("\n\n")[1], HOSTS[lang].split("\n\n")[-2]
    assert stated == [name] and name in first
    assert address in " ".join(cites[0].quote.split())


def _flat_retriever(got, answered_for: dict[str, float]):
    """A ranking too flat for the not-found threshold when nobody is named; named, a part's own units lead
    and the check gives the probability in `answered_for` (answered at 0.1 or more, its plain cut)."""
    def rank(query, k=60, named=None):
        return sorted((UnitHit(u, 0.3 if u.audience == named else 0.05, 0.8, 0.0) for u in got),
                      key=lambda h: -h.score)

    def answered(query, hits, threshold):
        if not hits or hits[0].score < threshold:
            return False, None
        p = answered_for.get(hits[0].unit.audience, 0.0)
        return p >= 0.1, p

    return SimpleNamespace(rank=rank, answered=answered, audiences=["students", "alumni"], topic_parts=(),
                           answered_each=lambda query, rankings, threshold: [answered(query, h, threshold)
                                                                             for h in rankings],
                           profile_audiences=lambda askable=False: ["students", "alumni"],
                           values=SimpleNamespace(section_kinds=lambda sid: None))


@pytest.mark.parametrize("lang, question", [("en", "where did you get my data from?"),
                                            ("fr", "vous avez eu mes données où ?")])
@pytest.mark.parametrize("answered_for, found, conflict", [
    ({"students": 0.9, "alumni": 0.8}, True, ["students", "alumni"]),  # each part answers it: ask who is asking
    ({"students": 0.9}, False, []),  # one part only: not found (the question waits for the visitor's part)
    # each part passes the plain cut, but barely: a near-topic question the policy is silent on ("have you had
    # data breaches?"), which a named part's sharper ranking lifts over the cut: still not found
    ({"students": 0.2, "alumni": 0.3}, False, []),
    ({}, False, []),
])
def test_a_question_each_part_answers_for_itself_asks_who_is_asking(lang, question, answered_for, found, conflict):
    got, _ = _two_parts(True)
    retriever = _flat_retriever(got, answered_for)
    query = Query(question, lang, "e5", np.zeros(3, dtype=np.float32))
    comp = compose.compose(retriever, query, audience=None, answer_type=None, threshold=0.2)
    assert (comp.found, comp.conflict) == (found, conflict)
    # a named visitor, or a pending question answered for their part, is never asked again
    named = compose.compose(retriever, query, audience=None, answer_type=None, threshold=0.2, ask_audience=False)
    assert (named.found, named.conflict) == (False, [])
