"""The fixedbox baseline: initial region -> reported box, output record types, bad input."""
from __future__ import annotations

import numpy as np
import pytest

from pytracking.evaluation.tracker import Tracker


@pytest.fixture
def fixedbox(tmp_path):
    return Tracker("fixedbox", "default", results_path=tmp_path).create_tracker()


def _check_record(out, shape):
    assert out["box"].shape == (4,) and out["box"].dtype == np.float64
    assert out["polygon"].shape == (8,)
    assert out["mask"].shape == shape and out["mask"].dtype == np.uint8
    assert out["prob"].shape == shape and out["prob"].dtype == np.float32
    assert isinstance(out["score"], float) and out["score"] == 1.0


def test_box_init_is_reported_every_frame(fixedbox):
    image = np.zeros((30, 40, 3), np.uint8)
    first = fixedbox.initialize(image, box=[5, 6, 10, 8])
    for _ in range(3):
        out = fixedbox.track(image)
        _check_record(out, (30, 40))
        np.testing.assert_allclose(out["box"], [5, 6, 10, 8])
    np.testing.assert_allclose(out["polygon"], [5, 6, 15, 6, 15, 14, 5, 14])
    assert out["mask"].sum() == 80 and out["mask"][6:14, 5:15].all()
    np.testing.assert_array_equal(out["prob"], out["mask"].astype(np.float32))
    out["box"][0] = 99  # outputs are copies
    np.testing.assert_allclose(fixedbox.track(image)["box"], first["box"])


def test_polygon_init_reports_its_bounds(fixedbox):
    image = np.zeros((30, 40, 3), np.uint8)
    fixedbox.initialize(image, polygon=[10, 2, 20, 12, 10, 22, 0, 12])
    np.testing.assert_allclose(fixedbox.track(image)["box"], [0, 2, 20, 20])


def test_mask_init_reports_its_bounding_box(fixedbox):
    image = np.zeros((30, 40, 3), np.uint8)
    mask = np.zeros((30, 40), np.uint8)
    mask[3:7, 11:20] = 1
    mask[8, 12] = 1
    fixedbox.initialize(image, mask=mask)
    np.testing.assert_allclose(fixedbox.track(image)["box"], [11, 3, 9, 6])


def test_grayscale_and_rgba_frames_are_accepted(fixedbox):
    fixedbox.initialize(np.zeros((30, 40), np.uint8), box=[1, 1, 5, 5])
    _check_record(fixedbox.track(np.zeros((30, 40, 4), np.uint8)), (30, 40))


def test_box_partly_outside_is_clipped(fixedbox):
    fixedbox.initialize(np.zeros((30, 40, 3), np.uint8), box=[-5, 25, 10, 10])
    np.testing.assert_allclose(fixedbox.track(np.zeros((30, 40, 3), np.uint8))["box"], [0, 25, 5, 5])


@pytest.mark.parametrize("kwargs, match", [
    ({"box": [50, 50, 10, 10]}, "entirely outside"),
    ({"box": [5, 5, 0, 10]}, "zero or negative size"),
    ({"box": [5, np.nan, 3, 10]}, "NaN"),
    ({"box": [1, 2, 3]}, "expected 4 numbers"),
    ({"mask": np.zeros((30, 40), np.uint8)}, "mask is empty"),
    ({"mask": np.ones((31, 40), np.uint8)}, "full-image"),
    ({}, "give the initial region"),
])
def test_bad_initial_regions_raise_clear_errors(fixedbox, kwargs, match):
    with pytest.raises(ValueError, match=match):
        fixedbox.initialize(np.zeros((30, 40, 3), np.uint8), **kwargs)


def test_bad_frames_raise_clear_errors(fixedbox):
    with pytest.raises(ValueError, match="dtype uint8"):
        fixedbox.initialize(np.zeros((30, 40, 3), np.float32), box=[1, 1, 5, 5])
    with pytest.raises(RuntimeError, match="before initialize"):
        fixedbox.track(np.zeros((30, 40, 3), np.uint8))
    fixedbox.initialize(np.zeros((30, 40, 3), np.uint8), box=[1, 1, 5, 5])
    with pytest.raises(ValueError, match="frame size"):
        fixedbox.track(np.zeros((31, 40, 3), np.uint8))
