"""The VOT2020 anchor (multistart) analysis equals vot-toolkit 0.9.0's multistart analyses on the same files."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from ltr.regions.vot_text import Mask, Rectangle, format_region

from votTester.analysis import score_anchor
from votTester.anchor import anchor_frames
from votTester.sequences import make_sequence

pytest.importorskip("vot.analysis.multistart")
from vot.analysis import multistart as ms  # noqa: E402
from vot.dataset.common import read_sequence  # noqa: E402
from vot.experiment.multistart import MultiStartExperiment  # noqa: E402
from vot.tracker.results import Results  # noqa: E402
from vot.workspace.storage import LocalStorage  # noqa: E402


class _Experiment(MultiStartExperiment):
    """Only ``results`` and ``anchor`` are used by the analyses."""

    anchor = "anchor"

    def __init__(self, root):
        self._root = root

    def results(self, tracker, sequence):
        return Results(LocalStorage(str(self._root / "baseline" / sequence.name)))


def shifted(mask: Mask, dx: int, dy: int) -> Mask:
    return Mask(mask.mask, (mask.offset[0] + dx, mask.offset[1] + dy))


def write_anchor_results(rng, seq, results):
    """Noisy masks, rectangles, and lost stretches (some >= 10 frames: failures, some shorter: no failure)."""
    out = results / "baseline" / seq.name
    out.mkdir(parents=True, exist_ok=True)
    for anchor, reverse in anchor_frames(seq):
        order = list(range(anchor, -1, -1)) if reverse else list(range(anchor, len(seq)))
        lost_from = int(rng.integers(1, max(2, len(order))))
        lost_len = int(rng.choice([3, 12, 100]))
        lines = ["1"]
        for k, f in enumerate(order[1:], start=1):
            gt = seq.groundtruth[f]
            if lost_from <= k < lost_from + lost_len:
                lines.append("m0,0,0,0,0" if k % 2 else format_region(Rectangle(0, 0, 3, 3)))
            elif not gt.mask.any():
                lines.append(format_region(Rectangle(*rng.integers(0, 30, 4))))
            elif rng.uniform() < 0.2 and isinstance(gt, Mask) and gt.mask.size:
                ys, xs = np.nonzero(gt.mask)
                lines.append(format_region(Rectangle(gt.offset[0] + xs.min(), gt.offset[1] + ys.min(),
                                                     np.ptp(xs) + 1, np.ptp(ys) + 1)))
            else:
                lines.append(format_region(shifted(gt, *rng.integers(-4, 5, 2))))
        (out / f"{seq.name}_{anchor:08d}.txt").write_text("\n".join(lines) + "\n")


def with_absent_frames(root, tmp_path):
    """A copy of ``root`` whose ground truth has absent frames (empty masks) and one-pixel-wide / one-row masks,
    which the toolkit's reader empties or counts as empty."""
    copy = tmp_path / "dataset"
    shutil.copytree(root, copy)
    for gt in copy.glob("*/groundtruth.txt"):
        lines = gt.read_text().splitlines()
        for i in range(14, 26):
            lines[i] = "m0,0,0,0,0"
        lines[27] = "m30,20,1,4,0,4"
        lines[28] = "m30,20,4,1,0,4"
        gt.write_text("\n".join(lines) + "\n")
    return copy


@pytest.mark.parametrize("seed,absent", [(0, False), (1, True)])
def test_anchor_measures_equal_vot_toolkit(make_synthetic, tmp_path, seed, absent):
    root = make_synthetic("vot2020", sequences=2, frames=36, seed=seed, anchor_step=12)
    if absent:
        root = with_absent_frames(root, tmp_path)
    names = (root / "list.txt").read_text().split()
    seqs = [make_sequence(n, sorted(str(p) for p in (root / n / "color").glob("*.jpg"))) for n in names]
    rng = np.random.default_rng(seed)
    results = tmp_path / "tracker"
    for s in seqs:
        write_anchor_results(rng, s, results)
    low, high = 3, 30
    ours = score_anchor(results, seqs, (low, high))

    exp = _Experiment(results)
    vseqs = [read_sequence(str(root / n)) for n in names]
    ar = ms.AccuracyRobustness()
    per_seq = [ar.subcompute(exp, None, s, []) for s in vseqs]
    accuracy, robustness, _, _, _ = ms.AverageAccuracyRobustness().aggregate(None, vseqs, per_seq)
    curves = ms.EAOCurves(high=high)
    partials = [curves.subcompute(exp, None, s, []) for s in vseqs]
    curve = ms.EAOCurve(high=high).aggregate(None, vseqs, partials)[0]
    eao = float(np.mean(curve[low:high + 1]))

    assert ours["accuracy"] == pytest.approx(accuracy, abs=1e-12)
    assert ours["robustness"] == pytest.approx(robustness, abs=1e-12)
    assert 0 < ours["robustness"] < 1  # some runs failed, some did not
    np.testing.assert_allclose(ours["eao_curve"], curve, rtol=0, atol=1e-12)
    assert ours["eao"] == pytest.approx(eao, abs=1e-12)
    for s, ref in zip(names, per_seq):
        assert ours["sequences"][s]["accuracy"] == pytest.approx(ref[0], abs=1e-12)
        assert ours["sequences"][s]["robustness"] == pytest.approx(ref[1], abs=1e-12)
