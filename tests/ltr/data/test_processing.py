"""Training crops: jitter, masks, distance maps, box-only reference and normalisation (§2.5)."""
import numpy as np
import pytest
import torch

from ltr.data.processing import ProcessingParams, SegmProcessing, prepare_batch, to_pair_batch
from ltr.data.preprocess import IMAGENET_MEAN, IMAGENET_STD, denormalize, distance_map
from ltr.data.transforms import box_mask, jitter_box



@pytest.fixture
def frames_of(fake_video):
    return lambda ids=(0, 5, 6): fake_video(num_sequences=1).get_frames(0, list(ids))


def test_reference_crop_is_centred_and_mask_matches_box(frames_of):
    frames, masks, boxes = frames_of()
    p = ProcessingParams(output_size=40, brightness_jitter=0.0, box_mask_prob=0.0, dist_jitter=0.0)
    out = SegmProcessing(p)(frames, masks, boxes, np.random.default_rng(0))
    assert out["images"].shape == (3, 3, 40, 40) and out["masks"].shape == (3, 1, 40, 40)
    assert out["dists"].shape == (3, 1, 40, 40) and out["boxes"].shape == (3, 4)
    ref = out["boxes"][0].numpy()
    np.testing.assert_allclose(ref[:2] + ref[2:] / 2, [19.5, 19.5], atol=1e-5)
    # side = ceil(sqrt(120) * 4) = 44 -> f = 40/44
    np.testing.assert_allclose(ref[2:], np.array([12, 10]) * 40 / 44, rtol=1e-5)
    for t in range(3):
        ys, xs = np.nonzero(out["masks"][t, 0].numpy() > 0.5)
        b = out["boxes"][t].numpy()
        np.testing.assert_allclose([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1],
                                   [b[0], b[1], b[0] + b[2], b[1] + b[3]], atol=1.0)
        # no dist jitter: the distance map's zero is half a pixel up-left of the crop-space box centre (0-based
        # pixel grid), the default "shifted" convention shared with the trackers
        dmin = np.unravel_index(np.argmin(out["dists"][t, 0].numpy()), (40, 40))
        np.testing.assert_allclose([dmin[1], dmin[0]], b[:2] + b[2:] / 2 - 0.5, atol=0.51)


def test_test_frames_are_jittered_with_the_recipe_statistics():
    rng = np.random.default_rng(1)
    box = np.array([100.0, 50.0, 40.0, 10.0])
    jit = np.stack([jitter_box(box, rng, 1.5, 0.25) for _ in range(4000)])
    log_scale = np.log(jit[:, 2:] / box[2:])
    np.testing.assert_allclose(log_scale.std(0), 0.25, atol=0.015)
    offsets = (jit[:, :2] + jit[:, 2:] / 2 - (box[:2] + box[2:] / 2)) / np.sqrt(jit[:, 2:].prod(1))[:, None]
    assert np.abs(offsets).max() <= 0.75 + 1e-9 and np.abs(offsets).max() > 0.7
    assert np.all(jitter_box(box, rng, 0.0, 0.0) == box)


def test_box_only_reference_copies_the_reference_crop(frames_of):
    frames, masks, boxes = frames_of((0, 9))
    p = ProcessingParams(output_size=32, box_mask_prob=1.0, brightness_jitter=0.0)
    out = prepare_batch(to_pair_batch(SegmProcessing(p)(frames, masks, boxes, np.random.default_rng(3))))
    assert bool(out["box_init"]) and "train_brightness" not in out
    assert torch.equal(out["train_images"], out["test_images"])
    assert torch.equal(out["train_dist"], out["test_dist"])
    np.testing.assert_array_equal(out["train_masks"][0].numpy(), box_mask(32, out["train_boxes"].numpy()))
    # the test mask is the real (soft) mask of the same crop, not the box
    assert not torch.equal(out["test_masks"], out["train_masks"])
    with pytest.raises(ValueError, match="pair mode needs exactly 2"):
        to_pair_batch(SegmProcessing(p)(*frames_of((0, 1, 2)), np.random.default_rng(0)))


def test_brightness_and_normalisation(frames_of):
    frames, masks, boxes = frames_of((0,))
    p = ProcessingParams(output_size=16, brightness_jitter=0.0)
    out = SegmProcessing(p)(frames, masks, boxes, np.random.default_rng(0))
    assert out["images"].dtype == torch.uint8 and out["brightness"].tolist() == [1.0]
    out = prepare_batch(out)
    image = denormalize(out["images"][0])
    from ltr.data.crops import sample_target
    crop, _, _ = sample_target(frames[0], boxes[0], 4.0, 16)
    np.testing.assert_allclose(image.permute(1, 2, 0).numpy(), crop / 255.0, atol=1e-6)
    mean = torch.tensor(IMAGENET_MEAN).view(3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(3, 1, 1)
    torch.testing.assert_close(out["images"][0], (torch.from_numpy(crop).permute(2, 0, 1) / 255 - mean) / std)
    bright = prepare_batch(SegmProcessing(ProcessingParams(output_size=16, brightness_jitter=0.2))(
        frames, masks, boxes, np.random.default_rng(0)))
    ratio = denormalize(bright["images"][0]).mean() / image.mean()
    assert 0.8 <= ratio <= 1.2 and abs(ratio - 1) > 1e-4


def test_same_rng_same_sample_and_dist_jitter_range(frames_of):
    frames, masks, boxes = frames_of()
    proc = SegmProcessing(ProcessingParams(output_size=24))
    a = proc(frames, masks, boxes, np.random.default_rng(7))
    b = proc(frames, masks, boxes, np.random.default_rng(7))
    for k in a:
        assert torch.equal(a[k], b[k])
    d = distance_map(5, np.array([1.0, 2.0]))
    assert d[2, 1] == 0 and d[2, 4] == 3 and d[0, 1] == 2
    with pytest.raises(ValueError, match="box_mask_prob"):
        ProcessingParams(box_mask_prob=1.5)


def test_without_augmentation_keeps_the_geometry_and_removes_every_random_change(frames_of):
    recipe = ProcessingParams(search_factor=3.0, output_size=24)
    plain = recipe.without_augmentation()
    assert (plain.search_factor, plain.output_size) == (3.0, 24) and recipe.center_jitter == 1.5  # a copy
    assert plain == ProcessingParams(search_factor=3.0, output_size=24, center_jitter=0.0, scale_jitter=0.0,
                                     dist_jitter=0.0, box_mask_prob=0.0, brightness_jitter=0.0)
    frames, masks, boxes = frames_of((4, 4))  # the same frame twice: both crops must be identical
    for seed in range(3):
        out = SegmProcessing(plain)(frames, masks, boxes, np.random.default_rng(seed))
        assert torch.equal(out["images"][0], out["images"][1]) and torch.equal(out["dists"][0], out["dists"][1])
        assert out["brightness"].tolist() == [1.0, 1.0] and not bool(out["box_init"])
