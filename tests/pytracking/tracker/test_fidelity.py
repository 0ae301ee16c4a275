"""Fidelity rules pinned on hand-built cases (docs/fidelity.md): what the trackers feed the scale update, where the
distance map and the segmentation crop are centred, CMEDFL's value merge, the DCF's reference point and rotation
warp, the separate DCF backbone and the full-size / reproduce-original parameter files."""
import math

import cv2
import numpy as np
import pytest
import torch

from ltr.data.crops import crop_window
from ltr.data.processing import ProcessingParams, SegmProcessing
from ltr.data.preprocess import centred_distance_map
from pytracking.evaluation.tracker import Tracker
from pytracking.libs.dcf import DCFLocalizer, DCFParams, TargetState
from pytracking.libs.dcf.sampling import Augmentation, _rotate_cv2, apply_augmentations
from pytracking.libs.memory import CMEDFLCompactMemory, WriteGate, label_values
from pytracking.libs.postprocess import AreaScaleEstimator, CropGeometry, mask_to_region, rect_area
from pytracking.parameter.base import ParameterError
from pytracking.parameter.segmentation import SegmParams, reproduce_original
from pytracking.tracker.shared.dcf_segmentation import DCFSegmentationTracker
from pytracking.tracker.shared.network import load_dcf_backbone

S = 96  # segmentation crop of the stub tracker: target 24 x 24 at factor 4 -> a 96 px window, f = 1


