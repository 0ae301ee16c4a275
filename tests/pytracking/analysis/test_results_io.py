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


def test_one_box_writer_and_reader_round_trip(tmp_path):
    """Every writer goes through format_lines; the reader takes back what any delimiter wrote."""
    from pytracking.analysis.results_io import (BOX_DECIMALS, format_boxes, format_lines, format_times,
                                                read_times, result_files, write_result)

    boxes = np.array([[1.25, 2.5, 30.0, 40.125], [-3.0, 0.0, 7.5, 8.0625]])
    assert format_boxes(boxes) == "1.2500,2.5000,30.0000,40.1250\n-3.0000,0.0000,7.5000,8.0625\n"
    assert format_boxes(boxes, delimiter="\t", decimals=2) == "1.25\t2.50\t30.00\t40.12\n-3.00\t0.00\t7.50\t8.06\n"
    for delimiter in (",", "\t", " "):
        path = tmp_path / f"d{ord(delimiter)}.txt"
        write_result_boxes(path, boxes, delimiter=delimiter)
        assert np.array_equal(read_result_boxes(path, 2), np.round(boxes, BOX_DECIMALS))
    write_result(tmp_path / "run", "seq", boxes, [0.5, 0.25])
    box_file, time_file = result_files(tmp_path / "run", "seq")
    assert np.array_equal(read_result_boxes(box_file, 2), boxes)
    assert time_file.read_text() == "0.500000\n0.250000\n" and read_times(time_file).tolist() == [0.5, 0.25]
    assert format_times([np.array([1.0, 2.0]), np.array([3.0, 4.0])], decimals=1) == "1.0,3.0\n2.0,4.0\n"
    assert format_lines(np.array([1.0, 2.0]), decimals=0) == "1\n2\n"
    with pytest.raises(ValueError, match="expected"):
        format_lines(np.zeros((2, 2, 2)))
