"""The interface every appearance memory implements (:class:`AppearanceMemory`), what a read returns
(:class:`MemoryReadout`), what a write did (:class:`WriteReport`), the running totals (:class:`MemoryStats`) and the
write gate shared by all of them (:class:`WriteGate`).

Units: an *entry* is one key column, i.e. one feature-map cell of one memorised frame. ``capacity`` and ``len()``
count entries for every memory (DMB's whole frames are evicted, but its cap is in entries too).
"""
from __future__ import annotations

import abc
import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class WriteGate:
    """Accept a memory write only while the DCF is confident (the "mutual promotion" of DMB/CMEDFL: the DCF
    keeps noisy frames out of the segmentation memory, §3.2 "filtering by the SMB").

    ``uncertainty`` is the DCF uncertainty of §1.4 (mean score history / current max; 100 when not found);
    ``None`` means "no DCF estimate" (initialisation) and is accepted.
    """

    # Writes need uncertainty < threshold (the tracker parameter memory_write_uncertainty_thr).
    threshold: float

    def __post_init__(self):
        if not self.threshold > 0:  # math.inf accepts every finite uncertainty
            raise ValueError(f"WriteGate.threshold must be > 0, got {self.threshold}")

    def accepts(self, uncertainty: float | None) -> bool:
        if uncertainty is None:
            return True
        return math.isfinite(uncertainty) and uncertainty < self.threshold


@dataclass(frozen=True)
class WriteReport:
    """What one ``write`` did, in entries: merged into existing ones, appended, dropped, evicted; ``gated`` when the
    uncertainty gate refused the write (then all counts are 0)."""

    gated: bool = False
    merged: int = 0
    appended: int = 0
    dropped: int = 0
    evicted: int = 0


@dataclass(frozen=True)
class MemoryReadout:
    """What the segmentation head reads: ``keys (Ck, M)`` and ``values (Cv, M)``, one column per entry.

    Label memories (D3S, CMEDFL) hold ``Cv = 2`` rows: foreground ``values[0]`` and background ``values[1]``
    probabilities; DMB holds ``Cv`` value channels of its value head."""

    keys: torch.Tensor
    values: torch.Tensor

    @property
    def fg(self) -> torch.Tensor:
        """``(M,)`` row 0 of a label memory's values."""
        return self.values[0]

    @property
    def bg(self) -> torch.Tensor:
        """``(M,)`` row 1 of a label memory's values."""
        return self.values[1]


@dataclass(frozen=True)
class MemoryStats:
    """Size now and totals over all writes (in entries; ``writes`` / ``gated`` in calls)."""

    entries: int
    capacity: int
    nbytes: int
    writes: int
    gated: int
    merged: int
    appended: int
    dropped: int
    evicted: int


class AppearanceMemory(abc.ABC):
    """A bounded store of ``(key, value)`` entries that the segmentation head reads every frame and that learns the
    tracked frames through an uncertainty-gated ``write``.

    Implementations set ``capacity`` (max entries) and ``gate``, implement :meth:`read`, :meth:`_write`,
    :meth:`__len__` and :attr:`tensors`; :meth:`write` applies the gate and keeps the totals of :meth:`stats`."""

    capacity: int
    gate: WriteGate

    def __init__(self, capacity: int, gate: WriteGate):
        if isinstance(capacity, bool) or int(capacity) != capacity or capacity < 1:
            raise ValueError(f"{type(self).__name__}: capacity must be a positive number of entries, got "
                             f"{capacity!r}")
        self.capacity = int(capacity)
        self.gate = gate
        self._totals = dict.fromkeys(("writes", "gated", "merged", "appended", "dropped", "evicted"), 0)

    @abc.abstractmethod
    def read(self) -> MemoryReadout:
        """Every entry the head matches against (see :class:`MemoryReadout`)."""

    @abc.abstractmethod
    def _write(self, keys: torch.Tensor, values: torch.Tensor, frame: int) -> WriteReport:
        """Store ``keys (Ck, N)`` / ``values (Cv, N)`` of one frame (the gate has accepted it)."""

    @abc.abstractmethod
    def __len__(self) -> int:
        """Entries a read returns."""

    @property
    @abc.abstractmethod
    def tensors(self) -> tuple[torch.Tensor, ...]:
        """The stored tensors (for :attr:`nbytes`)."""

    def _check_write(self, keys: torch.Tensor, values: torch.Tensor) -> None:
        """Shape check of a write; subclasses extend it (and raise before the gate, so bad input always fails)."""
        if keys.dim() != 2 or values.dim() != 2 or keys.shape[1] != values.shape[1]:
            raise ValueError(f"{type(self).__name__}.write: keys (Ck, N) and values (Cv, N) expected, got "
                             f"{tuple(keys.shape)} and {tuple(values.shape)}")

    def write(self, keys: torch.Tensor, values: torch.Tensor, uncertainty: float | None = None,
              frame: int = 0) -> WriteReport:
        """Learn one frame's ``keys (Ck, N)`` and ``values (Cv, N)`` (frame number ``frame``) unless the gate refuses
        ``uncertainty`` (``None`` = no DCF estimate, accepted)."""
        self._check_write(keys, values)
        report = (self._write(keys.detach(), values.detach(), int(frame)) if self.gate.accepts(uncertainty)
                  else WriteReport(gated=True))
        self._totals["writes"] += 1
        self._totals["gated"] += int(report.gated)
        for name in ("merged", "appended", "dropped", "evicted"):
            self._totals[name] += getattr(report, name)
        return report

    @property
    def nbytes(self) -> int:
        """Bytes of the stored tensors."""
        return int(sum(t.numel() * t.element_size() for t in self.tensors))

    def stats(self) -> MemoryStats:
        return MemoryStats(entries=len(self), capacity=self.capacity, nbytes=self.nbytes, **self._totals)


def label_values(fg: torch.Tensor) -> torch.Tensor:
    """``(2, N)`` values of a label memory from foreground probabilities ``fg (N,)``: rows ``fg`` and ``1 - fg``."""
    return torch.stack((fg, 1.0 - fg))
