"""DMB's appearance memory bank (§3.2): key/value maps of every ``every``-th segmented frame plus the previous
segmented frame, bounded.

Each write is the memorised *previous* segmented frame (``memorize(previous crop, previous soft mask)``), made on
every segmented frame. Write number ``s`` (1-based) becomes persistent when ``s % every == 0``; reads return the
persistent frames followed by the latest write (not repeated when it was just made persistent). The first frame is
only the "previous frame" of the first tracking step, as in the original.

Deviation from the original (documented in docs/trackers.md): the original persistent list is unbounded
(+``N`` keys per ``every`` segmented frames). Here the persistent frames hold at most ``capacity`` entries (key
columns); whole frames are evicted, the oldest first (FIFO), so with ``N`` entries per frame the memory spans the last
``capacity // N * every`` segmented frames. With ``keep_first`` the first persistent frame is never evicted.
"""
from __future__ import annotations

import torch

from pytracking.libs.memory.base import AppearanceMemory, MemoryReadout, WriteGate, WriteReport


class DMBKeyValueMemory(AppearanceMemory):
    """Persistent frames of keys ``(Ck, N)`` and values ``(Cv, N)`` plus the latest frame.

    Args:
        every: k, the persistence period in segmented frames (DMB: 5).
        capacity: maximum entries of the persistent frames.
        keep_first: never evict the first persistent frame.
        gate: writes are refused while the DCF uncertainty is at or above ``gate.threshold`` (DMB: only segmented
            frames, uncert < 10).
    """

    def __init__(self, *, every: int, capacity: int, keep_first: bool, gate: WriteGate):
        if every < 1:
            raise ValueError(f"DMBKeyValueMemory: every must be >= 1, got {every}")
        super().__init__(capacity, gate)
        self.every = int(every)
        self.keep_first = bool(keep_first)
        self.persistent: list[tuple[torch.Tensor, torch.Tensor]] = []
        self.latest: tuple[torch.Tensor, torch.Tensor] | None = None
        self.num_writes = 0
        self._latest_is_persistent = False

    def _frames(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """The ``(key, value)`` frames a read returns: persistent frames, then the latest."""
        if self.latest is None or self._latest_is_persistent:
            return list(self.persistent)
        return [*self.persistent, self.latest]

    def __len__(self) -> int:
        """Entries (key columns) a read returns."""
        return int(sum(key.shape[1] for key, _ in self._frames()))

    @property
    def num_frames(self) -> int:
        """Frames a read returns."""
        return len(self._frames())

    @property
    def tensors(self) -> tuple[torch.Tensor, ...]:
        return tuple(t for frame in self._frames() for t in frame)

    def _check_write(self, keys: torch.Tensor, values: torch.Tensor) -> None:
        super()._check_write(keys, values)
        if self.latest is not None and (keys.shape[0], values.shape[0]) != (self.latest[0].shape[0],
                                                                              self.latest[1].shape[0]):
            raise ValueError("DMBKeyValueMemory.write: key/value channels differ from the stored frames")

    def _write(self, keys: torch.Tensor, values: torch.Tensor, frame: int) -> WriteReport:
        """Store one memorised frame: ``keys (Ck, N)``, ``values (Cv, N)``."""
        entry = (keys, values)
        self.latest = entry
        self.num_writes += 1
        self._latest_is_persistent = self.num_writes % self.every == 0
        evicted = 0
        if self._latest_is_persistent:
            self.persistent.append(entry)
            first = 1 if self.keep_first else 0      # index of the oldest evictable frame
            while sum(k.shape[1] for k, _ in self.persistent) > self.capacity and len(self.persistent) > first:
                evicted += self.persistent.pop(first)[0].shape[1]
            if not self.persistent or self.persistent[-1] is not entry:   # the new frame itself did not fit
                self._latest_is_persistent = False
        return WriteReport(appended=keys.shape[1], evicted=evicted)

    def read(self) -> MemoryReadout:
        """``keys (Ck, T*N)``, ``values (Cv, T*N)``: persistent frames, then the latest frame."""
        if self.latest is None:
            raise RuntimeError("DMBKeyValueMemory.read before any write; write the memorised first frame first")
        frames = self._frames()
        return MemoryReadout(torch.cat([k for k, _ in frames], dim=1), torch.cat([v for _, v in frames], dim=1))
