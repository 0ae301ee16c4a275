"""Raw result files: strict parsing with errors that name the file and line, and the toolkit's NaN convention."""
from __future__ import annotations

import numpy as np
import pytest

from ltr.admin.errors import DataFormatError

from votTester.analysis import analyse, score_supervised
from votTester.measures import CODE_REGION
from votTester.results_io import find_runs, read_trajectory, run_file


def write(path, lines):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_parse_codes_and_regions(tmp_path):
    p = write(tmp_path / "a.txt", ["1", "1,2,3,4", "2", "0", "1", "1,1,5,1,5,5,1,5", "m0,0,2,1,1,1"])
    t = read_trajectory(p, 7)
    assert list(t.codes) == [1, CODE_REGION, 2, 0, 1, CODE_REGION, CODE_REGION]
    assert t.texts[1] == "1,2,3,4"


@pytest.mark.parametrize("lines,frames,match,line", [
    (["1", "1,2,3,4"], 3, "missing lines", None),
    (["1", "1,2,3,4", "1,2,3,4", "2"], 3, "extra lines", None),
    (["1", "1,2,3"], 2, "got 3", 2),
    (["1", "3"], 2, "unknown special code", 2),
    (["1", "abc"], 2, "comma-separated numbers", 2),
    (["2", "1,2,3,4"], 2, "first line must be 1", 1),
])
def test_bad_files_name_file_and_line(tmp_path, lines, frames, match, line):
    p = write(tmp_path / "seq_001.txt", lines)
    with pytest.raises(DataFormatError, match=match) as info:
        t = read_trajectory(p, frames)
        for i in range(frames):  # region lines are parsed when scored
            if t.codes[i] == CODE_REGION:
                t.region(i)
    assert info.value.path == str(p)
    assert info.value.line == line


def test_nan_region_is_a_skipped_frame_with_a_warning(tmp_path):
    p = write(tmp_path / "seq_001.txt", ["1", "nan,nan,nan,nan", "1,2,3,4"])
    with pytest.warns(UserWarning, match="seq_001.txt: lines \\[2\\]"):
        t = read_trajectory(p, 3)
    assert list(t.codes) == [1, 0, CODE_REGION]


def test_missing_sequence_and_missing_baseline(make_vot_results, tmp_path):
    results, seqs = make_vot_results(n_sequences=2, frames=12, runs=2, seed=5)
    for p in (results / "baseline" / "seq1").iterdir():
        p.unlink()
    assert find_runs(results, "seq1") == []
    with pytest.raises(DataFormatError, match="no raw results for sequence 'seq1'") as info:
        score_supervised(results, seqs, (1, 5))
    assert info.value.path.endswith("baseline/seq1")
    with pytest.raises(DataFormatError, match="holds no 'baseline/' folder"):
        analyse(tmp_path, "vot2018", sequences=seqs)


def test_runs_found_in_order_and_used(make_vot_results):
    results, seqs = make_vot_results(n_sequences=1, frames=15, runs=3, seed=6)
    assert find_runs(results, "seq0") == [1, 2, 3]
    run_file(results, "seq0", 2).unlink()
    out = score_supervised(results, seqs, (1, 5))
    assert out["runs"] == [2] and out["sequences"]["seq0"]["runs"] == 2
    assert np.isfinite(out["accuracy"])
