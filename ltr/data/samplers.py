"""Training samples drawn from video datasets (§2.5 "Sampler", §3.4 "Sampler").

A :class:`SegmSampler` is a map-style ``torch.utils.data.Dataset`` whose item ``k`` is a *random* training sample
drawn with ``numpy.random.default_rng([seed, k])``: the same seed and index always give the same sample, in any
worker, on any rank, after any resume. Epoch ``e`` reads the indices ``e * samples_per_epoch + i``
(see :class:`ltr.data.loader.EpochSampler`).

Modes:

* ``"pair"`` (D3S, CMEDFL): reference frame uniform over visible frames; test frame uniform over visible frames within
  ``+-max_gap`` of it, the reference itself included (the original's "widen by 5 and retry" can never trigger, so it
  is left out). Items carry the pair keys of
  :func:`ltr.data.processing.to_pair_batch`.
* ``"sequence"`` (DMB): ``num_frames`` ordered frames, reference uniform over visible frames, each next frame uniform
  over visible frames in ``[previous + 1, previous + max_skip)`` (DMB's max_skip 2 = consecutive annotated frames).
  Items carry ``images`` (T, 3, S, S), ``masks`` (T, 1, S, S), ``dists`` (T, 1, S, S), frame 0 the reference.

Datasets follow the ``ltr.dataset`` contract: ``get_num_sequences()``, ``get_sequence_info(i)`` with ``"visible"``
(N,) bool, ``get_frames(i, ids) -> (frames, masks, boxes)``. Sequences that cannot give a sample (fewer than
``min_frames`` frames, at most ``min_visible - 1`` visible frames, no ordered chain in sequence mode) are dropped once
at construction; this is the original "retry until a sequence qualifies" loop without the retries.
"""
from __future__ import annotations

from ltr.admin.params import ParameterError, Params

from dataclasses import dataclass

import numpy as np
import torch

from ltr.data.processing import SegmProcessing, to_pair_batch


@dataclass(frozen=True)
class SamplerParams(Params):
    """Sampling settings (defaults: D3S pair mode, §2.5)."""

    mode: str = "pair"  # "pair" (D3S / CMEDFL: reference + one frame near it) or "sequence" (DMB: ordered frames)
    samples_per_epoch: int = 64000  # samples drawn per epoch (the original's epoch length)
    max_gap: int = 50  # pair mode: the second frame lies within +-max_gap frames of the reference
    num_frames: int = 2  # frames per sample (2 in pair mode)
    max_skip: int = 2  # sequence mode: each next frame lies in [previous + 1, previous + max_skip)
    min_frames: int = 20  # sequences with fewer frames are never sampled
    min_visible: int = 5  # sequences with fewer frames showing the target are never sampled

    def __post_init__(self):
        super().__post_init__()
        if self.mode not in ("pair", "sequence"):
            raise ParameterError(f"sampler mode must be 'pair' or 'sequence', got '{self.mode}'")
        if self.mode == "pair" and self.num_frames != 2:
            raise ParameterError(f"pair mode samples 2 frames, got num_frames={self.num_frames}")
        if self.num_frames < 2 or self.max_skip < 2 or self.max_gap < 0 or self.samples_per_epoch < 1:
            raise ParameterError("sampler needs num_frames >= 2, max_skip >= 2, max_gap >= 0 and samples_per_epoch >= 1, "
                                 f"got {self.num_frames}, {self.max_skip}, {self.max_gap}, {self.samples_per_epoch}")


def _chain_starts(visible: np.ndarray, length: int, max_skip: int) -> np.ndarray:
    """Boolean (N,): frame i starts an ordered chain of ``length`` visible frames with steps in [1, max_skip)."""
    reach = visible.copy()  # reach[i]: a chain of the current length starts at visible frame i
    n = len(visible)
    for _ in range(length - 1):
        nxt = np.zeros(n, dtype=bool)
        for step in range(1, max_skip):
            nxt[:n - step] |= reach[step:]
        reach = visible & nxt
    return reach