class _Features(torch.nn.Module):
    """A fixed random stride-16 'backbone' with the tracker nets' ``extract_backbone`` interface."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.conv = torch.nn.Conv2d(3, 16, kernel_size=16, stride=16)

    def extract_backbone(self, images):
        return {"layer3": self.conv(images)}


class _StubTracker(DCFSegmentationTracker):
    """The shared control flow with a hand-made segmentation: ``_segment`` returns ``self.prob``; the crops are
    recorded."""

    archs = ("stub",)

    def __init__(self, params):
        super().__init__(params)
        self.crops, self.prob = [], None

    def _load_net(self):
        self.net = _Features()

    def _init_segmentation(self, crop, region, target_sz):
        self.crops.append(crop)
        return (crop.mask > 0.5).astype(np.float32)

    def _segment(self, crop, uncertainty):
        self.crops.append(crop)
        return self.prob


def _stub_params(**changes) -> SegmParams:
    dcf = DCFParams(sample_size=64, compressed_dim=8, init_cg_iter=2, init_gn_iter=1, augment_rotate=(5.0,),
                    augment_blur=(), augment_relative_shifts=())
    return SegmParams(dcf=dcf, segm_output_sz=S, **changes)


def _tracker_for_segment_target(prob, target_scale, **changes) -> _StubTracker:
    """A stub tracker in the state ``_segment_target`` needs, without a frame 1: target 24 x 24 at (row, col) =
    (60, 60) in a 120 x 120 frame, area history = the contour area of ``prob`` (so the area ratio is 0)."""
    p = _stub_params(**changes)
    trk = _StubTracker(p)
    trk.prob, trk.rotated, trk.vos, trk.mask_thr, trk.crop_shift, trk.dist = prob, True, False, 0.5, 0.5, None
    trk.state = TargetState(np.array([60.0, 60.0]), np.array([24.0, 24.0]), target_scale, np.array([24.0, 24.0]))
    geometry = _crop_geometry(trk)
    region = mask_to_region(prob, geometry, 0.5, p.segm_min_contour_area, True, rotated=True)
    trk.area_scale = AreaScaleEstimator.from_params(region.contour_area, p, vos=False)
    return trk


def _crop_geometry(trk):
    from pytracking.tracker.shared.geometry import crop_around

    crop = crop_around(np.zeros((120, 120, 3), np.uint8), trk.state.pos, trk.state.target_sz, 4.0, S)
    assert crop.scale == 1.0
    return crop.geometry


def _square_with_spike() -> np.ndarray:
    """A 30 x 30 square (crop pixels x, y in 30..59) with a 1 px wide spike 20 px up from its top edge at x = 45:
    the minimum-area rectangle spans the spike (29 x 49 px between pixel centres), the bbox_fit refit drops it."""
    prob = np.zeros((S, S), np.float32)
    prob[30:60, 30:60] = 1.0
    prob[10:30, 45] = 1.0
    return prob


# ---------------------------------------------------------------- c1: the scale follows the minimum-area rectangle
def test_scale_update_is_fed_the_min_area_rectangle_not_the_refit():
    prob = _square_with_spike()
    p = _stub_params()
    # Proposed scale of a rectangle: preserve-area box (axis-aligned: s = 1, sides + 1), sqrt(w h) * 4.5 / 64.
    t_min_area = math.sqrt((29 + 1) * (49 + 1)) * 4.5 / p.dcf.sample_size
    t_refit_max = math.sqrt((29 + 1) * (31 + 1)) * 4.5 / p.dcf.sample_size   # refit without the spike (+- 1 px)
    assert t_refit_max < 0.95 * t_min_area  # the two rules give clearly different scales
    trk = _tracker_for_segment_target(prob, target_scale=t_min_area * 1.02)
    region = mask_to_region(prob, _crop_geometry(trk), 0.5, p.segm_min_contour_area, True, rotated=True)
    proposal = trk._segment_target(np.zeros((120, 120, 3), np.uint8), trk.state, np.array([60.0, 60.0]), 0.0)
    assert not np.allclose(region.polygon, region.rect0)   # the refit was accepted: they differ ...
    np.testing.assert_allclose(proposal.polygon, region.polygon)                     # ... the output is the refit
    assert proposal.target_scale == pytest.approx(t_min_area, rel=1e-9)              # ... the scale the min-area one
    # the position moves to the min-area rectangle's centre (crop (44.5, 34.5) -> image, f = 1)
    np.testing.assert_allclose(proposal.mask_centre[::-1], region.rect0_center)


def test_box_fit_sees_the_largest_contour_filled_or_in_vos_mode_every_contour():
    prob = _square_with_spike()
    prob[75:90, 75:90] = 1.0                         # a second blob of 225 px
    prob[40:45, 40:45] = 0.0                         # and a hole in the square
    geometry = CropGeometry(center=(48.0, 48.0), scale=1.0, size=S)
    heights = {}
    for fill_all in (False, True):
        region = mask_to_region(prob, geometry, 0.5, 50.0, True, rotated=True, fill_all=fill_all)
        ys = region.polygon.reshape(4, 2)[:, 1]
        heights[fill_all] = ys.max() - ys.min()
    # largest contour filled: 920 px, dropping the 20 spike pixels keeps 97.8 % >= 0.9 inside, so the spike goes;
    # every contour filled (VOS mode): 1,145 px, no rectangle holds 90 % of them, the refit keeps the extents
    assert heights[False] < 33 and heights[True] == pytest.approx(49.0, abs=1.0)


def test_score_initial_of_the_box_fit_is_a_parameter():
    prob = np.zeros((S, S), np.float32)
    prob[30:60, 34:56] = 1.0                    # a perfect axis-aligned rectangle
    areas = {}
    for score_initial in (True, False):
        trk = _tracker_for_segment_target(prob, 0.5, segm_fit_score_initial=score_initial)
        out = trk._segment_target(np.zeros((120, 120, 3), np.uint8), trk.state, np.array([60.0, 60.0]), 0.0)
        areas[score_initial] = rect_area(out.polygon)
    # the scored start keeps the rectangle (21 x 29 px between the pixel centres of cols 34..55, rows 30..59); the
    # original's -1 start always takes the first feasible shrink: one pixel off one side (21 x 28 or 20 x 29)
    assert areas[True] == pytest.approx(21 * 29) and areas[False] in (pytest.approx(21 * 28), pytest.approx(20 * 29))


# ---------------------------------------------------------------- c2: the distance-map centre
def test_distance_map_centre_is_the_originals_pixel_s_over_2_minus_1():
    d = centred_distance_map(384).numpy()
    assert d.shape == (384, 384) and d[191, 191] == 0.0 and d[191, 192] == 1.0 and d[192, 192] == pytest.approx(
        math.sqrt(2))
    # the original: 1-based coordinates 1..S minus S/2
    one_based = np.arange(1, 385, dtype=np.float64) - 192
    np.testing.assert_allclose(d, np.hypot(one_based[:, None], one_based[None, :]), rtol=1e-6)
    g = centred_distance_map(384, "geometric").numpy()       # centred at (S - 1) / 2 = 191.5
    assert g[191, 191] == g[192, 192] == pytest.approx(math.sqrt(0.5))
    assert g[0, 0] == pytest.approx(191.5 * math.sqrt(2))


@pytest.mark.parametrize("convention", ["shifted", "geometric"])
def test_training_and_tracking_distance_maps_are_identical(convention):
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 255, (80, 90, 3), dtype=np.uint8)
    mask = np.zeros((80, 90), np.uint8)
    mask[30:45, 40:61] = 1
    box = np.array([40.0, 30.0, 21.0, 15.0])
    p = ProcessingParams(output_size=32, dist_centre=convention).without_augmentation()
    out = SegmProcessing(p)([frame, frame], [mask, mask], np.stack([box, box]), rng)
    tracking = centred_distance_map(32, convention)[None]  # the tracker's map (DCFSegmentationTracker.dist[0])
    assert torch.equal(out["dists"][0], tracking) and torch.equal(out["dists"][1], tracking)
    with pytest.raises(ValueError, match="dist_centre"):
        ProcessingParams(dist_centre="centre")


# ---------------------------------------------------------------- c3: the segmentation crop centre
def _window(crop) -> tuple[int, int, int]:
    """The crop's integer image window (x1, y1, side): the outer edge of crop pixel 0 is image edge x1 - 0.5."""
    x, y = crop.geometry.to_image(np.array([[-0.5, -0.5]]))[0] + 0.5
    return round(x), round(y), round(crop.size / crop.scale)


