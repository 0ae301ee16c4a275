"""``demo``: a small deterministic VOT-format set (polygon ground truth) generated with
:func:`ltr.dataset.synthetic.generate` on first use and then read like any VOT dataset. Photographic style with the
held-out photographs (docs/synthetic.md): no shipped network was trained or tuned on these images.

It lives in ``<workspace_path>/datasets/demo-vot-photo-<sequences>x<frames>-seed<seed>`` (or under ``root``); generation
writes into a temporary sibling folder that is renamed when complete, so an interrupted generation is redone.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from ltr.admin.settings import load_settings
from pytracking.evaluation.data import SequenceList
from pytracking.evaluation.vot import load_vot

__all__ = ["load_demo", "demo_root", "DEMO_SEQUENCES", "DEMO_FRAMES", "DEMO_SEED"]

DEMO_SEQUENCES = 4
DEMO_FRAMES = 60
DEMO_SEED = 0
DEMO_SIZE = (480, 270)


def demo_root(base: str | os.PathLike | None = None) -> Path:
    """Folder of the generated demo set (``base`` defaults to ``<workspace_path>/datasets``)."""
    base = Path(base) if base is not None else load_settings().path("workspace_path") / "datasets"
    return base / f"demo-vot-photo-{DEMO_SEQUENCES}x{DEMO_FRAMES}-seed{DEMO_SEED}"


def ensure_demo(base: str | os.PathLike | None = None) -> Path:
    """Generate the demo set unless it is already complete; return its folder."""
    from ltr.dataset.synthetic import generate

    root = demo_root(base)
    if (root / "list.txt").is_file():
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = root.parent / f".{root.name}.partial-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    try:
        generate("vot", tmp, sequences=DEMO_SEQUENCES, frames=DEMO_FRAMES, seed=DEMO_SEED, size=DEMO_SIZE,
                 style="photo", photos="test")
        try:
            os.replace(tmp, root)
        except OSError:
            if not (root / "list.txt").is_file():  # not a concurrent generator that finished first
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return root


def load_demo(base: str | os.PathLike | None = None) -> SequenceList:
    return load_vot(ensure_demo(base), dataset="demo")
