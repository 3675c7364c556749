"""Per-site configuration: which web origins may embed the widget, in which language, with
which colours, from which knowledge base (`kb`, the school's own policy) and which policy page
(`policy_url`, else the server renders /policy/<kb>); plus the server's request limits and its
`server:` section (trusted proxies, slow-client timeouts). A YAML file validated at load (pydantic).

Default file: `ui/sites.yaml`; `settings.sites_file` (PRIVACYBOT_SITES_FILE) overrides it.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.errors import ConfigError
from bot.yamlfile import load_mapping

DEFAULT_SITES_FILE = Path(__file__).with_name("sites.yaml")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance of '#rrggbb'."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def normalise_origin(origin: str) -> str:
    """'https://www.ece.fr' exactly as browsers send it in the Origin header (no path, no slash)."""
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"origin '{origin}' must look like https://www.example.fr")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValueError(f"origin '{origin}' must have no path, query or credentials")
    if "*" in origin:
        raise ValueError(f"origin '{origin}': wildcards are not allowed; list each origin exactly")
    host = parts.netloc.lower()
    loopback = parts.hostname in ("localhost", "127.0.0.1", "::1") or parts.hostname.endswith(".localhost")
    if parts.scheme == "http" and not loopback:
        raise ValueError(f"origin '{origin}': plain http is only allowed for localhost; use https")
    default_port = {"http": 80, "https": 443}[parts.scheme]
    if parts.port == default_port:
        host = host.rsplit(":", 1)[0]
    return f"{parts.scheme}://{host}"


class Colours(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    primary: str = "#1F3A5F"  # launcher, header, the visitor's bubbles
    on_primary: str = "#FFFFFF"  # text on primary
    accent: str = "#B3261E"  # focus ring, links
    surface: str = "#FFFFFF"  # panel background
    text: str = "#1B1B1F"  # text on surface

    @field_validator("*")
    @classmethod
    def _hex(cls, v: str) -> str:
        if not _HEX.match(v):
            raise ValueError(f"colour '{v}' must be #rrggbb")
        return v.upper()

    @model_validator(mode="after")
    def _contrast(self) -> Colours:
        pairs = [("on_primary", "primary", 4.5), ("text", "surface", 4.5), ("accent", "surface", 4.5)]
        for fg, bg, need in pairs:
            ratio = contrast_ratio(getattr(self, fg), getattr(self, bg))
            if ratio < need:
                raise ValueError(
                    f"colours '{fg}' on '{bg}' have contrast {ratio:.2f}:1, below the WCAG AA {need}:1; "
                    "pick a darker or lighter colour"
                )
        return self


KB_NAME = r"^[a-z0-9][a-z0-9_-]{2,62}$"  # the same rule as Settings.kb


def check_policy_url(url: str) -> str:
    """An absolute https URL (http only for localhost), without credentials."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise ValueError(f"policy_url '{url}' must be an absolute URL like https://www.example.fr/privacy")
    loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if parts.scheme == "http" and not loopback:
        raise ValueError(f"policy_url '{url}': use https")
    return url.strip()


