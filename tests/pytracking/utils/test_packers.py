"""Server packers: archive layout, and validators that reject bad archives with the member named."""
import zipfile

import numpy as np
import pytest

from ltr.admin.errors import DataFormatError
from pytracking.analysis.results_io import write_result_boxes
from pytracking.utils.packers import (pack_got10k, pack_trackingnet, validate_got10k_zip,
                                      validate_trackingnet_zip)

SEQS = {"GOT-10k_Test_000001": 4, "GOT-10k_Test_000002": 3}


def write_runs(root, runs, seqs=SEQS):
    dirs = []
    for r in range(runs):
        d = root / f"d3s_{r:03d}"
        for name, n in seqs.items():
            write_result_boxes(d / f"{name}.txt", np.arange(n * 4, dtype=float).reshape(n, 4) + r)
            (d / f"{name}_time.txt").write_text("".join(f"{0.01 * (i + 1)}\n" for i in range(n)))
        dirs.append(d)
    return dirs


def test_got10k_layout_three_runs(tmp_path):
    dirs = write_runs(tmp_path, 3)
    out = pack_got10k(dirs, SEQS, tmp_path / "sub.zip")
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        assert "GOT-10k_Test_000001/GOT-10k_Test_000001_003.txt" in names
        assert "GOT-10k_Test_000002/GOT-10k_Test_000002_time.txt" in names
        run2 = zf.read("GOT-10k_Test_000002/GOT-10k_Test_000002_002.txt").decode().splitlines()
        assert run2[0] == "1.0000,2.0000,3.0000,4.0000"
        times = zf.read("GOT-10k_Test_000001/GOT-10k_Test_000001_time.txt").decode().splitlines()
        assert len(times) == 4 and len(times[0].split(",")) == 3
    assert len(names) == 2 * 4
    assert validate_got10k_zip(out, SEQS) == 3


def test_got10k_pack_rejects_short_result_and_validator_rejects_bad_archives(tmp_path):
    dirs = write_runs(tmp_path, 1)
    (dirs[0] / "GOT-10k_Test_000002.txt").write_text("1,2,3,4\n")
    with pytest.raises(DataFormatError, match="missing lines") as info:
        pack_got10k(dirs, SEQS, tmp_path / "x.zip")
    assert info.value.path.endswith("GOT-10k_Test_000002.txt")
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("GOT-10k_Test_000001/GOT-10k_Test_000001_001.txt", "1,2,3,4\n" * 3 + "nan,1,1,1\n")
        zf.writestr("GOT-10k_Test_000002/GOT-10k_Test_000002_001.txt", "1,2,3,4\n" * 3)
    with pytest.raises(DataFormatError, match="NaN") as info:
        validate_got10k_zip(bad, SEQS)
    assert "GOT-10k_Test_000001_001.txt" in info.value.path and info.value.line == 4
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("GOT-10k_Test_000001/GOT-10k_Test_000001_001.txt", "1,2,3,4\n" * 4)
    with pytest.raises(DataFormatError, match="GOT-10k_Test_000002' is missing"):
        validate_got10k_zip(bad, SEQS)


def test_trackingnet_layout_and_validation(tmp_path):
    seqs = {"a1": 3, "b2": 2}
    d = write_runs(tmp_path, 1, seqs)[0]
    out = pack_trackingnet(d, seqs, tmp_path / "tn.zip")
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["a1.txt", "b2.txt"]
    validate_trackingnet_zip(out, seqs)
    with pytest.raises(DataFormatError, match="3 lines but the sequence has 4"):
        validate_trackingnet_zip(out, {"a1": 4, "b2": 2})
    with pytest.raises(DataFormatError, match="unknown sequence"):
        validate_trackingnet_zip(out, {"a1": 3})


def test_cli_packs_and_validates_synthetic_got10k_test(make_synthetic, tmp_path, capsys):
    from pytracking.evaluation.datasets import get_dataset
    from pytracking.utils.packers import main

    root = make_synthetic("got10k", sequences=2, frames=5)
    seqs = {s.name: len(s.frames) for s in get_dataset("gott", root=root)}
    write_runs(tmp_path / "res" / "segm", 3, seqs)
    rc = main(["got10k", "--tracker", "segm", "--params", "d3s", "--runs", "3", "--results",
               str(tmp_path / "res"), "--root", str(root), "--out", str(tmp_path / "sub.zip")])
    assert rc == 0 and "validated" in capsys.readouterr().out
    assert main(["validate-got10k", str(tmp_path / "sub.zip"), "--root", str(root)]) == 0
    capsys.readouterr()
    rc = main(["trackingnet", "--tracker", "segm", "--params", "d3s", "--runs", "0-0", "--results",
               str(tmp_path / "nowhere"), "--dataset", "gott", "--root", str(root), "--out", str(tmp_path / "t.zip")])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("error: ") and "result file is missing" in err and err.count("\n") == 1


def test_packed_members_are_byte_identical_to_the_server_format(tmp_path):
    """Routed through the one results module with an explicit delimiter, the members keep the exact bytes the
    servers were always sent: x,y,w,h with 4 decimals, times comma-separated with 8."""
    dirs = write_runs(tmp_path, 2)
    out = pack_got10k(dirs, SEQS, tmp_path / "sub.zip")
    n = SEQS["GOT-10k_Test_000002"]
    with zipfile.ZipFile(out) as zf:
        run1 = zf.read("GOT-10k_Test_000002/GOT-10k_Test_000002_001.txt").decode()
        times = zf.read("GOT-10k_Test_000002/GOT-10k_Test_000002_time.txt").decode()
    boxes = np.arange(n * 4, dtype=float).reshape(n, 4)
    assert run1 == "".join(",".join(f"{v:.4f}" for v in row) + "\n" for row in boxes)
    assert times == "".join(f"{0.01 * (i + 1):.8f},{0.01 * (i + 1):.8f}\n" for i in range(n))
    tn = pack_trackingnet(dirs[1], SEQS, tmp_path / "tn.zip")
    with zipfile.ZipFile(tn) as zf:
        assert zf.read("GOT-10k_Test_000002.txt").decode() == "".join(
            ",".join(f"{v:.4f}" for v in row) + "\n" for row in boxes + 1)
