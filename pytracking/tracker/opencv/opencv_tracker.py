"""``csrt``, ``kcf``, ``mil``: OpenCV's classical trackers behind the streaming API (the reference row of a table).

Per frame the RGB frame is converted to BGR (what OpenCV's colour features expect) and handed to OpenCV's
``update``. Box conventions: our float ``[x, y, w, h]`` is rounded corner by corner to OpenCV's integer rectangle;
a side shorter than the tracker's minimum (MIL: 6 px, below which OpenCV's Haar feature sampling never ends; CSRT:
2 px) is widened around its centre. The mapping initial box <- initial rectangle (offset and scale per axis) is
applied to every rectangle OpenCV reports, so frame 0 reports exactly the (clipped) initial box and OpenCV's
rounding and widening never show in the output.

Outputs: ``box``; ``polygon`` = its 4 corners; ``mask`` = the filled box (``ltr.regions.convert.rasterize_box``)
and ``prob`` = the same as float32, both only with ``output_mask`` (DAVIS and VOT2020 need them); ``score`` = 1.0
when OpenCV reports success, 0.0 when it reports a failure (CSRT: peak-to-sidelobe ratio below ``psr_threshold``;
KCF: response peak below ``detect_thresh``; MIL never fails). On a failure the last reported box is kept and
tracking continues (OpenCV searches around its own last state on the next frame). An OpenCV exception inside
``update`` (an assertion on a degenerate patch) counts as a failure and is kept in ``last_error``.

Determinism: the three trackers give identical results for identical input at any ``cv2.setNumThreads`` value,
once OpenCV's RNG and, for MIL, the C library's ``rand`` are seeded; both are seeded at every ``initialize``
(parameter ``seed``).
"""
from __future__ import annotations

from typing import ClassVar

import cv2
import numpy as np
import torch

from ltr.regions.convert import box_to_polygon, rasterize_box
from pytracking.parameter.base import revalidate
from pytracking.parameter.opencv import CSRTParams, KCFParams, MILParams, OpenCVTrackerParams
from pytracking.tracker.base import BaseTracker, make_output, resolve_init_region
from pytracking.tracker.opencv import backend


def _axis_to_int(lo: float, length: float, size: int, min_side: int) -> tuple[int, int]:
    """One axis of a float box -> (start, length) in integer pixels inside [0, size), widened to ``min_side``."""
    start, stop = int(round(lo)), int(round(lo + length))
    start = min(max(start, 0), size - 1)
    stop = min(max(stop, start + 1), size)
    side = min(min_side, size)
    if stop - start < side:
        centre = lo + length / 2.0
        start = min(max(int(round(centre - side / 2.0)), 0), size - side)
        stop = start + side
    return start, stop - start


def opencv_rect(box, image_hw: tuple[int, int], min_side: int = 1) -> tuple[int, int, int, int]:
    """``[x, y, w, h]`` float (inside the image) -> OpenCV's integer ``(x, y, w, h)``, each side >= ``min_side``
    where the image allows."""
    x, w = _axis_to_int(float(box[0]), float(box[2]), int(image_hw[1]), min_side)
    y, h = _axis_to_int(float(box[1]), float(box[3]), int(image_hw[0]), min_side)
    return x, y, w, h


