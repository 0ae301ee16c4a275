"""Video object segmentation layouts: YouTube-VOS (2018/2019, train + valid) and DAVIS (2016/2017 image sets).

YouTube-VOS::

    <out>/train/JPEGImages/<video>/00000.jpg, 00005.jpg, ...     (frame names step by 5)
    <out>/train/Annotations/<video>/00000.png, ...               (palette PNGs, values = object ids, every frame)
    <out>/train/meta.json   {"videos": {video: {"objects": {"1": {"category": c, "frames": ["00000", ...]}}}}}
    <out>/valid/...          same, but Annotations only on the frame where an object first appears (holding the
                             objects that appear there), meta "frames" = that frame to the end of the video

DAVIS::

    <out>/JPEGImages/480p/<seq>/00000.jpg, <out>/Annotations/480p/<seq>/00000.png (ids 1..K)
    <out>/ImageSets/2017/{train,val}.txt, <out>/ImageSets/2016/{train,val}.txt (2016: single-object sequences)
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ltr.dataset.synthetic.attributes import FrameLog, write_sidecar
from ltr.dataset.synthetic.common import (make_plan, render_all, resolve_photos, write_ids_png, write_jpeg, write_json,
                                          write_text)
from ltr.dataset.synthetic.scene import SceneOptions


def _video_names(seed: int, count: int, tag: str) -> list[str]:
    """Unique 10-hex-digit video ids (like YouTube-VOS), deterministic for the seed."""
    rng = np.random.default_rng([int(seed), sum(map(ord, tag)), 7])
    names: list[str] = []
    while len(names) < count:
        name = f"{int(rng.integers(0, 16**10)):010x}"
        if name not in names:
            names.append(name)
    return names


def _objects_for(index: int, objects: int | None) -> int:
    return objects if objects is not None else 1 + index % 3


def write_youtubevos(out: Path, sequences: int, frames: int, seed: int, size: tuple[int, int],
                     objects: int | None = None, valid_sequences: int | None = None, style: str = "procedural",
                     photos: str = "auto") -> None:
    valid_sequences = max(1, sequences // 2) if valid_sequences is None else valid_sequences
    for split, count in (("train", sequences), ("valid", valid_sequences)):
        videos: dict = {}
        for i, vid in enumerate(_video_names(seed, count, split)):
            opts = SceneOptions(size=size, frames=frames, num_targets=_objects_for(i, objects), allow_absent=True,
                                late_entry=True, style=style,
                                photos=resolve_photos(photos, "train" if split == "train" else "test"))
            plan = make_plan(seed, f"youtubevos-{split}", i, opts)
            names = [f"{5 * t:05d}" for t in range(frames)]
            visible: dict[int, list[str]] = {o.obj_id: [] for o in plan.targets}
            id_maps = []
            log = FrameLog()
            for t, fr in enumerate(render_all(plan, log)):
                write_jpeg(out / split / "JPEGImages" / vid / f"{names[t]}.jpg", fr.image)
                for k in visible:
                    if fr.visible_area[k - 1] > 0:
                        visible[k].append(names[t])
                if split == "train":
                    write_ids_png(out / split / "Annotations" / vid / f"{names[t]}.png", fr.ids)
                else:
                    id_maps.append(fr.ids)
            objs = {}
            for target in plan.targets:
                k = target.obj_id
                if not visible[k]:
                    continue  # never visible: not an annotated object of this video
                frames_k = visible[k] if split == "train" else names[names.index(visible[k][0]):]
                objs[str(k)] = {"category": target.category, "frames": frames_k}
            if split == "valid":
                first: dict[str, list[int]] = {}
                for k_str, info in objs.items():
                    first.setdefault(info["frames"][0], []).append(int(k_str))
                for name, ks in sorted(first.items()):
                    ids = id_maps[names.index(name)]
                    write_ids_png(out / split / "Annotations" / vid / f"{name}.png",
                                  np.where(np.isin(ids, ks), ids, 0).astype(np.uint8))
            videos[vid] = {"objects": objs}
            write_sidecar(out / split / "attributes" / f"{vid}.json", plan, log, object_ids=sorted(map(int, objs)))
        write_json(out / split / "meta.json", {"videos": videos})


_DAVIS_WORDS = ("bear", "camel", "drift", "goat", "horse", "kite", "lamb", "mallard", "parkour", "rhino", "swing",
                "tennis", "train", "dance", "dog", "bike", "boat", "car", "cows", "paragliding")
_DAVIS_OBJECTS = (2, 1, 1, 3)   # per sequence index mod 4: both splits get single- and multi-object sequences


def write_davis(out: Path, sequences: int, frames: int, seed: int, size: tuple[int, int],
                objects: int | None = None, style: str = "procedural", photos: str = "auto") -> None:
    splits: dict[str, list[str]] = {"train": [], "val": []}
    single: dict[str, list[str]] = {"train": [], "val": []}
    for i in range(sequences):
        name = f"{_DAVIS_WORDS[i % len(_DAVIS_WORDS)]}-{i:02d}"
        split = "train" if i % 2 == 0 else "val"
        k = objects if objects is not None else _DAVIS_OBJECTS[i % len(_DAVIS_OBJECTS)]
        plan = make_plan(seed, "davis", i, SceneOptions(
            size=size, frames=frames, num_targets=k, style=style,
            photos=resolve_photos(photos, "train" if split == "train" else "test")))
        log = FrameLog()
        for t, fr in enumerate(render_all(plan, log)):
            write_jpeg(out / "JPEGImages" / "480p" / name / f"{t:05d}.jpg", fr.image)
            write_ids_png(out / "Annotations" / "480p" / name / f"{t:05d}.png", fr.ids)
        write_sidecar(out / "attributes" / f"{name}.json", plan, log)
        splits[split].append(name)
        if k == 1:
            single[split].append(name)
    for split in ("train", "val"):
        write_text(out / "ImageSets" / "2017" / f"{split}.txt", "".join(f"{n}\n" for n in splits[split]))
        write_text(out / "ImageSets" / "2016" / f"{split}.txt", "".join(f"{n}\n" for n in single[split]))
