"""CMEDFL's compact memory (§4.2, the AFB-URR-style "FeatureBank"), bounded.

Per write, every query column ``q_j`` (embedding of one test-crop cell) with foreground probability ``u_j`` is
compared with the stored keys by cosine similarity; ``c_j = max_n cos(K_n, q_j)``, ``n*(j)`` its argmax, and

- ``c_j > tau_high`` (merge_threshold, 0.90): merged into entry ``n*(j)`` with update rate ``r`` (0.001):
  ``K_n <- |K_n| * ((1-r) K_n/|K_n| + r * mean_{j->n} q_j/|q_j|)`` (a scatter-mean over the columns hitting ``n``);
  the values follow the same rule on scalars, normalised as the original: ``v / max(|v|, 1e-12)`` (the sign of
  ``v`` for ``|v| >= 1e-12``, so values barely move; a 0 stays 0; a near-zero value ``|v| < 1e-12`` is scaled by
  ``1e12`` instead, e.g. a foreground value of 1e-13 merges as 0.1, not 1);
- ``tau_low <= c_j <= tau_high`` with the dynamic ``tau_low = mean_j(c_j) / (e/2)``: appended (raw ``q_j``,
  ``u_j``, ``1-u_j``);
- ``c_j < tau_low``: dropped.

Deviation from the original (documented in docs/trackers.md): the original bank is unbounded (its LFU removal is
commented out) and grows by up to 576 entries per frame. Here ``capacity`` bounds it: after an append that overflows,
the entries of the initial frame are kept (the only ground-truth-derived labels) and, among the others, the least
used are evicted (usage = number of merges into the entry), the oldest first on ties.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from pytracking.libs.memory.base import AppearanceMemory, MemoryReadout, WriteGate, WriteReport, label_values

#: tau_low = mean(c) / LOW_THRESHOLD_DIVISOR (§4.2: e/2, i.e. about 0.736 * mean(c)).
LOW_THRESHOLD_DIVISOR = math.e / 2


#: eps of the normalisation (``torch.nn.functional.normalize``'s default, as the original).
NORMALIZE_EPS = 1e-12


def _unit(values: torch.Tensor) -> torch.Tensor:
    """Scalars "normalised" as 1-vectors: ``v / max(|v|, 1e-12)`` (``F.normalize`` along a size-1 axis)."""
    return values / values.abs().clamp_min(NORMALIZE_EPS)


class CMEDFLCompactMemory(AppearanceMemory):
    """Keys ``(C, M)`` (unnormalised), label values ``(2, M)`` (foreground, background), per entry ``hits`` and
    ``frame`` ``(M,)``.

    Args:
        keys, fg: the initial entries (frame-1 embeddings ``(C, N)`` and refined frame-1 mask ``(N,)``); protected
            from eviction.
        capacity: maximum number of entries ``M`` (>= N).
        merge_threshold: ``tau_high``; update_rate: ``r``.
        gate: writes are refused while the DCF uncertainty is at or above ``gate.threshold``.
    """

    def __init__(self, keys: torch.Tensor, fg: torch.Tensor, *, capacity: int, merge_threshold: float,
                 update_rate: float, gate: WriteGate):
        if keys.dim() != 2 or fg.dim() != 1 or keys.shape[1] != fg.shape[0]:
            raise ValueError(f"CMEDFLCompactMemory: keys (C, N) and fg (N,) expected, got {tuple(keys.shape)} and "
                             f"{tuple(fg.shape)}")
        if capacity < keys.shape[1]:
            raise ValueError(f"CMEDFLCompactMemory: capacity {capacity} is smaller than the {keys.shape[1]} "
                             f"initial entries; raise memory_capacity to at least the feature-map size")
        if not 0.0 <= update_rate <= 1.0 or not -1.0 <= merge_threshold <= 1.0:
            raise ValueError(f"CMEDFLCompactMemory: update_rate must be in [0, 1] and merge_threshold in [-1, 1], "
                             f"got {update_rate} and {merge_threshold}")
        super().__init__(capacity, gate)
        self.merge_threshold = float(merge_threshold)
        self.update_rate = float(update_rate)
        self.keys = keys.detach().clone()
        self.values = label_values(fg.detach().to(keys.dtype))
        self.hits = torch.zeros(keys.shape[1], dtype=torch.long, device=keys.device)
        self.frame = torch.zeros(keys.shape[1], dtype=torch.long, device=keys.device)
        self.num_protected = keys.shape[1]

    def __len__(self) -> int:
        return self.keys.shape[1]

    @property
    def tensors(self) -> tuple[torch.Tensor, ...]:
        """Keys, values, usage counts, frame numbers."""
        return self.keys, self.values, self.hits, self.frame

    def read(self) -> MemoryReadout:
        """``keys (C, M)``, ``values (2, M)``."""
        return MemoryReadout(self.keys, self.values)

    def _check_write(self, keys: torch.Tensor, values: torch.Tensor) -> None:
        if keys.dim() != 2 or keys.shape[0] != self.keys.shape[0] or values.shape != (2, keys.shape[-1]):
            raise ValueError(f"CMEDFLCompactMemory.write: query keys ({self.keys.shape[0]}, J) and values (2, J) "
                             f"expected, got {tuple(keys.shape)} and {tuple(values.shape)}")

    def _write(self, keys: torch.Tensor, values: torch.Tensor, frame: int) -> WriteReport:
        """Merge / append / drop the columns of the query ``keys (C, J)`` with label ``values (2, J)``."""
        query = keys.to(self.keys.dtype)
        values = values.to(self.keys.dtype)
        q_unit = F.normalize(query, dim=0)
        sim = F.normalize(self.keys, dim=0).t() @ q_unit  # (M, J)
        best, nearest = sim.max(dim=0)  # c_j, n*(j)
        tau_low = best.mean() / LOW_THRESHOLD_DIVISOR
        merge = best > self.merge_threshold
        append = (best >= tau_low) & ~merge
        n_merged = int(merge.sum())
        if n_merged:
            self._merge(q_unit[:, merge], values[:, merge], nearest[merge])
        n_appended = int(append.sum())
        if n_appended:
            self.keys = torch.cat((self.keys, query[:, append]), dim=1)
            self.values = torch.cat((self.values, values[:, append]), dim=1)
            self.hits = torch.cat((self.hits, self.hits.new_zeros(n_appended)))
            self.frame = torch.cat((self.frame, self.frame.new_full((n_appended,), frame)))
        evicted = self._evict()
        return WriteReport(merged=n_merged, appended=n_appended, dropped=int(query.shape[1]) - n_merged - n_appended,
                           evicted=evicted)

    def _merge(self, q_unit: torch.Tensor, new_values: torch.Tensor, target: torch.Tensor) -> None:
        """Scatter-mean of the merged unit queries / normalised values into their nearest entries (§4.2 step 3):
        ``x <- |x| ((1 - r) x / max(|x|, eps) + r mean_{j->n} u_j / max(|u_j|, eps))`` with eps = 1e-12."""
        r = self.update_rate
        hit = torch.unique(target)
        channels = self.keys.shape[0]
        mean_q = torch.zeros_like(self.keys).scatter_reduce_(
            1, target.unsqueeze(0).expand(channels, -1), q_unit, reduce="mean", include_self=False)[:, hit]
        k = self.keys[:, hit]
        k_norm = k.norm(dim=0, keepdim=True)
        self.keys[:, hit] = k_norm * ((1 - r) * k / k_norm.clamp_min(1e-12) + r * mean_q)
        for values, new in zip(self.values, new_values):  # rows: foreground, background
            mean_unit = torch.zeros_like(values).scatter_reduce_(
                0, target, _unit(new), reduce="mean", include_self=False)[hit]
            v = values[hit]
            values[hit] = v.abs() * ((1 - r) * _unit(v) + r * mean_unit)
        self.hits.index_add_(0, target, torch.ones_like(target))

    def _evict(self) -> int:
        """Drop the least-used unprotected entries (oldest first on ties) until ``len <= capacity``."""
        excess = len(self) - self.capacity
        if excess <= 0:
            return 0
        candidates = torch.arange(self.num_protected, len(self), device=self.keys.device)
        # Sort by (hits, frame, index): a stable sort on frame, then a stable sort on hits.
        order = candidates[torch.argsort(self.frame[candidates], stable=True)]
        order = order[torch.argsort(self.hits[order], stable=True)]
        keep = torch.ones(len(self), dtype=torch.bool, device=self.keys.device)
        keep[order[:excess]] = False
        self.keys, self.values = self.keys[:, keep], self.values[:, keep]
        self.hits, self.frame = self.hits[keep], self.frame[keep]
        return excess
