"""Base class of the box-annotated training sets (GOT-10k, LaSOT): the ``ltr.dataset`` contract on top of a
per-sequence reader that gives frame paths, boxes and visibility."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ltr.data.image_io import read_image


@dataclass
class BoxSequence:
    """One box-annotated sequence: absolute frame paths, (N, 4) boxes (NaN rows where absent), (N,) visibility."""

    name: str
    frames: list[str]
    boxes: np.ndarray
    visible: np.ndarray
    info: dict


class BoxTrainingDataset:
    """``get_num_sequences()``, ``get_sequence_info(i) -> {"visible", "bbox"}``,
    ``get_frames(i, ids) -> (frames, masks, boxes)`` with ``masks`` a list of ``None`` (no mask annotation).

    Sequences are read on first use and kept (one small text file per sequence)."""

    name = "box"

    def __init__(self, sequence_dirs: list, reader: Callable[[Path], BoxSequence]):
        self._dirs = [Path(d) for d in sequence_dirs]
        self._reader = reader
        self._cache: dict[int, BoxSequence] = {}

    def sequence(self, i: int) -> BoxSequence:
        if i not in self._cache:
            self._cache[i] = self._reader(self._dirs[i])
        return self._cache[i]

    def get_num_sequences(self) -> int:
        return len(self._dirs)

    def get_sequence_name(self, i: int) -> str:
        return self.sequence(i).name

    def get_sequence_info(self, i: int) -> dict:
        seq = self.sequence(i)
        return {"visible": seq.visible.copy(), "bbox": seq.boxes.copy()}

    def get_frames(self, i: int, frame_ids) -> tuple[list[np.ndarray], list[None], np.ndarray]:
        seq = self.sequence(i)
        ids = [int(f) for f in frame_ids]
        frames = [read_image(seq.frames[f]) for f in ids]
        return frames, [None] * len(ids), seq.boxes[ids].copy()
