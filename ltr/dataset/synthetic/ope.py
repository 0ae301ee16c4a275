"""One-pass-evaluation (box) layouts: GOT-10k, LaSOT, TrackingNet and OTB.

Boxes are ``x,y,w,h`` of the visible mask (x = min column, w = max - min + 1). Absence is marked the way each real
dataset marks it: GOT-10k ``absence.label`` (and ``-1,-1,-1,-1`` box lines, as most real absent frames), LaSOT ``0,0,0,0`` lines with
``full_occlusion.txt`` / ``out_of_view.txt``; OTB and TrackingNet sequences keep the target visible.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ltr.dataset.synthetic.attributes import FrameLog, write_sidecar
from ltr.dataset.synthetic.common import box_from_mask, make_plan, render_all, resolve_photos, write_jpeg, write_text
from ltr.dataset.sequence_attributes import SIDECAR_NAME
from ltr.dataset.synthetic.scene import ScenePlan, SceneOptions

_MOTIONS = ("walking", "running", "flying", "swimming", "rolling", "jumping")
_ADVERBS = ("slowly", "quickly", "smoothly", "erratically")
_COLORS = ("red", "white", "black", "striped", "spotted", "small", "large")


def _render_boxes(plan: ScenePlan, frame_path, sidecar: Path | None = None) -> dict[str, np.ndarray]:
    """Write every frame with ``frame_path(t)``; return per-frame boxes (F, 4) (NaN absent), visible/in-frame/full
    areas and the cut-by-image flags of target 1. Photo style: the attribute sidecar goes to ``sidecar``."""
    f = plan.options.frames
    boxes = np.full((f, 4), np.nan)
    visible = np.zeros(f, np.int64)
    in_frame = np.zeros(f, np.int64)
    full = np.zeros(f)
    cut = np.zeros(f, bool)
    log = FrameLog()
    for t, fr in enumerate(render_all(plan, log)):
        write_jpeg(frame_path(t), fr.image)
        box = box_from_mask(fr.ids == 1)
        if box is not None:
            boxes[t] = box
        visible[t], in_frame[t], full[t], cut[t] = (fr.visible_area[0], fr.in_frame_area[0], fr.full_area[0],
                                                    fr.cut_by_image[0])
    if sidecar is not None:
        write_sidecar(sidecar, plan, log)
    return {"boxes": boxes, "visible": visible, "in_frame": in_frame, "full": full, "cut": cut}


def _split_photos(split: str) -> str:
    """Photo split of a GOT-10k split: training photos for train, held-out photos for val and test."""
    return "train" if split == "train" else "test"


def _box_lines(boxes: np.ndarray, fmt: str, sep: str = ",") -> str:
    return "".join(sep.join(fmt.format(v) for v in b) + "\n" for b in boxes)




def write_got10k(out: Path, sequences: int, frames: int, seed: int, size: tuple[int, int],
                 style: str = "procedural", photos: str = "auto") -> None:
    """``<split>/list.txt``, ``<split>/GOT-10k_<Split>_%06d/{%08d.jpg, groundtruth.txt, absence.label, cover.label,
    cut_by_image.label, meta_info.ini}``; the test split has only the first ground-truth line and no labels/meta."""
    for split in ("train", "val", "test"):
        names = [f"GOT-10k_{split.capitalize()}_{i + 1:06d}" for i in range(sequences)]
        for i, name in enumerate(names):
            seq = out / split / name
            plan = make_plan(seed, f"got10k-{split}", i, SceneOptions(
                size=size, frames=frames, style=style, photos=resolve_photos(photos, _split_photos(split))))
            r = _render_boxes(plan, lambda t: seq / f"{t + 1:08d}.jpg", seq / SIDECAR_NAME)
            boxes = np.nan_to_num(r["boxes"], nan=-1.0)  # GOT-10k marks absent targets -1,-1,-1,-1
            if split == "test":
                write_text(seq / "groundtruth.txt", _box_lines(boxes[:1], "{:.4f}"))
                continue
            write_text(seq / "groundtruth.txt", _box_lines(boxes, "{:.4f}"))
            absent = r["visible"] == 0
            write_text(seq / "absence.label", "".join(f"{int(a)}\n" for a in absent))
            # cover: visible fraction of the whole object in 8 bins, 0 = fully hidden (GOT-10k's 0..8 scale)
            ratio = r["visible"] / np.maximum(r["full"], 1.0)
            cover = np.where(absent, 0, np.clip(np.ceil(ratio * 8), 1, 8)).astype(int)
            write_text(seq / "cover.label", "".join(f"{c}\n" for c in cover))
            write_text(seq / "cut_by_image.label", "".join(f"{int(c)}\n" for c in r["cut"]))
            target = plan.targets[0]
            rng = np.random.default_rng([seed, i, 11])
            begin = int(rng.integers(0, 5000))
            meta = ["[METAINFO]", f"url: https://youtu.be/synthetic{seed:04d}{i:05d}",
                    f"begin_frame: {begin}", f"end_frame: {begin + 3 * frames}", "anno_fps: 10Hz",
                    f"object_class: {target.category}", f"motion_class: {_MOTIONS[i % len(_MOTIONS)]}",
                    f"major_class: {target.category}", "root_class: object",
                    f"motion_adverb: {_ADVERBS[i % len(_ADVERBS)]}", f"resolution: ({size[0]}, {size[1]})"]
            write_text(seq / "meta_info.ini", "\n".join(meta) + "\n")
        write_text(out / split / "list.txt", "".join(f"{n}\n" for n in names))


_LASOT_CLASSES = ("airplane", "basketball", "bear", "bicycle", "bird", "boat", "book", "bottle", "bus", "car", "cat",
                  "cattle", "chameleon", "coin", "crab", "crocodile", "cup", "deer", "dog", "drone")


def write_lasot(out: Path, sequences: int, frames: int, seed: int, size: tuple[int, int],
                style: str = "procedural", photos: str = "auto") -> None:
    """``<class>/<class>-<n>/{img/%08d.jpg, groundtruth.txt, full_occlusion.txt, out_of_view.txt, nlp.txt}`` and
    ``testing_set.txt`` (the even-numbered sequence of each class)."""
    testing = []
    for i in range(sequences):
        cls = _LASOT_CLASSES[(i // 4) % len(_LASOT_CLASSES)]
        name = f"{cls}-{i % 4 + 1 + 4 * (i // (4 * len(_LASOT_CLASSES)))}"
        seq = out / cls / name
        testing_seq = (i % 4) % 2 == 1
        plan = make_plan(seed, "lasot", i, SceneOptions(
            size=size, frames=frames, style=style, photos=resolve_photos(photos, "test" if testing_seq else "train")))
        r = _render_boxes(plan, lambda t: seq / "img" / f"{t + 1:08d}.jpg", seq / SIDECAR_NAME)
        boxes = np.nan_to_num(r["boxes"], nan=0.0)
        write_text(seq / "groundtruth.txt", _box_lines(boxes, "{:.0f}"))
        out_of_view = r["in_frame"] == 0
        full_occlusion = (r["visible"] == 0) & ~out_of_view
        write_text(seq / "full_occlusion.txt", ",".join(str(int(v)) for v in full_occlusion) + "\n")
        write_text(seq / "out_of_view.txt", ",".join(str(int(v)) for v in out_of_view) + "\n")
        write_text(seq / "nlp.txt", f"{_COLORS[i % len(_COLORS)]} {cls} {_MOTIONS[i % len(_MOTIONS)]} "
                                    f"{_ADVERBS[i % len(_ADVERBS)]}\n")
        if testing_seq:
            testing.append(name)
    write_text(out / "testing_set.txt", "".join(f"{n}\n" for n in testing))


def _youtube_id(rng: np.random.Generator) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(alphabet[j] for j in rng.integers(0, len(alphabet), 11))


def write_trackingnet(out: Path, sequences: int, frames: int, seed: int, size: tuple[int, int],
                      style: str = "procedural", photos: str = "auto") -> None:
    """``TEST/frames/<seq>/<i>.jpg`` (0-based) with ``TEST/anno/<seq>.txt`` holding only the first box (as the real
    test set), and a ``TRAIN_0`` chunk with full ground truth."""
    for chunk in ("TEST", "TRAIN_0"):
        rng = np.random.default_rng([seed, 5, len(chunk)])
        for i in range(sequences):
            name = f"{_youtube_id(rng)}_{i % 3}"
            plan = make_plan(seed, f"trackingnet-{chunk}", i, SceneOptions(
                size=size, frames=frames, allow_absent=False, style=style,
                photos=resolve_photos(photos, "test" if chunk == "TEST" else "train")))
            r = _render_boxes(plan, lambda t: out / chunk / "frames" / name / f"{t}.jpg",
                              out / chunk / "attributes" / f"{name}.json")
            boxes = r["boxes"] if chunk != "TEST" else r["boxes"][:1]
            write_text(out / chunk / "anno" / f"{name}.txt", _box_lines(boxes, "{:.1f}"))


_OTB_NAMES = ("Basketball", "Biker", "Bird1", "BlurBody", "BlurCar2", "Bolt", "Box", "Car4", "CarDark", "Coke",
              "Couple", "Crossing", "David3", "Deer", "Diving", "Dog1", "Dudek", "FaceOcc1", "Fish", "Football")
_OTB_SEPARATORS = (",", "\t", " ")


def write_otb(out: Path, sequences: int, frames: int, seed: int, size: tuple[int, int],
              style: str = "procedural", photos: str = "auto") -> None:
    """``<Seq>/img/%04d.jpg`` and ``<Seq>/groundtruth_rect.txt``; like the real OTB, the separator differs between
    sequences (comma, tab, space)."""
    for i in range(sequences):
        name = _OTB_NAMES[i % len(_OTB_NAMES)] + ("" if i < len(_OTB_NAMES) else f"-{i // len(_OTB_NAMES) + 1}")
        seq = out / name
        plan = make_plan(seed, "otb", i, SceneOptions(size=size, frames=frames, allow_absent=False, style=style,
                                                       photos=resolve_photos(photos, "test")))
        r = _render_boxes(plan, lambda t: seq / "img" / f"{t + 1:04d}.jpg", seq / SIDECAR_NAME)
        write_text(seq / "groundtruth_rect.txt",
                   _box_lines(r["boxes"], "{:.0f}", sep=_OTB_SEPARATORS[i % len(_OTB_SEPARATORS)]))
