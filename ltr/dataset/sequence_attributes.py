"""Attribute sidecar files: which challenges (occlusion, deformation, distractor, ...) a sequence shows, per frame.

Written by the photographic synthetic generator (``ltr.dataset.synthetic.attributes``) next to each sequence where the
benchmark format has no native place for them (OTB, GOT-10k, LaSOT, TrackingNet, DAVIS, YouTube-VOS; VOT gets
per-frame ``<tag>.tag`` files as well). JSON::

    {"version": 1, "style": "photo", "photos": ["rocket", "chelsea"], "jpeg_quality": 71,
     "attributes": ["deformation", "occlusion"],                       # union over the objects
     "objects": {"1": {"attributes": [...], "frames": {"occlusion": [0, 0, 1, ...], ...}}}}

The evaluation adapters (``pytracking.evaluation``) merge a sidecar into ``Sequence.attributes``: the names become
``attributes["attributes"]`` (read by ``pytracking.analysis.ope_report.sequence_attributes`` for per-attribute
scores) and the whole record ``attributes["synthetic"]``.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ltr.admin.errors import DataFormatError

SIDECAR_NAME = "attributes.json"
SIDECAR_VERSION = 1


def read_sidecar(path: str | os.PathLike) -> dict | None:
    """The sidecar record at ``path``, or None when there is none. A malformed file raises DataFormatError."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFormatError(path, f"not a readable attribute sidecar (JSON): {exc}; regenerate the dataset or "
                                    "delete the file") from exc
    if not isinstance(record, dict) or not isinstance(record.get("attributes"), list) \
            or not isinstance(record.get("objects"), dict):
        raise DataFormatError(path, "attribute sidecar needs a list 'attributes' and a dict 'objects'; regenerate the "
                                    "dataset or delete the file")
    if record.get("version") != SIDECAR_VERSION:
        raise DataFormatError(path, f"attribute sidecar version {record.get('version')!r}, this reader knows "
                                    f"{SIDECAR_VERSION}; regenerate the dataset")
    return record


def merge_sidecar(attributes: dict, path: str | os.PathLike) -> dict:
    """``attributes`` (a ``Sequence.attributes`` dict, updated in place and returned) with the sidecar at ``path``
    merged in, if it exists: ``attributes["attributes"]`` = its attribute names, ``attributes["synthetic"]`` = the
    record."""
    record = read_sidecar(path)
    if record is not None:
        attributes["attributes"] = list(record["attributes"])
        attributes["synthetic"] = record
    return attributes
