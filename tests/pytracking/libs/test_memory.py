"""Appearance memories alone: caps over many writes, merge/append/drop on hand-built cases, the scatter-mean merge
against a hand computation, the uncertainty gate, and the one interface (read / write / capacity / len / stats) of
all three."""
from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from pytracking.libs.memory import (AppearanceMemory, CMEDFLCompactMemory, D3SFixedReference, DMBKeyValueMemory,
                                    MemoryReadout, WriteGate, label_values)

OPEN = WriteGate(10.0)


def _cmedfl(keys, fg, capacity=10, merge_threshold=0.9, update_rate=0.001, gate=OPEN):
    return CMEDFLCompactMemory(keys, fg, capacity=capacity, merge_threshold=merge_threshold, update_rate=update_rate,
                               gate=gate)


def _dmb(every, capacity, keep_first=False, gate=OPEN):
    return DMBKeyValueMemory(every=every, capacity=capacity, keep_first=keep_first, gate=gate)


def _unit(*vals):
    return F.normalize(torch.tensor(vals, dtype=torch.float64), dim=0)


def test_gate():
    gate = WriteGate(3.0)
    assert gate.accepts(None) and gate.accepts(2.9)
    assert not gate.accepts(3.0) and not gate.accepts(100.0) and not gate.accepts(float("nan"))
    with pytest.raises(ValueError):
        WriteGate(0.0)


def test_d3s_reference_never_changes():
    keys, fg = torch.randn(8, 16), (torch.rand(16) > 0.5).float()
    mem = D3SFixedReference(keys, fg)
    report = mem.write(torch.randn(8, 16), label_values(torch.rand(16)))
    assert report.dropped == 16 and len(mem) == mem.capacity == 16
    read = mem.read()
    assert torch.equal(read.keys, keys) and torch.equal(read.fg, fg) and torch.equal(read.bg, 1 - fg)


def _cmedfl_bank():
    # Three orthogonal entries in 3-D with distinct norms; values fg = (1, 0, 1).
    keys = torch.tensor([[2.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 1.0]], dtype=torch.float64)
    fg = torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)
    return _cmedfl(keys, fg, capacity=10, merge_threshold=0.9, update_rate=0.1)


def test_cmedfl_merge_append_drop_decisions():
    mem = _cmedfl_bank()
    # c_j: q0 = e0 (1.0, merge), q1 ~ e0 tilted (cos 0.95 > 0.9, merge), q2 cos 0.8 to e1 (append),
    # q3 cos ~0.58 (=1/sqrt3, drop since tau_low = mean(c)/(e/2)).
    q = torch.stack([_unit(1, 0, 0), _unit(0.95, math.sqrt(1 - 0.95 ** 2), 0), _unit(0, 0.8, 0.6) * 5,
                     _unit(-1, -1, -1)], dim=1)
    c = torch.tensor([1.0, 0.95, 0.8, 1 / math.sqrt(3)])
    tau_low = float(c.mean()) / (math.e / 2)
    assert 1 / math.sqrt(3) < tau_low < 0.8  # the case is built so that q3 falls below tau_low
    fg = torch.tensor([1.0, 1.0, 0.25, 0.0], dtype=torch.float64)
    report = mem.write(q, label_values(fg), uncertainty=1.0, frame=2)
    assert (report.merged, report.appended, report.dropped, report.evicted) == (2, 1, 1, 0)
    assert len(mem) == 4
    keys, (pos, neg) = mem.read().keys, mem.read().values
    torch.testing.assert_close(keys[:, 3], q[:, 2])  # appended raw (unnormalised)
    assert float(pos[3]) == 0.25 and float(neg[3]) == 0.75
    assert mem.frame.tolist() == [0, 0, 0, 2] and mem.hits.tolist() == [2, 0, 0, 0]


def test_cmedfl_scatter_mean_merge_equals_hand_computation():
    mem = _cmedfl_bank()
    q0, q1 = _unit(1, 0.2, 0) * 4, _unit(1, 0, 0.3) * 0.5  # both nearest to entry 0 (|K0| = 2), cos > 0.9
    q2 = _unit(0, 1, 0.1)  # nearest to entry 1 (|K1| = 3)
    q = torch.stack([q0, q1, q2], dim=1)
    fg = torch.tensor([0.7, 0.0, 0.4], dtype=torch.float64)
    report = mem.write(q, label_values(fg), frame=1)
    assert report.merged == 3 and report.appended == 0
    r = 0.1
    mean0 = (q0 / q0.norm() + q1 / q1.norm()) / 2
    k0 = torch.tensor([2.0, 0, 0], dtype=torch.float64)
    expected0 = 2.0 * ((1 - r) * k0 / 2.0 + r * mean0)
    k1 = torch.tensor([0, 3.0, 0], dtype=torch.float64)
    expected1 = 3.0 * ((1 - r) * k1 / 3.0 + r * q2 / q2.norm())
    keys, (pos, neg) = mem.read().keys, mem.read().values
    torch.testing.assert_close(keys[:, 0], expected0)
    torch.testing.assert_close(keys[:, 1], expected1)
    torch.testing.assert_close(keys[:, 2], torch.tensor([0, 0, 1.0], dtype=torch.float64))
    # Values: v <- |v| ((1-r) sign(v) + r mean(sign(u))); entry 0: pos 1 with signs (1, 0) -> 1*(0.9 + 0.1*0.5).
    assert float(pos[0]) == pytest.approx(0.95)
    assert float(neg[0]) == 0.0  # a zero value stays zero (original behaviour)
    assert float(pos[1]) == 0.0 and float(neg[1]) == pytest.approx(1.0)  # neg 1, sign(1-0.4)=1 -> unchanged
    assert mem.hits.tolist() == [2, 1, 0]


