"""Photographs bundled inside installed packages (scikit-image, matplotlib), split into training and held-out images.

The photographic style (``photo_scene.py``) builds backgrounds and objects from these files only, read from the
installed package folders (never downloaded). ``PHOTO_SPLITS`` keeps the two halves disjoint: an evaluation set
generated from ``"test"`` photos never shows a background or object photo that a ``"train"`` set shows (the two
motorcycle stereo views are one scene and both sit in ``"train"``). See ``docs/synthetic.md`` for sources and
licences.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from ltr.data.image_io import read_image

PHOTO_SPLITS = ("train", "test", "all")

#: longest side a photo is kept at after loading (larger photos are downscaled once, with area interpolation)
MAX_SIDE = 900


@dataclass(frozen=True)
class Photo:
    """One bundled photograph. ``regions``: object-like parts as ``(x0, y0, x1, y1)`` fractions of the image (the cat
    in chelsea, the astronaut's head, ...); empty = objects are cut from random regions. ``tint``: RGB factors for
    greyscale photos (a grey texture becomes e.g. reddish brick); ``background``: usable as a scene background."""

    name: str
    package: str                       # importable package holding the file
    relpath: str                       # path inside the package folder
    split: str                         # "train" | "test"
    regions: tuple = ()
    tint: tuple | None = None
    background: bool = True
    source: str = ""
    licence: str = ""


_SK = "skimage"
CATALOGUE: tuple[Photo, ...] = (
    # training photos
    Photo("astronaut", _SK, "data/astronaut.png", "train",
          ((0.27, 0.0, 0.56, 0.34), (0.56, 0.6, 0.98, 1.0), (0.72, 0.0, 0.9, 0.46), (0.08, 0.3, 0.72, 1.0)),
          source="NASA portrait of Eileen Collins", licence="public domain"),
    Photo("coffee", _SK, "data/coffee.png", "train", ((0.17, 0.0, 0.63, 0.72), (0.6, 0.5, 0.8, 0.86)),
          source="Rachel Michetti (Pikolo Espresso Bar)", licence="CC0"),
    Photo("motorcycle_left", _SK, "data/motorcycle_left.png", "train", ((0.15, 0.33, 0.93, 0.97),),
          source="Middlebury 2014 stereo benchmark (Scharstein et al.)", licence="research use, as distributed "
                                                                                 "with scikit-image"),
    Photo("motorcycle_right", _SK, "data/motorcycle_right.png", "train", ((0.1, 0.33, 0.88, 0.97),),
          source="Middlebury 2014 stereo benchmark (Scharstein et al.)", licence="research use, as distributed "
                                                                                 "with scikit-image"),
    Photo("hubble_deep_field", _SK, "data/hubble_deep_field.jpg", "train",
          source="NASA Hubble eXtreme Deep Field", licence="public domain (NASA)"),
    Photo("ihc", _SK, "data/ihc.png", "train", ((0.52, 0.5, 0.9, 0.95), (0.05, 0.0, 0.45, 0.45)),
          source="CMMI immunohistochemistry micrograph", licence="no known copyright restrictions"),
    Photo("camera", _SK, "data/camera.png", "train", ((0.2, 0.08, 0.68, 0.95),), tint=(1.0, 0.97, 0.92),
          background=False, source="Lav Varshney (cameraman)", licence="CC0"),
    Photo("brick", _SK, "data/brick.png", "train", tint=(1.15, 0.82, 0.68), source="CC0Textures Bricks25",
          licence="CC0"),
    Photo("grass", _SK, "data/grass.png", "train", tint=(0.78, 1.1, 0.62), source="linolafett (DeviantArt) Grass 01",
          licence="CC0"),
    # held-out (evaluation) photos
    Photo("chelsea", _SK, "data/chelsea.png", "test", ((0.18, 0.0, 0.88, 1.0), (0.22, 0.24, 0.46, 0.52)),
          source="Stefan van der Walt (the cat Chelsea)", licence="CC0"),
    Photo("rocket", _SK, "data/rocket.jpg", "test", ((0.46, 0.3, 0.57, 0.98), (0.0, 0.08, 0.17, 0.95)),
          source="SpaceX, DSCOVR launch on Falcon 9", licence="public domain (SpaceX)"),
    Photo("grace_hopper", "matplotlib", "mpl-data/sample_data/grace_hopper.jpg", "test",
          ((0.24, 0.0, 0.82, 0.6), (0.45, 0.72, 0.95, 1.0)), source="US Navy portrait of Grace Hopper",
          licence="public domain (US Navy)"),
    Photo("retina", _SK, "data/retina.jpg", "test", ((0.02, 0.02, 0.98, 0.98), (0.3, 0.25, 0.6, 0.6)),
          background=False,
          source="Wikimedia Commons fundus photograph (Häggström)", licence="CC0"),
    Photo("gravel", _SK, "data/gravel.png", "test", tint=(1.05, 0.95, 0.8), source="CC0Textures Gravel04",
          licence="CC0"),
    Photo("coins", _SK, "data/coins.png", "test", ((0.0, 0.0, 0.3, 0.35), (0.6, 0.6, 0.95, 1.0)), tint=(1.1, 0.98, 0.8),
          source="Brooklyn Museum, Greek coins from Pompeii", licence="no known copyright restrictions"),
)


def photos_for(split: str) -> tuple[Photo, ...]:
    """The catalogue entries of ``split`` (``"train"``, ``"test"`` or ``"all"``), in catalogue order."""
    if split not in PHOTO_SPLITS:
        raise ValueError(f"photos={split!r}: expected one of {PHOTO_SPLITS} (train = photos for training sets, "
                         "test = held-out photos for evaluation sets)")
    return tuple(p for p in CATALOGUE if split == "all" or p.split == split)


def photo_path(photo: Photo) -> Path:
    """Absolute path of the bundled file (from the installed package's folder; nothing is downloaded)."""
    spec = importlib.util.find_spec(photo.package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"photographic synthetic data needs the package {photo.package!r} (it ships "
                                  f"{photo.relpath}); install the project's dependencies: bash install.sh")
    path = Path(list(spec.submodule_search_locations)[0]) / photo.relpath
    if not path.is_file():
        raise FileNotFoundError(f"{path}: bundled photo {photo.name!r} is missing from the installed {photo.package} "
                                "(reinstall it: .venv/bin/python -m pip install --force-reinstall " 
                                f"{'scikit-image' if photo.package == _SK else photo.package})")
    return path


@lru_cache(maxsize=None)
def load_photo(name: str) -> np.ndarray:
    """RGB uint8 (H, W, 3) of catalogue photo ``name`` (greyscale photos tinted), longest side <= MAX_SIDE. Cached;
    the returned array is read-only."""
    photo = by_name(name)
    image = read_image(photo_path(photo))
    scale = MAX_SIDE / max(image.shape[:2])
    if scale < 1:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    if photo.tint is not None:
        lut = np.clip(np.arange(256, dtype=np.float64)[:, None] * np.asarray(photo.tint)[None], 0, 255)
        image = cv2.LUT(image, lut.astype(np.uint8).reshape(256, 1, 3))
    image = np.ascontiguousarray(image)
    image.flags.writeable = False
    return image


def by_name(name: str) -> Photo:
    for p in CATALOGUE:
        if p.name == name:
            return p
    raise KeyError(f"no bundled photo {name!r}; known: {[p.name for p in CATALOGUE]}")


def pick_region(rng: np.random.Generator, photo: Photo, listed_prob: float = 0.9) -> tuple[float, float, float, float]:
    """An object region (x0, y0, x1, y1) in pixels of ``load_photo(photo.name)``: a listed object-like region
    (jittered by a few percent) with probability ``listed_prob``, else a random square-ish region of 15-45 % of the
    short side."""
    h, w = load_photo(photo.name).shape[:2]
    if photo.regions and rng.random() < listed_prob:
        x0, y0, x1, y1 = photo.regions[int(rng.integers(len(photo.regions)))]
        jit = rng.uniform(-0.03, 0.03, 4)
        x0, x1 = (x0 + jit[0]) * w, (x1 + jit[1]) * w
        y0, y1 = (y0 + jit[2]) * h, (y1 + jit[3]) * h
    else:
        side = rng.uniform(0.15, 0.45) * min(w, h)
        aspect = np.exp(rng.uniform(-0.4, 0.4))
        rw, rh = side * np.sqrt(aspect), side / np.sqrt(aspect)
        x0, y0 = rng.uniform(0, max(w - rw, 1)), rng.uniform(0, max(h - rh, 1))
        x1, y1 = x0 + rw, y0 + rh
    return float(x0), float(y0), float(x1), float(y1)