@pytest.mark.parametrize("mode", ["original", "geometric"])
def test_segmentation_crop_centre_of_polygon_and_box_starts(mode):
    frame = np.random.default_rng(1).integers(0, 255, (120, 140, 3), dtype=np.uint8)
    # A 20 x 10 rectangle with corner mean (x, y) = (60.75, 50.75); preserve-area box 21 x 11 (the +1 convention),
    # crop side ceil(sqrt(21 * 11) * 4) = 61: the window corner centre - 30.5 = (30.25, 20.25) rounds to (30, 20)
    # at the corner mean (the original), to (31, 21) half a pixel further (the geometric pixel centre).
    poly = np.array([50.75, 45.75, 70.75, 45.75, 70.75, 55.75, 50.75, 55.75])
    trk = _StubTracker(_stub_params(segm_crop_centre=mode))
    trk.initialize(frame, polygon=poly)
    assert _window(trk.crops[0]) == ((30, 20, 61) if mode == "original" else (31, 21, 61))
    # A box start is cropped at the box centre x + w/2 in both modes.
    trk = _StubTracker(_stub_params(segm_crop_centre=mode))
    trk.initialize(frame, box=[50.0, 40.0, 21.0, 11.0])
    assert _window(trk.crops[0]) == crop_window([50.0, 40.0, 21.0, 11.0], 4.0)
    with pytest.raises(ParameterError, match="segm_crop_centre"):
        _stub_params(segm_crop_centre="centre")


def test_original_crop_centre_follows_the_mask_centre_after_a_box_start():
    frame = np.random.default_rng(4).integers(0, 255, (120, 120, 3), dtype=np.uint8)
    trk = _StubTracker(_stub_params(segm_crop_centre="original"))
    trk.initialize(frame, box=[48.0, 48.0, 24.0, 24.0])
    assert trk.crop_shift == 0.5                       # box start: the box centre = pos + 0.5
    trk.prob = np.zeros((S, S), np.float32)
    trk.prob[36:60, 36:60] = 1.0
    trk.track(frame)
    assert trk.crop_shift == 0.0                       # pos is now a mask centre: crops at pos, as the original


