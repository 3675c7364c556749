"""What every suite receives: settings, the knowledge base, progress bars, and the pipeline
components, each built once per run (or injected by tests: fake engines, guards, retrievers)."""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import ConfigError
from bot.settings import Settings
from evals.datasets import POLICIES_DIR

BASELINES_DIR = Path(__file__).parent / "baselines"
KB_FACTS = POLICIES_DIR / "facts.toml"
# Asked once before any timed question, so the first case does not pay for model loading.
WARM_UP = (("How long do you keep my data as a student?", "en"),
           ("Combien de temps gardez-vous mes données d'étudiant ?", "fr"))


@dataclass
class EvalContext:
    settings: Settings
    kb: str
    progress: bool = True
    guard_obj: object | None = None  # injected (tests, console) or built lazily by guard()
    engine_obj: object | None = None
    retriever_factory: Callable[[str], object] | None = None
    dataset_overrides: dict[str, Path] = field(default_factory=dict)  # suite name -> dataset file
    baselines_dir: Path = BASELINES_DIR  # committed baselines (`--save-baseline` writes here)
    # guard suites also run vanilla Presidio on every message for the side-by-side report; the CI gates
    # read only the guard's own metrics and turn it off (it is half of a guard suite's time)
    compare_presidio: bool = True
    _retrievers: dict[str, object] = field(default_factory=dict)

    def dataset(self, suite: str, default: Path) -> Path:
        return Path(self.dataset_overrides.get(suite, default))

    def guard(self):
        if self.guard_obj is None:
            from guards.guard import get_guard

            self.guard_obj = get_guard()
        return self.guard_obj

    def retriever(self, kb: str | None = None):
        """The knowledge base's retriever (its error says to run `privacybot ingest` when missing)."""
        kb = kb or self.kb
        if kb not in self._retrievers:
            if self.retriever_factory is None:
                from knowledge.retrieve import open_retriever

                self._retrievers[kb] = open_retriever(self.settings.kb_dir(kb), kb, self.settings.chroma_url)
            else:
                self._retrievers[kb] = self.retriever_factory(kb)
        return self._retrievers[kb]

    def engine(self):
        """The engine of this knowledge base (`bot.factory.get_engine`), warmed up. Suites always
        call it with `record=False`: evaluation traffic never reaches the conversation store."""
        if self.engine_obj is None:
            from bot.factory import get_engine

            self.engine_obj = get_engine(self.settings, self.kb)
            for question, lang in WARM_UP:
                self.engine_obj.ask(question, lang=lang, record=False)
        return self.engine_obj

    def kb_facts(self) -> dict:
        """What the evaluation checks about the policy (DPO e-mail, audience parts), from
        evals/policies/facts.toml: ground truth read from the policy, never from the engine."""
        facts = tomllib.loads(KB_FACTS.read_text(encoding="utf-8")).get(self.kb)
        if not isinstance(facts, dict) or not isinstance(facts.get("dpo_email"), str):
            raise ConfigError(f"{KB_FACTS} has no [{self.kb}] table with dpo_email and audience_parts; add one "
                              "(values taken from that policy's text).")
        return facts

    def bar(self, items: Iterable, desc: str, total: int | None = None):
        """tqdm on stderr (silent when progress is off)."""
        from tqdm import tqdm

        return tqdm(items, desc=desc, total=total, file=sys.stderr, disable=not self.progress, leave=False)


def kb_settings(settings: Settings, kb: str | None) -> Settings:
    return settings if not kb or kb == settings.kb else settings.model_copy(update={"kb": kb})
