"""Call a bench module owned by another area (`evals/bench_*.py`) without knowing its exact
signature: pick its entry function, pass only the keyword arguments it accepts, and flatten
the returned metrics dict for the report. A missing module is reported, not faked."""

from __future__ import annotations

import importlib
import inspect

from evals.results import flatten


def load(module_name: str, candidates: tuple[str, ...]):
    """Return (function, note). function is None when the module or entry point is missing."""
    try:
        mod = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None, f"{module_name} is not available yet; its numbers are missing from this report."
        raise
    for name in candidates:
        fn = getattr(mod, name, None)
        if callable(fn):
            return fn, ""
    return None, f"{module_name} has none of {', '.join(candidates)}; its numbers are missing from this report."


def call(fn, **kwargs):
    """Call `fn` with the subset of kwargs its signature accepts."""
    params = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        accepted = kwargs
    else:
        accepted = {k: v for k, v in kwargs.items() if k in params and v is not None}
    return fn(**accepted)


def run_bench(module_name: str, candidates: tuple[str, ...], **kwargs) -> tuple[dict, object, str]:
    """(flattened scalar metrics, raw return value, note). A bench that raises is reported in
    the note (this suite's own metrics still stand); KeyboardInterrupt still stops the run."""
    fn, note = load(module_name, candidates)
    if fn is None:
        return {}, None, note
    try:
        raw = call(fn, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the bench's extra numbers are optional; ours are not
        return {}, None, f"{module_name}.{fn.__name__} failed ({type(exc).__name__}: {exc}); its numbers are missing."
    data = raw if isinstance(raw, dict) else getattr(raw, "__dict__", {})
    scalars = {k: v for k, v in flatten({k: v for k, v in data.items() if k not in _PER_ITEM}).items()}
    return scalars, raw, ""


# Keys that hold per-item records, not headline numbers (kept out of the flattened table).
_PER_ITEM = frozenset({"items", "per_item", "records", "results", "details", "rows", "failures"})
