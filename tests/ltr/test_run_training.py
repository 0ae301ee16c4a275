"""Recipes, the training CLI end to end on synthetic YouTube-VOS (train, resume, evaluate), and the DMB path."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

import ltr
from ltr.admin.checkpoint import list_checkpoints, load_checkpoint, load_network
from ltr.admin.settings import SettingsError
from ltr.evaluate_segmentation import run as evaluate_run
from ltr.models import describe
from ltr.run_training import main
from ltr.train_settings import TrainSettings, available_recipes, load_recipe

SMALL = ["--set", "sampler.samples_per_epoch=8", "--set", "processing.output_size=64", "--batch-size", "4",
         "--workers", "0", "--no-progress", "--threads", "1"]


@pytest.fixture(scope="module")
def ytvos(make_synthetic):
    return make_synthetic("youtubevos", sequences=3, frames=12, seed=0, size=(160, 96))


def test_every_recipe_loads_with_a_valid_net_config():
    names = available_recipes()
    assert {"segm/segm_default", "segm/d3s_default", "dmb/dmb_default", "segm/segm_tiny", "segm/d3s_tiny",
            "dmb/dmb_tiny"} <= set(names)
    for name in names:
        settings, _ = load_recipe(*name.split("/"))
        assert settings.name == name and describe(settings.net)["arch"] in ("d3s", "cmedfl", "dmb")
    cmedfl, _ = load_recipe("segm", "segm_default")
    assert (cmedfl.epochs, cmedfl.batch_size, cmedfl.processing.output_size, cmedfl.lr_step, cmedfl.lr_gamma) == (
        50, 64, 384, 15, 0.2)
    assert cmedfl.lr == {"predictor": 1e-3, "feat_adjust": 8e-4} and cmedfl.sampler.samples_per_epoch == 64000
    dmb, _ = load_recipe("dmb", "dmb_tiny")
    assert (dmb.sampler.mode, dmb.sampler.num_frames, dmb.sampler.samples_per_epoch, dmb.sampler.min_frames) == (
        "sequence", 3, 1024, 10)
    assert dmb.processing.output_size == 128 and dmb.batch_size == 8


def test_settings_reject_unknown_keys_and_wrong_types():
    settings, _ = load_recipe("segm", "segm_tiny")
    with pytest.raises(SettingsError, match="unknown key.*learning_rate"):
        settings.replace(learning_rate=1.0)
    with pytest.raises(SettingsError, match="'epochs' must be int"):
        settings.replace(epochs="ten")
    with pytest.raises(SettingsError, match="'amp' must be bool"):
        settings.with_text_overrides(["amp=1"])
    assert settings.with_text_overrides(["lr_gamma=1", "betas=[0.8, 0.9]"]).betas == (0.8, 0.9)
    with pytest.raises(SettingsError, match="no training recipe 'segm/nope'.*segm/segm_default"):
        load_recipe("segm", "nope")
    assert isinstance(TrainSettings(net={"arch": "d3s"}).lr_gamma, float)


def test_cli_trains_resumes_and_evaluates(tmp_path, ytvos, capsys):
    ws = tmp_path / "ws"
    args = ["segm", "segm_tiny", "--workspace", str(ws), "--data", str(ytvos), *SMALL]
    assert main(args + ["--epochs", "1"]) == 0
    ckpt_dir = ws / "checkpoints" / "segm" / "segm_tiny"
    assert [e for e, _ in list_checkpoints(ckpt_dir)] == [1]
    assert main(args + ["--epochs", "2"]) == 0
    assert "resuming from" in capsys.readouterr().out
    assert [e for e, _ in list_checkpoints(ckpt_dir)] == [1, 2]
    recorded = json.loads((ckpt_dir / "settings.json").read_text())
    assert recorded["processing"]["output_size"] == 64 and recorded["epochs"] == 2
    path = ckpt_dir / "CMEDFLNet_ep0002.pth"
    payload = load_checkpoint(path)
    assert payload["meta"]["train_settings"]["sampler"]["samples_per_epoch"] == 8
    assert TrainSettings.from_dict(payload["meta"]["train_settings"]).processing.output_size == 64
    net, config = load_network(path)
    assert config["arch"] == "cmedfl" and config["backbone"] == "efficientnet_lite0" and config["frozen_backbone"]
    assert "backbone_source" in payload  # head-only: the frozen trunk is the installed package's
    result = evaluate_run(path, ytvos, samples=4)
    assert 0 <= result["trained_iou"] <= 1 and 0 <= result["untrained_iou"] <= 1 and result["output_size"] == 64
    assert any((ws / "tensorboard" / "segm" / "segm_tiny").iterdir())
    (cache,) = (ws / "cache").iterdir()  # per-video boxes cached for the next run
    assert cache.name.startswith("youtubevos2018-") and any(cache.iterdir())


def test_dmb_sequence_mode_runs(tmp_path, ytvos):
    ws = tmp_path / "ws"
    assert main(["dmb", "dmb_tiny", "--workspace", str(ws), "--data", str(ytvos), "--epochs", "1", *SMALL]) == 0
    payload = load_checkpoint(ws / "checkpoints" / "dmb" / "dmb_tiny" / "DMBNet_ep0001.pth")
    assert payload["config"]["arch"] == "dmb" and payload["meta"]["global_step"] == 2


def test_tiny_recipe_generates_synthetic_data_when_no_root(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("PYTRACKING_YOUTUBEVOS_PATH", raising=False)
    (tmp_path / "none.toml").write_text("")
    monkeypatch.setenv("PYTRACKING_SETTINGS", str(tmp_path / "none.toml"))
    synthetic = json.dumps({"sequences": 2, "frames": 12, "seed": 3, "size": [128, 96]})
    rc = main(["segm", "d3s_tiny", "--workspace", str(tmp_path / "ws"), "--epochs", "1", "--set",
               f"synthetic={synthetic}", "--set", "sampler.min_visible=2", *SMALL])
    out = capsys.readouterr().out
    assert rc == 0 and "generating synthetic YouTube-VOS" in out
    assert (tmp_path / "ws" / "synthetic" / "youtubevos-frames12-seed3-sequences2-size128x96" / "train").is_dir()
    # a full-size recipe never falls back to synthetic data
    rc = main(["segm", "segm_default", "--workspace", str(tmp_path / "ws2"), "--device", "cpu"])
    assert rc == 2 and "youtubevos_path" in capsys.readouterr().err


def test_unknown_override_and_script_from_ltr_folder(tmp_path, capsys):
    assert main(["segm", "segm_tiny", "--workspace", str(tmp_path), "--set", "lr_decay=0.1"]) == 2
    assert "unknown key(s) lr_decay" in capsys.readouterr().err
    assert main(["segm", "segm_tiny", "--workspace", str(tmp_path), "--set", "processing.output_sz=1"]) == 2
    err = capsys.readouterr().err
    assert "unknown key(s) processing.output_sz" in err and "processing.output_size" in err
    ltr_dir = Path(ltr.__file__).parent
    out = subprocess.run([sys.executable, "run_training.py", "segm", "nope"], cwd=ltr_dir, capture_output=True,
                         text=True)
    assert out.returncode == 2 and "no training recipe 'segm/nope'" in out.stderr
