import pytest

from bot.catalogue import catalogue, load_catalogue, t
from bot.errors import ConfigError


def test_every_key_has_both_languages():
    for key, entry in catalogue().items():
        assert entry["en"].strip() and entry["fr"].strip(), key


@pytest.mark.parametrize("lang, expected", [("en", "English and French"), ("fr", "anglais et en français"), ("de", "English")])
def test_lookup_by_language_falls_back_to_english(lang, expected):
    assert expected in t("languages_supported", lang)


@pytest.mark.parametrize(
    "content, message",
    [
        ("k:\n  en: hi\n", "needs both"),
        ("k:\n  en: 'hi {name}'\n  fr: 'salut'\n", "placeholders"),
        ("- a\n", "mapping"),
    ],
)
def test_bad_catalogue_files_are_rejected_with_the_key(tmp_path, content, message):
    (tmp_path / "x.yaml").write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_catalogue(tmp_path)


def test_duplicate_key_across_files_is_rejected(tmp_path):
    (tmp_path / "a.yaml").write_text("k: {en: a, fr: a}\n")
    (tmp_path / "b.yaml").write_text("k: {en: b, fr: b}\n")
    with pytest.raises(ConfigError, match="both a.yaml and b.yaml"):
        load_catalogue(tmp_path)
