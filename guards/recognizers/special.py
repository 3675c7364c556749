"""GDPR Art. 9 special categories, self-disclosed, from the language's lexicon.

A lexicon term is a *disclosure* when a self/family cue (I, my, je, j', mon, ma, mes…) precedes it in
the same sentence: strongly (within `near_tokens` tokens, or inside the term: always) or weakly (further
back: only if the term's clause is not about data handling: "data", "policy", "traitez", "données"…). A term directly
followed by a topic noun ("… data", "… données") is a topic, not a disclosure. Generic topic words
("health data", "religious beliefs", "opinions politiques") are not lexicon terms at all.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from presidio_analyzer import LocalRecognizer, RecognizerResult

from guards.lexicon import Lexicon
from guards.text import TOKEN, fold, sentence_bounds

STRONG_SCORE = 0.85
WEAK_SCORE = 0.6


@dataclass(frozen=True)
class Disclosure:
    entity: str
    start: int
    end: int
    score: float


def find_disclosures(text: str, lexicon: Lexicon, folded: str | None = None) -> list[Disclosure]:
    folded = fold(text) if folded is None else folded
    hits: list[tuple[str, int, int]] = []
    for entity, pattern in lexicon.categories.items():
        pos = 0
        while (m := pattern.search(folded, pos)) is not None:  # overlapping matches too
            if m.end() > m.start():
                hits.append((entity, m.start(), m.end()))
            pos = m.start() + 1
    if not hits:
        return []
    tokens = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(folded)]
    starts = [t[0] for t in tokens]
    sentences = sentence_bounds(folded)
    sent_starts = [s for s, _ in sentences]
    out = []
    for entity, start, end in hits:
        i = bisect.bisect_right(sent_starts, start) - 1
        s_start, s_end = sentences[i] if i >= 0 else (0, len(folded))
        first = bisect.bisect_left(starts, s_start)
        at = bisect.bisect_left(starts, start)
        after = bisect.bisect_left(starts, end)
        last = bisect.bisect_left(starts, s_end)
        before = [tokens[k][2] for k in range(first, at)]
        following = [tokens[k][2] for k in range(after, min(after + 2, last))]
        if following and following[0] in lexicon.topic_nouns:
            continue
        inside = [tokens[k][2] for k in range(at, after)]
        near = before[-lexicon.near_tokens :]
        near_text = " " + " ".join(near) + " "
        if any(tok in lexicon.self_cues for tok in near + inside) or any(p in near_text for p in lexicon.self_phrases):
            out.append(Disclosure(entity, start, end, STRONG_SCORE))
            continue
        if any(tok in lexicon.self_cues for tok in before):
            # topic words veto a distant cue only within the term's clause (commas split clauses)
            c_start = max(folded.rfind(",", s_start, start), s_start)
            c_end = folded.find(",", end, s_end)
            c_end = s_end if c_end == -1 else c_end
            clause_tokens = {tokens[k][2] for k in range(bisect.bisect_left(starts, c_start), bisect.bisect_left(starts, c_end))}
            if not clause_tokens & lexicon.topic_cues:
                out.append(Disclosure(entity, start, end, WEAK_SCORE))
    return out


class SpecialCategoryRecognizer(LocalRecognizer):
    """Presidio recognizer for the nine special categories in one language."""

    def __init__(self, lexicon: Lexicon, supported_language: str | None = None):
        self.lexicon = lexicon
        super().__init__(
            supported_entities=sorted(lexicon.categories),
            supported_language=supported_language or lexicon.lang,
            name=f"SpecialCategoryRecognizer_{supported_language or lexicon.lang}",
        )

    def load(self) -> None:  # noqa: D102
        pass

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: D102
        wanted = set(entities or self.supported_entities)
        return [
            RecognizerResult(
                entity_type=d.entity,
                start=d.start,
                end=d.end,
                score=d.score,
                recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                },
            )
            for d in find_disclosures(text, self.lexicon)
            if d.entity in wanted
        ]
