"""Console password: production needs one, a weak one is refused, local mode generates a one-time
one, and failed logins back off per client and per account (never for everyone)."""

from __future__ import annotations

import io

import pytest

from bot.errors import ConfigError
from bot.settings import load_settings
from ui import console, console_auth
from ui.console_auth import LoginThrottle, PasswordCheck, password_problem

STRONG = "correct-horse-battery-staple-42"


@pytest.fixture(autouse=True)
def _fresh_generated_password(monkeypatch):
    monkeypatch.setattr(console_auth, "_generated_password", None)


def test_production_without_password_is_a_config_error_that_says_how_to_fix():
    settings = load_settings({"PRIVACYBOT_MODE": "production"})
    with pytest.raises(ConfigError) as err:
        console_auth.console_auth(settings)
    assert "PRIVACYBOT_CONSOLE_PASSWORD" in str(err.value)


@pytest.mark.parametrize("password, problem", [
    ("s3cret", "at least 12"),
    ("aaaaaaaaaaaaaaaa", "repeats"),
    ("staffstaffstaff1", "repeats"),
    ("abcdefghijklm", "sequences"),
    ("motdepassedelecole", "10^12 needed"),
    ("s3cret-staff", "10^12 needed"),
    (STRONG, None),
    ("Tr0ub4dor&3-Zx9!", None),
    ("vqRBL0Jq8rX2GmkwhHNb8Q", None),
])
def test_password_strength_rule(password, problem):
    found = password_problem(password)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize("mode", ["local", "production"])
def test_a_weak_configured_password_is_refused_with_the_reason_and_the_fix(mode):
    settings = load_settings({"PRIVACYBOT_MODE": mode, "PRIVACYBOT_CONSOLE_PASSWORD": "s3cret-staff"})
    with pytest.raises(ConfigError) as err:
        console_auth.console_auth(settings)
    assert "too weak" in str(err.value) and "secrets.token_urlsafe" in str(err.value)


@pytest.mark.parametrize("mode", ["local", "production"])
def test_configured_password_is_required_and_nothing_is_generated(mode):
    settings = load_settings({"PRIVACYBOT_MODE": mode, "PRIVACYBOT_CONSOLE_PASSWORD": STRONG})
    auth, generated = console_auth.console_auth(settings)
    assert generated is None
    assert auth("staff", STRONG) is True and auth("anyone", STRONG) is True
    assert auth("staff", "wrong") is False and auth("staff", "") is False
    assert auth("", STRONG) is False  # a user name is required
    assert "horse" not in repr(auth)


def test_local_mode_generates_one_password_per_process_and_prints_it_on_stderr_only():
    settings = load_settings({"PRIVACYBOT_MODE": "local"})
    auth, generated = console_auth.console_auth(settings)
    assert generated and len(generated) >= 20 and password_problem(generated) is None
    assert auth("staff", generated) is True and auth("staff", generated + "x") is False
    _, again = console_auth.console_auth(settings)
    assert again == generated  # serve + console in one process share it
    stream = io.StringIO()
    console_auth.print_password_notice(generated, "http://127.0.0.1:7860/console/", stream=stream)
    assert generated in stream.getvalue() and "127.0.0.1:7860" in stream.getvalue()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_failed_logins_back_off_per_client_and_per_account_not_for_everyone():
    clock = Clock()
    throttle = LoginThrottle(free=3, base_s=2.0, max_lock_s=60.0, clock=clock)
    for _ in range(3):
        assert throttle.retry_after("10.0.0.1", "staff") == 0
        throttle.failed("10.0.0.1", "staff")
    assert throttle.retry_after("10.0.0.1", "staff") == 0  # the free attempts are used up, no lock yet
    throttle.failed("10.0.0.1", "staff")
    assert throttle.retry_after("10.0.0.1", "staff") == pytest.approx(2.0)
    assert throttle.retry_after("10.0.0.1", "dpo") == pytest.approx(2.0)  # this client, any account
    assert throttle.retry_after("10.0.0.2", "staff") == pytest.approx(2.0)  # this account, any client
    assert throttle.retry_after("10.0.0.2", "dpo") == 0  # everyone else logs in as usual
    waits = []
    for _ in range(6):
        clock.now += 100
        throttle.failed("10.0.0.1", "staff")
        waits.append(throttle.retry_after("10.0.0.1", "x"))
    assert waits == [4.0, 8.0, 16.0, 32.0, 60.0, 60.0]  # doubling, capped
    throttle.succeeded("10.0.0.1", "staff")
    assert throttle.retry_after("10.0.0.1", "staff") == 0


def test_failures_are_forgotten_after_a_quiet_hour():
    clock = Clock()
    throttle = LoginThrottle(free=1, base_s=1.0, forget_s=3600, clock=clock)
    throttle.failed("a", "b")
    throttle.failed("a", "b")
    assert throttle.retry_after("a", "b") > 0
    clock.now += 3601
    assert throttle.retry_after("a", "b") == 0


def test_mount_kwargs_turn_off_monitoring_history_and_share_links_and_translate(settings):
    kwargs = console.mount_kwargs(settings, auth=PasswordCheck(STRONG))
    assert kwargs["enable_monitoring"] is False and kwargs["run_history"] is False
    assert kwargs["footer_links"] == [] and kwargs["mcp_server"] is False
    assert kwargs["allowed_paths"] == [str(settings.reports_dir)]
    assert kwargs["i18n"].translations_dict["fr"]["console_tab_attention"] == "À traiter"


def test_cli_refuses_to_start_in_production_without_a_password(monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("PRIVACYBOT_MODE", "production")
    assert main(["console", "--port", "7999"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and "PRIVACYBOT_CONSOLE_PASSWORD" in err and "Traceback" not in err


def test_built_console_carries_its_password_and_prints_a_generated_one_once(settings, capsys):
    first = console.build_console(settings, engine=object(), store=object(), guard=object())
    second = console.build_console(settings, engine=object(), store=object(), guard=object())
    password = console_auth._generated_password
    assert capsys.readouterr().err.count(password) == 1
    for blocks in (first, second):
        assert blocks.auth("staff", password) is True and blocks.auth("staff", "nope") is False
        blocks.auth = None  # what a mount without auth= does: the console keeps its own
        assert blocks.auth is not None and blocks.run_history is False


def test_console_cannot_be_built_in_production_without_a_password():
    settings = load_settings({"PRIVACYBOT_MODE": "production"})
    with pytest.raises(ConfigError):
        console.build_console(settings, engine=object(), store=object(), guard=object())
