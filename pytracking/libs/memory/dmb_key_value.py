"""DMB's appearance memory bank (§3.2): key/value maps of every ``every``-th segmented frame plus the previous
segmented frame, bounded.

Each write is the memorised *previous* segmented frame (``memorize(previous crop, previous soft mask)``), made on
every segmented frame. Write number ``s`` (1-based) becomes persistent when ``s % every == 0``; reads return the
persistent frames followed by the latest write (not repeated when it was just made persistent). The first frame is
only the "previous frame" of the first tracking step, as in the original.

Deviation from the original (documented in docs/trackers.md): the original persistent list is unbounded
(+``N`` keys per ``every`` segmented frames). Here at most ``capacity`` persistent frames are kept; the oldest is
evicted first (FIFO), so memory spans the last ``capacity * every`` segmented frames. With ``keep_first`` the first
persistent frame is never evicted.
"""
from __future__ import annotations

import torch

from pytracking.libs.memory.base import WriteGate, WriteReport


class DMBKeyValueMemory:
    """Persistent frames of keys ``(Ck, N)`` and values ``(Cv, N)`` plus the latest frame.

    Args:
        every: k, the persistence period in segmented frames (DMB: 5).
        capacity: maximum persistent frames (default 20 = the last 100 segmented frames).
        keep_first: never evict the first persistent frame.
        gate: writes are refused while the DCF uncertainty is at or above ``gate.threshold`` (DMB: only segmented
            frames, uncert < 10).
    """

    def __init__(self, every: int = 5, capacity: int = 20, keep_first: bool = False,
                 gate: WriteGate | None = None):
        if every < 1 or capacity < 1:
            raise ValueError(f"DMBKeyValueMemory: every and capacity must be >= 1, got {every} and {capacity}")
        self.every = int(every)
        self.capacity = int(capacity)
        self.keep_first = bool(keep_first)
        self.gate = gate or WriteGate()
        self.persistent: list[tuple[torch.Tensor, torch.Tensor]] = []
        self.latest: tuple[torch.Tensor, torch.Tensor] | None = None
        self.num_writes = 0
        self._latest_is_persistent = False

    def __len__(self) -> int:
        """Number of frames a read returns."""
        return len(self.persistent) + (0 if self.latest is None or self._latest_is_persistent else 1)

    @property
    def num_entries(self) -> int:
        """Key columns a read returns (frames x ``N``)."""
        frames = self.persistent + ([] if self.latest is None or self._latest_is_persistent else [self.latest])
        return int(sum(key.shape[1] for key, _ in frames))

    @property
    def nbytes(self) -> int:
        """Bytes of the stored keys and values (persistent frames and the latest frame)."""
        frames = self.persistent + ([] if self.latest is None or self._latest_is_persistent else [self.latest])
        return int(sum(t.numel() * t.element_size() for frame in frames for t in frame))

    def write(self, key: torch.Tensor, value: torch.Tensor, uncertainty: float | None = None) -> WriteReport:
        """Store one memorised frame: ``key (Ck, N)``, ``value (Cv, N)``."""
        if key.dim() != 2 or value.dim() != 2 or key.shape[1] != value.shape[1]:
            raise ValueError(f"DMBKeyValueMemory.write: key (Ck, N) and value (Cv, N) expected, got "
                             f"{tuple(key.shape)} and {tuple(value.shape)}")
        if self.persistent and (key.shape[0], value.shape[0]) != (self.persistent[0][0].shape[0],
                                                                    self.persistent[0][1].shape[0]):
            raise ValueError("DMBKeyValueMemory.write: key/value channels differ from the stored frames")
        if not self.gate.accepts(uncertainty):
            return WriteReport(gated=True)
        entry = (key.detach(), value.detach())
        self.latest = entry
        self.num_writes += 1
        self._latest_is_persistent = self.num_writes % self.every == 0
        evicted = 0
        if self._latest_is_persistent:
            self.persistent.append(entry)
            if len(self.persistent) > self.capacity:
                victim = 1 if self.keep_first else 0
                del self.persistent[victim]
                evicted = key.shape[1]
                if victim == len(self.persistent):  # capacity 1 with keep_first: the new frame was the victim
                    self._latest_is_persistent = False
        return WriteReport(appended=key.shape[1], evicted=evicted)

    def read(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``(keys (Ck, T*N), values (Cv, T*N))``: persistent frames, then the latest frame."""
        if self.latest is None:
            raise RuntimeError("DMBKeyValueMemory.read before any write; write the memorised first frame first")
        frames = list(self.persistent)
        if not self._latest_is_persistent:
            frames.append(self.latest)
        return torch.cat([k for k, _ in frames], dim=1), torch.cat([v for _, v in frames], dim=1)
