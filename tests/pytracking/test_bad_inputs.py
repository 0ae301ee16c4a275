"""Bad input to the pytracking layer (issue 9): tracker init, run_tracker CLI, worker processes."""
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from pytracking.run_tracker import main as run_tracker_main
from pytracking.tracker.base import resolve_init_region


@pytest.mark.parametrize("box", [[10, 10, 0.1, 0.1], [10, 10, 1.5, 30], [-9, 5, 10, 10]])
def test_init_box_under_two_pixels_is_rejected(box):
    with pytest.raises(ValueError, match="smaller than 2 px"):
        resolve_init_region((48, 64), box=box)  # the last one is 1 px wide once clipped to the image
    assert resolve_init_region((48, 64), box=[10, 10, 2, 2]).box.tolist() == [10, 10, 2, 2]


def test_run_tracker_unknown_dataset_and_results_path_a_file(make_synthetic, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        run_tracker_main(["fixedbox", "default", "--dataset", "nosuchset"])
    assert exc.value.code == 2 and "argument --dataset: unknown dataset 'nosuchset'" in capsys.readouterr().err
    root = make_synthetic("otb", sequences=1, frames=4, size=(64, 48))
    (tmp_path / "res").write_text("")
    rc = run_tracker_main(["fixedbox", "default", "--dataset", "otb", "--root", str(root), "--results",
                           str(tmp_path / "res")])
    err = capsys.readouterr()
    assert rc == 2 and err.err.count("\n") == 1 and "is a file, but the results folder" in err.err
    assert "[done]" not in err.out  # refused before tracking anything


def test_workers_die_with_their_parent_on_sigkill(tmp_path):
    script = textwrap.dedent("""
        import multiprocessing, os, signal, sys, time
        from pytracking.evaluation.running import die_with_parent

        def child(parent):
            die_with_parent(parent)
            time.sleep(60)

        if __name__ == "__main__":
            p = multiprocessing.get_context("fork").Process(target=child, args=(os.getpid(),))
            p.start()
            print(p.pid, flush=True)
            time.sleep(0.5)
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    pid = int(out.stdout.split()[0])
    deadline = time.time() + 5
    while time.time() < deadline and _alive(pid):
        time.sleep(0.1)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return "\nState:\tZ" not in f.read()
    except FileNotFoundError:
        return False


# ---------------------------------------------------------------------------------------------- segmentation trackers
_TINY_CMEDFL = {"arch": "cmedfl", "backbone": "resnet18", "backbone_width": 8, "backbone_weights": "random",
                "embed_dim": 16, "gat_channels": 8}


def _tiny_segm(tmp_path, meta=None, **changes):
    """(Tracker wrapper, small segm parameters on a random tiny CMEDFL checkpoint saved with ``meta``)."""
    import torch

    from ltr.admin.checkpoint import save_checkpoint
    from ltr.models import build_net
    from pytracking.evaluation.tracker import Tracker

    torch.manual_seed(0)
    net = build_net(_TINY_CMEDFL)
    ckpt = save_checkpoint(tmp_path / "tiny.pth", net, net.config, meta=meta)
    tracker = Tracker("segm", "default_params", results_path=tmp_path / "res")
    params = tracker.get_parameters()
    params.net_path, params.segm_output_sz, params.segm_min_contour_area = str(ckpt), 64, 2.0
    dcf = params.dcf
    dcf.sample_size, dcf.compressed_dim, dcf.init_cg_iter, dcf.init_gn_iter = 64, 8, 4, 2
    dcf.search_area_scale = 4.0                    # the shared pass: 64 px of 4 target sides, as the 64 px crop
    dcf.augment_rotate, dcf.augment_blur = (10.0, -10.0), ((2.0, 2.0),)
    params.memory_capacity = 48
    for key, value in changes.items():
        setattr(params, key, value)
    return tracker, params, ckpt


def _square_frame(rng, x=40, y=30):
    frame = rng.integers(0, 60, (72, 96, 3), dtype=np.uint8)
    frame[y:y + 12, x:x + 16] = 230
    return frame


def test_checkpoint_crop_size_differing_from_segm_output_sz_is_an_error(tmp_path):
    meta = {"train_settings": {"processing": {"output_size": 96}}}
    from ltr.admin.errors import DataFormatError

    tracker, params, ckpt = _tiny_segm(tmp_path, meta=meta)
    trk = tracker.create_tracker(params)
    frame = _square_frame(np.random.default_rng(0))
    with pytest.raises(DataFormatError) as exc:
        trk.initialize(frame, box=[40, 30, 16, 12])
    text = str(exc.value)
    assert str(ckpt) in text and "96 px" in text and "64 px" in text and "segm_output_sz=96" in text
    trk = tracker.create_tracker(params.replace(segm_output_sz=96, feature_pass="separate"))  # the size it names works
    assert trk.initialize(frame, box=[40, 30, 16, 12])["score"] == 1.0


def test_checkpoint_without_a_recorded_crop_size_is_not_checked(tmp_path):
    tracker, params, _ = _tiny_segm(tmp_path, meta={"converted_from": "d3s.pth.tar"})
    trk = tracker.create_tracker(params)
    assert trk.initialize(_square_frame(np.random.default_rng(0)), box=[40, 30, 16, 12])["score"] == 1.0


def test_all_black_frame_gives_no_mask_and_zero_score_then_tracking_resumes(tmp_path):
    tracker, params, _ = _tiny_segm(tmp_path)
    trk = tracker.create_tracker(params)
    rng = np.random.default_rng(0)
    trk.initialize(_square_frame(rng), box=[40, 30, 16, 12])
    normal = trk.track(_square_frame(rng, x=41))
    assert normal["score"] > 0.5
    black = trk.track(np.zeros((72, 96, 3), np.uint8))
    assert black["score"] == 0.0 and black["mask"].sum() == 0 and black["prob"].max() == 0.0
    assert np.all(np.isfinite(black["box"])) and black["box"][2] > 0
    after = trk.track(_square_frame(rng, x=42))
    assert after["score"] > 0.5 and trk.frame_num == 4
    cx = after["box"][0] + after["box"][2] / 2
    assert abs(cx - 50) < 8  # still on the square (centre x = 42 + 8)


@pytest.mark.parametrize("value", [-5, 0, 64.0, "64", True])
def test_bad_segm_output_sz_names_the_key(tmp_path, value):
    from pytracking.parameter.base import ParameterError, apply_overrides
    from pytracking.parameter.segmentation import SegmParams

    # a wrong type is named by the type check, a bad integer by the range check
    with pytest.raises(ParameterError, match=r"SegmParams(: 'segm_output_sz' must be int|.segm_output_sz = .*must be "
                                             r"an integer)"):
        SegmParams(segm_output_sz=value)
    tracker, params, _ = _tiny_segm(tmp_path)
    with pytest.raises(ParameterError, match=r"segm_output_sz('? must be int|.* must be an integer)"):  # an override
        apply_overrides(params, [f"segm_output_sz={value!r}"])
    params.segm_output_sz = value  # set in Python after construction: refused when the tracker starts
    trk = tracker.create_tracker(params)
    with pytest.raises(ParameterError, match=r"segm_output_sz"):
        trk.initialize(_square_frame(np.random.default_rng(0)), box=[40, 30, 16, 12])


def test_frame_of_another_size_mid_sequence_names_the_frame_and_both_sizes(make_synthetic, tmp_path):
    import shutil

    import cv2

    from ltr.admin.errors import DataFormatError
    from pytracking.evaluation.datasets import get_dataset
    from pytracking.evaluation.running import run_sequence
    from pytracking.evaluation.tracker import Tracker

    root = tmp_path / "otb"
    shutil.copytree(make_synthetic("otb", sequences=1, frames=4, size=(64, 48)), root)
    seq = get_dataset("otb", root=root)[0]
    odd = seq.frames[2]
    cv2.imwrite(str(odd), np.zeros((40, 50, 3), np.uint8))
    with pytest.raises(DataFormatError) as exc:
        run_sequence(seq, Tracker("fixedbox", "default", results_path=tmp_path / "res"))
    text = str(exc.value)
    assert text.startswith(str(odd)) and "50x40" in text and "64x48" in text and seq.name in text


def test_trax_server_and_workspace_give_one_line_and_exit_2(make_synthetic, tmp_path, capsys):
    from pytracking.vot.trax_server import main as trax_main
    from pytracking.vot.workspace import main as workspace_main

    def one_line(rc):
        err = capsys.readouterr().err
        assert rc == 2 and err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err
        return err

    assert "unknown tracker 'nosuch'" in one_line(trax_main(["nosuch", "default"]))
    assert "has no parameter file 'nope'" in one_line(trax_main(["segm", "nope"]))
    assert "segm_output_sz = -5" in one_line(trax_main(["segm", "default_params", "--set", "segm_output_sz=-5"]))
    assert "no user 'nosuchuser_xyz'" in one_line(trax_main(["segm", "default_params", "--device",
                                                             "~nosuchuser_xyz"]))
    root = make_synthetic("vot", sequences=1, frames=4, size=(64, 48))
    args = ["--dataset", "vot2018", "--root", str(root), "--params", "default"]
    err = one_line(workspace_main([str(tmp_path / "ws"), "--tracker", "nosuch", *args]))
    assert "unknown tracker 'nosuch'" in err and "\"" not in err  # not the KeyError repr
    assert "no user 'nosuchuser_xyz'" in one_line(workspace_main(["~nosuchuser_xyz/ws", "--tracker", "fixedbox",
                                                                  *args]))
    (tmp_path / "file").write_text("")
    assert str(tmp_path / "file") in one_line(workspace_main([str(tmp_path / "file" / "ws"), "--tracker", "fixedbox",
                                                              *args]))


def test_net_path_with_unknown_user_home_names_the_parameter():
    from ltr.admin.settings import SettingsError
    from pytracking.tracker.shared.network import resolve_network_path

    with pytest.raises(SettingsError, match=r"parameter net_path = '~nosuchuser_xyz/n.pth': there is no user"):
        resolve_network_path("~nosuchuser_xyz/n.pth")
