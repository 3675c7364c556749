"""What the visitor wants, from the same question embedding retrieval uses: small classifiers
trained on labelled EN/FR examples (`bot/training/*.yaml`, rebuilt by `scripts/train_models.py`)
give the intent (policy question, rights request, a question about a right, greeting, thanks,
off-topic, prompt injection, someone else's data, a question about the assistant itself, a
follow-up, an audience statement, a question about another organisation's own processing)
and, for rights requests, which right.

Refusing is the costly mistake, so a refusing intent needs its calibrated confidence, and an
"off-topic" message is a policy question whenever the policy answers it strongly (retrieval
evidence), however sure the classifier is: "fees", "admissions" or "Parcoursup" in passing do not
make a question off-topic ("I'm applying through Parcoursup", "where do I write to the DPO?"). The
answer path still says "the policy does not say" when it does not (not-found threshold, learned
answerability check), so a true off-topic question that happens to match ends as a refusal too."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from guards.types import placeholder
from knowledge import classify, embedders
from knowledge.query import SELF, Query
from knowledge.query import classifier as query_classifier
from knowledge.text import clauses

MODELS_DIR = Path(__file__).with_name("models")
REFUSING = ("out_of_scope", "injection", "other_person", "other_controller")
SOCIAL = ("greeting", "thanks")
# An "off-topic" reading overturned because the policy answers the message or it is about one part of it: a
# question, or a rights request when that reading is likelier: "I want the CCTV footage of me from the Paris
# lobby on 3 March around 2pm" reads off-topic 0.53, rights request 0.40, question 0.04
ABOUT_THE_POLICY = ("question", "rights")
SURE = 0.5  # a refusing intent, a rights request or the notice need this calibrated confidence
# An "off-topic" message the audience classifier places in one part of the policy is a policy question
# below this confidence (dialogue sets 1-16: of 22 such turns under 0.75, 20 wanted an answer; of 19 at
# 0.9 or more, 16 wanted the refusal: fees, admissions, cover letters)
ABOUT_A_PART = 0.75
# "Whose processing?": another organisation's (an employer that is not the school, a platform's own practice,
# general law) is refused at this confidence; below it the message is read for the school's own handling.
# Chosen on the dev and holdout sets (answers A-W + dev, dialogues 1-24; messages flagged, expected refusals /
# others): 0.5 -> 32/67, 0.7 -> 26/19, 0.8 -> 22/10, 0.9 -> 14/5 (end to end: see README).
OTHER_CONTROLLER_SURE = 0.8
# A refusing reading of a message that only says who the visitor is ("hey! first year at ECE paris here", "hello,
# my son is a student at ECE") is an audience statement when the intent classifier gives that reading this much.
# On the 13,747 messages of the answer sets and dialogue sets 1-36 (up to 25 words), 20 were read as off-topic or
# someone else's data, said only who the writer is and had nothing else in them: the 4 that wanted a refusal ("what
# grade did he get in corporate finance", "is ESCE AACSB accredited") had at most 0.004, the 16 others at least 0.051.
SAYS_WHO = 0.02
# A message read as about someone else's data, with names the guard removed that no cue gives as the writer's, is the
# writer's own rights request when, read without those names, it is one (SURE) and someone else is unlikely (below
# this). All answer sets and dialogue sets 1-38 hold 117 such messages: without the names, the 17 rights requests
# among them read as rights requests at 0.50-0.96 and as someone else's at most 0.13; one refusal, an override naming
# an apprentice, reads rights 0.51 / someone else 0.03 and is taken too. The bound keeps "donnez-moi les notes de
# [PERSON], elle est dans ma promo" refused (rights 0.58, someone else 0.37 without the name).
SOMEONE_ELSE = 0.2
ONE_RIGHT = 0.25  # a message about rights names one right when the right classifier gives it this much
SHORT = 8  # words: a short message in a conversation refers to its topic ("can I refuse them?")
# Markup and SQL are injection whatever the wording: exact, structural patterns.
_MARKUP = re.compile(r"<\s*/?\s*(script|iframe|img|svg|object|embed)\b|\b(union\s+select|drop\s+table)\b", re.I)
_NAMES = re.compile(r"\s*" + re.escape(placeholder("PERSON")) + r"(?:'s)?")  # a name the guard removed
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Route:
    intent: str
    right: str | None = None
    confidence: float = 0.0
    probs: dict = field(default_factory=dict, compare=False)


def _classifier(kind: str, model: str) -> classify.EmbeddingClassifier:
    return classify.load(str(MODELS_DIR / f"{kind}-{model}.npz"))


def _likeliest(probs: dict, among: tuple[str, ...]) -> str:
    return max(among, key=lambda k: probs.get(k, 0.0))


def _only_says_who(query: Query) -> bool:
    """The whole message is the visitor saying who they are (no question in it): the self-description
    classifier on the message itself, and a part it names."""
    if "?" in query.text or query.audience_named() is None:
        return False
    if clauses(query.text) and query.writer_named() is None:
        return False  # several clauses, none of them the writer saying who they are ("je veux changer l'adresse, j'en ai une nouvelle")
    return query_classifier("self_description", query.model).predict(query.vec, query.text).p(SELF) >= SURE


def _without_names(query: Query) -> dict | None:
    """The intent probabilities of the message with the names the guard removed set aside (None: it has
    none). A placeholder pulls the intent toward someone else's data whoever it names; without it, "my
    surname is misspelled in my file, it's [PERSON] not [PERSON], can you fix it?" asks for the writer's own
    record, while "give me [PERSON]'s grades, she's my classmate" still asks for a classmate's."""
    bare = _NAMES.sub("", query.text)
    if bare == query.text:
        return None
    return _classifier("intent", query.model).predict(embedders.embed_query(query.model, bare), bare).probs


