"""The TraX server end to end: a TraX client (the library the VOT toolkit uses) drives it over pipes."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

trax = pytest.importorskip("trax")
trax_client = pytest.importorskip("trax.client")

from ltr.regions.convert import box_to_polygon  # noqa: E402
from pytracking.vot.trax_server import region_from_trax  # noqa: E402


def _client(region: str):
    process = subprocess.Popen([sys.executable, "-m", "pytracking.vot.trax_server", "fixedbox", "default", "--region",
                                region], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    client = trax_client.Client(stream=(process.stdin.fileno(), process.stdout.fileno()), timeout=60,
                                log=lambda text: None)
    return process, client


def test_polygon_protocol_with_reinitialisation(make_synthetic):
    from pytracking.evaluation.datasets import get_dataset

    seq = get_dataset("vot2018", root=make_synthetic("vot", sequences=1, frames=4, size=(64, 48)))[0]
    process, client = _client("polygon")
    try:
        assert client.tracker_name == "fixedbox_default"
        images = [{trax.ImageChannel.COLOR: trax.FileImage.create(f)} for f in seq.frames]
        init_poly = [10.0, 12.0, 30.0, 12.0, 30.0, 28.0, 10.0, 28.0]
        region = trax.Polygon.create([(init_poly[i], init_poly[i + 1]) for i in range(0, 8, 2)])
        objects, _ = client.initialize(images[0], [(region, {})], {})
        for image in images[1:3]:
            objects, _ = client.frame(image, {}, [])
            (out_region, props), = objects
            assert out_region.type == trax.Region.POLYGON
            np.testing.assert_allclose([c for p in out_region for c in p], init_poly, atol=1e-4)
            assert float(props["confidence"]) == 1.0
        # The toolkit re-initialises after a failure: a fresh tracker with the new region.
        poly = box_to_polygon([5.0, 6.0, 20.0, 10.0])
        client.initialize(images[2], [(trax.Polygon.create([(poly[i], poly[i + 1]) for i in range(0, 8, 2)]), {})], {})
        (out_region, _), = client.frame(images[3], {}, [])[0]
        np.testing.assert_allclose([c for p in out_region for c in p], poly, atol=1e-4)
        client.quit()
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_region_conversion_from_trax():
    mask = np.zeros((4, 5), np.uint8)
    mask[1:3, 2:4] = 1
    out = region_from_trax(trax.Mask.create(mask[1:3, 2:4].copy(), 2, 1), (6, 7))
    expected = np.zeros((6, 7), np.uint8)
    expected[1:3, 2:4] = 1
    np.testing.assert_array_equal(out["mask"], expected)
    np.testing.assert_allclose(region_from_trax(trax.Rectangle.create(1, 2, 3, 4), (6, 7))["box"], [1, 2, 3, 4])
