"""Optional generative mode: a LangChain chat model rephrases the extractive answer from the
retrieved quotes only. It receives only redacted text, and its output must pass the grounding
check (bot/grounding.py); on failure, error or timeout the extractive answer stands.

`PRIVACYBOT_LLM` = `PROVIDER:MODEL[@BASE_URL]`, any provider LangChain's `init_chat_model` knows
and whose package is installed (`ollama:llama3.1`, `openai:MODEL@http://host:8000/v1` for any
OpenAI-compatible server; key from OPENAI_API_KEY). The prompt is data (`bot/prompts.yaml`)."""

from __future__ import annotations

import logging
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import lru_cache
from pathlib import Path

import yaml

from bot.catalogue import t
from bot.errors import ConfigError
from bot.grounding import check

log = logging.getLogger("bot.llm")
_SPEC_RE = re.compile(r"^(?P<provider>[a-z][a-z0-9_-]*):(?P<model>[^@\s]+)(?:@(?P<url>https?://\S+))?$")
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="privacybot-llm")
PROMPTS = Path(__file__).with_name("prompts.yaml")


@lru_cache(maxsize=1)
def prompts() -> dict:
    data = yaml.safe_load(PROMPTS.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not {"system_prompt", "user_prompt"} <= set(data):
        raise ConfigError(f"{PROMPTS} needs 'system_prompt' and 'user_prompt'; restore the file.")
    return data


def parse_spec(spec: str) -> tuple[str, str, str | None]:
    m = _SPEC_RE.match(spec.strip())
    if not m:
        raise ConfigError(
            f"Invalid PRIVACYBOT_LLM '{spec}'. Use PROVIDER:MODEL[@URL], e.g. 'ollama:llama3.1' or "
            "'openai:MODEL@http://host:8000/v1'; unset it to use extractive answers."
        )
    return m.group("provider"), m.group("model"), m.group("url")


def make_chat_model(spec: str, *, timeout_s: float = 20.0):
    """A LangChain chat model for `spec`, provider-agnostic through `init_chat_model`."""
    from langchain.chat_models import init_chat_model

    provider, model, url = parse_spec(spec)
    kwargs: dict = {"temperature": 0}
    if url:
        kwargs["base_url"] = url
    if provider == "openai":
        kwargs.update(timeout=timeout_s, max_retries=0, api_key=os.environ.get("OPENAI_API_KEY") or "not-needed")
    elif provider == "ollama":
        kwargs["client_kwargs"] = {"timeout": timeout_s}
    try:
        return init_chat_model(model, model_provider=provider, **kwargs)
    except ImportError as exc:
        raise ConfigError(f"PRIVACYBOT_LLM needs the LangChain package for '{provider}' ({exc.name or exc}). "
                          "Install it or unset PRIVACYBOT_LLM.") from None
    except ValueError as exc:
        raise ConfigError(f"PRIVACYBOT_LLM: {exc}. Use PROVIDER:MODEL[@URL] or unset it.") from None


def build_messages(*, question: str, lang: str, direct: str, citations) -> list:
    """The prompt: redacted question, the draft (extractive) answer and the exact quotes."""
    from langchain_core.messages import HumanMessage, SystemMessage

    quotes = "\n".join(f"[{i}] ({c.section_id}) {c.quote}" for i, c in enumerate(citations, 1))
    language = "French" if lang == "fr" else "English"
    p = prompts()
    return [SystemMessage(content=p["system_prompt"].format(language=language)),
            HumanMessage(content=p["user_prompt"].format(question=question, draft=direct, quotes=quotes))]


def rephrase(model, *, question: str, lang: str, direct: str, citations, timeout_s: float) -> tuple[str, str | None]:
    """('used', text) | ('rejected', None) | ('error', None). Never raises."""
    if not citations:
        return "rejected", None
    try:
        messages = build_messages(question=question, lang=lang, direct=direct, citations=citations)
        future = _POOL.submit(model.invoke, messages)
        reply = future.result(timeout=timeout_s)
        text = getattr(reply, "content", reply)
        if isinstance(text, list):  # content blocks
            text = " ".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in text)
        text = str(text).strip()
    except FutureTimeout:
        log.warning("llm timed out after %.1fs; using the extractive answer", timeout_s)
        return "error", None
    except Exception as exc:  # noqa: BLE001 - any model failure falls back to extractive
        log.warning("llm failed (%s); using the extractive answer", exc.__class__.__name__)
        return "error", None
    result = check(text, [c.quote for c in citations], direct)
    if not result.ok:
        log.info("llm answer rejected by grounding check: %s", ",".join(result.problems))
        return "rejected", None
    return "used", text


def rephrase_reply(model, reply, lang: str, timings: dict, timeout_s: float, question: str) -> None:
    """Rephrase an extractive reply in place when the model's text passes the grounding check.
    `question`: the redacted question (or its rewrite from the conversation)."""
    t0 = time.perf_counter()
    question = reply.trace.get("rewritten_question") or question
    status, text = rephrase(model, question=question, lang=lang, direct=reply.text, citations=reply.citations,
                            timeout_s=timeout_s)
    timings["llm"] = (time.perf_counter() - t0) * 1000.0
    reply.trace["llm"] = status
    if status == "used" and text:
        reply.text = f"{text}\n\n{t('llm_rephrased', lang)}"