class SegmSampler(torch.utils.data.Dataset):
    """Random training samples (see module docstring). ``len()`` is the number of samples per epoch; every index >= 0
    is a valid sample (epoch e reads ``e * len() ..``)."""

    def __init__(self, datasets, processing: SegmProcessing, params: SamplerParams = SamplerParams(),
                 weights=None, seed: int = 0):
        datasets = list(datasets)
        if not datasets:
            raise ValueError("the sampler needs at least one training dataset")
        weights = np.ones(len(datasets)) if weights is None else np.asarray(weights, dtype=np.float64)
        if weights.shape != (len(datasets),) or np.any(weights < 0) or weights.sum() <= 0:
            raise ValueError(f"dataset weights must be {len(datasets)} non-negative numbers, got {weights}")
        self.datasets, self.processing, self.params, self.seed = datasets, processing, params, int(seed)
        self.eligible: list[np.ndarray] = []  # per dataset: sequence ids that can give a sample
        self.starts: list[dict[int, np.ndarray]] = []  # per dataset: sequence id -> frames a sample may start at
        self.visible: list[dict[int, np.ndarray]] = []  # per dataset: sequence id -> (N,) visibility
        for dataset in datasets:
            ids, starts, visibility = [], {}, {}
            for i in range(dataset.get_num_sequences()):
                visible = np.asarray(dataset.get_sequence_info(i)["visible"], dtype=bool)
                if len(visible) < params.min_frames or visible.sum() < params.min_visible:
                    continue
                ok = visible if params.mode == "pair" else _chain_starts(visible, params.num_frames, params.max_skip)
                if ok.any():
                    ids.append(i)
                    starts[i] = np.flatnonzero(ok)
                    visibility[i] = visible
            self.eligible.append(np.asarray(ids, dtype=np.int64))
            self.starts.append(starts)
            self.visible.append(visibility)
        sizes = np.array([len(e) for e in self.eligible])
        if sizes.sum() == 0:
            raise ValueError(
                f"no training sequence qualifies: {params.mode} mode needs >= {params.min_frames} frames and >= "
                f"{params.min_visible} visible frames per sequence (settings sampler.min_frames / "
                f"sampler.min_visible); the datasets hold {[d.get_num_sequences() for d in datasets]} sequences")
        weights = np.where(sizes > 0, weights, 0.0)
        self.weights = weights / weights.sum()

    def __len__(self) -> int:
        return self.params.samples_per_epoch

    def frame_ids(self, visible: np.ndarray, starts: np.ndarray, rng: np.random.Generator) -> list[int]:
        """Frame ids of one sample, reference first (§2.5 / §3.4)."""
        p = self.params
        first = int(rng.choice(starts))
        if p.mode == "pair":  # the window holds the (visible) reference itself, so it is never empty
            lo, hi = max(first - p.max_gap, 0), min(first + p.max_gap, len(visible) - 1)
            return [first, int(rng.choice(np.flatnonzero(visible[lo:hi + 1]) + lo))]
        ids = [first]
        for remaining in range(p.num_frames - 1, 0, -1):  # the next frame must start a chain of `remaining` frames
            reach = _chain_starts(visible, remaining, p.max_skip)
            prev = ids[-1]
            window = np.arange(prev + 1, min(prev + p.max_skip, len(visible)))
            ids.append(int(rng.choice(window[reach[window]])))
        return ids

    def sample_ids(self, index: int) -> tuple[int, int, list[int], np.random.Generator]:
        """``(dataset number, sequence id, frame ids, rng)`` of sample ``index`` (rng positioned for processing)."""
        rng = np.random.default_rng([self.seed, int(index)])
        d = int(rng.choice(len(self.datasets), p=self.weights))
        seq = int(rng.choice(self.eligible[d]))
        return d, seq, self.frame_ids(self.visible[d][seq], self.starts[d][seq], rng), rng

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        if index < 0:
            raise IndexError(f"sample index must be >= 0, got {index}")
        d, seq, ids, rng = self.sample_ids(index)
        frames, masks, boxes = self.datasets[d].get_frames(seq, ids)
        sample = self.processing(list(frames), list(masks), np.asarray(boxes, dtype=np.float64), rng)
        return to_pair_batch(sample) if self.params.mode == "pair" else sample
