"""The classical OpenCV baselines csrt / kcf / mil: tracking quality against the fixed box, the box conversions,
parameters reaching OpenCV, failures, determinism, the contrib / legacy API lookup and every runner."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import types
from pathlib import Path

import cv2
import numpy as np
import pytest

from pytracking.evaluation.tracker import TRACKERS, Tracker, available_parameters, tracker_class
from pytracking.parameter.base import ParameterError, apply_overrides
from pytracking.parameter.opencv import CSRTParams, KCFParams, MILParams
from pytracking.tracker.opencv import CSRTTracker, KCFTracker, MILTracker, OpenCVContribMissing, backend
from pytracking.tracker.opencv.opencv_tracker import opencv_rect

REPO = Path(__file__).resolve().parents[3]
NAMES = ("csrt", "kcf", "mil")
H, W = 120, 160


def make_tracker(name, *overrides):
    tracker = Tracker(name, "default", results_path="/tmp/unused")
    return tracker.create_tracker(apply_overrides(tracker.get_parameters(), list(overrides)))


def translating_sequence(n=30, seed=0, step=(3, 1)):
    """A textured 30x24 target moving ``step`` px per frame over a smooth textured background:
    (frames (n, H, W, 3) uint8, ground-truth boxes (n, 4))."""
    rng = np.random.default_rng(seed)
    background = cv2.resize((rng.random((12, 16, 3)) * 255).astype(np.uint8), (W, H), interpolation=cv2.INTER_CUBIC)
    target = (rng.random((24, 30, 3)) * 255).astype(np.uint8)
    frames, boxes = [], []
    for i in range(n):
        x, y = 20 + step[0] * i, 30 + step[1] * i
        frame = background.copy()
        frame[y:y + 24, x:x + 30] = target
        frames.append(frame)
        boxes.append([x, y, 30.0, 24.0])
    return np.stack(frames), np.array(boxes, dtype=np.float64)


def iou(a, b):
    """Continuous IoU of two x,y,w,h boxes."""
    iw = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = iw * ih
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def run(trk, frames, init_box):
    outs = [trk.initialize(frames[0], box=init_box)]
    outs += [trk.track(f) for f in frames[1:]]
    return outs


def check_record(out, shape=(H, W)):
    assert out["box"].shape == (4,) and out["box"].dtype == np.float64 and np.all(np.isfinite(out["box"]))
    assert out["box"][2] > 0 and out["box"][3] > 0
    np.testing.assert_allclose(out["polygon"], [out["box"][0], out["box"][1], out["box"][0] + out["box"][2],
                                                out["box"][1], out["box"][0] + out["box"][2],
                                                out["box"][1] + out["box"][3], out["box"][0],
                                                out["box"][1] + out["box"][3]])
    assert out["mask"].shape == shape and out["mask"].dtype == np.uint8
    np.testing.assert_array_equal(out["prob"], out["mask"].astype(np.float32))
    assert out["score"] in (0.0, 1.0)


def test_registry_lists_the_classical_baselines():
    assert set(NAMES) <= set(TRACKERS)
    assert [tracker_class(n) for n in NAMES] == [CSRTTracker, KCFTracker, MILTracker]
    assert all(available_parameters(n) == ["default"] for n in NAMES)


@pytest.mark.parametrize("params_class, cv_params", [(CSRTParams, "TrackerCSRT_Params"),
                                                     (KCFParams, "TrackerKCF_Params"),
                                                     (MILParams, "TrackerMIL_Params")])
def test_declared_defaults_are_opencvs(params_class, cv_params):
    """Our dataclass defaults are OpenCV's (float32 in OpenCV), and every OpenCV option is exposed."""
    cv_defaults = getattr(cv2, cv_params)()
    ours = params_class().opencv_values()
    exposed = {k for k in dir(cv_defaults) if not k.startswith("_")}
    assert set(ours) == exposed
    for attr, value in ours.items():
        expected = value if isinstance(value, str) else pytest.approx(value, rel=1e-6)
        assert getattr(cv_defaults, attr) == expected, attr
    assert KCFParams().opencv_values()["desc_pca"] == cv2.TrackerKCF_CN
    assert KCFParams().opencv_values()["desc_npca"] == cv2.TrackerKCF_GRAY


@pytest.mark.parametrize("name", NAMES)
def test_follows_a_translating_target_far_better_than_the_fixed_box(name):
    frames, gt = translating_sequence()
    init = gt[0] + [0.3, 0.2, 0.1, 0.0]  # a non-integer box: frame 0 must report it exactly
    outs = run(make_tracker(name), frames, init)
    fixed = run(Tracker("fixedbox", "default", results_path="/tmp/unused").create_tracker(), frames, init)
    np.testing.assert_allclose(outs[0]["box"], init)
    for out in outs:
        check_record(out)
    ious = [iou(o["box"], g) for o, g in zip(outs, gt)]
    fixed_ious = [iou(o["box"], g) for o, g in zip(fixed, gt)]
    assert np.mean(fixed_ious) < 0.3  # the target leaves its initial box after ~10 frames
    assert np.mean(ious) > 0.75 and min(ious) > 0.5, np.round(ious, 2)
    assert all(o["score"] == 1.0 for o in outs)
    if name in ("kcf", "mil"):  # fixed-size trackers: the box size never changes
        assert all(np.allclose(o["box"][2:], init[2:]) for o in outs)


