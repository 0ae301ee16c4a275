"""YouTube-VOS 2018/2019: ``<root>/<split>/{JPEGImages,Annotations}/<video>/<frame>.{jpg,png}`` and
``<root>/<split>/meta.json`` (``{"videos": {video: {"objects": {"1": {"category": c, "frames": [...]}}}}}``).

The root is the folder holding ``train/`` and ``valid/`` (setting ``youtubevos_path``); a root that holds one folder
per version (``<root>/2018/train``, ``<root>/2019/valid``) works too. Training sequences are one per object,
``"<video>-<object id>"``; object lists come from ``meta.json`` only, and boxes/visibility from the masks, computed
once per video on first use (:mod:`ltr.dataset.vos_base`), so no external rectangle file is needed and building the
dataset opens no PNG. ``split_file`` (one video id per line) restricts the videos (e.g. a held-out validation part of
train).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ltr.admin.errors import DataFormatError
from ltr.dataset.annotations import read_list
from ltr.dataset.vos_base import VOSTrainingDataset, VOSVideo
from ltr.admin.textio import read_text

__all__ = ["YouTubeVOS", "youtubevos_split_dir", "read_youtubevos_meta"]


def youtubevos_split_dir(root: str | os.PathLike, split: str, version: int | str = 2018) -> Path:
    """``<root>/<split>`` or ``<root>/<version>/<split>``, whichever exists."""
    root = Path(root)
    for candidate in (root / split, root / str(version) / split):
        if (candidate / "meta.json").is_file() or (candidate / "JPEGImages").is_dir():
            return candidate
    raise DataFormatError(root, f"no YouTube-VOS '{split}' split here: expected {root / split}/meta.json (or "
                                f"{root / str(version) / split}/meta.json); set youtubevos_path to the folder holding "
                                f"train/ and valid/")


def read_youtubevos_meta(split_dir: Path) -> dict[str, dict[int, dict]]:
    """video -> {object id: {"category": str | None, "frames": [frame stems]}} from ``meta.json``."""
    path = split_dir / "meta.json"
    if not path.is_file():
        raise DataFormatError(path, "meta.json does not exist; YouTube-VOS needs it for the object lists")
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise DataFormatError(path, f"not valid JSON: {exc}", line=exc.lineno) from exc
    videos = data.get("videos") if isinstance(data, dict) else None
    if not isinstance(videos, dict):
        raise DataFormatError(path, "expected an object {\"videos\": {video id: {\"objects\": {...}}}}")
    out = {}
    for vid, info in sorted(videos.items()):
        objects = info.get("objects") if isinstance(info, dict) else None
        if not isinstance(objects, dict):
            raise DataFormatError(path, f"video {vid!r} has no \"objects\" mapping")
        objs = {}
        for key, obj in objects.items():
            if not str(key).isdigit() or not 0 < int(key) < 256:
                raise DataFormatError(path, f"video {vid!r}: object id {key!r} is not an integer 1..255")
            frames = obj.get("frames") if isinstance(obj, dict) else None
            if not isinstance(frames, list) or not frames:
                raise DataFormatError(path, f"video {vid!r} object {key}: \"frames\" must be a non-empty list")
            objs[int(key)] = {"category": obj.get("category"), "frames": [str(f) for f in frames]}
        out[vid] = dict(sorted(objs.items()))
    return out


class YouTubeVOS(VOSTrainingDataset):
    """YouTube-VOS training set, one sequence per object (``get_sequence_name(i)`` = ``"<video>-<object id>"``)."""

    name = "youtubevos"

    def __init__(self, root: str | os.PathLike, version: int = 2018, split: str = "train",
                 split_file: str | os.PathLike | None = None, cache_dir: str | os.PathLike | None = None):
        if int(version) not in (2018, 2019):
            raise ValueError(f"YouTube-VOS version must be 2018 or 2019, got {version!r}")
        self.version = int(version)
        self.split_dir = youtubevos_split_dir(root, split, version)
        self.meta = read_youtubevos_meta(self.split_dir)
        names = list(self.meta)
        if split_file is not None:
            wanted = read_list(split_file, what="video list")
            unknown = [v for v in wanted if v not in self.meta]
            if unknown:
                raise DataFormatError(split_file, f"lists videos not in {self.split_dir / 'meta.json'}: {unknown[:5]}")
            names = wanted
        videos = [VOSVideo(v, self.split_dir / "JPEGImages" / v, self.split_dir / "Annotations" / v,
                           list(self.meta[v]), frame_step=None) for v in names]
        super().__init__(videos, cache_dir=cache_dir)
        self.name = f"youtubevos{self.version}"

    def get_category(self, i: int) -> str | None:
        v, k = self.sequence_list[i]
        return self.meta[self.videos[v].name][k]["category"]
