"""D3S's reference "memory" (§2.3): frame-1 embeddings and the refined frame-1 mask, used unchanged for the whole
sequence. Capacity = the frame-1 entries; writes are accepted by the API and ignored by policy."""
from __future__ import annotations

import math

import torch

from pytracking.libs.memory.base import AppearanceMemory, MemoryReadout, WriteGate, WriteReport, label_values


class D3SFixedReference(AppearanceMemory):
    """Keys ``(C, N)`` (unnormalised embeddings of the frame-1 crop) and label values ``(2, N)`` (mask ``m`` and
    ``1 - m`` at feature resolution)."""

    def __init__(self, keys: torch.Tensor, fg: torch.Tensor):
        if keys.dim() != 2 or fg.dim() != 1 or keys.shape[1] != fg.shape[0]:
            raise ValueError(f"D3SFixedReference: keys (C, N) and fg (N,) expected, got {tuple(keys.shape)} and "
                             f"{tuple(fg.shape)}")
        super().__init__(keys.shape[1], WriteGate(math.inf))  # nothing is stored anyway
        self.keys = keys.detach().clone()
        self.values = label_values(fg.detach().to(keys.dtype))

    def __len__(self) -> int:
        return self.keys.shape[1]

    @property
    def tensors(self) -> tuple[torch.Tensor, ...]:
        return self.keys, self.values

    def read(self) -> MemoryReadout:
        """``keys (C, N)``, ``values (2, N)``."""
        return MemoryReadout(self.keys, self.values)

    def _write(self, keys: torch.Tensor, values: torch.Tensor, frame: int) -> WriteReport:
        """D3S never updates its reference: every column is dropped."""
        return WriteReport(dropped=int(keys.shape[1]))
