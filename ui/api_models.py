"""Request and response models of the HTTP API (they are what /openapi.json documents)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SESSION_ID = r"^[A-Za-z0-9_-]{8,64}$"
SITE_NAME = r"^[a-z0-9][a-z0-9_-]{1,31}$"
SESSION_TOKEN = r"^[A-Za-z0-9_-]{16,128}$"
EXCHANGE_ID = r"^[A-Za-z0-9_-]{4,64}$"


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(description="The visitor's question (checked by the guard before anything else).")
    session_id: str | None = Field(None, pattern=SESSION_ID, description="Omit to start a new conversation.")
    session_token: str | None = Field(None, pattern=SESSION_TOKEN,
                                      description="The session's secret (from the first answer); needed with session_id.")
    lang: Literal["en", "fr"] | None = Field(None, description="Answer language; detected when omitted.")
    site: str | None = Field(None, pattern=SITE_NAME, description="Site name from the sites file.")
    audience: str | None = Field(None, pattern=r"^[a-z_]{3,40}$", description="Audience, e.g. from a quick reply.")


class CitationOut(BaseModel):
    section_id: str
    audience: str
    heading: str
    quote: str = Field(description="Exact policy text the answer rests on.")
    score: float
    label: str | None = Field(None, description="Short translated label, e.g. 'Étudiants · Conservation'.")
    start: int | None = Field(None, description="Offset of the quote in the policy source (/policy/<kb>?hl=start-end).")
    end: int | None = None
    kb: str | None = Field(None, description="Knowledge base (policy) the quote comes from.")


class FindingOut(BaseModel):
    entity: str
    start: int
    end: int
    score: float


class GuardOut(BaseModel):
    redacted_message: str
    findings: list[FindingOut]
    notice: str


class QuickReply(BaseModel):
    label: str
    value: str


class AnswerOut(BaseModel):
    session_id: str
    kind: Literal["answer", "refusal", "rights_request", "clarification", "greeting"]
    lang: str
    text: str
    citations: list[CitationOut]
    guard: GuardOut
    disclosure: str
    timings_ms: dict[str, float]
    quick_replies: list[QuickReply] = []
    exchange_id: str | None = Field(None, description="This answer's id: feedback refers to it.")
    session_token: str | None = Field(None, description="Secret of the session: send it back to continue, "
                                                         "rate, export or erase the conversation.")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(pattern=SESSION_ID)
    session_token: str | None = Field(None, pattern=SESSION_TOKEN, description="The session's secret.")
    exchange_id: str | None = Field(None, pattern=EXCHANGE_ID,
                                    description="The rated answer; a later vote or comment on it replaces/attaches.")
    rating: Literal["up", "down"]
    comment: str | None = Field(None, max_length=1000, description="Optional; redacted by the guard before storage.")
    message_id: int | None = Field(None, ge=1, description="Rate one stored message of this session.")
    lang: Literal["en", "fr"] | None = None
    site: str | None = Field(None, pattern=SITE_NAME)


class FeedbackOut(BaseModel):
    ok: bool
    stored_comment: str | None = Field(None, description="The comment as stored (redacted).")
    notice: str = Field("", description="Guard notice when something was removed from the comment.")


class Theme(BaseModel):
    primary: str
    on_primary: str
    accent: str
    surface: str
    text: str


class ConfigOut(BaseModel):
    site: str
    school: str
    lang: Literal["en", "fr"]
    languages: list[str]
    theme: Theme
    strings: dict[str, str]
    max_message_chars: int
    kb: str | None = Field(None, description="The site's knowledge base (its policy).")
    policy_url: str | None = Field(None, description="The school's own policy page, if configured; else /policy/<kb>.")
    labels: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="Translated audience and section names for citation labels.")


class DeletedOut(BaseModel):
    deleted: bool
    session_id: str


class HealthOut(BaseModel):
    status: Literal["ok"]


class ReadyOut(BaseModel):
    ready: bool
    checks: dict[str, bool]
    detail: dict[str, str] = {}


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. rate_limited, bad_json, not_found.")
    message: str = Field(description="What went wrong and what to do. Never contains user text.")


class ErrorOut(BaseModel):
    error: ErrorBody


SessionExport = dict[str, Any]

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": desc}
    for status, desc in {
        400: "Bad JSON or unusable input",
        403: "Origin not allowed for this site",
        404: "Unknown session or site",
        413: "Request body too large",
        422: "Request does not match the schema",
        429: "Rate limited (see Retry-After)",
        503: "Index or models not ready",
        504: "The engine took too long",
    }.items()
}
