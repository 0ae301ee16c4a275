"""The sequences of a VOT dataset as the experiments need them: frames, ground-truth regions as written in the file
(rectangle, polygon or RLE mask, exactly the types the vot-toolkit reads), image size and the sequence folder.

Sequence lists and frame paths come from :func:`pytracking.evaluation.datasets.get_dataset`; ground truth is read
from ``<seq folder>/groundtruth.txt`` with :mod:`ltr.regions.vot_text`, so that a 4-number line stays a rectangle and
an 8-number line a polygon (their pixel coverage differs by one column/row in the toolkit's rasteriser).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ltr.admin.errors import DataFormatError
from ltr.admin.settings import load_settings
from ltr.regions.vot_text import Region, read_region_file


@dataclass
class VotSequence:
    """``groundtruth`` has one region per frame; ``image_size = (H, W)`` of the frames (the project's convention, as
    :meth:`pytracking.evaluation.data.Sequence.image_size`); :attr:`bounds` is the same size as the vot-toolkit's
    overlap bounds ``(W, H)``."""

    name: str
    frames: list[str]
    groundtruth: list[Region]
    image_size: tuple[int, int]
    folder: Path

    def __len__(self) -> int:
        return len(self.frames)

    @property
    def bounds(self) -> tuple[int, int]:
        """``(W, H)``: the image bounds as :func:`votTester.overlaps.toolkit_overlap` (the toolkit) takes them."""
        return self.image_size[1], self.image_size[0]


def sequence_folder(frames: list[str]) -> Path:
    """``<seq>/color/00000001.jpg`` (VOT2020 layout) or ``<seq>/00000001.jpg`` (legacy) -> ``<seq>``."""
    parent = Path(frames[0]).parent
    return parent.parent if parent.name == "color" else parent


def image_size(path: str | os.PathLike) -> tuple[int, int]:
    """(H, W) from the image header."""
    try:
        with Image.open(path) as im:
            return int(im.size[1]), int(im.size[0])
    except OSError as exc:
        raise DataFormatError(path, f"cannot read the image size: {exc}") from exc


def make_sequence(name: str, frames: list[str]) -> VotSequence:
    """Read ground truth and size for a sequence given its frame paths."""
    if not frames:
        raise DataFormatError(name, "sequence has no frames")
    folder = sequence_folder(frames)
    gt_path = folder / "groundtruth.txt"
    groundtruth = read_region_file(gt_path)
    if len(groundtruth) != len(frames):
        raise DataFormatError(gt_path, f"has {len(groundtruth)} regions but the sequence has {len(frames)} frames")
    return VotSequence(name, list(frames), groundtruth, image_size(frames[0]), folder)


def dataset_root(dataset: str, root: str | os.PathLike | None = None) -> Path:
    """``root`` or the ``<dataset>_path`` setting (e.g. ``vot2018_path``)."""
    if root is not None:
        path = Path(root).expanduser().resolve()
        if not path.is_dir():
            raise DataFormatError(path, f"--root for {dataset}: not an existing folder")
        return path
    return load_settings().dataset_root(f"{dataset}_path")


def load_sequences(dataset: str, root: str | os.PathLike | None = None,
                   names: list[str] | None = None) -> list[VotSequence]:
    """All sequences of ``dataset`` (``vot2016``..``vot2020``), or only ``names``."""
    from pytracking.evaluation.datasets import get_dataset

    seqs = get_dataset(dataset, root=dataset_root(dataset, root))
    if names is not None:
        known = {s.name for s in seqs}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(f"sequences {unknown} are not in {dataset}; known: {sorted(known)[:10]}...")
        seqs = [s for s in seqs if s.name in set(names)]
    return [make_sequence(s.name, s.frames) for s in seqs]
