"""Fail-closed fallback for special categories the lexicons do not know: the self-disclosure
classifier (`guards/disclosure.py`) reads each sentence; when it fires for a category on a clause,
that clause is redacted, and when it fires on the whole sentence, its likeliest clause and the
clauses after it are. The guard keeps such a clause around the other findings inside it (see
`guards.guard._classifier_fallback`)."""

from __future__ import annotations

import re

from guards.disclosure import load_model
from guards.lexicon import load_lexicon
from guards.recognizers.base import GuardRecognizer
from guards.text import TOKEN, fold, sentence_bounds
from guards.types import SPECIAL_CATEGORIES

_CLAUSE_CUT = re.compile(r"[,;:()\u2013\u2014]|\s(?:and|but|so|because|et|mais|donc|car|parce que|alors)\s", re.IGNORECASE)


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for m in _CLAUSE_CUT.finditer(text, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    return [(a + len(text[a:b]) - len(text[a:b].lstrip()), b - (len(text[a:b]) - len(text[a:b].rstrip())))
            for a, b in out if text[a:b].strip()]


class DisclosureClassifierRecognizer(GuardRecognizer):
    """Reads a sentence only when it refers to the writer or their family (a first-person or
    possessive cue of any language's lexicon, "my campus"-style neutral nouns excepted): a
    self-disclosure needs one. Clauses about data handling (the lexicons' topic words: "data",
    "process", "données", "conservez"…) and questions are never redacted by the classifier."""

    ENTITIES = SPECIAL_CATEGORIES
    SCORE = 0.7
    SENTENCE_GATE = 0.3  # a sentence scoring below 0.3 of every threshold: its clauses are not read (no leak changed on 8 blind sets)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = load_model()
        lexicons = [load_lexicon(lang) for lang in self.langs]
        self.self_cues = frozenset().union(*(lex.self_cues for lex in lexicons))
        self.possessives = frozenset().union(*(lex.possessives for lex in lexicons))
        self.neutral = frozenset().union(*(lex.neutral_nouns for lex in lexicons))
        self.topic = frozenset().union(*(lex.topic_cues for lex in lexicons))
        self.family = frozenset().union(*(lex.family_pronouns for lex in lexicons))
        self.question_starts = frozenset().union(*(lex.question_starts for lex in lexicons))

    def refers_to_writer(self, sentence: str, after_self: bool) -> bool:
        tokens = TOKEN.findall(fold(sentence))
        for k, tok in enumerate(tokens):
            if after_self and tok in self.family:
                return True
            if tok in self.self_cues and not (tok in self.possessives and k + 1 < len(tokens) and tokens[k + 1] in self.neutral):
                return True
        return False

    def about_data_or_asking(self, text: str, a: int, b: int) -> bool:
        """A clause about data handling, or a question ("Puis-je …?", "… exercer mes droits ?")."""
        tokens = TOKEN.findall(fold(text[a:b]))
        asking = text[b:b + 3].lstrip().startswith("?") or (bool(tokens) and tokens[0] in self.question_starts)
        return asking or bool(set(tokens) & self.topic)

    def find(self, text):
        after_self = False
        for s_start, s_end in sentence_bounds(text):
            sentence = text[s_start:s_end]
            refers = self.refers_to_writer(sentence, after_self)
            after_self = after_self or refers
            if sum(c.isalpha() for c in sentence) < 6 or not refers:
                continue
            parts = [(a, b) for a, b in clauses(text, s_start, s_end) if not self.about_data_or_asking(text, a, b)]
            if not parts:
                continue
            if not self.model.near(sentence, self.SENTENCE_GATE):
                continue  # nothing near a disclosure: its clauses are not read (one encoder call)
            fired = self.model.fires(sentence)
            alone = [(a, b) for a, b in parts if len(TOKEN.findall(fold(text[a:b]))) >= 3
                     and self.refers_to_writer(text[a:b], after_self)]
            self.model.encode([text[a:b] for a, b in (parts if fired else alone)])  # only what is read
            for a, b in alone:  # a clause that discloses on its own (and says who)
                for category in self.model.fires(text[a:b]):
                    yield category, a, b, self.SCORE
            for category in fired:  # fail closed: the likeliest clause, and what follows it
                scores = [self.model.scores(text[a:b])[category] for a, b in parts]  # when that clause alone
                i = scores.index(max(scores))                                        # discloses too (a sentence-
                confirmed = scores[i] >= self.model.thresholds[category]             # only reading can be wrong:
                for a, b in parts[i:] if confirmed else parts[i:i + 1]:             # "enfin non pardon, j'ai eu…")
                    yield category, a, b, self.SCORE
