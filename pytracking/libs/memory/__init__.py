"""Bounded appearance memories of the three trackers, each a small pure-tensor object with an explicit capacity,
eviction policy and an uncertainty-gated ``write`` (the DCF filters what the segmentation memory learns from).

- :class:`D3SFixedReference` (§2.3): the frame-1 reference, never written.
- :class:`CMEDFLCompactMemory` (§4.2): merge / append / drop by cosine similarity, bounded with LFU eviction.
- :class:`DMBKeyValueMemory` (§3.2): every k-th segmented frame plus the previous one, bounded FIFO.
"""
from pytracking.libs.memory.base import WriteGate, WriteReport
from pytracking.libs.memory.cmedfl_compact import CMEDFLCompactMemory
from pytracking.libs.memory.d3s_fixed import D3SFixedReference
from pytracking.libs.memory.dmb_key_value import DMBKeyValueMemory

__all__ = ["CMEDFLCompactMemory", "D3SFixedReference", "DMBKeyValueMemory", "WriteGate", "WriteReport"]
