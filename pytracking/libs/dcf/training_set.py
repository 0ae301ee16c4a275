"""The DCF's weighted training set (§1.4 "Sample memory"; pytracking calls it the sample memory, hence the
parameter ``sample_memory_size``). "Memory" in this project names the segmentation trackers' appearance memories
(:mod:`pytracking.libs.memory`) only."""
from __future__ import annotations

from typing import Optional

import torch


class TrainingSet:
    """Fixed-capacity store of projected training samples, their labels and weights (weights sum to 1).

    Insertion rule (§1.4, ATOM ``update_sample_weights``), with learning rate ``lr``:

    * the slot to replace is the one with the minimum weight (the first such slot; empty slots have weight 0, so
      they fill in order). With ``init_min_weight`` set (ATOM: 0.25), the frame-1 slots are never replaced and
      keep at least that total weight, the others sharing the rest (ATOM's rescaling left a sum above 1; here the
      weights always sum to 1). D3S leaves it unset, so frame-1 samples are not protected;
    * on the first insertion after :meth:`initialize` all weights are divided by ``(1 - lr)`` and the new sample
      gets ``lr``; later the new sample gets ``weight[previous slot] / (1 - lr)``;
    * the weights are renormalised to sum to 1.

    Args:
        capacity: number of slots (250); sample_shape: ``(C, H, W)`` of one projected sample.
    """

    def __init__(self, capacity: int, sample_shape: tuple, label_shape: tuple, device, dtype=torch.float32,
                 init_min_weight: Optional[float] = None):
        self.capacity = int(capacity)
        # Stored channel-major (C, capacity, H, W) and exposed as the (capacity, C, H, W) view ``samples``: the
        # filter training reads the filled slots as one (C, N*H*W) matrix without copying the set.
        channels, *spatial = sample_shape
        self._channel_major = torch.zeros((channels, self.capacity, *spatial), device=device, dtype=dtype)
        self.samples = self._channel_major.transpose(0, 1)
        self.labels = torch.zeros((self.capacity, *label_shape), device=device, dtype=dtype)
        self.weights = torch.zeros(self.capacity, device=device, dtype=torch.float64)
        self.init_min_weight = init_min_weight if init_min_weight else None
        self.num_init = 0
        self.num_stored = 0
        self.previous_index: Optional[int] = None

    def initialize(self, samples: torch.Tensor, labels: torch.Tensor) -> None:
        """Store the frame-1 samples ``(N, C, H, W)`` with equal weights ``1/N``."""
        n = samples.shape[0]
        if n > self.capacity:
            raise ValueError(f"{n} initial samples do not fit a DCF training set of capacity (dcf.sample_memory_size) {self.capacity}")
        self.weights.zero_()
        self.samples[:n] = samples
        self.labels[:n] = labels
        self.weights[:n] = 1.0 / n
        self.num_init = self.num_stored = n
        self.previous_index = None

    def insert(self, sample: torch.Tensor, label: torch.Tensor, learning_rate: float) -> int:
        """Insert one sample ``(C, H, W)`` with its label ``(H, W)``; returns the slot it went to."""
        if self.num_stored == 0:
            raise RuntimeError("TrainingSet.insert before initialize(): the frame-1 samples come first")
        lr = float(learning_rate)
        w = self.weights
        start = self.num_init if self.init_min_weight is not None else 0
        if lr == 1:
            w.zero_()
            index = 0
        else:
            index = start + int(torch.argmin(w[start:]))             # first minimum (CPU and CUDA alike)
            if self.previous_index is None:
                w /= 1 - lr
                w[index] = lr
            else:
                w[index] = w[self.previous_index] / (1 - lr)
        if lr == 1:
            w[0] = 1
        w /= w.sum()
        if self.init_min_weight is not None and float(w[: self.num_init].sum()) < self.init_min_weight:
            w[self.num_init:] *= (1 - self.init_min_weight) / w[self.num_init:].sum()
            w[: self.num_init] = self.init_min_weight / self.num_init
        self.samples[index] = sample
        self.labels[index] = label
        self.previous_index = index
        self.num_stored += 1
        return index

    def active(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(samples, labels, weights)`` of the filled slots (empty slots have weight 0 and add nothing to the
        objective, so they are left out). ``samples`` (N, C, H, W) is a view with channel-major strides."""
        n = min(self.num_stored, self.capacity)
        return self.samples[:n], self.labels[:n], self.weights[:n].to(self.samples.dtype)
