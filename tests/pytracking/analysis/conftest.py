"""Fixtures of the analysis tests: a tiny DAVIS-layout folder written by the tests themselves."""
from dataclasses import dataclass
from pathlib import Path

import cv2
import pytest
import numpy as np

from ltr.data.image_io import write_palette_png

H, W = 48, 64


@dataclass
class Seq:
    name: str
    frames: list
    mask_files: list


def square_labels(t, objects):
    lab = np.zeros((H, W), np.uint8)
    for oid, (y, x, s, vx) in objects.items():
        lab[y:y + s, x + vx * t:x + vx * t + s] = oid
    return lab


def make_davis(root: Path, n_frames=6, void=False):
    """Two sequences: 'two' with objects 1 and 2, 'one' with object 1. Returns list of Seq."""
    layout = {"two": {1: (5, 4, 12, 2), 2: (28, 30, 14, 1)}, "one": {1: (10, 10, 20, 1)}}
    seqs = []
    for name, objects in layout.items():
        img_dir = root / "JPEGImages" / "480p" / name
        ann_dir = root / "Annotations" / "480p" / name
        img_dir.mkdir(parents=True)
        frames, masks = [], []
        rng = np.random.default_rng(0)
        for t in range(n_frames):
            lab = square_labels(t, objects)
            if void and name == "one":
                lab[0:3, :] = 255
            img = rng.integers(0, 60, (H, W, 3), dtype=np.uint8)
            img[lab > 0] = 200
            cv2.imwrite(str(img_dir / f"{t:05d}.jpg"), img)
            write_palette_png(ann_dir / f"{t:05d}.png", lab)
            frames.append(str(img_dir / f"{t:05d}.jpg"))
            masks.append(str(ann_dir / f"{t:05d}.png"))
        seqs.append(Seq(name, frames, masks))
    (root / "ImageSets" / "2017").mkdir(parents=True)
    (root / "ImageSets" / "2017" / "val.txt").write_text("two\none\n")
    return seqs


@pytest.fixture
def davis_dir():
    """``davis_dir(root, n_frames=6, void=False) -> [Seq]`` writes the tiny DAVIS folder."""
    return make_davis
