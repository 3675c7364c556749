"""Optional generative mode: a LangChain chat model rephrases the extractive answer from the
retrieved quotes only. It receives only redacted text, and its output must pass the grounding
check (bot/grounding.py); on failure, error or timeout the extractive answer stands.

`PRIVACYBOT_LLM` forms: `ollama:MODEL`, `ollama:MODEL@http://host:11434`,
`openai:MODEL` (OpenAI API, key from OPENAI_API_KEY), `openai:MODEL@http://host:8000/v1`
(any OpenAI-compatible server)."""

from __future__ import annotations

import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from bot.errors import ConfigError
from bot.grounding import check

log = logging.getLogger("bot.llm")
_SPEC_RE = re.compile(r"^(?P<provider>ollama|openai):(?P<model>[^@\s]+)(?:@(?P<url>https?://\S+))?$")
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="privacybot-llm")

SYSTEM_PROMPT = (
    "You rephrase answers about an organisation's privacy policy. Use ONLY the policy quotes and the "
    "draft answer given. Do not add facts, figures, names, emails or links that are not in them. "
    "If the quotes do not answer the question, repeat the draft answer. Answer in {language}, in at most "
    "four sentences, without greeting. Do not quote the policy; the quotes are shown separately."
)


def parse_spec(spec: str) -> tuple[str, str, str | None]:
    m = _SPEC_RE.match(spec.strip())
    if not m:
        raise ConfigError(
            f"Invalid PRIVACYBOT_LLM '{spec}'. Use 'ollama:MODEL', 'ollama:MODEL@http://host:11434' or "
            "'openai:MODEL@http://host:8000/v1'; unset it to use extractive answers."
        )
    return m.group("provider"), m.group("model"), m.group("url")


def make_chat_model(spec: str, *, timeout_s: float = 20.0):
    """A LangChain chat model for `spec` (imported lazily)."""
    provider, model, url = parse_spec(spec)
    try:
        if provider == "ollama":
            from langchain_ollama import ChatOllama

            kwargs = {"model": model, "temperature": 0, "client_kwargs": {"timeout": timeout_s}}
            if url:
                kwargs["base_url"] = url
            return ChatOllama(**kwargs)
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(model=model, base_url=url, temperature=0, timeout=timeout_s, max_retries=0,
                          api_key=os.environ.get("OPENAI_API_KEY") or "not-needed")
    except ImportError as exc:
        raise ConfigError(f"PRIVACYBOT_LLM needs the package '{exc.name}'. Install it or unset PRIVACYBOT_LLM.") from None


def build_messages(*, question: str, lang: str, direct: str, citations) -> list:
    """The prompt: redacted question, the draft (extractive) answer and the exact quotes."""
    from langchain_core.messages import HumanMessage, SystemMessage

    quotes = "\n".join(f"[{i}] ({c.section_id}) {c.quote}" for i, c in enumerate(citations, 1))
    language = "French" if lang == "fr" else "English"
    human = f"Question: {question}\n\nDraft answer: {direct}\n\nPolicy quotes:\n{quotes}"
    return [SystemMessage(content=SYSTEM_PROMPT.format(language=language)), HumanMessage(content=human)]


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
