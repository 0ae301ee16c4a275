"""The run_tracker command line: dataset selection, --sequence, --runid, --shard, --results; script and -m forms."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pytracking
from pytracking.run_tracker import main, parse_shard


@pytest.fixture(scope="module")
def got_root(make_synthetic):
    return make_synthetic("got10k", sequences=3, frames=4, size=(64, 48))


def test_runs_one_sequence_with_runid(got_root, tmp_path, capsys):
    rc = main(["fixedbox", "default", "--dataset", "gotv", "--root", str(got_root), "--sequence",
               "GOT-10k_Val_000002", "--runid", "3", "--results", str(tmp_path)])
    assert rc == 0
    out_dir = tmp_path / "fixedbox" / "default_003"
    assert sorted(p.name for p in out_dir.iterdir()) == ["GOT-10k_Val_000002.txt", "GOT-10k_Val_000002_time.txt"]
    assert np.loadtxt(out_dir / "GOT-10k_Val_000002.txt", delimiter=",").shape == (4, 4)
    assert "1 of 1" in capsys.readouterr().out


def test_sequence_by_index_and_shard(got_root, tmp_path):
    assert main(["fixedbox", "default", "--dataset", "gotv", "--root", str(got_root), "--sequence", "0",
                 "--results", str(tmp_path)]) == 0
    assert (tmp_path / "fixedbox" / "default" / "GOT-10k_Val_000001.txt").is_file()
    assert main(["fixedbox", "default", "--dataset", "gotv", "--root", str(got_root), "--shard", "1/2",
                 "--results", str(tmp_path / "s")]) == 0
    assert sorted(p.name for p in (tmp_path / "s" / "fixedbox" / "default").glob("*[0-9].txt")) == [
        "GOT-10k_Val_000002.txt"]


def test_clear_errors(got_root, tmp_path, capsys):
    assert main(["fixedbox", "default", "--dataset", "gotv", "--root", str(got_root), "--sequence", "nope",
                 "--results", str(tmp_path)]) == 2
    assert "error: --sequence nope: no such sequence" in capsys.readouterr().err
    assert main(["nope", "default", "--dataset", "gotv", "--root", str(got_root)]) == 2
    assert "unknown tracker 'nope'" in capsys.readouterr().err
    assert main(["fixedbox", "nope", "--dataset", "gotv", "--root", str(got_root), "--results", str(tmp_path)]) == 2
    assert "no parameter file 'nope'" in capsys.readouterr().err
    assert parse_shard("2/4") == (2, 4)
    with pytest.raises(Exception, match="0 <= i < n"):
        parse_shard("4/4")


def test_script_form_runs_from_inside_pytracking(got_root, tmp_path):
    package_dir = Path(pytracking.__file__).parent
    result = subprocess.run([sys.executable, "run_tracker.py", "fixedbox", "default", "--dataset", "gotv", "--root",
                             str(got_root), "--sequence", "GOT-10k_Val_000003", "--results", str(tmp_path)],
                            cwd=package_dir, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "fixedbox" / "default" / "GOT-10k_Val_000003_time.txt").is_file()


def test_segm_runs_from_the_command_line_with_parameter_overrides(make_synthetic, tmp_path, capsys):
    import torch

    from ltr.admin.checkpoint import save_checkpoint
    from ltr.models import build_net

    torch.manual_seed(0)
    net = build_net({"arch": "cmedfl", "backbone": "resnet18", "backbone_width": 8, "backbone_weights": "random",
                     "embed_dim": 16, "gat_channels": 8})
    ckpt = save_checkpoint(tmp_path / "tiny.pth", net, net.config)
    root = make_synthetic("vot", sequences=1, frames=4, size=(96, 72))
    rc = main(["segm", "default_params", "--dataset", "vot2018", "--root", str(root), "--results",
               str(tmp_path / "res"), "--set", f"net_path={ckpt}", "--set", "segm_output_sz=64",
               "--set", "dcf.sample_size=64", "--set", "dcf.search_area_scale=4.0", "--param",
               "dcf.compressed_dim=8", "--set", "dcf.init_cg_iter=4", "--set", "dcf.init_gn_iter=2"])
    assert rc == 0
    boxes = np.loadtxt(tmp_path / "res" / "segm" / "default_params" / "ants1.txt", delimiter=",")
    assert boxes.shape == (4, 4) and np.all(np.isfinite(boxes)) and np.all(boxes[:, 2:] > 0)
    assert main(["segm", "default_params", "--dataset", "vot2018", "--root", str(root), "--set", "nope=1"]) == 2
    assert "nope" in capsys.readouterr().err
