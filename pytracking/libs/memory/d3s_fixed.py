"""D3S's reference "memory" (§2.3): frame-1 embeddings and the refined frame-1 mask, used unchanged for the whole
sequence. Capacity = the frame-1 entries; writes are accepted by the API and ignored by policy."""
from __future__ import annotations

import torch

from pytracking.libs.memory.base import WriteReport


class D3SFixedReference:
    """Keys ``(C, N)`` (unnormalised embeddings of the frame-1 crop) and values ``pos``/``neg`` ``(N,)`` (mask
    ``m`` and ``1 - m`` at feature resolution). Same read interface as the other memories."""

    def __init__(self, keys: torch.Tensor, fg: torch.Tensor):
        if keys.dim() != 2 or fg.dim() != 1 or keys.shape[1] != fg.shape[0]:
            raise ValueError(f"D3SFixedReference: keys (C, N) and fg (N,) expected, got {tuple(keys.shape)} and "
                             f"{tuple(fg.shape)}")
        self.keys = keys.detach().clone()
        self.pos = fg.detach().to(keys.dtype).clone()
        self.neg = 1.0 - self.pos

    @property
    def capacity(self) -> int:
        return self.keys.shape[1]

    def __len__(self) -> int:
        return self.keys.shape[1]

    @property
    def nbytes(self) -> int:
        """Bytes of the stored tensors."""
        return sum(t.numel() * t.element_size() for t in (self.keys, self.pos, self.neg))

    def read(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(keys (C, N), pos (N,), neg (N,))``."""
        return self.keys, self.pos, self.neg

    def write(self, query: torch.Tensor, fg: torch.Tensor, uncertainty: float | None = None,
              frame: int = 0) -> WriteReport:
        """D3S never updates its reference: every column of ``query`` is dropped."""
        return WriteReport(dropped=int(query.shape[1]))
