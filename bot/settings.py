"""Settings: data, validated at load. Sources, later wins: defaults < YAML file
(`PRIVACYBOT_CONFIG`) < environment (`PRIVACYBOT_<FIELD>`, upper case)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.errors import ConfigError
from bot.yamlfile import load_mapping

ENV_PREFIX = "PRIVACYBOT_"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    home: Path = Field(Path("var"), description="Data dir: indexes, conversation database, reports.")
    kb: str = Field("omnes", pattern=r"^[a-z0-9][a-z0-9_-]{2,62}$", description="Default knowledge base.")
    mode: Literal["local", "production"] = Field("local", description="production requires explicit secrets.")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default: SQLite under home.")
    chroma_url: str | None = Field(None, description="Chroma server URL (http://host:port) shared by several "
                                   "processes; default: a local index under home.")
    keystore_url: str | None = Field(None, description="Where per-session encryption keys live (a separate "
                                     "database); default: a key file store under home.")
    exports_dir: Path | None = Field(None, description="Private directory for conversation exports; default: "
                                     "under home.")
    retention_days: int = Field(30, ge=1, le=3650, description="Conversations older than this are purged.")
    llm: str | None = Field(None, description="Optional chat model, e.g. 'ollama:llama3' or 'openai:MODEL@URL'.")
    llm_timeout_s: float = Field(20.0, gt=0, le=300)
    console_password: str | None = Field(None, description="Staff console password (required in production).")
    sites_file: Path | None = Field(None, description="Per-site YAML (origins, language, colours).")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    max_message_chars: int = Field(2000, ge=100, le=100_000)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("home", mode="after")
    @classmethod
    def _absolute_home(cls, v: Path) -> Path:
        return v.expanduser().resolve()

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'conversations.sqlite3'}"

    def kb_dir(self, kb: str | None = None) -> Path:
        return self.home / "kb" / (kb or self.kb)

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"


def _from_env(environ: dict[str, str]) -> dict[str, str]:
    fields = set(Settings.model_fields)
    out: dict[str, str] = {}
    for key, value in environ.items():
        if key.startswith(ENV_PREFIX):
            name = key[len(ENV_PREFIX):].lower()
            if name in fields and value != "":
                out[name] = value
    return out


def load_settings(environ: dict[str, str] | None = None, **overrides) -> Settings:
    """Build validated settings. Raises ConfigError with the field and the fix."""
    environ = dict(os.environ if environ is None else environ)
    data: dict = {}
    config_path = environ.get(ENV_PREFIX + "CONFIG")
    if config_path:
        data.update(load_mapping(config_path, "config file", shape=" of setting: value",
                                 fix="Fix it or PRIVACYBOT_CONFIG."))
    data.update(_from_env(environ))
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "settings"
        raise ConfigError(
            f"Invalid setting '{field}': {err['msg']}. Set {ENV_PREFIX}{field.upper()} "
            f"or fix it in the config file."
        ) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings (cached). Tests call load_settings() directly or clear the cache."""
    return load_settings()