class Site(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    school: str = Field(min_length=2, max_length=120)
    origins: tuple[str, ...] = Field(min_length=1)
    default_lang: Literal["en", "fr"] = "fr"
    colours: Colours = Colours()
    audience: str | None = Field(None, pattern=r"^[a-z_]{3,40}$", description="Default audience hint.")
    kb: str | None = Field(None, pattern=KB_NAME,
                           description="Knowledge base (the school's policy, `privacybot ingest --kb NAME`); "
                                       "default: the server's configured kb.")
    policy_url: str | None = Field(None, description="The school's own policy page; citations link there "
                                                     "instead of the server's /policy/<kb> page.")

    @field_validator("origins", mode="before")
    @classmethod
    def _origins(cls, v):
        if isinstance(v, str):
            v = [v]
        return tuple(normalise_origin(o) for o in v)

    @field_validator("policy_url")
    @classmethod
    def _policy_url(cls, v: str | None) -> str | None:
        return None if v is None else check_policy_url(v)

    def kb_name(self, default: str) -> str:
        """This site's knowledge base, `default` (settings.kb) when the site names none."""
        return self.kb or default


class Bucket(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    per_minute: float = Field(gt=0, le=1_000_000)
    burst: int = Field(ge=1, le=1_000_000)


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    per_ip: Bucket = Bucket(per_minute=60, burst=20)
    per_session: Bucket = Bucket(per_minute=20, burst=8)
    max_body_bytes: int = Field(16 * 1024, ge=1024, le=1024 * 1024)
    engine_timeout_s: float = Field(15.0, gt=0, le=300)


class Timeouts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    header_s: float = Field(10.0, gt=0, le=120, description="Request line + headers must arrive within this.")
    body_s: float = Field(20.0, gt=0, le=600, description="A request body must arrive within this (else 408).")
    keep_alive_s: int = Field(5, ge=1, le=120, description="Idle keep-alive connections close after this.")


class Server(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    trusted_proxies: tuple[str, ...] = Field(
        (), description="Addresses/networks of your reverse proxies: only their X-Forwarded-For/-Proto count.")
    timeouts: Timeouts = Timeouts()

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, v):
        if isinstance(v, str):
            v = [v]
        out = []
        for item in v or ():
            try:
                out.append(str(ipaddress.ip_network(str(item).strip(), strict=False)))
            except ValueError:
                raise ValueError(f"trusted proxy '{item}' must be an IP address or network like 10.0.0.0/8") from None
        return tuple(out)

    def is_trusted_proxy(self, host: str | None) -> bool:
        if not host or not self.trusted_proxies:
            return False
        try:
            addr = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(addr in ipaddress.ip_network(n) for n in self.trusted_proxies)


class SitesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default_site: str = "demo"
    limits: Limits = Limits()
    server: Server = Server()
    sites: dict[str, Site] = Field(min_length=1)

    @field_validator("sites")
    @classmethod
    def _names(cls, v: dict[str, Site]) -> dict[str, Site]:
        for name in v:
            if not re.match(r"^[a-z0-9][a-z0-9_-]{1,31}$", name):
                raise ValueError(f"site name '{name}' must be lowercase letters, digits, '-' or '_'")
        return v

    @model_validator(mode="after")
    def _default_exists(self) -> SitesConfig:
        if self.default_site not in self.sites:
            raise ValueError(f"default_site '{self.default_site}' is not one of the sites")
        return self

    @property
    def all_origins(self) -> frozenset[str]:
        return frozenset(o for site in self.sites.values() for o in site.origins)

    def kbs(self, default: str) -> list[str]:
        """Every knowledge base the sites use (`default` for sites that name none), sorted."""
        return sorted({site.kb_name(default) for site in self.sites.values()})

    def get(self, name: str | None) -> Site | None:
        return self.sites.get(name or self.default_site)

    def origin_allowed(self, origin: str, site: str | None = None) -> bool:
        """Exact match against one site's origins (or any site's when `site` is None)."""
        try:
            origin = normalise_origin(origin)
        except ValueError:
            return False
        if site is None:
            return origin in self.all_origins
        entry = self.sites.get(site)
        return entry is not None and origin in entry.origins


def load_sites(path: Path | None = None) -> SitesConfig:
    """Read and validate a sites file. Raises ConfigError naming the file, field and fix."""
    path = Path(path) if path else DEFAULT_SITES_FILE
    data = load_mapping(path, "sites file", shape=" with a 'sites:' section", empty_ok=False,
                        fix="Fix it or PRIVACYBOT_SITES_FILE.")
    try:
        return SitesConfig(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "file"
        msg = err["msg"].removeprefix("Value error, ")
        raise ConfigError(f"Sites file {path}: '{where}': {msg}.") from None