def test_cmedfl_capacity_holds_over_thousands_of_writes_and_protects_frame_one():
    torch.manual_seed(0)
    init_keys, init_fg = torch.randn(16, 36), (torch.rand(36) > 0.5).float()
    mem = _cmedfl(init_keys, init_fg, capacity=100, merge_threshold=0.9, update_rate=0.001)
    total_evicted = 0
    for frame in range(1, 2001):
        report = mem.write(torch.randn(16, 36), label_values(torch.rand(36)), uncertainty=0.5, frame=frame)
        total_evicted += report.evicted
        assert len(mem) <= 100
    assert len(mem) == 100 and total_evicted > 10000
    torch.testing.assert_close(mem.keys[:, :36], init_keys, atol=0.05, rtol=0.05)  # frame-1 entries kept
    assert (mem.frame[:36] == 0).all()
    unused = mem.hits[36:] == 0
    assert unused.any() and (mem.frame[36:][unused] > 1900).all()  # unused entries left: the most recent ones
    assert torch.isfinite(mem.keys).all() and torch.isfinite(mem.values).all()
    stats = mem.stats()
    assert (stats.entries, stats.capacity, stats.writes, stats.gated, stats.evicted) == (100, 100, 2000, 0,
                                                                                         total_evicted)
    assert stats.merged + stats.appended + stats.dropped == 2000 * 36


def test_cmedfl_eviction_prefers_least_used_then_oldest():
    keys = torch.eye(4, dtype=torch.float64)[:, :1]
    ones = lambda n: label_values(torch.ones(n, dtype=torch.float64))  # noqa: E731
    mem = _cmedfl(keys, torch.ones(1, dtype=torch.float64), capacity=3, merge_threshold=0.99)
    mem.write(torch.eye(4, dtype=torch.float64)[:, 1:3], ones(2), frame=1)
    assert len(mem) == 3
    mem.write(torch.eye(4, dtype=torch.float64)[:, 1:2], ones(1), frame=2)  # hit e1
    assert mem.hits.tolist() == [0, 1, 0]
    new = _unit(0, 0, 0.6, 0.8)  # cos 0.8 to e2 -> appended; capacity 3 -> the unused, oldest e2 entry goes
    report = mem.write(new.unsqueeze(1), ones(1), frame=3)
    assert report.appended == 1 and report.evicted == 1
    assert mem.frame.tolist() == [0, 1, 3]
    torch.testing.assert_close(mem.keys[:, 2], new)


def test_cmedfl_gate_and_bad_arguments():
    mem = _cmedfl_bank()
    values = label_values(torch.rand(5, dtype=torch.float64))
    report = mem.write(torch.randn(3, 5, dtype=torch.float64), values, uncertainty=12.0)
    assert report.gated and len(mem) == 3 and mem.stats().gated == 1
    with pytest.raises(ValueError, match="capacity 2 is smaller than the 3 initial entries"):
        _cmedfl(torch.randn(4, 3), torch.ones(3), capacity=2)
    with pytest.raises(ValueError, match="query"):
        mem.write(torch.randn(4, 5, dtype=torch.float64), values)
    with pytest.raises(ValueError, match=r"values \(2, J\)"):   # bad input fails even when the gate would refuse
        mem.write(torch.randn(3, 5, dtype=torch.float64), values[:1], uncertainty=12.0)


def _kv(tag: float, n: int = 4):
    return torch.full((2, n), tag), torch.full((3, n), tag)


def test_dmb_keeps_every_kth_write_plus_latest():
    mem = _dmb(every=5, capacity=400)
    for s in range(1, 13):
        mem.write(*_kv(s))
    keys, values = mem.read().keys, mem.read().values
    # Persistent: writes 5 and 10; plus the latest (12).
    assert keys[0, ::4].tolist() == [5, 10, 12] and values.shape == (3, 12)
    mem.write(*_kv(13))
    mem.write(*_kv(14))
    mem.write(*_kv(15))  # write 15 becomes persistent: not repeated as "latest"
    assert mem.read().keys[0, ::4].tolist() == [5, 10, 15] and mem.num_frames == 3 and len(mem) == 12


