"""Optional generative mode with a scripted fake chat model (never the network)."""

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from bot.errors import ConfigError
from bot.llm import parse_spec

SEEN: list[str] = []


class Recording(GenericFakeChatModel):
    """Records every prompt it receives (in SEEN)."""

    def _generate(self, messages, *args, **kwargs):
        SEEN.append("\n".join(str(m.content) for m in messages))
        return super()._generate(messages, *args, **kwargs)


class Broken(GenericFakeChatModel):
    def _generate(self, messages, *args, **kwargs):
        raise ConnectionError("model server down")


QUESTION = "data derived from videosurveillance and videoprotection systems stored period"


def _engine(fake_kb, model):
    from bot.engine import Engine
    from tests.fakes import FakeGuard

    settings, retriever = fake_kb
    return Engine(settings, retriever=retriever, guard=FakeGuard(), llm=model)


@pytest.mark.parametrize(
    "reply, status, shown",
    [
        ("Video surveillance images are kept for 30 days and then deleted.", "used", "kept for 30 days and then"),
        ("Video surveillance images are kept for 90 days.", "rejected", "(30) days"),  # invented figure
        ("Contact privacy@evil.example for details.", "rejected", "(30) days"),  # invented email
    ],
)
def test_llm_rephrasing_is_grounding_checked(fake_kb, reply, status, shown):
    model = Recording(messages=iter([AIMessage(content=reply)]))
    a = _engine(fake_kb, model).ask(QUESTION, lang="en")
    assert a.trace["llm"] == status
    assert shown in a.text
    assert a.citations and a.citations[0].section_id == "cctv/VII-storage"  # citations kept


def test_llm_errors_fall_back_to_the_extractive_answer(fake_kb):
    a = _engine(fake_kb, Broken(messages=iter([]))).ask(QUESTION, lang="en")
    assert a.trace["llm"] == "error" and "(30) days" in a.text


def test_llm_only_ever_receives_redacted_text(fake_kb):
    canary = "canary.person@example.com"
    model = Recording(messages=iter([AIMessage(content="Images are kept for 30 days.")]))
    SEEN.clear()
    a = _engine(fake_kb, model).ask(f"I am {canary}, {QUESTION}", lang="en")
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


def test_any_langchain_provider_is_built_through_init_chat_model_without_a_call():
    from bot.llm import make_chat_model

    model = make_chat_model("openai:test-model@http://127.0.0.1:9/v1", timeout_s=1)
    assert type(model).__name__ == "ChatOpenAI" and model.model_name == "test-model"


@pytest.mark.parametrize("spec", ["llama3", "openai:", "openai:m@ftp://x", "Bad Provider:x"])
def test_bad_llm_spec_is_a_config_error_saying_how_to_fix(spec):
    with pytest.raises(ConfigError, match="PRIVACYBOT_LLM"):
        parse_spec(spec)
