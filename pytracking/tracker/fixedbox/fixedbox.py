"""``fixedbox``: reports the initial region forever; the sanity baseline of every runner and analysis.

Initial region -> reported box: a box as given (clipped to the image), a polygon's axis-aligned bounds, a mask's
bounding box. Outputs per frame: that box, its 4-corner polygon, the filled box as mask (VOT pixel convention of
``ltr.regions.convert.rasterize_box``), ``prob`` = the same mask as float32, ``score`` = 1.0.
"""
from __future__ import annotations

import numpy as np

from ltr.regions.convert import box_to_polygon, rasterize_box
from pytracking.parameter.fixedbox.default import FixedBoxParams
from pytracking.tracker.base import BaseTracker, make_output, resolve_init_region


class FixedBoxTracker(BaseTracker):
    def __init__(self, params: FixedBoxParams, device="cpu"):
        super().__init__(params, device)
        self._output: dict | None = None

    def initialize(self, image, box=None, polygon=None, mask=None) -> dict:
        frame = self._init_frame(image)
        region = resolve_init_region(frame.shape[:2], box=box, polygon=polygon, mask=mask)
        box_mask = None
        prob = None
        if self.params.output_mask:
            box_mask = rasterize_box(region.box, frame.shape[:2]).astype(np.uint8)
            prob = box_mask.astype(np.float32)
        self._output = make_output(region.box, polygon=np.asarray(box_to_polygon(region.box)), mask=box_mask,
                                   score=1.0, prob=prob)
        return self._copy_output()

    def track(self, image) -> dict:
        self._track_frame(image)
        return self._copy_output()

    def _copy_output(self) -> dict:
        return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in self._output.items()}
