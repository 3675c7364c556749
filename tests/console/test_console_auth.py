"""Console password: production needs one, local mode generates a one-time one, guessing is throttled."""

from __future__ import annotations

import io

import pytest

from bot.errors import ConfigError
from bot.settings import load_settings
from ui import console


@pytest.fixture(autouse=True)
def _fresh_generated_password(monkeypatch):
    monkeypatch.setattr(console, "_generated_password", None)


def test_production_without_password_is_a_config_error_that_says_how_to_fix():
    settings = load_settings({"PRIVACYBOT_MODE": "production"})
    with pytest.raises(ConfigError) as err:
        console.console_auth(settings)
    assert "PRIVACYBOT_CONSOLE_PASSWORD" in str(err.value)


@pytest.mark.parametrize("mode", ["local", "production"])
def test_configured_password_is_required_and_nothing_is_generated(mode):
    settings = load_settings({"PRIVACYBOT_MODE": mode, "PRIVACYBOT_CONSOLE_PASSWORD": "s3cret-staff"})
    auth, generated = console.console_auth(settings)
    assert generated is None
    assert auth("staff", "s3cret-staff") is True
    assert auth("anyone", "s3cret-staff") is True
    assert auth("staff", "wrong") is False
    assert auth("staff", "") is False
    assert auth("", "s3cret-staff") is False  # a user name is required
    assert "s3cret" not in repr(auth)


def test_local_mode_generates_one_password_per_process_and_prints_it_on_stderr_only():
    settings = load_settings({"PRIVACYBOT_MODE": "local"})
    auth, generated = console.console_auth(settings)
    assert generated and len(generated) >= 20
    assert auth("staff", generated) is True
    assert auth("staff", generated + "x") is False
    _, again = console.console_auth(settings)
    assert again == generated  # serve + console in one process share it
    stream = io.StringIO()
    console.print_password_notice(generated, "http://127.0.0.1:7860/", stream=stream)
    assert generated in stream.getvalue() and "127.0.0.1:7860" in stream.getvalue()


def test_repeated_wrong_passwords_lock_the_login_for_a_while():
    auth = console.PasswordCheck("right-password")
    for _ in range(console.MAX_FAILED_LOGINS):
        assert auth("x", "guess") is False
    assert auth("x", "right-password") is False  # throttled, even with the right password


def test_mount_kwargs_turn_off_monitoring_history_and_share_links(settings):
    kwargs = console.mount_kwargs(settings, auth=console.PasswordCheck("p"))
    assert kwargs["enable_monitoring"] is False
    assert kwargs["run_history"] is False
    assert kwargs["footer_links"] == []
    assert kwargs["mcp_server"] is False
    assert kwargs["allowed_paths"] == [str(settings.reports_dir)]


def test_cli_refuses_to_start_in_production_without_a_password(monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("PRIVACYBOT_MODE", "production")
    assert main(["console", "--port", "7999"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and "PRIVACYBOT_CONSOLE_PASSWORD" in err and "Traceback" not in err


def test_built_console_carries_its_password_and_prints_a_generated_one_once(settings, capsys):
    first = console.build_console(settings, engine=object(), store=object(), guard=object())
    second = console.build_console(settings, engine=object(), store=object(), guard=object())
    password = console._generated_password
    assert capsys.readouterr().err.count(password) == 1
    for blocks in (first, second):
        assert blocks.auth("staff", password) is True and blocks.auth("staff", "nope") is False
        blocks.auth = None  # what a mount without auth= does: the console keeps its own
        assert blocks.auth is not None and blocks.run_history is False


def test_console_cannot_be_built_in_production_without_a_password():
    settings = load_settings({"PRIVACYBOT_MODE": "production"})
    with pytest.raises(ConfigError):
        console.build_console(settings, engine=object(), store=object(), guard=object())
