"""Result files: layout, separators and clear errors for bad files."""
import numpy as np
import pytest

from ltr.admin.errors import DataFormatError
from pytracking.analysis.results_io import read_result_boxes, run_dir, write_result_boxes


def test_layout_and_round_trip(tmp_path):
    assert run_dir(tmp_path, "segm", "d3s", 3) == tmp_path / "segm" / "d3s_003"
    assert run_dir(tmp_path, "segm", "d3s") == tmp_path / "segm" / "d3s"
    boxes = np.array([[1.5, 2, 3, 4], [5, 6, 7, 8.25]])
    write_result_boxes(tmp_path / "a.txt", boxes)
    assert np.array_equal(read_result_boxes(tmp_path / "a.txt", 2), boxes)
    (tmp_path / "b.txt").write_text("1,2,3,4\n5 6 7 8\n\n")
    assert read_result_boxes(tmp_path / "b.txt", 2).tolist() == [[1, 2, 3, 4], [5, 6, 7, 8]]


@pytest.mark.parametrize("text,n,match,line", [
    ("1,2,3,4\n", 2, "missing lines", None),
    ("1,2,3,4\n1,2,3,4\n1,2,3,4\n", 2, "extra lines", None),
    ("1,2,3,4\nnan,2,3,4\n", 2, "NaN", 2),
    ("1,2,3\n1,2,3,4\n", 2, "expected 4 numbers", 1),
    ("1,2,3,4\n\n1,2,3,4\n", 2, "expected 4 numbers", 2),
    ("1,2,x,4\n1,2,3,4\n", 2, "not a number", 1),
])
def test_bad_files_name_file_and_line(tmp_path, text, n, match, line):
    path = tmp_path / "seq.txt"
    path.write_text(text)
    with pytest.raises(DataFormatError, match=match) as info:
        read_result_boxes(path, n)
    assert info.value.path == str(path) and info.value.line == line


def test_missing_file(tmp_path):
    with pytest.raises(DataFormatError, match="missing"):
        read_result_boxes(tmp_path / "nope.txt", 3)


@pytest.mark.parametrize("text", ["1,2,3,4\n  \n1,2,3,4\n", "1,2,3,4\n1,2,3\n", " 1, 2, 3, 4\n1\t2\t3\tinf\n"])
def test_fast_and_checked_parsers_agree_on_errors(tmp_path, text):
    path = tmp_path / "s.txt"
    path.write_text(text)
    with pytest.raises(DataFormatError) as info:
        read_result_boxes(path, 2)
    assert info.value.line == 2


def test_spaces_after_commas_are_accepted(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("1, 2, 3, 4\r\n5,\t6, 7, 8\r\n")
    assert read_result_boxes(path, 2).tolist() == [[1, 2, 3, 4], [5, 6, 7, 8]]
