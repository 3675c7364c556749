"""The UI's EN/FR strings: the bot catalogue's `ui_*` keys (widget basics, prefix dropped) plus
`ui/strings/*.yaml` (the widget's, the policy page's and the console's own strings), validated
by the catalogue's loader (both languages, same placeholders, no key twice).

    tr("retry", "fr") -> "Réessayer"        widget_strings("fr", school) -> {key: text}
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from bot.catalogue import LANGS, catalogue, load_catalogue
from bot.errors import ConfigError

STRINGS_DIR = Path(__file__).with_name("strings")
_PREFIX = "ui_"


@lru_cache(maxsize=1)
def ui_catalogue() -> dict[str, dict[str, str]]:
    merged = {key[len(_PREFIX):]: entry for key, entry in catalogue().items() if key.startswith(_PREFIX)}
    for key, entry in load_catalogue(STRINGS_DIR).items():
        if key in merged:
            raise ConfigError(f"UI string '{key}' is defined in both bot/catalogue/ui.yaml and ui/strings/; keep one.")
        merged[key] = entry
    return merged


def lang_of(lang: str | None) -> str:
    return lang if lang in LANGS else "en"


def tr(key: str, lang: str | None = "en", **values) -> str:
    """The UI string `key` in `lang` (anything but 'fr' gets English), `{placeholders}` filled."""
    try:
        text = ui_catalogue()[key][lang_of(lang)]
    except KeyError:
        raise KeyError(f"Unknown UI string '{key}'; add it to a ui/strings/*.yaml file.") from None
    return text.format(**values) if values else text


def widget_strings(lang: str, school: str) -> dict[str, str]:
    """Every widget string in `lang`, `{school}` filled in, other placeholders kept for the widget."""
    return {key: entry[lang_of(lang)].replace("{school}", school)
            for key, entry in ui_catalogue().items() if not key.startswith(("console_", "policy_"))}


def citation_labels(lang: str) -> dict[str, dict[str, str]]:
    """Translated names the widget builds a citation's short label from until the engine sends
    `label`: audiences (catalogue `aud_*`) and numbered sections (`sec_*`)."""
    lang = lang_of(lang)
    out: dict[str, dict[str, str]] = {"audience": {}, "section": {}}
    for key, entry in catalogue().items():
        for prefix, kind in (("aud_", "audience"), ("sec_", "section")):
            if key.startswith(prefix):
                text = entry[lang]
                out[kind][key[len(prefix):]] = text[:1].upper() + text[1:]
    return out