class OpenCVTracker(BaseTracker):
    """Shared wrapper; subclasses name the OpenCV algorithm and its parameter class."""

    ALGORITHM: ClassVar[str]
    PARAMS: ClassVar[type[OpenCVTrackerParams]]
    #: Smallest side (px) handed to OpenCV.
    MIN_SIDE: ClassVar[int] = 1
    #: Whether the algorithm draws from the C library's ``rand`` (seeded at ``initialize``).
    USES_C_RAND: ClassVar[bool] = False

    def __init__(self, params: OpenCVTrackerParams, device="cpu"):
        if not isinstance(params, self.PARAMS):
            raise TypeError(f"{type(self).__name__} needs {self.PARAMS.__name__} parameters, got "
                            f"{type(params).__name__}")
        super().__init__(params, device)
        revalidate(params)
        self._backend = backend.find_backend(self.ALGORITHM)
        self._cv_tracker = None
        self._to_box: np.ndarray | None = None  # (ox, oy, sx, sy): rect -> box, see _box_from_rect
        self._output: dict | None = None
        #: OpenCV's message of the last exception in ``update`` (counted as a failure), else None.
        self.last_error: str | None = None
        #: Whether the C library's ``rand`` was seeded at the last ``initialize`` (MIL reproducibility).
        self.c_rand_seeded = not self.USES_C_RAND

    def initialize(self, image, box=None, polygon=None, mask=None) -> dict:
        frame = self._init_frame(image)
        region = resolve_init_region(frame.shape[:2], box=box, polygon=polygon, mask=mask)
        threads = self.params.num_threads if self.params.num_threads is not None else torch.get_num_threads()
        cv2.setNumThreads(int(threads))
        cv2.setRNGSeed(int(self.params.seed))
        self.c_rand_seeded = backend.seed_c_rand(self.params.seed) if self.USES_C_RAND else True
        rect = opencv_rect(region.box, frame.shape[:2], self.MIN_SIDE)
        self._cv_tracker = backend.build_tracker(self._backend, self.params)
        try:
            started = self._cv_tracker.init(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR), rect)
        except cv2.error as exc:
            raise ValueError(f"{self.ALGORITHM} ({self._backend.where}) cannot start on box "
                             f"{np.round(region.box, 2).tolist()} (OpenCV rectangle {rect}) in a "
                             f"{frame.shape[1]}x{frame.shape[0]} frame: {_last_line(exc)}") from exc
        if started is False:  # legacy API reports a refused start by returning False
            raise ValueError(f"{self.ALGORITHM} ({self._backend.where}) refused to start on box "
                             f"{np.round(region.box, 2).tolist()} (OpenCV rectangle {rect})")
        rx, ry, rw, rh = rect
        bx, by, bw, bh = region.box
        self._to_box = np.array([(bx - rx) / rw, (by - ry) / rh, bw / rw, bh / rh], dtype=np.float64)
        self.last_error = None
        self._output = self._record(region.box, 1.0)
        return self._copy_output()

    def track(self, image) -> dict:
        frame = self._track_frame(image)
        try:
            ok, rect = self._cv_tracker.update(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        except cv2.error as exc:  # a degenerate patch inside OpenCV: a failed frame, never an exception (base.py)
            ok, rect = False, None
            self.last_error = _last_line(exc)
        box = self._box_from_rect(rect) if ok else None
        if box is None:
            self._output = self._record(self._output["box"], 0.0)
        else:
            self._output = self._record(box, 1.0)
        return self._copy_output()

    def _box_from_rect(self, rect) -> np.ndarray | None:
        """OpenCV's rectangle -> our box through the initial offset/scale; None if not a positive finite box."""
        r = np.asarray(rect, dtype=np.float64).reshape(-1)
        if r.size != 4 or not np.all(np.isfinite(r)) or r[2] <= 0 or r[3] <= 0:
            return None
        ox, oy, sx, sy = self._to_box
        return np.array([r[0] + ox * r[2], r[1] + oy * r[3], sx * r[2], sy * r[3]], dtype=np.float64)

    def _record(self, box, score: float) -> dict:
        box_mask = prob = None
        if self.params.output_mask:
            box_mask = rasterize_box(box, self.frame_size).astype(np.uint8)
            prob = box_mask.astype(np.float32)
        return make_output(box, polygon=np.asarray(box_to_polygon(box)), mask=box_mask, score=score, prob=prob)

    def _copy_output(self) -> dict:
        return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in self._output.items()}


def _last_line(exc: Exception) -> str:
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__


class CSRTTracker(OpenCVTracker):
    """CSRT / CSR-DCF (contrib build)."""

    ALGORITHM = "CSRT"
    PARAMS = CSRTParams
    MIN_SIDE = 2  # a 1 px side makes OpenCV's resize assert


class KCFTracker(OpenCVTracker):
    """KCF (contrib build); fixed box size."""

    ALGORITHM = "KCF"
    PARAMS = KCFParams


class MILTracker(OpenCVTracker):
    """MIL (main build); fixed box size, never reports a failure."""

    ALGORITHM = "MIL"
    PARAMS = MILParams
    MIN_SIDE = 6  # smaller patches make OpenCV's random Haar feature search loop forever (e.g. 4x4, 10x2)
    USES_C_RAND = True


__all__ = ["CSRTTracker", "KCFTracker", "MILTracker", "OpenCVTracker", "opencv_rect"]
