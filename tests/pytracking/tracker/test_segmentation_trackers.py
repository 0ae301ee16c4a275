"""segm (CMEDFL, d3s params) and dmb on generated VOT / DAVIS / GOT-10k sequences with tiny random networks:
outputs of the right types, no NaN, bounded memories, bad input handled, parameters not mutated. Every tracker
configuration (segm default_params, segm d3s, dmb) runs on each of the three formats. The shipped net against
baselines: test_shipped_segm_net.py; memory caps over a long run: test_long_sequence.py."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from ltr.admin.checkpoint import save_checkpoint
from ltr.data.image_io import read_image
from ltr.models import build_net
from pytracking.evaluation.datasets import get_dataset
from pytracking.evaluation.tracker import Tracker
from pytracking.parameter.segmentation import shared_pass
from pytracking.tracker.shared.geometry import window_crop

TINY_NETS = {
    "cmedfl": {"arch": "cmedfl", "backbone": "resnet18", "backbone_width": 8, "backbone_weights": "random",
               "embed_dim": 16, "gat_channels": 8},
    "d3s": {"arch": "d3s", "backbone": "resnet18", "backbone_width": 8, "backbone_weights": "random",
            "embed_dim": 16},
    "dmb": {"arch": "dmb", "backbone": "resnet18", "backbone_width": 8, "backbone_weights": "random",
            "key_dim": 16, "value_dim": 16, "decoder_dim": 16},
}

CASES = [("segm", "default_params", "cmedfl"), ("segm", "d3s", "d3s"), ("segm", "d3s", "cmedfl"),
         ("dmb", "default_params", "dmb")]



@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("nets")
    return {arch: str(save_checkpoint(folder / f"{arch}.pth", build_net(cfg), build_net(cfg).config))
            for arch, cfg in TINY_NETS.items()}


def tiny_params(tracker: Tracker, net_path: str):
    """The tracker's own parameter file with sizes shrunk for a 2-core CPU."""
    params = tracker.get_parameters()
    params.net_path = net_path
    params.segm_output_sz = 64
    params.segm_min_contour_area = 2.0
    dcf = params.dcf
    dcf.sample_size, dcf.compressed_dim, dcf.init_cg_iter, dcf.init_gn_iter = 64, 8, 4, 2
    dcf.augment_rotate = (10.0, -10.0)
    dcf.augment_blur = ((2.0, 2.0),)
    if hasattr(params, "memory_capacity") and params.memory_capacity > 100:
        params.memory_capacity = 48  # 3 frames of the 4x4 feature map
    if params.feature_pass == "shared":
        shared_pass(params)
    return params


def _check_output(out, hw):
    assert out["box"].shape == (4,) and np.all(np.isfinite(out["box"]))
    assert out["box"][2] > 0 and out["box"][3] > 0
    assert out["polygon"].shape == (8,) and np.all(np.isfinite(out["polygon"]))
    assert out["mask"].shape == hw and out["mask"].dtype == np.uint8 and set(np.unique(out["mask"])) <= {0, 1}
    assert out["prob"].shape == hw and out["prob"].dtype == np.float32 and np.all(np.isfinite(out["prob"]))
    assert isinstance(out["score"], float) and 0.0 <= out["score"] <= 1.0


def _run(trk, seq, **init):
    frames = [read_image(f) for f in seq.frames]
    outs = [trk.initialize(frames[0], **init)]
    outs += [trk.track(f) for f in frames[1:]]
    for out in outs:
        _check_output(out, frames[0].shape[:2])
    return outs


@pytest.fixture(scope="module")
def vot_seq(make_synthetic):
    return get_dataset("vot2018", root=make_synthetic("vot", sequences=1, frames=8, size=(96, 72)))[0]


@pytest.fixture(scope="module")
def davis_seq(make_synthetic):
    return get_dataset("davis2017", root=make_synthetic("davis", sequences=2, frames=6, size=(96, 72),
                                                        objects=1))[0]


