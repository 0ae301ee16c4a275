"""VOT adapters read the generated sets back exactly: compared with the vot-toolkit's own sequence reader, plain
parsing of the files and the generator's rendered masks."""
import pickle
from pathlib import Path

import numpy as np
import pytest

from ltr.dataset.synthetic.common import make_plan, render_all
from ltr.dataset.synthetic.scene import SceneOptions
from ltr.regions.convert import mask_to_min_area_polygon, polygon_to_box
from pytracking.evaluation.datasets import get_dataset

pytest.importorskip("vot.dataset")
from vot.dataset.common import read_sequence, read_sequence_legacy  # noqa: E402
from vot.region import Special as VSpecial  # noqa: E402
from vot.region.shapes import Mask as VMask, Polygon as VPolygon  # noqa: E402

SIZE = (96, 72)
FRAMES = 6


def _rendered_masks(seq_index, frames=FRAMES):
    plan = make_plan(0, "vot", seq_index, SceneOptions(size=SIZE, frames=frames, num_targets=1, allow_absent=False))
    return [fr.mask(1) for fr in render_all(plan)]


@pytest.mark.parametrize("fmt,name", [("vot", "vot2018"), ("vot-legacy", "vot2016")])
def test_polygon_sets_match_toolkit_and_generator(make_synthetic, fmt, name):
    root = make_synthetic(fmt, sequences=2, frames=FRAMES, size=SIZE)
    seqs = get_dataset(name, root=root)
    assert [s.name for s in seqs] == (root / "list.txt").read_text().split()
    for index, seq in enumerate(seqs):
        reader = read_sequence if fmt == "vot" else read_sequence_legacy
        ref = reader(str(root / seq.name))
        assert len(ref) == len(seq.frames) == FRAMES
        assert [Path(f) for f in seq.frames] == [Path(ref.frame(i).filename()) for i in range(len(ref))]
        assert seq.region_type == "polygon" and seq.dataset == name
        for i in range(FRAMES):
            gt = ref.groundtruth(i)
            assert isinstance(gt, VPolygon)
            np.testing.assert_array_equal(seq.ground_truth_polygon[i].astype(np.float32),
                                          np.asarray(gt.points(), np.float32).reshape(-1))
        # exact float64 values as written in the file
        written = np.array([[float(v) for v in line.split(",")]
                            for line in (root / seq.name / "groundtruth.txt").read_text().splitlines()])
        np.testing.assert_array_equal(seq.ground_truth_polygon, written)
        np.testing.assert_array_equal(seq.ground_truth_rect, polygon_to_box(written))
        assert seq.target_visible.all()
        # the generator's data: the polygon is the min-area rectangle of the rendered mask
        for i, mask in enumerate(_rendered_masks(index)):
            np.testing.assert_array_equal(seq.ground_truth_polygon[i], mask_to_min_area_polygon(mask))
        # tags as the toolkit reads them
        assert set(seq.tags) == set(ref.tags())
        for tag, values in seq.tags.items():
            assert [tag in ref.tags(i) for i in range(FRAMES)] == values.tolist()
        np.testing.assert_array_equal(seq.init_region(), written[0])
        assert seq.image_size() == (SIZE[1], SIZE[0])
        again = pickle.loads(pickle.dumps(seq))
        np.testing.assert_array_equal(again.ground_truth_polygon, seq.ground_truth_polygon)


def test_vot2020_masks_match_toolkit_and_generator(make_synthetic):
    root = make_synthetic("vot2020", sequences=2, frames=FRAMES, size=SIZE)
    seqs = get_dataset("vot2020", root=root)
    for index, seq in enumerate(seqs):
        ref = read_sequence(str(root / seq.name))
        assert seq.region_type == "mask" and seq.ground_truth_polygon is None
        rendered = _rendered_masks(index)
        for i in range(FRAMES):
            gt = ref.groundtruth(i)
            assert isinstance(gt, VMask) and not isinstance(gt, VSpecial)
            ours = seq.ground_truth_mask(i)
            np.testing.assert_array_equal(ours, gt.rasterize((0, 0, SIZE[0] - 1, SIZE[1] - 1)))
            np.testing.assert_array_equal(ours, rendered[i])
            ys, xs = np.nonzero(rendered[i])
            np.testing.assert_array_equal(seq.ground_truth_rect[i], [xs.min(), ys.min(), xs.max() - xs.min() + 1,
                                                                     ys.max() - ys.min() + 1])
        np.testing.assert_array_equal(seq.init_region(), rendered[0])
        anchor = np.loadtxt(root / seq.name / "anchor.value")
        np.testing.assert_array_equal(seq.attributes["values"]["anchor"], anchor)
        assert ref.values(0)["anchor"] == anchor[0]
        assert pickle.loads(pickle.dumps(seq)).ground_truth_mask(1).sum() == rendered[1].sum()
