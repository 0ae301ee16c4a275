"""VOT region text IO against vot-toolkit 0.9 (vot.region.io / shapes)."""
import pickle

import numpy as np
import pytest

from ltr.admin.errors import DataFormatError
from ltr.regions.vot_text import (Mask, Polygon, Rectangle, Special, encode_mask, format_region, mask_to_rle,
                                  parse_region, read_region_file, rle_to_mask, write_region_file)

pytest.importorskip("vot.region")
from vot.region import Special as VSpecial  # noqa: E402
from vot.region.io import parse_region as vparse, read_trajectory, write_trajectory  # noqa: E402
from vot.region.shapes import Mask as VMask, Polygon as VPolygon, Rectangle as VRectangle  # noqa: E402


def _random_mask(rng):
    h, w = rng.integers(1, 15, 2)
    return (rng.random((h, w)) < rng.uniform(0.05, 0.95)).astype(np.uint8)


def test_mask_format_equals_toolkit_and_round_trips():
    rng = np.random.default_rng(0)
    for i in range(300):
        m = _random_mask(rng)
        off = tuple(int(v) for v in rng.integers(0, 200, 2))
        ours = format_region(Mask(m, off))
        assert ours == str(VMask(m.copy(), off))
        back = parse_region(ours)
        assert isinstance(back, Mask) and back.offset == off
        np.testing.assert_array_equal(back.mask, m)
        if m[:, 1:].any():  # vot-toolkit 0.9 drops masks whose pixels all lie in their first column (its quirk)
            ref = vparse(ours)  # the toolkit crops to the non-zero pixels: compare as full images
            canvas = (230, 230)
            np.testing.assert_array_equal(Mask(ref.mask, ref.offset).to_full(canvas), back.to_full(canvas))


def test_full_mask_encoding_equals_toolkit_optimised_mask():
    rng = np.random.default_rng(1)
    for _ in range(100):
        full = np.zeros((40, 50), np.uint8)
        h, w = rng.integers(1, 12, 2)
        x, y = int(rng.integers(1, 38)), int(rng.integers(1, 28))  # not in column 0 (toolkit: "empty")
        full[y:y + h, x:x + w] = rng.random((h, w)) < 0.6
        if not full.any():
            continue
        assert encode_mask(full) == str(VMask(full.copy(), optimize=True))
        back = parse_region(encode_mask(full))
        np.testing.assert_array_equal(back.to_full((40, 50)), full)
    assert encode_mask(np.zeros((5, 5), np.uint8)) == "m0,0,0,0,0"
    assert parse_region("m0,0,0,0,0").to_full((5, 5)).sum() == 0


def test_rle_by_hand():
    m = np.array([[1, 1, 0], [0, 0, 1]], np.uint8)
    assert mask_to_rle(m) == [0, 2, 3, 1]
    assert format_region(Mask(m, (4, 7))) == "m4,7,3,2,0,2,3,1"
    np.testing.assert_array_equal(rle_to_mask([0, 2, 3, 1], 3, 2), m)


def test_rect_polygon_special_format_equals_toolkit():
    rng = np.random.default_rng(2)
    for _ in range(200):
        vals = rng.uniform(-50, 500, 8).astype(np.float32).astype(np.float64)
        poly = Polygon(vals)
        vpoly = VPolygon(list(zip(vals[0::2], vals[1::2])))
        assert format_region(poly) == str(vpoly)
        rect = Rectangle(*vals[:4])
        assert format_region(rect) == str(VRectangle(*vals[:4]))
        # parse(toolkit text) equals the toolkit's parse
        p = parse_region(str(vpoly))
        np.testing.assert_array_equal(p.points, vparse(str(vpoly))._points.astype(np.float64))
        r = parse_region(str(VRectangle(*vals[:4])))
        ref = vparse(str(VRectangle(*vals[:4])))
        assert (r.x, r.y, r.width, r.height) == (ref.x, ref.y, ref.width, ref.height)
    for code in (0, 1, 2):
        assert format_region(Special(code)) == str(VSpecial(code))
        assert parse_region(str(VSpecial(code))) == Special(code)
    assert parse_region("nan,nan,nan,nan") == Special(0)
    assert isinstance(vparse("nan,nan,nan,nan"), VSpecial)


def test_file_round_trip_with_toolkit(tmp_path):
    rng = np.random.default_rng(3)
    regions = [Special(1), Rectangle(1.5, 2.0, 3.25, 4.0), Polygon([1.0, 2.0, 5.5, 2.0, 5.5, 7.0, 1.0, 7.0]),
               Mask(_random_mask(rng), (3, 9)), Special(2), Special(0)]
    ours = tmp_path / "ours.txt"
    write_region_file(ours, regions)
    assert read_region_file(ours) == regions
    vregions = read_trajectory(str(ours))
    theirs = tmp_path / "theirs.txt"
    write_trajectory(str(theirs), vregions)
    assert theirs.read_text() == ours.read_text()
    assert pickle.loads(pickle.dumps(regions)) == regions


@pytest.mark.parametrize("text,needle", [
    ("1,2,3", "got 3"), ("1,2,x,4", "comma-separated numbers"), ("", "empty line"), ("m1,2,3", "at least one run"),
    ("m0,0,2,2,1,1", "add up to 2"), ("1.5", "integer code"), ("m0,0,2,2,a", "integers")])
def test_parse_errors_name_file_and_line(text, needle):
    with pytest.raises(DataFormatError) as info:
        parse_region(text, path="/data/gt.txt", line=7)
    assert "/data/gt.txt:7" in str(info.value) and needle in str(info.value)


def test_read_region_file_reports_line(tmp_path):
    p = tmp_path / "groundtruth.txt"
    p.write_text("1,2,3,4\n1,2,3,4\n\n1,2,3,4\n")
    with pytest.raises(DataFormatError, match=r"groundtruth.txt:3: empty line"):
        read_region_file(p)
    with pytest.raises(DataFormatError, match="does not exist"):
        read_region_file(tmp_path / "missing.txt")
