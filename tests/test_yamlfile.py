import pytest

from bot.errors import ConfigError
from bot.yamlfile import load_mapping


@pytest.mark.parametrize(
    "content, empty_ok, message",
    [
        (None, True, "Cannot read sites file"),  # missing file
        ("sites: [unclosed", True, "is not valid YAML"),
        ("- a\n- b\n", True, "must be a mapping with a 'sites:' section"),
        ("", False, "must be a mapping"),
        (b"\xff\xfe\x00bad", True, "is not UTF-8 text"),
    ],
)
def test_bad_yaml_files_name_the_file_and_the_fix(tmp_path, content, empty_ok, message):
    path = tmp_path / "sites.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError) as err:
        load_mapping(path, "sites file", shape=" with a 'sites:' section", fix="Fix PRIVACYBOT_SITES_FILE.",
                     empty_ok=empty_ok)
    assert message in str(err.value) and str(path) in str(err.value)
    assert str(err.value).endswith("Fix PRIVACYBOT_SITES_FILE.")


@pytest.mark.parametrize("content, expected", [("", {}), ("a: 1\n", {"a": 1})])
def test_mappings_and_empty_files_load(tmp_path, content, expected):
    path = tmp_path / "x.yaml"
    path.write_text(content)
    assert load_mapping(path, "config file") == expected
