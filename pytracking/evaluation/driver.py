"""The one frame driver under every runner: feed a tracker the frames of a sequence and yield one record per frame.

Like SAM 2's ``propagate_in_video``: :func:`propagate` takes a tracker with the streaming API
(``initialize(image, **kwargs)`` / ``track(image) -> dict``) and the frames, and yields a :class:`FrameRecord` per
frame visited (frame index, what the tracker returned: box / polygon / mask / prob / score, seconds spent in the
tracker). The consumers are the one-pass runner (:mod:`pytracking.evaluation.running`: one record per frame, box
files), the VOT reset and anchor protocols (:mod:`votTester.protocol`, :mod:`votTester.anchor`: re-initialisation
after a failure through ``reset``, backward anchors through ``order``) and the VOS runner
(:mod:`pytracking.analysis.vos_runner`: one tracker per object behind :class:`~pytracking.analysis.vos_runner.
ObjectTrackers`).

Re-initialisation is the consumer's policy, the driver's mechanism:

* ``init``: the ``initialize`` keyword arguments for the first frame (a dict), or a callable ``init(index)`` giving
  them for any frame, ``None`` where the frame has no target (the driver then yields a ``"skipped"`` record and tries
  the next frame).
* ``reset(record) -> int | None``: called on every tracked frame before it is yielded; ``k`` marks the record
  ``failed`` and re-initialises the tracker ``k`` frames later (the ``k - 1`` frames between are yielded as
  ``"skipped"``); ``None`` keeps tracking. The VOT supervised experiment passes ``k = 5`` on zero overlap.

Times cover ``initialize`` / ``track`` only (not reading the image), as every runner has always measured them. All
frames of a sequence must have one size (``(H, W)``, the project's image-size convention); the first frame visited
fixes it and a frame of another size is a :class:`~ltr.admin.errors.DataFormatError` naming the file.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from ltr.admin.errors import DataFormatError
from ltr.data.image_io import read_image

__all__ = ["FrameRecord", "propagate", "INIT", "TRACK", "SKIPPED"]

INIT, TRACK, SKIPPED = "init", "track", "skipped"

InitArguments = dict | Callable[[int], "dict | None"]
ResetPolicy = Callable[["FrameRecord"], "int | None"]


class _OutputField:
    """A read-only :class:`FrameRecord` attribute: ``record.output[name]``, ``None`` without it."""

    def __set_name__(self, owner, name):
        self.key = name

    def __get__(self, record, owner=None):
        if record is None:
            return self
        return None if not record.output else record.output.get(self.key)


@dataclass
class FrameRecord:
    """What happened on one frame.

    ``index``: frame index in the sequence (0-based); ``step``: position in the visiting order (0 = first visited);
    ``kind``: :data:`INIT`, :data:`TRACK` or :data:`SKIPPED`; ``output``: the dict ``initialize`` / ``track``
    returned (``{}`` when ``initialize`` returns nothing, ``None`` for a skipped frame); ``seconds``: time in the
    tracker; ``image_hw``: ``(H, W)`` of the frame (``None`` when skipped); ``failed``: the reset policy
    re-initialises after this frame; ``info``: free for the consumer (e.g. the region it scored).
    """

    index: int
    step: int
    path: str
    kind: str
    output: dict | None = None
    seconds: float = 0.0
    image_hw: tuple[int, int] | None = None
    failed: bool = False
    info: dict = field(default_factory=dict)

    # What the tracker reported (``None`` when it gave no output or no such key): box [x, y, w, h], polygon (8,),
    # mask (H, W), prob (H, W), score.
    box = _OutputField()
    polygon = _OutputField()
    mask = _OutputField()
    prob = _OutputField()
    score = _OutputField()


def _check_size(path: str, index: int, name: str, hw: tuple[int, int], first_path: str,
                first_hw: tuple[int, int]) -> None:
    if hw != first_hw:
        raise DataFormatError(path, f"frame {index} of sequence {name} is {hw[1]}x{hw[0]} but its first frame "
                                    f"({first_path}) is {first_hw[1]}x{first_hw[0]}; every frame of a sequence must "
                                    f"have one size (python -m pytracking.evaluation.check_dataset checks a whole "
                                    f"dataset)")


def propagate(tracker, frames: Sequence[str], init: InitArguments, *, order: Sequence[int] | None = None,
              reset: ResetPolicy | None = None, name: str | None = None,
              read: Callable = read_image) -> Iterator[FrameRecord]:
    """Run ``tracker`` over ``frames`` (paths) in ``order`` (default: all, forward) and yield one
    :class:`FrameRecord` per frame visited; see the module docstring for ``init`` and ``reset``. ``name`` (the
    sequence) appears in error messages."""
    name = name if name is not None else (str(Path(frames[0]).parent.name) if len(frames) else "?")
    order = range(len(frames)) if order is None else order
    if callable(init):
        init_at = init
    else:
        first_index = order[0] if len(order) else None

        def init_at(index: int) -> dict | None:
            return init if index == first_index else None

    first: tuple[str, tuple[int, int]] | None = None
    needs_init = True
    skip_left = 0
    for step, index in enumerate(order):
        path = str(frames[index])
        if skip_left > 0:
            skip_left -= 1
            yield FrameRecord(index, step, path, SKIPPED)
            continue
        kwargs = init_at(index) if needs_init else None
        if needs_init and kwargs is None:
            yield FrameRecord(index, step, path, SKIPPED)
            continue
        image = read(path)
        hw = tuple(image.shape[:2])
        if first is None:
            first = (path, hw)
        else:
            _check_size(path, index, name, hw, *first)
        start = time.perf_counter()
        output = tracker.initialize(image, **kwargs) if needs_init else tracker.track(image)
        seconds = time.perf_counter() - start
        record = FrameRecord(index, step, path, INIT if needs_init else TRACK, output if output is not None else {},
                             seconds, hw)
        needs_init = False
        if record.kind == TRACK and reset is not None:
            later = reset(record)
            if later is not None:
                if later < 1:
                    raise ValueError(f"reset policy returned {later}; re-initialise at least 1 frame later")
                record.failed = True
                needs_init = True
                skip_left = later - 1
        yield record