@pytest.mark.parametrize("name, param, arch", CASES)
def test_vot_polygon_sequence(name, param, arch, checkpoints, vot_seq, tmp_path):
    tracker = Tracker(name, param, results_path=tmp_path)
    params = tiny_params(tracker, checkpoints[arch])
    before = copy.deepcopy(params)
    trk = tracker.create_tracker(params)
    _run(trk, vot_seq, polygon=vot_seq.ground_truth_polygon[0])
    assert trk.rotated and not trk.vos
    assert params == before  # the caller's parameters are never modified
    # Frames 2-5 have uncertainty 0 (§1.4 warm-up), so they are segmented and the memories learn from them.
    if param == "default_params" and name == "segm":
        assert len(trk.memory) > 16 or int(trk.memory.hits.sum()) > 0
    if name == "dmb":
        assert trk.memory.num_writes >= 4


@pytest.mark.parametrize("name, param, arch", CASES[:2] + CASES[3:])
def test_davis_mask_sequence_is_vos_mode(name, param, arch, checkpoints, davis_seq, tmp_path):
    tracker = Tracker(name, param, results_path=tmp_path)
    trk = tracker.create_tracker(tiny_params(tracker, checkpoints[arch]))
    _run(trk, davis_seq, mask=davis_seq.init_region(davis_seq.object_ids[0]))
    assert trk.vos and trk.mask_thr == trk.params.vos_segm_mask_thr
    fresh = tracker.create_tracker(tiny_params(tracker, checkpoints[arch]))
    assert fresh.params.segm_mask_thr == 0.5  # VOS overrides stay with that sequence's tracker


def test_cmedfl_memory_stays_bounded_and_d3s_reference_fixed(checkpoints, vot_seq, tmp_path):
    tracker = Tracker("segm", "default_params", results_path=tmp_path)
    params = tiny_params(tracker, checkpoints["cmedfl"])
    params.memory_capacity = 20
    trk = tracker.create_tracker(params)
    frames = [read_image(f) for f in vot_seq.frames]
    trk.initialize(frames[0], polygon=vot_seq.ground_truth_polygon[0])
    for _ in range(3):
        for f in frames[1:]:
            trk.track(f)
            assert len(trk.memory) <= 20
    d3s_tracker = Tracker("segm", "d3s", results_path=tmp_path)
    d3s = d3s_tracker.create_tracker(tiny_params(d3s_tracker, checkpoints["d3s"]))
    d3s.initialize(frames[0], box=vot_seq.ground_truth_rect[0])
    keys = d3s.memory.keys.clone()
    for f in frames[1:]:
        d3s.track(f)
    assert torch.equal(d3s.memory.keys, keys)


@pytest.mark.parametrize("name, param, arch", [CASES[0], CASES[3]])
def test_target_leaving_the_frame_and_bad_frames(name, param, arch, checkpoints, tmp_path):
    tracker = Tracker(name, param, results_path=tmp_path)
    trk = tracker.create_tracker(tiny_params(tracker, checkpoints[arch]))
    rng = np.random.default_rng(0)
    background = rng.integers(0, 60, (72, 96, 3), dtype=np.uint8)
    first = background.copy()
    first[30:42, 40:56] = 230
    gray = cv2_gray(first)
    _check_output(trk.initialize(gray, box=[40, 30, 16, 12]), (72, 96))
    for x in (60, 75, 88, 200, 200):  # the bright target slides out of the frame, then is gone
        frame = background.copy()
        frame[30:42, max(0, min(x, 96)):min(x + 16, 96)] = 230
        _check_output(trk.track(np.dstack([frame, np.full((72, 96), 255, np.uint8)])), (72, 96))  # RGBA
    blank = np.zeros((72, 96, 3), np.uint8)
    for _ in range(3):
        _check_output(trk.track(blank), (72, 96))
    with pytest.raises(ValueError, match="entirely outside"):
        trk.initialize(first, box=[200, 200, 10, 10])
    with pytest.raises(ValueError, match="mask is empty"):
        trk.initialize(first, mask=np.zeros((72, 96), np.uint8))
    with pytest.raises(ValueError, match="zero or negative size"):
        trk.initialize(first, box=[10, 10, 0, 5])