# ---------------------------------------------------------------- c4: CMEDFL's value merge
def test_cmedfl_merge_normalises_near_zero_values_like_the_original():
    r = 0.5
    keys = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=torch.float64)
    fg = torch.tensor([0.5, 1e-13, 0.0], dtype=torch.float64)
    mem = CMEDFLCompactMemory(keys, fg, capacity=10, merge_threshold=0.9, update_rate=r, gate=WriteGate(10.0))
    # each query column hits one entry exactly (cosine 1 > 0.9): merged, nothing appended
    report = mem.write(keys.clone(), label_values(torch.tensor([1e-13, 0.8, 0.3], dtype=torch.float64)))
    assert report.merged == 3 and report.appended == 0
    pos, neg = mem.read().fg.numpy(), mem.read().bg.numpy()
    # x <- |x| ((1 - r) x / max(|x|, 1e-12) + r u / max(|u|, 1e-12))
    # entry 0: 0.5 * (0.5 * 1 + 0.5 * 0.1) (the merged 1e-13 normalises to 0.1, torch.sign would give 1)
    assert pos[0] == pytest.approx(0.275, rel=1e-12)
    # entry 1: 1e-13 * (0.5 * 0.1 + 0.5 * 1) = 5.5e-14 (its own near-zero value normalises to 0.1)
    assert pos[1] == pytest.approx(5.5e-14, rel=1e-9)
    assert pos[2] == 0.0                                 # a 0 stays 0
    # background values 1 - fg are ordinary magnitudes: x (1 - r) + r |x| = x for positive values
    np.testing.assert_allclose(neg, [0.5, 1 - 1e-13, 1.0], rtol=1e-12)


