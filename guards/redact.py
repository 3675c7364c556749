"""The replacement step: presidio-anonymizer's `AnonymizerEngine` with a `replace` operator per
entity, so each finding becomes `[ENTITY]` (DESIGN.md)."""

from __future__ import annotations

from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

from guards.types import Finding, placeholder


class Redactor:
    def __init__(self):
        self.engine = AnonymizerEngine()
        self._operators: dict[str, OperatorConfig] = {}

    def operator(self, entity: str) -> OperatorConfig:
        if entity not in self._operators:
            self._operators[entity] = OperatorConfig("replace", {"new_value": placeholder(entity)})
        return self._operators[entity]

    def redact(self, text: str, findings: list[Finding]) -> str:
        """`text` with every finding (non-overlapping, offsets into `text`) replaced."""
        if not findings:
            return text
        results = [RecognizerResult(f.entity, f.start, f.end, f.score) for f in findings]
        operators = {f.entity: self.operator(f.entity) for f in findings}
        return self.engine.anonymize(text=text, analyzer_results=results, operators=operators).text
