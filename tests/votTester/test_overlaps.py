"""votTester.overlaps: special entries score like the toolkit's empty region; raw lines are parsed in batches."""
from __future__ import annotations

import numpy as np
import pytest

from ltr.admin.errors import DataFormatError
from ltr.regions.vot_text import Mask, Polygon, Rectangle, Special, parse_region

from votTester.measures import CODE_REGION
from votTester.overlaps import EMPTY, special_overlaps, toolkit_overlap, trajectory_overlaps
from votTester.results_io import RawTrajectory


def random_region(rng, size):
    if rng.uniform() < 0.5:
        return Rectangle(rng.uniform(-10, size[0]), rng.uniform(-10, size[1]), rng.uniform(-1, 20), rng.uniform(-1, 20))
    return Polygon(rng.uniform(-10, max(size) + 10, 8))


def test_special_entries_score_like_the_toolkits_empty_region():
    rng = np.random.default_rng(3)
    size = (40, 30)
    gts = [random_region(rng, size) for _ in range(300)]
    gts += [Special(0), Rectangle(0, 0, 1, 5), Rectangle(-3, 2, 4, 1), Polygon([0, 0, 0, 5, 0, 9]),
            Polygon([0, 0, 0, 4, 0, 5, 0, 1]), Mask(np.ones((3, 1)), (0, 4)), Mask(np.ones((2, 2)), (5, 5)),
            Mask(np.zeros((0, 0)), (0, 0))]
    expected = [toolkit_overlap(EMPTY, g, size) for g in gts]
    np.testing.assert_array_equal(special_overlaps(gts), expected)
    assert 0 < sum(expected) < len(expected)


def trajectory(texts):
    codes = np.array([CODE_REGION if "," in t else int(t) for t in texts], np.int8)
    return RawTrajectory(None, codes, [t if "," in t else "" for t in texts])


def test_trajectory_overlaps_mixes_batched_and_per_pair_lines():
    size = (40, 30)
    gt = [Polygon([2, 2, 20, 2, 20, 12, 2, 12]), Rectangle(3, 3, 10, 10), Mask(np.ones((4, 4), np.uint8), (1, 1)),
          Polygon([2, 2, 20, 2, 20, 12, 2, 12]), Polygon([1, 1, 9, 1, 9, 9, 5, 5, 1, 9])]
    runs = [["1", "4,4,10,10", "5,5,10,10", "2", "3,3,6,6"],
            ["1", "4,4,10,10", "m1,1,4,4,0,16", "2,2,20,2,20,12,2,12", "0"]]
    got = trajectory_overlaps([trajectory(t) for t in runs], gt, size)
    for run, texts in zip(got, runs):
        for i, text in enumerate(texts):
            if "," in text:
                assert run.overlaps[i] == toolkit_overlap(parse_region(text), gt[i], size)
    assert got[1].overlaps[2] == 1.0 and got[1].overlaps[3] == 1.0  # the same mask / polygon as the ground truth
    assert got[0].overlaps[3] == 0.0 and got[1].overlaps[4] == 0.0  # failure / skipped: the empty region


def test_bad_line_is_reported_with_its_number():
    gt = [Rectangle(0, 0, 5, 5)] * 3
    bad = RawTrajectory("run_001.txt", np.array([1, CODE_REGION, CODE_REGION], np.int8), ["", "1,2,3,4", "1,2,x,4"])
    with pytest.raises(DataFormatError, match="run_001.txt:3: expected comma-separated numbers"):
        trajectory_overlaps([bad], gt, (20, 20))
