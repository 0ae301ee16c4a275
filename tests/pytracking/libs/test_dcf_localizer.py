"""End-to-end DCF localiser on synthetic images with known answers (§1.4, §1.8)."""
import cv2
import numpy as np
import pytest
import torch

from pytracking.libs.dcf import DCFLocalizer, DCFParams, TargetState, UncertaintyGate, update_state
from pytracking.libs.dcf.sampling import make_augmentations

STRIDE, KSIZE = 4, 8


def _feature_fn():
    """A fixed random convolution (32 channels, stride 4, smooth 8x8 kernels) + ReLU standing in for layer3."""
    gen = torch.Generator().manual_seed(0)
    win = torch.hann_window(KSIZE + 2, periodic=False)[1:-1]
    weight = torch.randn(32, 3, KSIZE, KSIZE, generator=gen) * (win[:, None] * win[None, :]) / KSIZE

    def features(x):
        assert x.shape[1] == 3 and 0 <= float(x.min()) and float(x.max()) <= 255
        return torch.relu(torch.nn.functional.conv2d(x / 255.0 - 0.5, weight, stride=STRIDE,
                                                     padding=(KSIZE - STRIDE) // 2))
    return features


def _texture(seed, h, w, sigma, contrast=60.0):
    rng = np.random.default_rng(seed)
    t = cv2.GaussianBlur((rng.random((h, w, 3)) * 255).astype(np.float32), (0, 0), sigma)
    return (t - t.mean()) / t.std() * contrast


PATTERN = _texture(2, 16, 16, 3.0)


def _render(centres, size=(160, 170)):
    """Grey image with the 16x16 textured pattern whose pixel block starts at (r - 8, c - 8) for each centre."""
    img = np.full(size + (3,), 128.0, np.float32)
    for r, c in centres:
        img[r - 8:r + 8, c - 8:c + 8] += PATTERN
    return np.clip(img, 0, 255).astype(np.uint8)


def _params(**kw):
    return DCFParams(sample_size=16 * STRIDE, feature_stride=STRIDE, compressed_dim=16, **kw)


@pytest.fixture(scope="module")
def trained():
    """A DCF initialised on the pattern at pixel block 72..87 x 82..97 (centre (79.5, 89.5))."""
    dcf = DCFLocalizer(_params(), _feature_fn(), device="cpu")
    info = dcf.initialize(_render([(80, 90)]), (79.5, 89.5), (16.0, 16.0))
    return dcf, info


def test_initialisation_trains_the_filter(trained):
    dcf, info = trained
    assert info["target_scale"] == pytest.approx(4.5 * 16 / 64)
    losses = info["losses"]
    assert len(losses) == 7 and losses[-1] < 0.3 * losses[0]
    assert dcf.projection.shape == (16, 32) and dcf.filter.shape == (16, 4, 4)
    x, y, w = dcf.training_set.active()
    assert x.shape == (27, 16, 16, 16) and float(w.sum()) == pytest.approx(1.0)


@pytest.mark.parametrize("shift", [(0, 0), (5, -3), (-6, 5), (8, 6), (-4, -8), (2, 7), (0, -7)])
def test_translated_pattern_is_found_within_a_pixel(trained, shift):
    """Shifts up to ~10 px (7 sample px); the output window pulls estimates towards the centre by ~6 % of the
    displacement (as in the original), which stays inside the 1 px tolerance here."""
    dcf, info = trained
    dy, dx = shift
    result = dcf.localize(_render([(80 + dy, 90 + dx)]), (79.5, 89.5), info["target_scale"])
    err = result.new_pos - np.array([79.5 + dy, 89.5 + dx])
    assert np.abs(err).max() <= 1.0, f"shift {shift}: estimate off by {err}"
    assert result.flag is None
    assert result.score_map.shape == (64, 64) and result.features.shape == (1, 16, 16, 16)


def test_search_from_an_offset_position_and_other_scale(trained):
    """The crop is taken around floor(pos), resized (scale != 1), and the estimate is still within a pixel."""
    dcf, info = trained
    for pos, scale in [((76.2, 93.7), info["target_scale"]), ((83.9, 86.4), 1.0), ((79.5, 89.5), 1.3)]:
        result = dcf.localize(_render([(84, 87)]), pos, scale)
        assert np.abs(result.new_pos - [83.5, 86.5]).max() <= 1.0, (pos, scale, result.new_pos)


def test_pca_projection_is_orthonormal_and_ordered():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(6, 10, 4, 4, generator=gen) * torch.linspace(3, 0.1, 10).view(1, 10, 1, 1)
    P = DCFLocalizer._pca(x, 4)
    torch.testing.assert_close(P @ P.T, torch.eye(4), atol=1e-5, rtol=0)
    mat = x.transpose(0, 1).reshape(10, -1)
    mat = mat - mat.mean(dim=1, keepdim=True)
    variances = ((P @ mat) ** 2).sum(dim=1)
    assert torch.all(variances[:-1] >= variances[1:])
    ref = torch.linalg.svd(mat @ mat.T)[0][:, :4].T
    torch.testing.assert_close((P @ ref.T).abs(), torch.eye(4), atol=1e-4, rtol=0)   # same directions up to sign


def test_second_peak_gives_hard_negative(trained):
    dcf, info = trained
    single = dcf.localize(_render([(80, 90)]), (79.5, 89.5), info["target_scale"])
    double = dcf.localize(_render([(80, 90), (80, 112)]), (79.5, 89.5), info["target_scale"])
    assert single.flag is None
    assert double.flag == "hard_negative"
    assert np.abs(double.new_pos - [79.5, 89.5]).max() <= 1.0


def test_update_schedule_and_learning_rates():
    dcf = DCFLocalizer(_params(), _feature_fn())
    info = dcf.initialize(_render([(80, 90)]), (79.5, 89.5), (16.0, 16.0))
    res = dcf.localize(_render([(82, 91)]), (79.5, 89.5), info["target_scale"])
    f0 = dcf.filter.clone()
    assert dcf.update(12, res.features, res.label_offset(res.new_pos)) == 0       # not a training frame
    assert torch.equal(dcf.filter, f0) and dcf.training_set.num_stored == 28
    assert float(dcf.training_set.weights[27]) == pytest.approx(0.0075 / (1 / (1 - 0.0075) + 0.0075))
    assert dcf.update(21, None) == 5                                               # (21 - 1) % 10 == 0
    assert not torch.equal(dcf.filter, f0)
    assert dcf.update(13, res.features, res.label_offset(res.new_pos), hard_negative=True) == 5
    w = dcf.training_set.weights
    assert float(w[28] / w[27]) == pytest.approx(1 / (1 - 0.02))                   # hard-negative lr
    with pytest.raises(ValueError, match="label_offset"):
        dcf.update(14, res.features)


def test_label_offset_uses_the_crop_geometry(trained):
    dcf, info = trained
    res = dcf.localize(_render([(80, 90)]), (79.5, 89.5), info["target_scale"])
    np.testing.assert_allclose(res.sample_pos, [79.5, 89.5])                       # even crop: floor + 0.5
    np.testing.assert_allclose(res.label_offset([81.75, 89.5]), [2.0, 0.0])


def test_tracks_a_moving_pattern_with_the_spec_control_flow():
    """§1.8 without segmentation: localize, gate, update_state, sample insert, CG schedule."""
    p = _params()
    dcf = DCFLocalizer(p, _feature_fn())
    path = [(80, 90), (82, 93), (85, 95), (86, 99), (88, 102), (91, 104), (93, 107), (94, 111), (97, 113),
            (99, 116), (100, 120), (103, 122)]
    frame = _render([path[0]])
    pos, target_sz = np.array([79.5, 89.5]), np.array([16.0, 16.0])
    info = dcf.initialize(frame, pos, target_sz)
    state = TargetState(pos, target_sz, info["target_scale"], info["base_target_sz"])
    gate = UncertaintyGate.from_params(p)
    for frame_num, centre in enumerate(path[1:], start=2):
        frame = _render([centre])
        res = dcf.localize(frame, state.pos, state.target_scale)
        uncert, accepted = gate.step(frame_num, res.max_score, res.flag)
        if accepted:
            state = update_state(state, res.new_pos, state.target_scale, frame.shape[:2])
            dcf.update(frame_num, res.features, res.label_offset(state.pos), res.flag == "hard_negative")
        else:
            dcf.update(frame_num, None, hard_negative=res.flag == "hard_negative")
        assert np.abs(state.pos - (np.array(centre) - 0.5)).max() <= 1.5, (frame_num, state.pos, centre)
    assert len(gate.history) == 12


def test_wrong_feature_stride_is_reported():
    dcf = DCFLocalizer(DCFParams(sample_size=64, feature_stride=8, compressed_dim=16), _feature_fn())
    with pytest.raises(ValueError, match="feature_stride"):
        dcf.initialize(_render([(80, 90)]), (79.5, 89.5), (16.0, 16.0))
    with pytest.raises(RuntimeError, match="initialize"):
        dcf.localize(_render([(80, 90)]), (79.5, 89.5), 1.0)
    with pytest.raises(TypeError, match="DCFParams"):
        DCFLocalizer({"sample_size": 64}, _feature_fn())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu():
    frame, moved = _render([(80, 90)]), _render([(84, 87)])
    out = []
    for device in ("cpu", "cuda"):
        feature_fn = _feature_fn()
        dcf = DCFLocalizer(_params(), lambda x, fn=feature_fn: fn(x.cpu()).to(x.device), device=device)
        info = dcf.initialize(frame, (79.5, 89.5), (16.0, 16.0))
        res = dcf.localize(moved, (79.5, 89.5), info["target_scale"])
        assert res.features.device.type == device and res.score_map.device.type == device
        out.append(res.new_pos)
    np.testing.assert_allclose(out[0], out[1], atol=0.5)


def test_frame1_labels_follow_the_augmented_content():
    """Each frame-1 sample's label peaks where the target is in that sample (shift augmentations move both)."""
    seen = []
    base_fn = _feature_fn()

    def recording_fn(x):
        seen.append(x.clone())
        return base_fn(x)

    img = np.full((160, 170, 3), 20, np.uint8)
    cv2.circle(img, (90, 80), 3, (255, 255, 255), -1)            # blob centred at (row 80, col 90)
    dcf = DCFLocalizer(_params(), recording_fn)
    dcf.initialize(img, (80.0, 90.0), (16.0, 16.0))
    patches, labels = seen[0], dcf.training_set.labels[:27]
    augs = make_augmentations(dcf.params)
    size, cells = dcf.params.sample_size, dcf.params.feature_size
    for i, aug in enumerate(augs):
        if aug.kind not in ("identity", "shift"):
            continue
        brightness = patches[i, 0]
        ys, xs = torch.nonzero(brightness > 0.5 * float(brightness.max()), as_tuple=True)
        blob = np.array([ys.float().mean().item(), xs.float().mean().item()])
        centre = (size - 1) / 2 + np.array(aug.shift)
        assert np.abs(blob - centre).max() <= 1.0, (aug, blob, centre)
        peak = np.array(divmod(int(labels[i].argmax()), cells))
        np.testing.assert_allclose(peak, cells // 2 + np.array(aug.shift) * cells / size, atol=0.5)


@pytest.mark.parametrize("options", [{"score_upsample_factor": 2}, {"window_output": False},
                                     {"score_nyquist": "duplicate"}])
def test_localisation_options(options):
    """Finer score grid, no output window, the original's Nyquist handling: the shift is still found."""
    dcf = DCFLocalizer(_params(**options), _feature_fn())
    info = dcf.initialize(_render([(80, 90)]), (79.5, 89.5), (16.0, 16.0))
    res = dcf.localize(_render([(85, 86)]), (79.5, 89.5), info["target_scale"])
    assert res.score_map.shape == (dcf.params.output_size,) * 2
    assert np.abs(res.new_pos - [84.5, 85.5]).max() <= 1.0, res.new_pos
