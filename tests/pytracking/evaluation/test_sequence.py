"""Sequence / SequenceList behaviour independent of any dataset format."""
import pickle

import numpy as np
import pytest

from ltr.admin.errors import DataFormatError
from ltr.data.image_io import write_palette_png
from pytracking.evaluation.data import Sequence, SequenceList


def _frames(tmp_path, n, size=(6, 8)):
    from PIL import Image
    paths = []
    for i in range(n):
        p = tmp_path / f"{i:05d}.jpg"
        Image.new("RGB", (size[1], size[0])).save(p)
        paths.append(str(p))
    return paths


def test_box_sequence_visibility_and_masks(tmp_path):
    frames = _frames(tmp_path, 3)
    rect = np.array([[1, 1, 3, 2], [np.nan] * 4, [0, 0, 2, 2]])
    seq = Sequence("s", "d", frames, rect)
    np.testing.assert_array_equal(seq.target_visible, [True, False, True])
    assert seq.ground_truth_mask(0).sum() == 6 and seq.ground_truth_mask(1).sum() == 0
    np.testing.assert_array_equal(seq.init_region(), [1, 1, 3, 2])
    with pytest.raises(ValueError, match="region_type"):
        Sequence("s", "d", frames, rect, region_type="box")


def test_mask_sequence_is_lazy_and_picklable(tmp_path):
    frames = _frames(tmp_path, 3)
    labels = np.zeros((6, 8), np.uint8)
    labels[1:3, 2:5] = 2
    write_palette_png(tmp_path / "a0.png", labels)
    write_palette_png(tmp_path / "a2.png", np.zeros_like(labels))
    seq = Sequence("v", "d", frames, None, mask_files=[str(tmp_path / "a0.png"), None, str(tmp_path / "a2.png")],
                   object_ids=[2], region_type="mask")
    assert "ground_truth_rect" not in seq.__dict__
    clone = pickle.loads(pickle.dumps(seq))
    np.testing.assert_array_equal(clone.ground_truth_rect[0], [2, 1, 3, 2])
    assert np.isnan(clone.ground_truth_rect[1:]).all()
    np.testing.assert_array_equal(clone.target_visible, [True, False, False])
    assert clone.first_frame_of(2) == 0
    with pytest.raises(DataFormatError, match="object id 5 never appears"):
        clone.first_frame_of(5)
    np.testing.assert_array_equal(seq.init_region(2), labels == 2)


def test_sequence_list_by_name_and_slices(tmp_path):
    frames = _frames(tmp_path, 1)
    lst = SequenceList([Sequence(n, "d", frames, np.zeros((1, 4))) for n in ("a", "b", "c")])
    assert lst.by_name("b").name == "b"
    assert isinstance(lst[1:], SequenceList) and lst[1:].by_name("c").name == "c"
    with pytest.raises(KeyError, match="no sequence named 'z'"):
        lst.by_name("z")
