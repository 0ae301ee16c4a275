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

from pytracking.libs.memory.base import WriteGate, WriteReport

#: tau_low = mean(c) / LOW_THRESHOLD_DIVISOR (§4.2: e/2, i.e. about 0.736 * mean(c)).
LOW_THRESHOLD_DIVISOR = math.e / 2


#: eps of the normalisation (``torch.nn.functional.normalize``'s default, as the original).
NORMALIZE_EPS = 1e-12


def _unit(values: torch.Tensor) -> torch.Tensor:
    """Scalars "normalised" as 1-vectors: ``v / max(|v|, 1e-12)`` (``F.normalize`` along a size-1 axis)."""
    return values / values.abs().clamp_min(NORMALIZE_EPS)


class CMEDFLCompactMemory:
    """Keys ``(C, M)`` (unnormalised), values ``pos``/``neg`` ``(M,)``, per entry ``hits`` and ``frame`` ``(M,)``.

    Args:
        keys, fg: the initial entries (frame-1 embeddings ``(C, N)`` and refined frame-1 mask ``(N,)``); protected
            from eviction.
        capacity: maximum number of entries ``M`` (>= N); default 16 frames of a 24x24 feature map.
        merge_threshold: ``tau_high``; update_rate: ``r``.
        gate: writes are refused while the DCF uncertainty is at or above ``gate.threshold``.
    """

    def __init__(self, keys: torch.Tensor, fg: torch.Tensor, capacity: int = 16 * 576, merge_threshold: float = 0.9,
                 update_rate: float = 0.001, gate: WriteGate | None = None):
        if keys.dim() != 2 or fg.dim() != 1 or keys.shape[1] != fg.shape[0]:
            raise ValueError(f"CMEDFLCompactMemory: keys (C, N) and fg (N,) expected, got {tuple(keys.shape)} and "
                             f"{tuple(fg.shape)}")
        if capacity < keys.shape[1]:
            raise ValueError(f"CMEDFLCompactMemory: capacity {capacity} is smaller than the {keys.shape[1]} "
                             f"initial entries; raise memory_capacity to at least the feature-map size")
        if not 0.0 <= update_rate <= 1.0 or not -1.0 <= merge_threshold <= 1.0:
            raise ValueError(f"CMEDFLCompactMemory: update_rate must be in [0, 1] and merge_threshold in [-1, 1], "
                             f"got {update_rate} and {merge_threshold}")
        self.capacity = int(capacity)
        self.merge_threshold = float(merge_threshold)
        self.update_rate = float(update_rate)
        self.gate = gate or WriteGate()
        self.keys = keys.detach().clone()
        self.pos = fg.detach().to(keys.dtype).clone()
        self.neg = 1.0 - self.pos
        self.hits = torch.zeros(keys.shape[1], dtype=torch.long, device=keys.device)
        self.frame = torch.zeros(keys.shape[1], dtype=torch.long, device=keys.device)
        self.num_protected = keys.shape[1]

    def __len__(self) -> int:
        return self.keys.shape[1]

    @property
    def nbytes(self) -> int:
        """Bytes of the stored tensors (keys, values, usage counts, frame numbers)."""
        return sum(t.numel() * t.element_size() for t in (self.keys, self.pos, self.neg, self.hits, self.frame))

    def read(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(keys (C, M), pos (M,), neg (M,))``."""
        return self.keys, self.pos, self.neg

    def write(self, query: torch.Tensor, fg: torch.Tensor, uncertainty: float | None = None,
              frame: int = 0) -> WriteReport:
        """Merge / append / drop the columns of ``query`` ``(C, J)`` with foreground probabilities ``fg`` ``(J,)``."""
        if query.dim() != 2 or query.shape[0] != self.keys.shape[0] or fg.shape != (query.shape[1],):
            raise ValueError(f"CMEDFLCompactMemory.write: query ({self.keys.shape[0]}, J) and fg (J,) expected, got "
                             f"{tuple(query.shape)} and {tuple(fg.shape)}")
        if not self.gate.accepts(uncertainty):
            return WriteReport(gated=True)
        query = query.detach().to(self.keys.dtype)
        fg = fg.detach().to(self.keys.dtype)
        q_unit = F.normalize(query, dim=0)
        sim = F.normalize(self.keys, dim=0).t() @ q_unit  # (M, J)
        best, nearest = sim.max(dim=0)  # c_j, n*(j)
        tau_low = best.mean() / LOW_THRESHOLD_DIVISOR
        merge = best > self.merge_threshold
        append = (best >= tau_low) & ~merge
        n_merged = int(merge.sum())
        if n_merged:
            self._merge(q_unit[:, merge], fg[merge], nearest[merge])
        n_appended = int(append.sum())
        if n_appended:
            self.keys = torch.cat((self.keys, query[:, append]), dim=1)
            self.pos = torch.cat((self.pos, fg[append]))
            self.neg = torch.cat((self.neg, 1.0 - fg[append]))
            self.hits = torch.cat((self.hits, self.hits.new_zeros(n_appended)))
            self.frame = torch.cat((self.frame, self.frame.new_full((n_appended,), int(frame))))
        evicted = self._evict()
        return WriteReport(merged=n_merged, appended=n_appended, dropped=int(query.shape[1]) - n_merged - n_appended,
                           evicted=evicted)

    def _merge(self, q_unit: torch.Tensor, fg: torch.Tensor, target: torch.Tensor) -> None:
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
        for values, new in ((self.pos, fg), (self.neg, 1.0 - fg)):
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
        self.keys, self.pos, self.neg = self.keys[:, keep], self.pos[keep], self.neg[keep]
        self.hits, self.frame = self.hits[keep], self.frame[keep]
        return excess
