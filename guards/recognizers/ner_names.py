"""Names the spaCy models saw but labelled as an organisation, a place or "other" ("Becker",
"Ariana", "Sophie Laurent" tagged ORG/GPE): relabelled PERSON when every word is a listed first
name or surname and none is an ordinary word (`guards.persons.PersonFilter.relabel`). The models'
organisations and places are not personal data by themselves and are never redacted as such."""

from __future__ import annotations

from functools import cached_property

from guards.persons import RELABEL, default_filter
from guards.recognizers.base import GuardRecognizer


class NerNameRecognizer(GuardRecognizer):
    ENTITIES = ("PERSON",)
    SCORE = 0.85

    @cached_property
    def person_filter(self):
        return default_filter()

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: D102
        if nlp_artifacts is None or (entities and "PERSON" not in entities):
            return []
        results = []
        for ent in nlp_artifacts.entities:
            if ent.label_ in RELABEL:
                span = self.person_filter.relabel(text, ent.start_char, ent.end_char)
                if span:
                    results.append(self.result(span[0], span[1], self.SCORE))
        return results
