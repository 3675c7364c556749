"""A small base for regex recognizers that validate each match in Python."""

from __future__ import annotations

import re

from presidio_analyzer import LocalRecognizer, RecognizerResult


class RegexRecognizer(LocalRecognizer):
    """Subclasses set ENTITY, PATTERN (compiled) and SCORE, and may override `accept`."""

    ENTITY = ""
    PATTERN: re.Pattern
    SCORE = 0.85

    def __init__(self, supported_language: str = "en", name: str | None = None, context: list[str] | None = None):
        super().__init__(
            supported_entities=[self.ENTITY],
            supported_language=supported_language,
            name=name or f"{type(self).__name__}_{supported_language}",
            context=context,
        )

    def load(self) -> None:  # noqa: D102
        pass

    def accept(self, text: str, match: re.Match) -> tuple[int, int, float] | None:
        """Return (start, end, score) to keep the match, None to drop it."""
        return match.start(), match.end(), self.SCORE

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: D102
        if entities and self.ENTITY not in entities:
            return []
        results = []
        for match in self.PATTERN.finditer(text):
            kept = self.accept(text, match)
            if kept:
                start, end, score = kept
                results.append(self.result(start, end, score))
        return results

    def result(self, start: int, end: int, score: float, entity: str | None = None) -> RecognizerResult:
        return RecognizerResult(
            entity_type=entity or self.ENTITY,
            start=start,
            end=end,
            score=score,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )
