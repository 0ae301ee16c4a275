"""The TraX server end to end: a TraX client (the library the VOT toolkit uses) drives it over pipes, with the
fixed-box baseline (protocol details) and with ``segm`` and the shipped net (a real tracker behind the protocol)."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

trax = pytest.importorskip("trax")
trax_client = pytest.importorskip("trax.client")

from ltr.regions.convert import box_to_polygon, rasterize_polygon  # noqa: E402
from pytracking.vot.trax_server import region_from_trax  # noqa: E402


def _client(region: str, tracker: tuple[str, str] = ("fixedbox", "default"), overrides: tuple[str, ...] = ()):
    # One torch thread in the server: test sessions share 2 cores.
    process = subprocess.Popen([sys.executable, "-m", "pytracking.vot.trax_server", *tracker, "--region", region,
                                *(arg for o in overrides for arg in ("--param", o))],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0,
                               env={**os.environ, "OMP_NUM_THREADS": "1"})
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


def test_segm_with_the_shipped_net_answers_masks(make_synthetic):
    """VOT2020-style session: ``segm default_params`` (shipped segm_tiny.pth) initialised with a mask returns mask
    regions that cover the moving target (J against the rasterised ground-truth polygon) and a confidence. A 128 px
    DCF sample (``--param``, also tested here) keeps the frame-1 DCF training short."""
    from pytracking.evaluation.datasets import get_dataset
    from pytracking.tracker.shared.network import SHIPPED_NETWORKS_DIR

    if not (SHIPPED_NETWORKS_DIR / "segm_tiny.pth").is_file():
        pytest.skip("pytracking/networks/segm_tiny.pth is not shipped in this checkout")
    seq = get_dataset("vot2018", root=make_synthetic("vot", sequences=1, frames=4, size=(160, 120)))[0]
    hw = (120, 160)
    gt_masks = [rasterize_polygon(poly, hw) for poly in seq.ground_truth_polygon]
    process, client = _client("mask", ("segm", "default_params"), ("dcf.sample_size=128", "dcf.search_area_scale=4.0"))
    try:
        assert client.tracker_name == "segm_default_params"
        images = [{trax.ImageChannel.COLOR: trax.FileImage.create(f)} for f in seq.frames]
        client.initialize(images[0], [(trax.Mask.create(gt_masks[0].copy(), 0, 0), {})], {})
        for image, gt in zip(images[1:], gt_masks[1:]):
            (out_region, props), = client.frame(image, {}, [])[0]
            assert out_region.type == trax.Region.MASK
            pred = region_from_trax(out_region, hw)["mask"] > 0
            assert (pred & (gt > 0)).sum() / (pred | (gt > 0)).sum() > 0.5
            assert 0.0 < float(props["confidence"]) <= 1.0
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
