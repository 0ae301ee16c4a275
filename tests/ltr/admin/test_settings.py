"""Path settings: file < environment < command line, clear errors, nothing written."""
import json
import subprocess
import sys

import pytest

from ltr.admin.settings import SETTINGS_KEYS, SettingsError, env_name, load_settings


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for key in SETTINGS_KEYS:
        monkeypatch.delenv(env_name(key), raising=False)
    (tmp_path / "settings.toml").write_text("")  # $PYTRACKING_SETTINGS must name an existing file
    monkeypatch.setenv("PYTRACKING_SETTINGS", str(tmp_path / "settings.toml"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_env_names_follow_the_key():
    assert env_name("got10k_path") == "PYTRACKING_GOT10K_PATH"
    assert env_name("vot2018_path") == "PYTRACKING_VOT2018_PATH"


def test_precedence_default_file_env_cli(clean_env, monkeypatch):
    s = load_settings()
    assert s.source("results_path") == "default"
    assert s.path("results_path") == clean_env / "results"
    assert s.get("vot2018_path") is None

    (clean_env / "settings.toml").write_text('vot2018_path = "/from/file"\nresults_path = "/file/results"\n')
    s = load_settings()
    assert s.get("vot2018_path") == "/from/file" and s.source("vot2018_path").startswith("file ")

    monkeypatch.setenv("PYTRACKING_VOT2018_PATH", "/from/env")
    s = load_settings()
    assert s.get("vot2018_path") == "/from/env" and s.source("vot2018_path") == "env PYTRACKING_VOT2018_PATH"
    assert s.get("results_path") == "/file/results"

    s = load_settings({"vot2018_path": "/from/cli", "results_path": None})
    assert s.get("vot2018_path") == "/from/cli" and s.source("vot2018_path") == "command line"
    assert s.get("results_path") == "/file/results"


def test_missing_key_error_says_how_to_set_it(clean_env):
    with pytest.raises(SettingsError) as err:
        load_settings().dataset_root("lasot_path")
    msg = str(err.value)
    assert "lasot_path" in msg and "PYTRACKING_LASOT_PATH" in msg and "settings.toml" in msg


def test_wrong_path_error_names_value_and_source(clean_env, monkeypatch):
    monkeypatch.setenv("PYTRACKING_GOT10K_PATH", str(clean_env / "nope"))
    with pytest.raises(SettingsError) as err:
        load_settings().dataset_root("got10k_path")
    msg = str(err.value)
    assert "got10k_path" in msg and str(clean_env / "nope") in msg and "env PYTRACKING_GOT10K_PATH" in msg


def test_existing_dataset_root_resolves(clean_env, monkeypatch):
    (clean_env / "davis").mkdir()
    monkeypatch.setenv("PYTRACKING_DAVIS_PATH", str(clean_env / "davis"))
    assert load_settings().dataset_root("davis_path") == clean_env / "davis"


def test_unknown_keys_are_rejected(clean_env):
    (clean_env / "settings.toml").write_text('vot2018 = "/x"\n')
    with pytest.raises(SettingsError, match="unknown key 'vot2018'"):
        load_settings()
    (clean_env / "settings.toml").write_text("")
    with pytest.raises(SettingsError, match="unknown settings key"):
        load_settings({"votpath": "/x"})


def test_bad_toml_names_the_file(clean_env):
    (clean_env / "settings.toml").write_text("results_path = \n")
    with pytest.raises(SettingsError, match="settings.toml"):
        load_settings()


def test_cli_prints_every_key_with_its_source(clean_env, monkeypatch):
    monkeypatch.setenv("PYTRACKING_OTB_PATH", "/data/otb")
    out = subprocess.run([sys.executable, "-m", "pytracking.settings", "--json"], check=True, capture_output=True,
                         text=True).stdout
    data = json.loads(out)
    assert set(data) == set(SETTINGS_KEYS)
    assert data["otb_path"] == {"value": "/data/otb", "source": "env PYTRACKING_OTB_PATH"}
    table = subprocess.run([sys.executable, "-m", "pytracking.settings"], check=True, capture_output=True,
                           text=True).stdout
    assert all(key in table for key in SETTINGS_KEYS)
    assert not any(p.suffix == ".py" for p in clean_env.rglob("*")), "settings must never write Python files"
