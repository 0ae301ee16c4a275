"""Bounded appearance memories of the three trackers. Each is an :class:`AppearanceMemory`: ``read() ->
MemoryReadout`` (keys ``(Ck, M)``, values ``(Cv, M)``), an uncertainty-gated ``write(keys, values, uncertainty,
frame) -> WriteReport`` (the DCF filters what the segmentation memory learns from), ``capacity`` and ``len()`` in
entries (key columns), ``nbytes`` and ``stats()``.

- :class:`D3SFixedReference` (§2.3): the frame-1 reference, never written.
- :class:`CMEDFLCompactMemory` (§4.2): merge / append / drop by cosine similarity, bounded with LFU eviction.
- :class:`DMBKeyValueMemory` (§3.2): every k-th segmented frame plus the previous one, bounded FIFO.
"""
from pytracking.libs.memory.base import (AppearanceMemory, MemoryReadout, MemoryStats, WriteGate, WriteReport,
                                         label_values)
from pytracking.libs.memory.cmedfl_compact import CMEDFLCompactMemory
from pytracking.libs.memory.d3s_fixed import D3SFixedReference
from pytracking.libs.memory.dmb_key_value import DMBKeyValueMemory

__all__ = ["AppearanceMemory", "CMEDFLCompactMemory", "D3SFixedReference", "DMBKeyValueMemory", "MemoryReadout",
           "MemoryStats", "WriteGate", "WriteReport", "label_values"]