def test_dmb_capacity_holds_over_thousands_of_writes():
    mem = _dmb(every=5, capacity=6 * 4)          # 6 frames of 4 entries
    for s in range(1, 5001):
        mem.write(*_kv(s))
        assert mem.num_frames <= 7 and len(mem) <= 7 * 4
    assert mem.read().keys[0, ::4].tolist() == [4975, 4980, 4985, 4990, 4995, 5000]
    assert mem.stats().evicted == (1000 - 6) * 4
    anchored = _dmb(every=2, capacity=3 * 4 + 3, keep_first=True)   # 15 entries: 3 whole frames fit
    for s in range(1, 1001):
        anchored.write(*_kv(s))
    assert anchored.read().keys[0, ::4].tolist() == [2, 998, 1000]


def test_dmb_capacity_below_one_frame_keeps_only_the_latest_and_first():
    mem = _dmb(every=1, capacity=3)              # frames of 4 entries never fit
    for s in range(1, 4):
        assert mem.write(*_kv(s)).evicted == 4
        assert mem.read().keys[0].tolist() == [s] * 4 and mem.persistent == []
    anchored = _dmb(every=1, capacity=4, keep_first=True)
    for s in range(1, 4):
        anchored.write(*_kv(s))
    assert anchored.read().keys[0, ::4].tolist() == [1, 3]  # the first, and the latest (not persistent)


def test_dmb_gate_and_errors():
    mem = _dmb(every=1, capacity=8, gate=WriteGate(3.0))
    with pytest.raises(RuntimeError, match="before any write"):
        mem.read()
    assert mem.write(*_kv(1), uncertainty=5.0).gated and mem.latest is None
    mem.write(*_kv(1), uncertainty=1.0)
    with pytest.raises(ValueError, match="channels"):
        mem.write(torch.zeros(5, 4), torch.zeros(3, 4))


def test_sizes_report_entries_and_tensor_bytes():
    """``nbytes`` / ``len`` (used by bench/bench_tracker_long.py) on hand-counted cases."""
    d3s = D3SFixedReference(torch.zeros(8, 16), torch.zeros(16))
    assert d3s.nbytes == (8 * 16 + 16 + 16) * 4
    cmedfl = _cmedfl(torch.zeros(8, 16, dtype=torch.float64), torch.zeros(16, dtype=torch.float64), capacity=16)
    assert cmedfl.nbytes == (8 * 16 + 16 + 16) * 8 + 2 * 16 * 8  # float64 keys/values, int64 hits/frame
    dmb = _dmb(every=2, capacity=45)
    assert len(dmb) == 0 and dmb.nbytes == 0
    dmb.write(torch.zeros(4, 9), torch.zeros(6, 9))             # latest only
    assert len(dmb) == 9 and dmb.nbytes == (4 + 6) * 9 * 4
    dmb.write(torch.zeros(4, 9), torch.zeros(6, 9))             # 2nd write: persistent, and it is the latest
    assert len(dmb) == 9 and dmb.nbytes == (4 + 6) * 9 * 4
    dmb.write(torch.zeros(4, 9), torch.zeros(6, 9))             # persistent + a new latest
    assert len(dmb) == 18 and dmb.nbytes == 2 * (4 + 6) * 9 * 4 and dmb.stats().nbytes == dmb.nbytes


def _three_memories():
    torch.manual_seed(0)
    keys, fg = torch.randn(8, 16), torch.rand(16)
    return [D3SFixedReference(keys, fg), _cmedfl(keys, fg, capacity=40), _dmb(every=1, capacity=40)]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_every_memory_has_the_one_interface(index):
    """read -> MemoryReadout with (Ck, M) keys and (Cv, M) values, len == M entries <= capacity (in entries),
    write -> WriteReport counted in stats, whatever the memory."""
    mem = _three_memories()[index]
    assert isinstance(mem, AppearanceMemory)
    for frame in range(1, 6):
        report = mem.write(torch.randn(8, 16), label_values(torch.rand(16)), uncertainty=1.0, frame=frame)
        assert report.merged + report.appended + report.dropped == 16
        read = mem.read()
        assert isinstance(read, MemoryReadout) and read.keys.shape == (8, len(mem))
        assert read.values.shape == (2, len(mem)) and len(mem) <= mem.capacity
    stats = mem.stats()
    assert stats.writes == 5 and stats.entries == len(mem) and stats.capacity == mem.capacity
    gated = mem.write(torch.randn(8, 16), label_values(torch.rand(16)), uncertainty=50.0).gated
    assert gated == (index != 0) and mem.stats().gated == int(gated)  # D3S stores nothing, so it gates nothing
