"""What every suite adapter receives: settings, the knowledge base, progress bars, and the
pipeline components, each built once per run (or injected by tests to reuse session fixtures)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import IndexMissingError
from bot.settings import Settings


@dataclass
class EvalContext:
    settings: Settings
    kb: str
    progress: bool = True
    guard_obj: object | None = None  # injected (tests) or built lazily by guard()
    engine_obj: object | None = None
    retriever_factory: Callable[[str], object] | None = None
    dataset_overrides: dict[str, Path] = field(default_factory=dict)  # suite -> dataset file
    shared: dict[str, object] = field(default_factory=dict)  # results one suite leaves for another
    _retrievers: dict[str, object] = field(default_factory=dict)

    def dataset(self, suite: str, default: Path) -> Path:
        return Path(self.dataset_overrides.get(suite, default))

    def guard(self):
        if self.guard_obj is None:
            from guards.guard import get_guard

            self.guard_obj = get_guard()
        return self.guard_obj

    def retriever(self, kb: str | None = None):
        kb = kb or self.kb
        if kb not in self._retrievers:
            try:
                if self.retriever_factory is not None:
                    self._retrievers[kb] = self.retriever_factory(kb)
                else:
                    from knowledge.retrieve import get_retriever

                    self._retrievers[kb] = get_retriever(kb=kb, settings=self.settings)
            except IndexMissingError as exc:
                hint = "" if "privacybot ingest" in str(exc) else (
                    f" Run `privacybot ingest{'' if kb == 'omnes' else ' --kb ' + kb}` first."
                )
                raise IndexMissingError(f"{exc}{hint}") from None
        return self._retrievers[kb]

    def engine(self):
        """An engine sharing this run's guard and retriever, with no conversation store:
        evaluation questions are not visitor conversations and are never logged."""
        if self.engine_obj is None:
            from bot.engine import Engine

            self.engine_obj = Engine(self.settings, guard=self.guard(), retriever=self.retriever(self.kb))
        return self.engine_obj

    def bar(self, items: Iterable, desc: str, total: int | None = None):
        """tqdm on stderr (silent when progress is off)."""
        from tqdm import tqdm

        return tqdm(items, desc=desc, total=total, file=sys.stderr, disable=not self.progress, leave=False)


def kb_settings(settings: Settings, kb: str | None) -> Settings:
    return settings if not kb or kb == settings.kb else settings.model_copy(update={"kb": kb})


def repo_path(*parts: str) -> Path:
    return Path(__file__).resolve().parent.joinpath(*parts)