# ---------------------------------------------------------------- DCF: rotation warp and reference point
def test_cv2_rotation_warp_is_the_cv2_result():
    rng = np.random.default_rng(2)
    patch = torch.from_numpy(rng.uniform(0, 255, (1, 3, 40, 40)).astype(np.float32))
    image = patch[0].permute(1, 2, 0).numpy()
    # 90 degrees on the pixel grid: exactly np.rot90 (hand-derived: dst[y, x] = src[x, E - 1 - y])
    # (to float32 rounding: OpenCV 5's 90-degree matrix is not exactly integral)
    np.testing.assert_allclose(_rotate_cv2(patch, [90.0])[0].permute(1, 2, 0).numpy(), np.rot90(image, 1),
                               rtol=0, atol=1e-3)
    # any angle: OpenCV's own rotation about the centre ((E - 1) / 2, (E - 1) / 2), replicated border
    for angle in (5.0, -30.0, 45.0):
        ref = cv2.warpAffine(image, cv2.getRotationMatrix2D((19.5, 19.5), angle, 1.0), (40, 40),
                             flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        out = apply_augmentations(patch, [Augmentation("rotate", (angle,))], 20, rotation_warp="cv2")
        # equal up to float32 rounding (OpenCV's SIMD paths differ between CPUs by a few ulp); grid_sample's
        # unquantised weights differ from it by far more than this tolerance
        np.testing.assert_allclose(out[0].permute(1, 2, 0).numpy(), np.clip(ref[10:30, 10:30], 0, 255),
                                   rtol=0, atol=1e-3)
        grid = apply_augmentations(patch, [Augmentation("rotate", (angle,))], 20)
        assert 0 < float((grid - out).abs().max()) < 3.0   # grid_sample: close, not the same numbers
    with pytest.raises(ParameterError, match="rotation_warp"):
        DCFParams(rotation_warp="opencv")


@pytest.mark.parametrize("reference", ["geometric", "original"])
def test_dcf_reference_point(reference):
    params = _stub_params().dcf.replace(reference_point=reference)
    net = _Features()
    loc = DCFLocalizer(params, lambda x: net.extract_backbone(x)["layer3"])
    frame = np.random.default_rng(3).integers(0, 255, (100, 120, 3), dtype=np.uint8)
    pos = np.array([50.3, 60.8])
    # target 20 x 20: scale 4.5 * 20 / 64; frame-1 crop side 180 image px (expanded x2), tracked crops 90: even
    # sides, so the geometric centre is half a pixel past the anchor pixel
    info = loc.initialize(frame, pos, np.array([20.0, 20.0]))
    scale = info["target_scale"]
    assert round(scale * 128) == 180 and round(scale * 64) == 90
    # frame 1: the identity sample's label sits at (pos - reference) / scale from the zero displacement
    ref1 = np.round(pos) if reference == "original" else np.round(pos) + 0.5
    _, labels, _ = loc.training_set.active()
    expected = loc._labels(torch.tensor((pos - ref1) / scale, dtype=torch.float32)[None])[0]
    torch.testing.assert_close(labels[0], expected)
    # tracked frame: displacements and labels refer to the float pos (original) or the crop's centre
    _, sample_pos = loc.extract_sample(frame, pos, scale)
    np.testing.assert_allclose(sample_pos, pos if reference == "original" else np.floor(pos) + 0.5)


# ---------------------------------------------------------------- separate DCF backbone
@pytest.mark.slow
def test_separate_dcf_backbone_is_a_torchvision_resnet50(tmp_path):
    import torchvision

    torch.manual_seed(0)
    reference = torchvision.models.resnet50().eval()
    path = tmp_path / "resnet50_imagenet.pth"
    torch.save(reference.state_dict(), path)
    backbone = load_dcf_backbone(str(path), "cpu")
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        r = reference
        expected = r.layer3(r.layer2(r.layer1(r.maxpool(r.relu(r.bn1(r.conv1(x)))))))
        got = backbone.extract_backbone(x.contiguous(memory_format=torch.channels_last))["layer3"]
    torch.testing.assert_close(got, expected, rtol=1e-3, atol=1e-3 * float(expected.abs().max()))
    trk = _StubTracker(_stub_params(dcf_backbone=str(path)))
    trk._load_net()
    assert trk._dcf_net() is backbone                       # cached, and not the tracker net
    assert _StubTracker(_stub_params())._dcf_net() is None  # "net": the tracker's own net (not loaded yet here)
    with pytest.raises(FileNotFoundError, match="dcf_backbone"):
        load_dcf_backbone(str(tmp_path / "missing.pth"), "cpu")


# ---------------------------------------------------------------- parameter files
@pytest.mark.parametrize("name, param, memory, net", [("segm", "d3s_paper", "d3s", "d3s_r50.pth"),
                                                      ("dmb", "paper_params", None, "dmb_r50.pth")])
def test_full_size_parameter_files_hold_the_originals_defaults(name, param, memory, net, tmp_path):
    params = Tracker(name, param, results_path=tmp_path).get_parameters()
    assert getattr(params, "appearance_memory", None) == memory and params.net_path == net
    assert params.segm_output_sz == 384 and params.segm_min_contour_area == 50.0
    assert (params.feature_pass, params.dcf.search_area_scale, params.dcf.sample_size) == ("separate", 4.5, 256)
    assert params.dcf.compressed_dim == 64
    assert (params.segm_mask_thr, params.uncertainty_segment_thr, params.min_scale_change_factor) == (0.5, 10.0, 0.95)
    assert params.segm_crop_centre == "original" and params.segm_dist_centre == "shifted"   # c2, c3 faithful


@pytest.mark.parametrize("name", ["segm", "dmb"])
def test_paper_shared_files_share_one_pass_on_the_384_px_crop(name, tmp_path):
    params = Tracker(name, "paper_shared", results_path=tmp_path).get_parameters()
    paper = Tracker(name, "paper_params", results_path=tmp_path).get_parameters()
    assert (params.feature_pass, params.dcf.sample_size, params.dcf.search_area_scale) == ("shared", 384, 4.0)
    assert params.replace(feature_pass="separate", dcf=paper.dcf) == paper   # nothing else differs


@pytest.mark.parametrize("name, param", [("segm", "d3s_original"), ("segm", "original_params"),
                                         ("dmb", "original_params")])
def test_reproduce_original_parameter_files(name, param, tmp_path):
    params = Tracker(name, param, results_path=tmp_path).get_parameters()
    assert (params.dcf.reference_point, params.dcf.score_nyquist, params.dcf.rotation_warp) == (
        "original", "duplicate", "cv2")
    assert params.segm_fit_score_initial is False and params.memory_capacity >= 10 ** 9
    assert params.dcf_backbone == ("imagenet" if name == "segm" else "net")
    assert params.segm_output_sz == 384
    assert (params.feature_pass, params.dcf.search_area_scale, params.dcf.sample_size) == ("separate", 4.5, 256)
    assert reproduce_original(SegmParams()).dcf.reference_point == "original"
