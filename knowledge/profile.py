"""Per-policy profiles (`knowledge/profiles/<name>.yaml`): what is specific to one policy's layout
and wording (part titles → audiences, section kinds, rights and contact sections), validated at
load. A new school with its own layout = a new profile file, no Python."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from knowledge.config import load_yaml
from knowledge.errors import ConfigError

PROFILES_DIR = Path(__file__).with_name("profiles")
LAYOUTS = ("numbered-parts", "generic")


@dataclass(frozen=True)
class Profile:
    name: str
    layout: str
    data: dict = field(repr=False, compare=False)
    parts: tuple[tuple[re.Pattern, str], ...] = ()
    sections: dict[str, str] = field(default_factory=dict)  # numeral -> slug
    topics: dict[str, str] = field(default_factory=dict)  # slug -> description (generic layout)
    rights_section: str = ""
    contact_sections: tuple[str, ...] = ()

    @property
    def audiences(self) -> tuple[str, ...]:
        """The audience parts this layout knows, in profile order."""
        return tuple(dict.fromkeys(aud for _, aud in self.parts))

    def part_audience(self, title: str) -> str | None:
        return next((aud for rx, aud in self.parts if rx.search(title)), None)

    def regex(self, *path: str) -> re.Pattern:
        node = self.data
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, str):
            raise ConfigError(f"Profile '{self.name}': missing pattern {'.'.join(path)}. Add it to the profile file.")
        return _compile(node, self.name, ".".join(path))


def _compile(pattern: str, name: str, where: str, flags: int = 0) -> re.Pattern:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ConfigError(f"Profile '{name}': bad regular expression at {where} ({exc}). Fix the profile file.") from None


def profile_from_dict(data: dict, where: str = "profile") -> Profile:
    name = data.get("name")
    layout = data.get("layout")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{where}: 'name' is required. Fix the profile file.")
    if layout not in LAYOUTS:
        raise ConfigError(f"{where}: 'layout' must be one of {', '.join(LAYOUTS)}. Fix the profile file.")
    parts = []
    for i, entry in enumerate(data.get("parts") or []):
        if not isinstance(entry, dict) or not isinstance(entry.get("match"), str) or not entry.get("audience"):
            raise ConfigError(f"{where}: parts[{i}] needs 'match' (regex) and 'audience'. Fix the profile file.")
        parts.append((_compile(entry["match"], name, f"parts[{i}]", re.I), str(entry["audience"])))
    sections = data.get("sections") or {}
    topics = data.get("topics") or {}
    if not isinstance(sections, dict) or not isinstance(topics, dict):
        raise ConfigError(f"{where}: 'sections' and 'topics' must be mappings. Fix the profile file.")
    if layout == "numbered-parts" and (not parts or not sections):
        raise ConfigError(f"{where}: a numbered-parts profile needs 'parts' and 'sections'. Fix the profile file.")
    contact = data.get("contact_sections") or []
    if not isinstance(contact, list):
        raise ConfigError(f"{where}: 'contact_sections' must be a list of section ids. Fix the profile file.")
    return Profile(name=name, layout=layout, data=data, parts=tuple(parts),
                   sections={str(k): str(v) for k, v in sections.items()},
                   topics={str(k): str(v) for k, v in topics.items()},
                   rights_section=str(data.get("rights_section") or ""), contact_sections=tuple(map(str, contact)))


@lru_cache(maxsize=16)
def load_profile(name_or_path: str) -> Profile:
    """A profile by name (`knowledge/profiles/<name>.yaml`) or by path."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = PROFILES_DIR / f"{name_or_path}.yaml"
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in PROFILES_DIR.glob("*.yaml")))
            raise ConfigError(f"Unknown policy profile '{name_or_path}'; use one of {known} or a path to a .yaml file.")
    return profile_from_dict(load_yaml(path, "policy profile"), str(path))


def builtin_profiles() -> list[Profile]:
    """Every bundled profile, layout-specific ones first (the generic one last)."""
    found = [load_profile(p.stem) for p in sorted(PROFILES_DIR.glob("*.yaml"))]
    return sorted(found, key=lambda p: p.layout == "generic")
