"""ltr.data.preprocess: the one normalisation and distance map, and that training and tracking get identical tensors
for the same crop from it."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from ltr.admin.checkpoint import save_checkpoint
from ltr.data.preprocess import (DIST_CENTRE_SHIFTS, IMAGENET_NORMALIZATION, centred_distance_map, denormalize,
                                 dist_centre_shift, distance_map, normalize_images)
from ltr.data.processing import ProcessingParams, SegmProcessing, prepare_batch
from ltr.models import build_net
from ltr.models.efficientnet import LITE_NORMALIZATION
from pytracking.evaluation.tracker import Tracker
from pytracking.tracker.shared.network import layer3_feature_fn, net_input

TINY_D3S = {"arch": "d3s", "backbone": "resnet18", "backbone_width": 8, "backbone_weights": "random", "embed_dim": 16}


def _numpy_distance(size, cx, cy):
    """Independent float32 reference: sqrt(dx^2 + dy^2) on the 0-based pixel grid."""
    grid = np.arange(size, dtype=np.float32)
    dx = grid[None, :] - np.float32(cx)
    dy = grid[:, None] - np.float32(cy)
    return np.sqrt(dx * dx + dy * dy)


def test_distance_map_is_the_float32_euclidean_distance_bit_for_bit():
    rng = np.random.default_rng(3)
    for size in (1, 5, 24, 33, 64):
        for cx, cy in rng.uniform(-3, size + 3, (4, 2)):
            d = distance_map(size, np.array([cx, cy]))
            assert d.dtype == torch.float32 and d.shape == (size, size)
            assert np.array_equal(d.numpy(), _numpy_distance(size, cx, cy))
    d = distance_map(5, (1.0, 2.0))
    assert d[2, 1] == 0 and d[2, 4] == 3 and d[0, 1] == 2  # (row, col) = (y, x)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_distance_map_is_the_same_on_the_gpu():
    for convention in DIST_CENTRE_SHIFTS:
        assert torch.equal(centred_distance_map(384, convention, "cuda").cpu(), centred_distance_map(384, convention))


def test_centred_distance_map_conventions_and_unknown_convention():
    assert dist_centre_shift("shifted") == -0.5 and dist_centre_shift("geometric") == 0.0
    shifted, geometric = centred_distance_map(8), centred_distance_map(8, "geometric")
    assert shifted[3, 3] == 0 and shifted[3, 4] == 1          # centre at pixel S/2 - 1
    assert geometric[3, 3] == geometric[4, 4] == pytest.approx(np.sqrt(0.5))  # centre at (S - 1)/2
    with pytest.raises(ValueError, match="'centre' is unknown"):
        centred_distance_map(8, "centre")


def test_normalize_images_leaves_the_input_alone_and_denormalize_inverts_it():
    images = torch.arange(0, 256, dtype=torch.float32).repeat(3, 4, 1)[:, :, ::16].contiguous()  # (3, 4, 16)
    before = images.clone()
    x = normalize_images(images)
    assert torch.equal(images, before) and x.dtype == torch.float32
    torch.testing.assert_close(denormalize(x), images / 255)
    u8 = images.to(torch.uint8)
    assert torch.equal(normalize_images(u8), x)  # uint8 and float in [0, 255] give the same tensor
    # brightness: scale, then clamp to [0, 1]; a factor of 1 changes nothing
    assert torch.equal(normalize_images(u8, brightness=torch.tensor(1.0)), x)
    bright = normalize_images(u8[None], brightness=torch.tensor([4.0]))[0]
    torch.testing.assert_close(denormalize(bright), (images * 4 / 255).clamp(0, 1))
    double = normalize_images(images.double())
    assert double.dtype == torch.float64


def _training_crop(output_size=32, dist_centre="shifted"):
    """A processed sample without augmentation: the target centred in the crop, brightness factor 1."""
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (80, 90, 3), dtype=np.uint8)
    mask = np.zeros((80, 90), np.uint8)
    mask[30:45, 40:61] = 1
    box = np.array([40.0, 30.0, 21.0, 15.0])
    p = ProcessingParams(output_size=output_size, dist_centre=dist_centre).without_augmentation()
    return SegmProcessing(p)([frame, frame], [mask, mask], np.stack([box, box]), rng)


@pytest.mark.parametrize("normalization", [IMAGENET_NORMALIZATION, LITE_NORMALIZATION], ids=["imagenet", "lite"])
def test_training_and_tracking_normalise_a_crop_to_identical_tensors(normalization):
    sample = _training_crop()
    assert torch.all(sample["brightness"] == 1)
    trained = prepare_batch({"images": sample["images"], "brightness": sample["brightness"]}, normalization)["images"]
    crop = sample["images"][1].permute(1, 2, 0).numpy()                      # the same crop, (S, S, 3) uint8
    tracked = net_input(torch.from_numpy(crop).permute(2, 0, 1)[None].float(), normalization)
    assert tracked.shape == (1, 3, 32, 32) and torch.equal(trained[1:], tracked)
    mean, std = (torch.tensor(v).view(3, 1, 1) for v in normalization)
    torch.testing.assert_close(tracked[0], (sample["images"][1].float() / 255 - mean) / std)


def test_the_dcf_feature_function_feeds_the_net_the_training_normalisation():
    class RecordingNet(torch.nn.Module):
        input_normalization = LITE_NORMALIZATION

        def extract_backbone(self, images):
            self.seen = images
            return {"layer3": images}

    net = RecordingNet()
    samples = torch.rand(2, 3, 32, 32) * 255  # interpolated DCF samples: float in [0, 255]
    layer3_feature_fn(net)(samples)
    assert torch.equal(net.seen, normalize_images(samples, LITE_NORMALIZATION))
    assert net.seen.is_contiguous(memory_format=torch.channels_last)


@pytest.mark.parametrize("convention", ["shifted", "geometric"])
def test_training_and_tracker_distance_maps_are_identical(convention, tmp_path):
    torch.manual_seed(0)
    sample = _training_crop(32, convention)
    tracker = Tracker("segm", "d3s", results_path=tmp_path)
    params = tracker.get_parameters()
    params.net_path = str(save_checkpoint(tmp_path / "d3s.pth", build_net(TINY_D3S), build_net(TINY_D3S).config))
    params.segm_output_sz, params.segm_dist_centre = 32, convention
    params.feature_pass = "separate"   # the centred map of a segmentation crop (the shared pass: test_segmentation_trackers)
    dcf = params.dcf
    dcf.sample_size, dcf.compressed_dim, dcf.init_cg_iter, dcf.init_gn_iter = 64, 8, 2, 1
    dcf.augment_rotate, dcf.augment_blur = (), ()
    trk = tracker.create_tracker(params)
    frame = np.random.default_rng(1).integers(0, 256, (72, 96, 3), dtype=np.uint8)
    trk.initialize(frame, box=np.array([30.0, 20.0, 20.0, 16.0]))
    assert trk.dist.shape == (1, 1, 32, 32)
    assert torch.equal(trk.dist[0], sample["dists"][0]) and torch.equal(trk.dist[0], sample["dists"][1])