@pytest.mark.parametrize("name", NAMES)
def test_grayscale_and_rgba_frames(name):
    """RGBA = the RGB run (alpha dropped); (H, W) and (H, W, 1) grayscale are the same run and still track."""
    frames, gt = translating_sequence(n=12)
    rgb = run(make_tracker(name), frames, gt[0])
    rgba = run(make_tracker(name), np.concatenate([frames, np.full((12, H, W, 1), 9, np.uint8)], axis=3), gt[0])
    gray = np.stack([cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in frames])
    gray2 = run(make_tracker(name), gray, gt[0])
    gray3 = run(make_tracker(name), gray[..., None], gt[0])
    for a, b in zip(rgb, rgba):
        np.testing.assert_array_equal(a["box"], b["box"])
    for a, b in zip(gray2, gray3):
        check_record(a)
        np.testing.assert_array_equal(a["box"], b["box"])
    assert np.mean([iou(o["box"], g) for o, g in zip(gray2, gt)]) > 0.6


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kwargs, match", [
    ({"box": [200, 50, 10, 10]}, "entirely outside"),
    ({"box": [5, 5, 0, 10]}, "zero or negative size"),
    ({"box": [5, np.nan, 3, 10]}, "NaN"),
    ({"box": [1, 2, 3]}, "expected 4 numbers"),
    ({"mask": np.zeros((H, W), np.uint8)}, "mask is empty"),
    ({}, "give the initial region"),
])
def test_bad_initial_regions_raise_like_the_other_trackers(name, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_tracker(name).initialize(translating_sequence(n=1)[0][0], **kwargs)


def test_bad_frames_raise_clear_errors():
    trk = make_tracker("kcf")
    with pytest.raises(RuntimeError, match="before initialize"):
        trk.track(np.zeros((H, W, 3), np.uint8))
    with pytest.raises(ValueError, match="dtype uint8"):
        trk.initialize(np.zeros((H, W, 3), np.float32), box=[1, 1, 5, 5])
    trk.initialize(translating_sequence(n=1)[0][0], box=[20, 30, 30, 24])
    with pytest.raises(ValueError, match="frame size"):
        trk.track(np.zeros((H + 1, W, 3), np.uint8))


@pytest.mark.parametrize("name", NAMES)
def test_polygon_and_mask_initialisation(name):
    frames, gt = translating_sequence(n=6)
    mask = np.zeros((H, W), np.uint8)
    mask[30:54, 20:50] = 1
    for kwargs in ({"polygon": [20, 30, 50, 30, 50, 54, 20, 54]}, {"mask": mask}, {"box": gt[0], "mask": mask}):
        trk = make_tracker(name)
        np.testing.assert_allclose(trk.initialize(frames[0], **kwargs)["box"], gt[0])
        assert iou(trk.track(frames[1])["box"], gt[1]) > 0.6


def test_opencv_rect_rounds_corners_and_widens_short_sides():
    assert opencv_rect([10.4, 5.6, 20.2, 9.8], (100, 100)) == (10, 6, 21, 9)  # corners 10.4->10, 30.6->31, ...
    assert opencv_rect([10.2, 5.2, 2.2, 3.0], (100, 100), min_side=6) == (8, 4, 6, 6)  # centres 11.3, 6.7
    assert opencv_rect([0.0, 97.6, 2.0, 2.4], (100, 100), min_side=6) == (0, 94, 6, 6)  # pushed inside the image
    assert opencv_rect([1.0, 0.6, 4.0, 2.0], (3, 100), min_side=6) == (0, 0, 6, 3)  # the image is the limit


def test_tiny_box_starts_mil_and_keeps_its_size():
    """MIL on a 2x3 box (OpenCV alone never returns from init on it): the widened 6x6 rectangle is mapped back."""
    code = ("import json, numpy as np; from pytracking.tracker.opencv import MILTracker; "
            "from pytracking.parameter.opencv import MILParams; "
            "rng = np.random.default_rng(0); f = (rng.random((60, 80, 3)) * 255).astype(np.uint8); "
            "t = MILTracker(MILParams()); a = t.initialize(f, box=[10.5, 20.0, 2.0, 3.0]); b = t.track(f); "
            "print(json.dumps([a['box'].tolist(), b['box'][2:].tolist()]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    first, size = json.loads(done.stdout)
    assert first == [10.5, 20.0, 2.0, 3.0] and size == pytest.approx([2.0, 3.0])


@pytest.mark.parametrize("name, override", [("kcf", "detect_thresh=1.5"), ("csrt", "psr_threshold=1e9")])
def test_reported_failure_keeps_the_last_box_with_score_zero(name, override):
    """A threshold no response reaches: OpenCV reports failure on every frame (proof the parameter reaches it)."""
    frames, gt = translating_sequence(n=8)
    outs = run(make_tracker(name, override), frames, gt[0])
    # OpenCV's KCF only trains in its first update (no detection, so no failure can be reported there)
    first_checked = 2 if name == "kcf" else 1
    assert [o["score"] for o in outs[first_checked:]] == [0.0] * (8 - first_checked)
    assert all(np.array_equal(o["box"], gt[0]) for o in outs)


def test_target_vanishing_is_a_kcf_failure():
    frames, gt = translating_sequence(n=10)
    trk = make_tracker("kcf")
    outs = run(trk, frames, gt[0])
    noise = (np.random.default_rng(1).random((H, W, 3)) * 255).astype(np.uint8)
    lost = trk.track(noise)
    assert outs[-1]["score"] == 1.0 and lost["score"] == 0.0
    np.testing.assert_array_equal(lost["box"], outs[-1]["box"])


def test_every_opencv_option_reaches_opencvs_params_object(monkeypatch):
    captured = {}

    def recording(real):
        def create(params):
            captured["params"] = params
            return real(params)
        return create

    fake = types.SimpleNamespace(TrackerMIL_create=recording(cv2.TrackerMIL_create),
                                 TrackerMIL_Params=cv2.TrackerMIL_Params, __version__=cv2.__version__)
    monkeypatch.setattr(backend, "cv2", fake)
    trk = make_tracker("mil", "sampler_search_win_size=31.0", "feature_set_num_features=300",
                       "sampler_track_max_neg_num=40")
    frames, gt = translating_sequence(n=3)
    run(trk, frames, gt[0])
    p = captured["params"]
    assert (p.samplerSearchWinSize, p.featureSetNumFeatures, p.samplerTrackMaxNegNum) == (31.0, 300, 40)
    assert p.samplerInitInRadius == 3.0


class _LegacyTracker:
    """The legacy/old API: init returns a bool, update float rectangles; here a target moving +2 px/frame."""

    def init(self, image, rect):
        self.rect = [float(v) for v in rect]
        return True

    def update(self, image):
        self.rect[0] += 2.0
        return True, tuple(self.rect)


def test_legacy_api_is_used_when_the_new_one_is_missing(monkeypatch):
    fake = types.SimpleNamespace(legacy=types.SimpleNamespace(TrackerKCF_create=_LegacyTracker), __version__="4.x")
    monkeypatch.setattr(backend, "cv2", fake)
    trk = make_tracker("kcf")
    frames, gt = translating_sequence(n=3)
    outs = run(trk, frames, [20.2, 30.0, 30.0, 24.0])
    assert [o["box"][0] for o in outs] == pytest.approx([20.2, 22.2, 24.2])
    with pytest.raises(ParameterError, match="takes no parameters.*detect_thresh"):
        run(make_tracker("kcf", "detect_thresh=0.3"), frames, gt[0])


@pytest.mark.parametrize("name", ["csrt", "kcf"])
def test_missing_contrib_fails_at_construction_naming_the_package(monkeypatch, name):
    main_only = types.SimpleNamespace(TrackerMIL_create=cv2.TrackerMIL_create, TrackerMIL_Params=cv2.TrackerMIL_Params,
                                      legacy=types.SimpleNamespace(), __version__="5.0.0", __file__="/x/cv2.so")
    monkeypatch.setattr(backend, "cv2", main_only)
    with pytest.raises(OpenCVContribMissing, match=r"contrib build.*pip install --force-reinstall --no-deps "
                                                   r"opencv-contrib-python"):
        Tracker(name, "default", results_path="/tmp/unused").create_tracker()
    assert isinstance(Tracker("mil", "default", results_path="/tmp/unused").create_tracker(), MILTracker)


@pytest.mark.parametrize("name, override, match", [
    ("csrt", "use_segmentation=1", "'use_segmentation' must be bool, got 1"),
    ("csrt", "window_function=box", "one of hann, cheb, kaiser"),
    ("csrt", "padding=0", "padding = 0.0 must be > 0"),
    ("kcf", "desc_pca=hog", "one of none, gray, cn, gray\\+cn"),
    ("kcf", "max_patch_size=10.5", "'max_patch_size' must be int"),
    ("mil", "sampler_search_win_size=1.0", "no negative samples"),
    ("mil", "num_threads=0", "num_threads"),
    ("mil", "feature_set_num_features=100", "at least 250"),
])
def test_bad_parameters_are_rejected_at_construction(name, override, match):
    with pytest.raises(ParameterError, match=match):
        make_tracker(name, override)


@pytest.mark.parametrize("name", NAMES)
def test_runs_are_reproducible_at_any_thread_count(name):
    frames, gt = translating_sequence(n=15, step=(4, 2))
    a = [o["box"] for o in run(make_tracker(name, "num_threads=1"), frames, gt[0])]
    b = [o["box"] for o in run(make_tracker(name, "num_threads=2"), frames, gt[0])]
    c = [o["box"] for o in run(make_tracker(name, "num_threads=1"), frames, gt[0])]
    np.testing.assert_array_equal(np.stack(a), np.stack(b))
    np.testing.assert_array_equal(np.stack(a), np.stack(c))
    assert cv2.getNumThreads() == 1  # the tracker applied num_threads


def test_mil_seed_changes_the_run():
    frames, gt = translating_sequence(n=15, step=(4, 2))
    a = np.stack([o["box"] for o in run(make_tracker("mil", "seed=0"), frames, gt[0])])
    b = np.stack([o["box"] for o in run(make_tracker("mil", "seed=1"), frames, gt[0])])
    assert not np.array_equal(a, b)  # the seed reaches MIL's feature sampling (so seeding is what makes it stable)


# ---- the runners -------------------------------------------------------------------------------------------------

def test_one_pass_runner(make_synthetic, tmp_path):
    from pytracking.evaluation.datasets import get_dataset
    from pytracking.run_tracker import main

    root = make_synthetic("otb", sequences=1, frames=6, size=(96, 72))
    seq = get_dataset("otb", root=root)[0]
    for name in NAMES:
        assert main([name, "default", "--dataset", "otb", "--root", str(root), "--results", str(tmp_path)]) == 0
        boxes = np.loadtxt(tmp_path / name / "default" / f"{seq.name}.txt", delimiter=",")
        assert boxes.shape == (6, 4) and np.all(boxes[:, 2:] > 0)
        np.testing.assert_allclose(boxes[0], seq.init_region(), atol=1e-4)


def _run_vot_test_main():
    spec = importlib.util.spec_from_file_location("run_vot_test", REPO / "run_vot_test.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_vot_reset_protocol(make_synthetic, tmp_path, capsys):
    root = make_synthetic("vot", sequences=1, frames=24, size=(96, 72))
    main = _run_vot_test_main()
    for name in NAMES:
        assert main(["--tracker", name, "--params", "default", "--dataset", "vot2018", "--root", str(root),
                     "--results", str(tmp_path), "--runs", "1", "--eao-interval", "2", "20", "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert 0.0 < report["accuracy"] <= 1.0 and report["failures"] >= 0
        trajectories = list((tmp_path / "vot" / "vot2018" / f"{name}_default" / "baseline").rglob("*_001.txt"))
        assert len(trajectories) == 1 and len(trajectories[0].read_text().splitlines()) == 24


def test_davis_runner_scores_the_filled_box(make_synthetic, tmp_path, capsys):
    from pytracking.analysis import davis_cli

    root = make_synthetic("davis", sequences=2, frames=4, size=(80, 60))
    assert davis_cli.main(["--dataset", "DAVIS2017", "--tracker", "kcf", "--params", "default", "--davis-root",
                           str(root), "--results", str(tmp_path / "out"), "--workers", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert 0.0 < report["J&F"] < 1.0  # a box is neither useless nor a segmentation


def test_trax_server_answers_with_csrt(make_synthetic):
    trax = pytest.importorskip("trax")
    trax_client = pytest.importorskip("trax.client")
    from pytracking.evaluation.datasets import get_dataset

    seq = get_dataset("vot2018", root=make_synthetic("vot", sequences=1, frames=4, size=(64, 48)))[0]
    process = subprocess.Popen([sys.executable, "-m", "pytracking.vot.trax_server", "csrt", "default", "--region",
                                "polygon"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    try:
        client = trax_client.Client(stream=(process.stdin.fileno(), process.stdout.fileno()), timeout=60,
                                    log=lambda text: None)
        assert client.tracker_name == "csrt_default"
        images = [{trax.ImageChannel.COLOR: trax.FileImage.create(f)} for f in seq.frames]
        poly = [10.0, 12.0, 30.0, 12.0, 30.0, 28.0, 10.0, 28.0]
        client.initialize(images[0], [(trax.Polygon.create([(poly[i], poly[i + 1]) for i in range(0, 8, 2)]), {})],
                          {})
        for image in images[1:]:
            (region, props), = client.frame(image, {}, [])[0]
            assert region.type == trax.Region.POLYGON and len(list(region)) == 4
            assert float(props["confidence"]) in (0.0, 1.0)
        client.quit()
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
