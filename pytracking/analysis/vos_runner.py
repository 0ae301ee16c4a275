"""Run a tracker on a VOS sequence object by object and write DAVIS-layout palette PNGs (§4.5).

Every object of the first annotated frame gets a fresh tracker, initialised with the object's mask (and its
bounding box, ``cv2.boundingRect`` as CMEDFL's ``test_davis.py``); on later frames each tracker reports a
probability map (``track(image)["prob"]``, or its binary ``"mask"``). Objects are merged per pixel: the label is the
object with the highest probability where that probability is above 0.5, else background. The first frame is written
with the ground-truth labels, as the DAVIS protocol expects. Output: ``<out>/<sequence>/<frame>.png``.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from ltr.admin.errors import DataFormatError
from ltr.data.image_io import read_image, read_palette_png, write_palette_png
from pytracking.analysis.davis_metrics import VOID_LABEL


def merge_object_probabilities(probs: np.ndarray, object_ids: list[int], threshold: float = 0.5) -> np.ndarray:
    """(K, H, W) per-object probabilities -> (H, W) uint8 label map: ``object_ids[argmax]`` where max > threshold."""
    probs = np.asarray(probs, dtype=np.float32)
    if probs.ndim != 3 or probs.shape[0] != len(object_ids):
        raise ValueError(f"expected ({len(object_ids)}, H, W) probabilities, got {probs.shape}")
    ids = np.asarray(object_ids, dtype=np.uint8)
    best = probs.argmax(axis=0)
    labels = ids[best]
    labels[probs.max(axis=0) <= threshold] = 0
    return labels


def first_frame_objects(mask_file: str | os.PathLike, single_object: bool = False) -> tuple[np.ndarray, list[int]]:
    """Label map of the first annotated frame (void removed) and its object ids (DAVIS 2016: all merged into 1)."""
    labels = read_palette_png(mask_file).copy()
    labels[labels == VOID_LABEL] = 0
    if single_object:
        labels = (labels > 0).astype(np.uint8)
    ids = [int(i) for i in np.unique(labels) if i != 0]
    if not ids:
        raise DataFormatError(mask_file, "first-frame annotation holds no object; cannot initialise the tracker")
    return labels, ids


def _object_output(out: dict, shape: tuple[int, int], where: str) -> np.ndarray:
    prob = out.get("prob") if isinstance(out, dict) else None
    if prob is None and isinstance(out, dict) and out.get("mask") is not None:
        prob = np.asarray(out["mask"], dtype=np.float32)
    if prob is None:
        raise ValueError(f"{where}: the tracker's track() returned neither 'prob' nor 'mask'; VOS evaluation needs a "
                         f"segmentation tracker (e.g. segm or dmb), not a box-only one")
    prob = np.asarray(prob, dtype=np.float32)
    if prob.shape != shape:
        raise ValueError(f"{where}: tracker output is {prob.shape}, the frame is {shape}")
    return prob


def sequence_done(out_dir: Path, stems: list[str]) -> bool:
    """Whether every frame's PNG exists (a finished sequence is skipped on resume)."""
    return all((out_dir / f"{s}.png").is_file() for s in stems)


def run_vos_sequence(name: str, frames: list[str], first_mask_file: str, tracker_factory: Callable[[], object],
                     out_root: str | os.PathLike, single_object: bool = False, overwrite: bool = False) -> dict:
    """Track every first-frame object of one sequence and write its label PNGs.

    ``tracker_factory()`` returns a new tracker with ``initialize(image, box=, mask=)`` and ``track(image)``.
    Returns ``{"sequence", "frames", "objects", "seconds", "skipped"}``.
    """
    out_dir = Path(out_root) / name
    stems = [Path(f).stem for f in frames]
    if not overwrite and sequence_done(out_dir, stems):
        return {"sequence": name, "frames": len(frames), "objects": None, "seconds": 0.0, "skipped": True}
    labels0, object_ids = first_frame_objects(first_mask_file, single_object)
    start = time.perf_counter()
    image = read_image(frames[0])
    if image.shape[:2] != labels0.shape:
        raise DataFormatError(first_mask_file, f"annotation is {labels0.shape[::-1]} (WxH) but frame {frames[0]} is "
                                               f"{image.shape[1::-1]}")
    trackers = []
    for oid in object_ids:
        mask = (labels0 == oid).astype(np.uint8)
        x, y, w, h = cv2.boundingRect(mask)
        tracker = tracker_factory()
        tracker.initialize(image, box=np.array([x, y, w, h], dtype=np.float64), mask=mask)
        trackers.append(tracker)
    out_labels = [labels0]
    for i, frame in enumerate(frames[1:], start=1):
        image = read_image(frame)
        shape = image.shape[:2]
        probs = np.stack([_object_output(t.track(image), shape, f"{name} frame {i} object {oid}")
                          for t, oid in zip(trackers, object_ids)])
        out_labels.append(merge_object_probabilities(probs, object_ids))
    seconds = time.perf_counter() - start
    for stem, labels in zip(stems, out_labels):
        write_palette_png(out_dir / f"{stem}.png", labels)
    return {"sequence": name, "frames": len(frames), "objects": len(object_ids), "seconds": seconds,
            "skipped": False}
