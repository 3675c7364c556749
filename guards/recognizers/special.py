"""GDPR Art. 9 special categories and Art. 10 (criminal offences), self-disclosed, from the lexicons.

A lexicon term is a *disclosure* when the sentence ties it to the writer or their family:
- strong: a self cue (I, my, je, mon, ma…) at most `near_tokens` tokens before it (or inside the
  term), a self phrase ("as a", "en tant que") in that window, a subject-less opener at the start
  of its clause ("Being bipolar, …", "Diagnosed with lupus, …", "Atteinte de …", "Étant …"), or
  "here"/"ici" right after it ("Diabetic here");
- weak: a self cue further back in the sentence, or a first-person subject after a sentence-initial
  clause holding the term ("Deaf since birth, I …"), both only when the term's clause is not about
  data handling ("data", "policy", "traitez", "données"…) and does not open as a question.
Never a disclosure: a term directly followed by a topic noun ("… data", "… données"), a term that
modifies an institution or a test ("Catholic school", "école catholique", "blind review"), a
possessive aimed at a neutral noun ("my campus", "mon dossier"), and a *generic* term (a category
word: "disability", "religious") in a clause about data handling.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from guards.lexicon import Lexicon, load_lexicon
from guards.recognizers.base import GuardRecognizer
from guards.text import TOKEN, fold, sentence_bounds
from guards.types import SPECIAL_CATEGORIES

STRONG_SCORE = 0.85
WEAK_SCORE = 0.6


@dataclass(frozen=True)
class Disclosure:
    entity: str
    start: int
    end: int
    score: float


def _hits(folded: str, lexicon: Lexicon) -> list[tuple[str, int, int, bool]]:
    hits = []
    for generic, table in ((False, lexicon.categories), (True, lexicon.generic)):
        for entity, pattern in table.items():
            pos = 0
            while (m := pattern.search(folded, pos)) is not None:  # overlapping matches too
                if m.end() > m.start():
                    hits.append((entity, m.start(), m.end(), generic))
                pos = m.start() + 1
    return hits


class _Sentence:
    """Tokens of the text with helpers scoped to one sentence."""

    def __init__(self, folded: str, lexicon: Lexicon):
        self.folded = folded
        self.lex = lexicon
        self.tokens = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(folded)]
        self.starts = [t[0] for t in self.tokens]
        self.sentences = sentence_bounds(folded)
        self.sent_starts = [s for s, _ in self.sentences]
        # the first token of the sentence after the first sentence holding a first-person cue:
        # from there on, "he"/"she"/"il"/"elle" continue about the writer's family
        self.family_from = len(self.tokens)
        for k, (start, _end, tok) in enumerate(self.tokens):
            if tok in lexicon.self_cues:
                s_end = self.bounds(start)[1]
                self.family_from = next((j for j in range(k, len(self.tokens)) if self.tokens[j][0] >= s_end), len(self.tokens))
                break

    def index(self, pos: int) -> int:
        return bisect.bisect_left(self.starts, pos)

    def bounds(self, start: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.sent_starts, start) - 1
        return self.sentences[i] if i >= 0 else (0, len(self.folded))

    def is_cue(self, k: int) -> bool:
        tok = self.tokens[k][2]
        if tok in self.lex.family_pronouns and k >= self.family_from:
            return True
        if tok not in self.lex.self_cues:
            return False
        if tok in self.lex.possessives and k + 1 < len(self.tokens):
            return self.tokens[k + 1][2] not in self.lex.neutral_nouns
        return True


# words allowed before an opener at the start of a clause ("Hi, being diabetic, …", "Bon, étant …")
_FILLERS = frozenset(
    ["hi", "hello", "hey", "so", "well", "ok", "okay", "and", "but", "also", "yes", "no", "anyway",
     "bonjour", "salut", "coucou", "alors", "donc", "bon", "et", "mais", "aussi", "oui", "non", "bref", "voila"]
)


# "Catholic high school", "Jewish primary school": the modifier may sit one adjective away
_INSTITUTION_ADJ = frozenset(["high", "primary", "secondary", "private", "public", "boarding", "grammar", "middle", "state", "girls", "boys", "sixth"])


def _opener_before(s: _Sentence, c_first: int, at: int) -> bool:
    """A subject-less opener starts the clause (after fillers) and the term follows it closely."""
    if s.lex.openers is None:
        return False
    k = c_first
    while k < at and s.tokens[k][2] in _FILLERS:
        k += 1
    if k >= at:
        return False
    m = s.lex.openers.match(s.folded, s.tokens[k][0])
    if m is None or m.end() > s.tokens[at][0]:
        return False
    return at - s.index(m.end()) <= s.lex.near_tokens


_CLAUSE_STOP = re.compile(r"[,;:.!?\n]|\s(?:but|so|because|mais|donc|car|parce|puis|then|who|which|qui|que|where|ou|when|quand)\s"
                          r"|\s(?:(?:and|et|or|ou)\s+)?(?:i|i'm|we|you|he|she|they|je|j'|nous|vous|il|elle|ils|elles|on|can|could|would|do|est-ce)\b")
MAX_REST_TOKENS = 12


def _clause_rest(folded: str, end: int, s_end: int) -> int:
    """A disclosed condition often goes on after the lexicon term ("epilepsy and a daily treatment",
    "in recovery from alcohol addiction", "porteuse d'une mutation BRCA1"): the disclosure covers
    the rest of its clause, up to a punctuation mark, a new subject or MAX_REST_TOKENS words."""
    stop = _CLAUSE_STOP.search(folded, end, s_end)
    limit = stop.start() if stop else s_end
    tokens = list(TOKEN.finditer(folded, end, limit))[:MAX_REST_TOKENS]
    return max(end, tokens[-1].end()) if tokens else end


def find_disclosures(text: str, lexicon: Lexicon, folded: str | None = None) -> list[Disclosure]:
    folded = fold(text) if folded is None else folded
    hits = _hits(folded, lexicon)
    if not hits:
        return []
    s = _Sentence(folded, lexicon)
    toks, lex = s.tokens, lexicon
    out = []
    for entity, start, end, generic in hits:
        s_start, s_end = s.bounds(start)
        first, at, after, last = s.index(s_start), s.index(start), s.index(end), s.index(s_end)
        following = [toks[k][2] for k in range(after, min(after + 2, last))]
        if following and following[0] in lex.topic_nouns:
            continue
        if following and not folded[end : toks[after][0]].strip() and (
            following[0] in lex.modifies_after
            or (len(following) > 1 and following[0] in _INSTITUTION_ADJ and following[1] in lex.modifies_after)
        ):
            continue
        if any(toks[k][2] in lex.modifies_before for k in range(max(first, at - 2), at)):
            continue
        c_start = folded.rfind(",", s_start, start)
        c_start = s_start if c_start == -1 else c_start + 1
        c_end = folded.find(",", end, s_end)
        c_end = s_end if c_end == -1 else c_end
        c_first, c_last = s.index(c_start), s.index(c_end)
        clause = {toks[k][2] for k in range(c_first, c_last)}
        topic = bool(clause & lex.topic_cues)
        if generic and topic:
            continue
        near = range(max(first, at - lex.near_tokens), at)
        near_text = " " + " ".join(toks[k][2] for k in near) + " "
        strong = (
            any(s.is_cue(k) for k in near)
            or any(s.is_cue(k) for k in range(at, after))
            or any(p in near_text for p in lex.self_phrases)
            or _opener_before(s, c_first, at)
            or (bool(following) and following[0] in lex.here_words and at - c_first <= 4)
        )
        if strong:
            out.append(Disclosure(entity, start, _clause_rest(folded, end, s_end), STRONG_SCORE))
            continue
        if topic:
            continue
        if any(s.is_cue(k) for k in range(first, at)):
            out.append(Disclosure(entity, start, end, WEAK_SCORE))
            continue
        # cue after the term: "Diabetes runs in my family", "Sourde depuis l'enfance, je …"
        sentence = {toks[k][2] for k in range(first, last)}
        opens_question = first < last and toks[first][2] in lex.question_starts
        if not opens_question and not (sentence & lex.topic_cues) and any(s.is_cue(k) for k in range(after, last)):
            out.append(Disclosure(entity, start, end, WEAK_SCORE))
    return out


class SpecialCategoryRecognizer(GuardRecognizer):
    """The special categories (Art. 9) and Art. 10, self-disclosed, with every language's lexicon on
    every message: the recognizer's own language first, then the others (a mixed EN/FR message is
    read with both, sentence by sentence)."""

    ENTITIES = SPECIAL_CATEGORIES

    def __init__(self, supported_language: str = "en", context: list[str] | None = None,
                 supported_entities: list[str] | None = None, name: str | None = None):
        super().__init__(supported_language, context, supported_entities, name)
        self.lexicons = [load_lexicon(lang) for lang in self.langs]

    def find(self, text):
        folded = fold(text)
        for lexicon in self.lexicons:
            for d in find_disclosures(text, lexicon, folded):
                yield d.entity, d.start, d.end, d.score
