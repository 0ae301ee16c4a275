"""Run a tracker on a VOS sequence object by object and write DAVIS-layout palette PNGs (§4.5).

Every object of the first annotated frame gets a fresh tracker, initialised with the object's mask (and its
bounding box, ``cv2.boundingRect`` as CMEDFL's ``test_davis.py``); on later frames each tracker reports a
probability map (``track(image)["prob"]``, or its binary ``"mask"``). Objects are merged per pixel: the label is the
object with the highest probability where that probability is above 0.5, else background. The first frame is written
with the ground-truth labels, as the DAVIS protocol expects. Output: ``<out>/<sequence>/<frame>.png``.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from ltr.admin.errors import DataFormatError
from ltr.data.image_io import read_palette_png, write_palette_png
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


class ObjectTrackers:
    """One tracker per object behind the streaming API, so that the frame driver runs a multi-object sequence in one
    pass: ``initialize(image, labels=, object_ids=)`` builds and initialises a tracker per object (its mask and its
    ``cv2.boundingRect`` box); ``track(image)`` returns ``{"probs": (K, H, W), "mask": merged (H, W) labels}``."""

    def __init__(self, tracker_factory: Callable[[], object], name: str, annotation: str | os.PathLike = "",
                 first_frame: str | os.PathLike = ""):
        self.factory = tracker_factory
        self.name = name
        self.annotation, self.first_frame = annotation, first_frame  # named in the frame-size error
        self.trackers: list = []
        self.object_ids: list[int] = []
        self.frame = 0

    def initialize(self, image: np.ndarray, labels: np.ndarray, object_ids: list[int]) -> dict:
        if image.shape[:2] != labels.shape:
            raise DataFormatError(self.annotation, f"annotation is {labels.shape[::-1]} (WxH) but frame "
                                                   f"{self.first_frame} is {image.shape[1::-1]}")
        self.trackers, self.object_ids, self.frame = [], list(object_ids), 0
        for oid in self.object_ids:
            mask = (labels == oid).astype(np.uint8)
            x, y, w, h = cv2.boundingRect(mask)
            tracker = self.factory()
            tracker.initialize(image, box=np.array([x, y, w, h], dtype=np.float64), mask=mask)
            self.trackers.append(tracker)
        return {"mask": labels}

    def track(self, image: np.ndarray) -> dict:
        self.frame += 1
        shape = image.shape[:2]
        probs = np.stack([_object_output(t.track(image), shape, f"{self.name} frame {self.frame} object {oid}")
                          for t, oid in zip(self.trackers, self.object_ids)])
        return {"probs": probs, "mask": merge_object_probabilities(probs, self.object_ids)}


def run_vos_sequence(name: str, frames: list[str], first_mask_file: str, tracker_factory: Callable[[], object],
                     out_root: str | os.PathLike, single_object: bool = False, overwrite: bool = False) -> dict:
    """Track every first-frame object of one sequence and write its label PNGs.

    ``tracker_factory()`` returns a new tracker with ``initialize(image, box=, mask=)`` and ``track(image)``; the
    frames come from the one frame driver (:func:`pytracking.evaluation.driver.propagate`) driving an
    :class:`ObjectTrackers`. Returns ``{"sequence", "frames", "objects", "seconds", "skipped"}`` (``seconds``: time
    in the trackers).
    """
    from pytracking.evaluation.driver import propagate

    out_dir = Path(out_root) / name
    stems = [Path(f).stem for f in frames]
    if not overwrite and sequence_done(out_dir, stems):
        return {"sequence": name, "frames": len(frames), "objects": None, "seconds": 0.0, "skipped": True}
    labels0, object_ids = first_frame_objects(first_mask_file, single_object)
    out_labels, seconds = [], 0.0
    for record in propagate(ObjectTrackers(tracker_factory, name, first_mask_file, frames[0]), frames,
                            {"labels": labels0, "object_ids": object_ids}, name=name):
        out_labels.append(record.mask)  # frame 0: the ground-truth labels, as the DAVIS protocol expects
        seconds += record.seconds
    for stem, labels in zip(stems, out_labels):
        write_palette_png(out_dir / f"{stem}.png", labels)
    return {"sequence": name, "frames": len(frames), "objects": len(object_ids), "seconds": seconds,
            "skipped": False}
