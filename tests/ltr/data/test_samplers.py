"""Pair and sequence sampling (§2.5 / §3.4), determinism per index, and the epoch/rank loader."""
import numpy as np
import pytest
import torch

from ltr.data.loader import EpochSampler, batches_per_epoch, build_loader
from ltr.data.processing import ProcessingParams, SegmProcessing
from ltr.data.samplers import SamplerParams, SegmSampler, _chain_starts

PROC = SegmProcessing(ProcessingParams(output_size=16))


def test_pair_mode_respects_gap_and_visibility(fake_video):
    invisible = {(0, f) for f in range(0, 30, 3)}
    data = fake_video(num_sequences=2, num_frames=120, invisible=invisible)
    sampler = SegmSampler([data], PROC, SamplerParams(max_gap=10, samples_per_epoch=50))
    gaps = []
    for k in range(300):
        _, seq, ids, _ = sampler.sample_ids(k)
        assert len(ids) == 2 and all((seq, f) not in invisible for f in ids)
        gaps.append(abs(ids[1] - ids[0]))
    assert max(gaps) == 10 and min(gaps) == 0


def test_pair_window_includes_the_reference():
    sampler = SegmSampler.__new__(SegmSampler)
    sampler.params = SamplerParams(max_gap=2)
    visible = np.array([True] + [False] * 8 + [True])
    picks = {tuple(sampler.frame_ids(visible, np.array([0]), np.random.default_rng(s))) for s in range(20)}
    assert picks == {(0, 0)}  # frame 9 lies outside +-2; the visible reference itself is always a candidate
    picks = {tuple(sampler.frame_ids(visible, np.array([9]), np.random.default_rng(s))) for s in range(20)}
    assert picks == {(9, 9)}


def test_sequence_mode_gives_consecutive_visible_frames(fake_video):
    invisible = {(0, 5), (0, 8), (1, 3)}
    data = fake_video(num_sequences=2, num_frames=24, invisible=invisible)
    params = SamplerParams(mode="sequence", num_frames=3, max_skip=2, samples_per_epoch=10)
    sampler = SegmSampler([data], PROC, params)
    for k in range(200):
        _, seq, ids, _ = sampler.sample_ids(k)
        assert ids[1] == ids[0] + 1 and ids[2] == ids[1] + 1 and max(ids) < 24
        assert all((seq, f) not in invisible for f in ids)
    item = sampler[0]
    assert item["images"].shape == (3, 3, 16, 16) and item["dists"].shape == (3, 1, 16, 16)
    np.testing.assert_array_equal(_chain_starts(np.array([1, 1, 1, 0, 1, 1, 0, 1], bool), 2, 3),
                                  [1, 1, 1, 0, 1, 1, 0, 0])  # steps of 1 or 2 to a visible frame


def test_same_index_same_sample_different_index_different(fake_video):
    data = fake_video(num_sequences=3)
    a = SegmSampler([data], PROC, SamplerParams(samples_per_epoch=8), seed=5)
    b = SegmSampler([fake_video(num_sequences=3)], PROC, SamplerParams(samples_per_epoch=8), seed=5)
    for key, value in a[3].items():
        assert torch.equal(value, b[3][key])
    assert not torch.equal(a[3]["test_images"], a[4]["test_images"])
    c = SegmSampler([data], PROC, SamplerParams(samples_per_epoch=8), seed=6)
    assert not torch.equal(a[3]["test_images"], c[3]["test_images"])
    assert set(a[0]) >= {"train_images", "train_masks", "test_images", "test_masks", "test_dist"}


def test_ineligible_data_is_a_clear_error(fake_video):
    with pytest.raises(ValueError, match="min_frames"):
        SegmSampler([fake_video(num_frames=10)], PROC, SamplerParams())
    with pytest.raises(ValueError, match="sampler mode"):
        SamplerParams(mode="triplet")


def test_epoch_sampler_shards_and_resumes():
    full = list(EpochSampler(10, epoch=2))
    assert full == list(range(20, 30))
    r0, r1 = list(EpochSampler(10, 2, rank=0, world_size=2)), list(EpochSampler(10, 2, rank=1, world_size=2))
    assert sorted(r0 + r1) == full and not set(r0) & set(r1)
    assert list(EpochSampler(10, 2, rank=1, world_size=2, skip=3)) == r1[3:]
    assert batches_per_epoch(10, 2, world_size=2) == 2
    with pytest.raises(ValueError, match="rank 2"):
        EpochSampler(10, 0, rank=2, world_size=2)


def test_loader_batches_do_not_depend_on_workers(fake_video):
    sampler = SegmSampler([fake_video(num_sequences=2)], PROC, SamplerParams(samples_per_epoch=8), seed=1)
    seq = [b["test_images"] for b in build_loader(sampler, 2, epoch=1, num_workers=0)]
    par = [b["test_images"] for b in build_loader(sampler, 2, epoch=1, num_workers=2)]
    assert len(seq) == 4 and all(torch.equal(x, y) for x, y in zip(seq, par))
    resumed = [b["test_images"] for b in build_loader(sampler, 2, epoch=1, skip_batches=3)]
    assert len(resumed) == 1 and torch.equal(resumed[0], seq[3])


def test_prepare_batch_normalises_collated_pair_and_sequence_batches(fake_video):
    from ltr.data.processing import prepare_batch
    from ltr.data.preprocess import normalize_images
    data = fake_video(num_sequences=2, num_frames=24)
    for params, key, factor_key in ((SamplerParams(samples_per_epoch=4), "test_images", "test_brightness"),
                                    (SamplerParams(mode="sequence", num_frames=3, samples_per_epoch=4), "images",
                                     "brightness")):
        sampler = SegmSampler([data], PROC, params, seed=2)
        raw = next(iter(build_loader(sampler, 2, epoch=0)))
        batch = prepare_batch(raw)
        assert batch[key].dtype == torch.float32 and factor_key not in batch
        assert batch[key].shape == raw[key].shape
        one = normalize_images(raw[key][1], brightness=raw[factor_key][1])  # the second sample on its own
        torch.testing.assert_close(batch[key][1], one)
        assert prepare_batch(batch)[key] is batch[key]  # float batches pass through
