"""DataLoader construction: epoch-indexed, rank-sharded, seeded and resumable.

Samples are pure functions of ``(seed, index)`` (:class:`ltr.data.samplers.SegmSampler`), so reproducibility reduces
to *which indices* a rank reads: epoch ``e`` covers ``e * N .. (e + 1) * N - 1`` (N = samples per epoch), rank ``r``
of ``W`` takes every ``W``-th of them, in order, and a resumed run skips the batches it already trained on. Worker
processes are seeded too (``worker_init_fn``) for any randomness outside the sampler.
"""
from __future__ import annotations

import random

import numpy as np
import torch
from torch.utils.data import DataLoader, Sampler


class EpochSampler(Sampler[int]):
    """Global sample indices of one epoch for one rank, starting after ``skip`` samples of that rank."""

    def __init__(self, samples_per_epoch: int, epoch: int, rank: int = 0, world_size: int = 1, skip: int = 0):
        if not 0 <= rank < world_size:
            raise ValueError(f"rank {rank} is not in [0, world_size={world_size})")
        self.per_rank = samples_per_epoch // world_size
        if self.per_rank < 1:
            raise ValueError(f"samples_per_epoch={samples_per_epoch} gives no sample to each of {world_size} ranks")
        self.start = epoch * samples_per_epoch + rank
        self.world_size, self.skip = world_size, skip

    def __iter__(self):
        for i in range(self.skip, self.per_rank):
            yield self.start + i * self.world_size

    def __len__(self) -> int:
        return max(self.per_rank - self.skip, 0)


def seed_worker(worker_id: int) -> None:
    """``worker_init_fn``: seed Python and NumPy global RNGs from torch's per-worker seed (base seed + worker id)."""
    seed = torch.initial_seed() % 2**32
    random.seed(seed)
    np.random.seed(seed)


def build_loader(dataset, batch_size: int, epoch: int, *, seed: int = 0, num_workers: int = 0, rank: int = 0,
                 world_size: int = 1, skip_batches: int = 0, device: torch.device | str = "cpu") -> DataLoader:
    """A DataLoader over ``dataset`` for ``epoch`` (batches of this rank; incomplete last batch dropped).

    ``skip_batches`` resumes inside an epoch. ``seed`` and ``epoch`` fix the worker seeds.
    """
    if batch_size < 1 or num_workers < 0:
        raise ValueError(f"batch_size must be >= 1 and num_workers >= 0, got {batch_size} and {num_workers}")
    sampler = EpochSampler(len(dataset), epoch, rank, world_size, skip=skip_batches * batch_size)
    generator = torch.Generator()
    generator.manual_seed(hash((int(seed), int(epoch), int(rank))) % 2**62)
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler, num_workers=num_workers, drop_last=True,
                      worker_init_fn=seed_worker, generator=generator,
                      pin_memory=torch.device(device).type == "cuda", persistent_workers=False,
                      prefetch_factor=2 if num_workers > 0 else None)


def batches_per_epoch(samples_per_epoch: int, batch_size: int, world_size: int = 1) -> int:
    """Number of (full) batches each rank trains on per epoch."""
    return (samples_per_epoch // world_size) // batch_size
