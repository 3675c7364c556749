import pytest

from bot.cli import main
from bot.errors import ConfigError
from bot.settings import load_settings


def test_version_prints(capsys):
    assert main(["version"]) == 0
    assert capsys.readouterr().out.startswith("privacybot ")


@pytest.mark.parametrize(
    "env, field",
    [
        ({"PRIVACYBOT_PORT": "0"}, "port"),
        ({"PRIVACYBOT_MODE": "prod"}, "mode"),
        ({"PRIVACYBOT_KB": "A B"}, "kb"),
        ({"PRIVACYBOT_RETENTION_DAYS": "never"}, "retention_days"),
    ],
)
def test_invalid_settings_name_the_field_and_the_fix(env, field):
    with pytest.raises(ConfigError) as err:
        load_settings(env)
    assert f"'{field}'" in str(err.value)
    assert f"PRIVACYBOT_{field.upper()}" in str(err.value)


def test_config_file_then_env_override(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("retention_days: 10\nport: 9000\n")
    s = load_settings({"PRIVACYBOT_CONFIG": str(cfg), "PRIVACYBOT_PORT": "9100"})
    assert s.retention_days == 10 and s.port == 9100


def test_unreadable_config_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="Cannot read config file"):
        load_settings({"PRIVACYBOT_CONFIG": str(tmp_path / "missing.yaml")})
