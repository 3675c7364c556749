"""Optional generative mode with a scripted fake chat model (never the network)."""

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from bot.errors import ConfigError
from bot.llm import parse_spec
from bot.settings import Settings

SEEN: list[str] = []


class Recording(GenericFakeChatModel):
    """Records every prompt it receives (in SEEN)."""

    def _generate(self, messages, *args, **kwargs):
        SEEN.append("\n".join(str(m.content) for m in messages))
        return super()._generate(messages, *args, **kwargs)


class Broken(GenericFakeChatModel):
    def _generate(self, messages, *args, **kwargs):
        raise ConnectionError("model server down")


def _engine(retriever, guard, model):
    from bot.engine import Engine

    return Engine(Settings(), retriever=retriever, guard=guard, llm=model)


@pytest.mark.parametrize(
    "reply, status, shown",
    [
        ("Video surveillance images are kept for 30 days and then deleted.", "used", "kept for 30 days and then"),
        ("Video surveillance images are kept for 90 days.", "rejected", "In short: 30 days"),  # invented figure
        ("Contact privacy@evil.example for details.", "rejected", "In short: 30 days"),  # invented email
    ],
)
def test_llm_rephrasing_is_grounding_checked(retriever, guard, reply, status, shown):
    model = Recording(messages=iter([AIMessage(content=reply)]))
    a = _engine(retriever, guard, model).ask("How long do you keep CCTV footage?")
    assert a.trace["llm"] == status
    assert shown in a.text
    assert a.citations and a.citations[0].section_id == "cctv/VII-storage"  # citations kept


def test_llm_errors_fall_back_to_the_extractive_answer(retriever, guard):
    a = _engine(retriever, guard, Broken(messages=iter([]))).ask("How long do you keep CCTV footage?")
    assert a.trace["llm"] == "error" and "In short: 30 days" in a.text


def test_llm_only_ever_receives_redacted_text(retriever, guard):
    canary = "canary.person@example.com"
    model = Recording(messages=iter([AIMessage(content="Images are kept for 30 days.")]))
    SEEN.clear()
    a = _engine(retriever, guard, model).ask(f"I am {canary}, how long do you keep CCTV footage of me?")
    assert a.trace["llm"] == "used" and SEEN, "the model was called"
    assert all(canary not in prompt for prompt in SEEN)
    assert any("[EMAIL_ADDRESS]" in prompt for prompt in SEEN)


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("ollama:llama3.1", ("ollama", "llama3.1", None)),
        ("openai:gpt-4o-mini@http://host:8000/v1", ("openai", "gpt-4o-mini", "http://host:8000/v1")),
    ],
)
def test_llm_spec_parsing(spec, expected):
    assert parse_spec(spec) == expected


@pytest.mark.parametrize("spec", ["llama3", "mistral:7b", "openai:", "openai:m@ftp://x"])
def test_bad_llm_spec_is_a_config_error_saying_how_to_fix(spec):
    with pytest.raises(ConfigError, match="PRIVACYBOT_LLM"):
        parse_spec(spec)
