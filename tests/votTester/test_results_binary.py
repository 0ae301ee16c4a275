"""The toolkit's binary trajectories: hand-built bytes, and (when installed) files the toolkit itself writes."""
from __future__ import annotations

import importlib.util
import struct

import numpy as np
import pytest

from ltr.admin.errors import DataFormatError
from votTester.results_binary import read_binary_lines
from votTester.results_io import find_runs, read_trajectory


def records() -> bytes:
    out = struct.pack("<hI", 1, 4)
    out += struct.pack("<BI", 0, 1)
    out += struct.pack("<Bffff", 1, 1.5, 2.25, 3.0, 4.0)
    out += struct.pack("<BH8f", 2, 4, 0, 0, 2, 0, 2, 2, 0.1, 2)
    out += struct.pack("<BhhHHH4H", 3, 5, 6, 2, 2, 4, 1, 2, 1, 0)
    return out


def test_binary_lines_by_hand(tmp_path):
    path = tmp_path / "seq_001.bin"
    path.write_bytes(records())
    lines = read_binary_lines(path)
    assert lines[:2] == ["1", "1.5,2.25,3.0,4.0"]
    assert lines[2].split(",")[-2] == repr(float(np.float32(0.1)))  # float32 values, printed exactly
    assert lines[3] == "m5,6,2,2,1,2,1,0"
    # read_trajectory finds the .bin when the .txt is missing; find_runs lists it
    (tmp_path / "baseline" / "seq").mkdir(parents=True)
    (tmp_path / "baseline" / "seq" / "seq_001.bin").write_bytes(records())
    assert find_runs(tmp_path, "seq") == [1]
    t = read_trajectory(tmp_path / "baseline" / "seq" / "seq_001.txt", 4)
    assert list(t.codes[:1]) == [1] and t.texts[3] == "m5,6,2,2,1,2,1,0"
    path.write_bytes(records()[:-3])
    with pytest.raises(DataFormatError, match="cut short"):
        read_binary_lines(path)


@pytest.mark.skipif(importlib.util.find_spec("vot") is None, reason="vot-toolkit not installed")
def test_binary_lines_equal_toolkit_text(tmp_path):
    from vot.region import Special
    from vot.region.io import write_trajectory
    from vot.region.shapes import Mask, Polygon, Rectangle

    rng = np.random.default_rng(0)
    mask = (rng.uniform(size=(7, 9)) > 0.5).astype(np.uint8)
    regions = [Special(1), Rectangle(1.123456, 2.5, 3.25, 4.0), Polygon([(0.3, 0.7), (5.1, 0.2), (4.9, 6.6)]),
               Mask(mask, (3, 4)), Special(2), Special(0)]
    write_trajectory(str(tmp_path / "a.bin"), regions)
    from ltr.regions.vot_text import parse_region

    for line, region in zip(read_binary_lines(tmp_path / "a.bin"), regions):
        ours = parse_region(line)
        if isinstance(region, Mask):
            assert np.array_equal(ours.to_full((20, 20)), region.rasterize((0, 0, 19, 19)))
        elif isinstance(region, Special):
            assert ours.code == region.code
        else:
            expected = [c for p in (region.points() if isinstance(region, Polygon) else
                                    [(region.x, region.y), (region.width, region.height)]) for c in p]
            got = ours.flat if hasattr(ours, "flat") else ours.as_array()
            assert np.allclose(got, np.float32(expected), rtol=0, atol=0)
