"""The per-site file is validated at load: exact origins, AA contrast, known keys only."""

from __future__ import annotations

import pytest
import yaml

from bot.errors import ConfigError
from ui.sites import DEFAULT_SITES_FILE, contrast_ratio, load_sites, normalise_origin


def write(tmp_path, data) -> object:
    path = tmp_path / "sites.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def site(**overrides):
    base = {"school": "ECE", "origins": ["https://www.ece.fr"], "default_lang": "fr"}
    base.update(overrides)
    return {"default_site": "ece", "sites": {"ece": base}}


def test_shipped_file_is_valid_and_has_real_looking_sites():
    cfg = load_sites(DEFAULT_SITES_FILE)
    assert {"ece", "inseec", "demo"} <= set(cfg.sites)
    assert cfg.sites["demo"].origins == ("http://127.0.0.1:8000", "http://localhost:8000")
    assert cfg.limits.max_body_bytes == 16 * 1024
    assert all(o.startswith("https://") for name, s in cfg.sites.items() if name != "demo" for o in s.origins)


@pytest.mark.parametrize(
    "data, fragment",
    [
        (site(origins=["*"]), "origins"),
        (site(origins=["https://*.ece.fr"]), "wildcard"),
        (site(origins=["http://www.ece.fr"]), "https"),
        (site(origins=["https://www.ece.fr/chat"]), "no path"),
        (site(origins=["www.ece.fr"]), "https://"),
        (site(origins=[]), "origins"),
        (site(colours={"primary": "#FFFF00", "on_primary": "#FFFFFF"}), "contrast"),
        (site(colours={"primary": "blue"}), "#rrggbb"),
        (site(default_lang="de"), "default_lang"),
        (site(theme="dark"), "theme"),  # unknown key
        ({"default_site": "nope", "sites": site()["sites"]}, "default_site"),
        ({"sites": {"ECE!": site()["sites"]["ece"]}}, "site name"),
        ({"limits": {"per_ip": {"per_minute": 0, "burst": 1}}, **site()}, "per_minute"),
        ("sites: [unclosed", "not valid YAML"),
        ("- just\n- a list\n", "mapping"),
    ],
)
def test_invalid_sites_file_is_a_config_error_naming_the_problem(tmp_path, data, fragment):
    with pytest.raises(ConfigError) as err:
        load_sites(write(tmp_path, data))
    assert fragment in str(err.value) and "sites.yaml" in str(err.value)


def test_missing_file_says_which_setting_to_fix(tmp_path):
    with pytest.raises(ConfigError, match="PRIVACYBOT_SITES_FILE"):
        load_sites(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    "origin, normalised",
    [
        ("https://WWW.ECE.FR", "https://www.ece.fr"),
        ("https://www.ece.fr/", "https://www.ece.fr"),
        ("https://www.ece.fr:443", "https://www.ece.fr"),
        ("https://www.ece.fr:8443", "https://www.ece.fr:8443"),
        ("http://localhost:8000", "http://localhost:8000"),
        ("http://school.localhost:8000", "http://school.localhost:8000"),
    ],
)
def test_origins_are_normalised_like_browsers_send_them(origin, normalised):
    assert normalise_origin(origin) == normalised


@pytest.mark.parametrize("fg, bg, expected", [("#000000", "#FFFFFF", 21.0), ("#FFFFFF", "#FFFFFF", 1.0),
                                               ("#767676", "#FFFFFF", 4.54)])
def test_contrast_ratio_follows_wcag(fg, bg, expected):
    assert contrast_ratio(fg, bg) == pytest.approx(expected, abs=0.01)


def test_settings_sites_file_overrides_the_default(tmp_path, make_app, ui_settings):
    from fastapi.testclient import TestClient

    from ui.server import create_app

    path = write(tmp_path, site(school="École Test"))
    settings = ui_settings.model_copy(update={"sites_file": path})
    with TestClient(create_app(settings, engine=make_app().state.ctx.engine)) as c:
        assert c.get("/api/config").json()["school"] == "École Test"
        assert c.get("/api/config?site=demo").status_code == 404