def right_asked_about(query: Query, route: Route) -> str | None:
    """The right a policy question is about ("can I have it deleted?": erasure), when the intent classifier
    reads the message as about a right (a request or a question about one, together at least SURE) and the right
    classifier's likeliest single right reaches ONE_RIGHT (the overview often outranks it: "is deleting my stuff a
    right I have?" reads overview 0.48, erasure 0.33); None otherwise."""
    if route.probs.get("rights", 0.0) + route.probs.get("rights_question", 0.0) < SURE:
        return None
    probs = _classifier("right", query.model).predict(query.vec, query.text).probs
    right = max((k for k in probs if k != "overview"), key=lambda k: probs[k], default=None)
    return right if right is not None and probs[right] >= ONE_RIGHT else None


def names_only_the_writer(findings) -> bool:
    """True when the guard removed names and every one was the writer's own (`Finding.names_the_writer`):
    such a [PERSON] is the visitor, not someone else."""
    people = [f for f in findings if f.entity == "PERSON"]
    return bool(people) and all(f.names_the_writer for f in people)


def route(query: Query, *, evidence: float, strong: float, has_context: bool, pending: bool,
          writer_named: bool = False) -> Route:
    """`evidence`: the best answer unit's probability for this message; `strong`: the level at which
    the policy clearly answers it; `has_context`: there is a previous topic; `pending`: a
    clarification is waiting for the visitor's audience; `writer_named`: the only names in the
    message are the visitor's own (see `names_only_the_writer`)."""
    text = query.text
    if not _LETTER.search(text):
        return Route("empty")
    if _MARKUP.search(text):
        return Route("injection", confidence=1.0)
    pred = _classifier("intent", query.model).predict(query.vec, query.text)
    probs = pred.probs
    label, p = pred.best
    if label in REFUSING:
        clf = _classifier("intent", query.model)
        cut = max(clf.thresholds[clf.classes.index(label)] if clf.thresholds else 0.0,
                  OTHER_CONTROLLER_SURE if label == "other_controller" else SURE)
        says_who = probs.get("audience_statement", 0.0)
        if label in ("out_of_scope", "other_person") and says_who >= SAYS_WHO and query.topic_vec is None \
                and _only_says_who(query):
            # who the rest of the chat is about, with nothing else in the message to refuse: before round 25,
            # "Hi! ESCE class of 2010 here" got the off-topic refusal and the alumni part was never taken
            label, p = "audience_statement", says_who
        elif label == "out_of_scope" and evidence >= strong:
            label = _likeliest(probs, ABOUT_THE_POLICY)
            p = probs.get(label, 0.0)
        elif p < cut:
            # an unsure refusal falls to the likeliest intent that does not refuse (before round 17: always a
            # policy question, so "thanks for the info, have a good evening!" got "the policy does not say
            # this"); a social reading of a message the policy clearly answers is still a question
            label = max((k for k in probs if k not in REFUSING), key=lambda k: probs[k])
            if label in SOCIAL and evidence >= strong:
                label = "question"
            p = probs.get(label, 0.0)
        elif label == "out_of_scope" and (p < ABOUT_A_PART or pending) and query.audience_named() is not None:
            # a message about one part of the policy (whose data: "je suis diplômé depuis 2018, pourquoi
            # mon RIB ?", "I teach evening classes there") is not off-topic, however it is worded; nor is one
            # that names a part while the bot waits to hear who the visitor is ("graduated from ece in 2019")
            label = "audience_statement" if _only_says_who(query) else _likeliest(probs, ABOUT_THE_POLICY)
            p = probs.get(label, 0.0)
    if label == "assistant" and p < SURE:  # answered from the notice, not the policy: needs the same 0.5
        label = "question"
    if label == "rights" and p < SURE and "?" in text:  # an unsure request worded as a question is a question
        label = _likeliest(probs, ("question", "rights_question", "followup"))
    if label in ("rights", "question", "followup") and (has_context or pending) and _only_says_who(query):
        # "sorry, my mistake: I actually teach there" re-answers for that part; "je suis prof d'info dans une de
        # vos écoles depuis 3 ans" after "which are you?" answers the question waiting for it
        label = "audience_statement"
    if label == "other_person" and writer_named:  # "someone else" needs someone other than the writer
        label = _likeliest(probs, ("question", "rights"))
    elif label == "other_person" and (bare := _without_names(query)) is not None \
            and bare.get("rights", 0.0) >= SURE and bare.get("other_person", 0.0) < SOMEONE_ELSE:
        # the names are the writer's own: "my surname is misspelled, it's [PERSON] not [PERSON], can you fix it?"
        label, p = "rights", bare["rights"]
    asking = probs.get("question", 0) + probs.get("rights", 0) + probs.get("rights_question", 0)
    if label in SOCIAL and len(text.split()) > SHORT and asking > 0.2:
        label = "question"  # "hello, how long do you keep my CV?"
    if label == "rights_question":  # asking about a right ("can I say no to that?"): the policy answers it
        label = "followup" if has_context and len(text.split()) <= SHORT else "question"
    if label == "followup" and not has_context and not pending:
        label = "question"
    if label == "audience_statement" and not pending and (query.audience_named() is None or "?" in text):
        label = "followup" if has_context else "question"  # a question is never just "who I am"
    right = None
    if label == "rights":
        right = _classifier("right", query.model).predict(query.vec, query.text).best[0]
    return Route(label, right, p, probs)
