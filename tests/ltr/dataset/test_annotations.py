"""Text parts of datasets: rows, flags, lists and numbered frame folders."""
import numpy as np
import pytest

from ltr.admin.errors import DataFormatError
from ltr.dataset.annotations import list_frames, read_flags, read_list, read_rows


def test_read_rows_mixed_separators_and_errors(tmp_path):
    p = tmp_path / "gt.txt"
    p.write_text("1,2,3,4\n5\t6\t7\t8\n9 10 11 12\n\n")
    np.testing.assert_array_equal(read_rows(p), [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]])
    p.write_text("1,2,3,4\n1,2,3,4,5,6,7,8\n")
    with pytest.raises(DataFormatError, match=r"gt.txt:2: expected 4 numbers like line 1, got 8"):
        read_rows(p, widths=(4, 8))
    p.write_text("1,2,inf,4\n")
    with pytest.raises(DataFormatError, match=r"gt.txt:1: NaN or infinite"):
        read_rows(p)
    assert np.isnan(read_rows(_write(tmp_path, "1,nan,3,4\n"), allow_nan=True)[0, 1])
    p.write_text("")
    with pytest.raises(DataFormatError, match="gt.txt: ground-truth file is empty"):
        read_rows(p)


def _write(tmp_path, text):
    p = tmp_path / "nan.txt"
    p.write_text(text)
    return p


def test_read_flags_lines_and_commas(tmp_path):
    p = tmp_path / "f.txt"
    p.write_text("0,1,1,0\n")
    np.testing.assert_array_equal(read_flags(p, count=4), [False, True, True, False])
    p.write_text("0\n1\n2\n")
    with pytest.raises(DataFormatError, match=r"f.txt:3: expected 0 or 1, got '2'"):
        read_flags(p)
    p.write_text("0\n1\n")
    with pytest.raises(DataFormatError, match="has 2 values but the sequence has 3 frames"):
        read_flags(p, count=3)


def test_read_list_and_frames(tmp_path):
    (tmp_path / "list.txt").write_text("a\n\nb\n")
    assert read_list(tmp_path / "list.txt") == ["a", "b"]
    d = tmp_path / "img"
    d.mkdir()
    for n in (10, 9, 11):
        (d / f"{n:04d}.jpg").write_bytes(b"x")
    (d / "notes.txt").write_text("ignored")
    assert [p.rsplit("/", 1)[1] for p in list_frames(d)] == ["0009.jpg", "0010.jpg", "0011.jpg"]
    (d / "0013.jpg").write_bytes(b"x")
    with pytest.raises(DataFormatError, match=r"img/0012.jpg: frame is missing"):
        list_frames(d)
    assert len(list_frames(d, step=None)) == 4
    with pytest.raises(DataFormatError, match="frame folder does not exist"):
        list_frames(tmp_path / "nope")