def cv2_gray(image):
    return image.mean(axis=2).astype(np.uint8)


def test_wrong_network_kind_and_missing_checkpoint(checkpoints, tmp_path):
    tracker = Tracker("dmb", "default_params", results_path=tmp_path)
    trk = tracker.create_tracker(tiny_params(tracker, checkpoints["cmedfl"]))
    image = np.zeros((72, 96, 3), np.uint8)
    with pytest.raises(ValueError, match="holds a 'cmedfl' net"):
        trk.initialize(image, box=[10, 10, 20, 20])
    params = tiny_params(tracker, "does_not_exist.pth")
    with pytest.raises(FileNotFoundError, match="does_not_exist.pth.*network_path"):
        tracker.create_tracker(params).initialize(image, box=[10, 10, 20, 20])


@pytest.mark.parametrize("name, param, arch", [CASES[0], CASES[1], CASES[3]])
def test_tracks_a_moving_target_better_than_the_fixed_box(name, param, arch, checkpoints, make_synthetic, tmp_path):
    """Generated GOT-10k sequences: even with random weights the DCF (§1.4) follows a moving synthetic object;
    the fixed box does not."""
    from ltr.regions.overlap import box_iou

    seqs = get_dataset("gotv", root=make_synthetic("got10k", sequences=2, frames=20, size=(160, 120)))
    tracker = Tracker(name, param, results_path=tmp_path)
    params = tiny_params(tracker, checkpoints[arch])
    params.dcf.sample_size, params.dcf.compressed_dim = 128, 16
    baseline = Tracker("fixedbox", "default", results_path=tmp_path)
    scores = {}
    for label, trk_factory in (("tracker", lambda: tracker.create_tracker(params)),
                               ("fixedbox", baseline.create_tracker)):
        ious = []
        for seq in seqs:
            trk = trk_factory()
            outs = _run(trk, seq, box=seq.ground_truth_rect[0])
            ious += [box_iou(o["box"], gt) for o, gt in zip(outs[1:], seq.ground_truth_rect[1:])]
        scores[label] = float(np.nanmean(ious))
    assert scores["tracker"] > scores["fixedbox"] + 0.15, scores


@pytest.mark.parametrize("name, param, arch", [CASES[0], CASES[3]])
def test_memory_writes_are_gated_by_the_dcf_uncertainty(name, param, arch, checkpoints, vot_seq, tmp_path):
    """Frames 2-5 have uncertainty 0 (§1.4 warm-up) and pass any gate; later frames have a positive uncertainty
    and a tiny threshold keeps them out of the memory, although they are still segmented."""
    tracker = Tracker(name, param, results_path=tmp_path)
    params = tiny_params(tracker, checkpoints[arch])
    params.memory_write_uncertainty_thr = 1e-9
    trk = tracker.create_tracker(params)
    frames = [read_image(f) for f in vot_seq.frames]
    trk.initialize(frames[0], polygon=vot_seq.ground_truth_polygon[0])
    sizes = []
    for frame in frames[1:]:
        trk.track(frame)
        sizes.append(trk.memory.num_writes if name == "dmb" else (len(trk.memory), int(trk.memory.hits.sum())))
    assert sizes[3] != (sizes[0] if name == "dmb" else (16, 0))  # the warm-up frames were written
    assert all(s == sizes[4] for s in sizes[4:])  # nothing after the warm-up


def test_tiny_crops_scale_the_cmedfl_capacity_with_the_feature_map(tmp_path):
    """Capacities in entries, scaled with the feature map: CMEDFL 16 frames (9,216 entries at 384 px crops, 1,024 at
    the tiny nets' 128 px), DMB 20 frames (1,280 at 128 px)."""
    caps = {(name, param): Tracker(name, param, results_path=tmp_path).get_parameters().memory_capacity
            for name, param in (("segm", "paper_params"), ("segm", "default_params"), ("dmb", "default_params"))}
    assert caps == {("segm", "paper_params"): 9216, ("segm", "default_params"): 1024, ("dmb", "default_params"): 1280}


