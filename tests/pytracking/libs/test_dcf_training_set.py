"""Weighted sample memory (§1.4 "Sample memory") and Gaussian labels (§1.4 "Labels")."""
import numpy as np
import pytest
import torch

from pytracking.libs.dcf.labels import even_kernel_offset, gaussian_labels, label_sigma
from pytracking.libs.dcf.training_set import TrainingSet
from pytracking.libs.dcf.params import DCFParams


def _memory(capacity=4, init=2, **kw):
    mem = TrainingSet(capacity, (1, 2, 2), (2, 2), "cpu", **kw)
    mem.initialize(torch.zeros(init, 1, 2, 2), torch.zeros(init, 2, 2))
    return mem


def _sample(value):
    return torch.full((1, 2, 2), float(value)), torch.full((2, 2), float(value))


def test_weight_sequence_by_hand():
    mem = _memory()
    np.testing.assert_allclose(mem.weights.numpy(), [0.5, 0.5, 0, 0])
    # 1st insert (lr 0.1): all weights / 0.9, the new one gets 0.1 in the first empty slot, then normalise.
    assert mem.insert(*_sample(1), 0.1) == 2
    w = np.array([0.5 / 0.9, 0.5 / 0.9, 0.1, 0.0])
    w /= w.sum()
    np.testing.assert_allclose(mem.weights.numpy(), w)
    np.testing.assert_allclose(w, [0.5 / 1.0900, 0.5 / 1.0900, 0.09 / 1.0900, 0], rtol=1e-12)
    # 2nd insert: weight of the previous slot / 0.9 into the next empty slot.
    assert mem.insert(*_sample(2), 0.1) == 3
    w[3] = w[2] / 0.9
    w /= w.sum()
    np.testing.assert_allclose(mem.weights.numpy(), w)
    # Memory full: the minimum-weight slot (slot 2 here, 0.0762) is replaced; frame-1 slots are not protected.
    assert np.argmin(w) == 2
    assert mem.insert(*_sample(3), 0.1) == 2
    w[2] = w[3] / 0.9
    w /= w.sum()
    np.testing.assert_allclose(mem.weights.numpy(), w)
    # Hard negative (lr 0.02): the new weight is previous / 0.98; the smallest slot is now 3.
    assert np.argmin(w) == 3
    assert mem.insert(*_sample(4), 0.02) == 3
    w[3] = w[2] / 0.98
    w /= w.sum()
    np.testing.assert_allclose(mem.weights.numpy(), w)
    assert mem.weights.sum().item() == pytest.approx(1.0)
    assert mem.samples[2, 0, 0, 0] == 3 and mem.samples[3, 0, 0, 0] == 4 and mem.labels[3, 0, 0] == 4
    # Eventually the frame-1 samples are replaced too (no minimum weight in D3S).
    for v in range(5, 60):
        mem.insert(*_sample(v), 0.1)
    assert mem.samples[:2, 0, 0, 0].min() >= 5


def test_init_samples_minimum_weight_protects_frame1_slots():
    mem = _memory(capacity=4, init=2, init_min_weight=0.6)
    for v in range(1, 8):
        slot = mem.insert(*_sample(v), 0.5)
        assert slot >= 2
        assert mem.weights[:2].sum().item() >= 0.6 - 1e-12
        assert mem.weights.sum().item() == pytest.approx(1.0)
    assert torch.equal(mem.samples[:2], torch.zeros(2, 1, 2, 2))


def test_active_excludes_empty_slots_and_insert_needs_initialize():
    mem = _memory(capacity=5, init=2)
    mem.insert(*_sample(1), 0.1)
    x, y, w = mem.active()
    assert x.shape[0] == 3 and w.shape == (3,)
    with pytest.raises(RuntimeError, match="initialize"):
        TrainingSet(3, (1, 2, 2), (2, 2), "cpu").insert(*_sample(1), 0.1)
    with pytest.raises(ValueError, match="capacity"):
        TrainingSet(1, (1, 2, 2), (2, 2), "cpu").initialize(torch.zeros(2, 1, 2, 2), torch.zeros(2, 2, 2))


def test_label_peak_on_the_right_subcell():
    size, sigma = 16, 0.9
    off = even_kernel_offset(4)
    assert off == 0.5 and even_kernel_offset(3) == 0.0
    labels = gaussian_labels(size, sigma, torch.tensor([[off, off], [1 + off, -2 + off], [0.5 + off, off]]))
    assert labels.shape == (3, size, size)
    # Zero offset: the peak is exactly on index 8 (= the score index of zero displacement).
    assert divmod(int(labels[0].argmax()), size) == (8, 8) and float(labels[0].max()) == pytest.approx(1.0)
    # One cell down and two left -> (9, 6).
    assert divmod(int(labels[1].argmax()), size) == (9, 6)
    # Half a cell down: rows 8 and 9 are equal, the column profile is unchanged.
    assert float(labels[2, 8, 8]) == pytest.approx(float(labels[2, 9, 8]))
    expected = np.exp(-0.5 * (np.arange(size) - 7.5 - 0.5) ** 2 / sigma ** 2)
    np.testing.assert_allclose(labels[0, 8].numpy(), expected, rtol=1e-6)


def test_label_sigma_formula():
    p = DCFParams()
    # base target 56.9 x 56.9 sample px (target = sample / 4.5): sigma = 0.25 * 56.9 / 16 cells.
    base = np.array([256 / 4.5, 256 / 4.5])
    assert label_sigma(p, base) == pytest.approx(0.25 * (256 / 4.5) / 16)
    assert label_sigma(p, np.array([40.0, 90.0])) == pytest.approx(0.25 * np.sqrt(40 * 90) / 16)
