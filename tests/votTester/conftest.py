"""Fixtures of the votTester tests: random VOT ground truth and raw results written in the workspace layout."""
from __future__ import annotations


import numpy as np
import pytest

from ltr.regions.vot_text import Polygon, Rectangle, format_region

from votTester.sequences import VotSequence

SIZE = (64, 48)  # (W, H)


def random_polygon(rng, size=SIZE) -> np.ndarray:
    """A rotated rectangle (8,) inside or partly outside the image, with non-integer corners."""
    cx, cy = rng.uniform(5, size[0] - 5), rng.uniform(5, size[1] - 5)
    w, h = rng.uniform(4, 25), rng.uniform(4, 20)
    a = rng.uniform(0, np.pi)
    c, s = np.cos(a), np.sin(a)
    corners = np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2
    pts = corners @ np.array([[c, s], [-s, c]]) + [cx, cy]
    return np.round(pts.reshape(-1), 2)


def jitter(rng, poly: np.ndarray) -> str:
    """A prediction near ``poly``: a jittered polygon, a jittered bounding rectangle, or (rarely) a NaN line."""
    u = rng.uniform()
    if u < 0.04:
        return "nan,nan,nan,nan"
    if u < 0.45:
        xs, ys = poly[0::2], poly[1::2]
        box = [xs.min(), ys.min(), xs.max() - xs.min(), ys.max() - ys.min()]
        return format_region(Rectangle(*np.round(np.array(box) + rng.normal(0, 2.5, 4), 3)))
    return format_region(Polygon(np.round(poly + rng.normal(0, 2.5, 8), 3)))


def random_run(rng, gt: list[np.ndarray], p_fail: float = 0.06, skip: int = 5) -> list[str]:
    """Lines of a supervised-protocol trajectory with random failures (1 init, 2 failure, 0 skipped)."""
    n = len(gt)
    lines = ["0"] * n
    frame = 0
    while frame < n:
        lines[frame] = "1"
        frame += 1
        while frame < n:
            if rng.uniform() < p_fail:
                lines[frame] = "2"
                frame += skip
                break
            lines[frame] = jitter(rng, gt[frame])
            frame += 1
    return lines


@pytest.fixture
def make_vot_results(tmp_path):
    """``make(n_sequences, frames, runs, seed) -> (results_dir, [VotSequence])`` with random raw results."""

    def make(n_sequences=3, frames=40, runs=3, seed=0, p_fail=0.06, identical_runs=False):
        rng = np.random.default_rng(seed)
        results = tmp_path / f"results_{seed}" / "tracker"
        sequences = []
        for k in range(n_sequences):
            name = f"seq{k}"
            n = int(frames if np.isscalar(frames) else frames[k])
            gt = [random_polygon(rng) for _ in range(n)]
            folder = tmp_path / f"data_{seed}" / name
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "groundtruth.txt").write_text("".join(format_region(Polygon(g)) + "\n" for g in gt))
            sequences.append(VotSequence(name, [str(folder / f"{i + 1:08d}.jpg") for i in range(n)],
                                         [Polygon(g) for g in gt], SIZE[::-1], folder))
            out = results / "baseline" / name
            out.mkdir(parents=True, exist_ok=True)
            first = random_run(rng, gt, p_fail)
            for r in range(1, runs + 1):
                lines = first if (identical_runs or r == 1) else random_run(rng, gt, p_fail)
                (out / f"{name}_{r:03d}.txt").write_text("\n".join(lines) + "\n")
        return results, sequences

    return make