@pytest.mark.parametrize("feature_pass", ["separate", "shared", "shared_window"])
@pytest.mark.parametrize("name, param, arch", [CASES[0], CASES[1], CASES[3]])
def test_both_feature_passes_track_with_the_backbone_passes_they_promise(feature_pass, name, param, arch,
                                                                         checkpoints, vot_seq, monkeypatch, tmp_path):
    """``feature_pass="shared"``: one backbone pass per tracked frame feeds the DCF and the segmentation (DMB's
    memory encoder is separate); ``"separate"``: a DCF pass plus a segmentation pass on every segmented frame."""
    tracker = Tracker(name, param, results_path=tmp_path)
    params = tiny_params(tracker, checkpoints[arch])
    if feature_pass == "separate":
        params.feature_pass = "separate"
    else:   # "shared_window": a 96 px search sample, the head sees its 64 px window around the DCF's estimate
        shared_pass(params, search_area_scale=6.0 if feature_pass == "shared_window" else 4.0)
        params.segm_window = feature_pass == "shared_window"
    trk = tracker.create_tracker(params)
    frames = [read_image(f) for f in vot_seq.frames]
    _check_output(trk.initialize(frames[0], polygon=vot_seq.ground_truth_polygon[0]), frames[0].shape[:2])
    passes = []
    monkeypatch.setattr(trk.net, "extract_backbone", _counting(trk.net.extract_backbone, passes))
    segmented = []
    segment = trk._segment
    monkeypatch.setattr(trk, "_segment", lambda crop, u: segmented.append(crop) or segment(crop, u))
    per_frame = []
    for frame in frames[1:]:
        before, crops = len(passes), len(segmented)
        _check_output(trk.track(frame), frame.shape[:2])
        per_frame.append((len(passes) - before, len(segmented) - crops))
    assert sum(n for _, n in per_frame) >= 4                        # the warm-up frames were segmented
    expected = [1 if feature_pass != "separate" else 1 + n for _, n in per_frame]
    assert [p for p, _ in per_frame] == expected
    crop = segmented[-1]
    if feature_pass != "separate":   # (a window of) the DCF's search sample, distance map at the DCF's estimate
        assert crop.size == params.segm_output_sz and crop.features is not None
        assert crop.features["layer3"].shape[-1] == params.segm_output_sz // 16
        assert crop.dist.shape == (1, 1, crop.size, crop.size)
        sample, sample_pos = trk._search_crop(frames[-1], np.array([30.0, 40.0]), trk.state.target_scale)
        sample = window_crop(sample, sample_pos, params.segm_output_sz)   # the centre window (whole crop if equal)
        torch.testing.assert_close(trk._distance_map(sample, sample_pos), trk.dist)  # target at the crop centre
        moved = trk._distance_map(sample, sample_pos + np.array([6.0, -4.0]) / sample.scale)  # 6 rows down, 4 left
        row, col = np.unravel_index(int(torch.argmin(moved)), moved.shape[-2:])
        assert (row, col) == (crop.size // 2 - 1 + 6, crop.size // 2 - 1 - 4)   # "shifted": S/2 - 1 at the centre
    else:
        assert crop.size == params.segm_output_sz and crop.dist is trk.dist


def _counting(fn, calls: list):
    def counted(*args, **kwargs):
        calls.append(1)
        return fn(*args, **kwargs)

    return counted


@pytest.mark.parametrize("name, param, arch", [CASES[0], CASES[3]])
def test_bf16_precision_tracks_with_float32_outputs_and_fp16_needs_cuda(name, param, arch, checkpoints, vot_seq,
                                                                        tmp_path):
    tracker = Tracker(name, param, results_path=tmp_path)
    params = tiny_params(tracker, checkpoints[arch])
    params.precision = "bf16"
    outs = _run(tracker.create_tracker(params), vot_seq, polygon=vot_seq.ground_truth_polygon[0])  # float32 outputs
    assert len(outs) == len(vot_seq.frames)
    params.precision = "fp16"
    with pytest.raises(ValueError, match="precision='fp16' needs a CUDA device"):
        tracker.create_tracker(params).initialize(read_image(vot_seq.frames[0]), box=vot_seq.ground_truth_rect[0])
