"""``Tracker(name, parameter_name, run_id)``: one tracker configuration, where its results go and how to build it.

Registered tracker names map lazily to ``"module:Class"`` so that importing this module loads no network code.
Results layout (docs/architecture.md): ``<results_path>/<name>/<param>[_<runid:03d>]/<seq>.txt``.
"""
from __future__ import annotations

import copy
import dataclasses
import importlib
import os
import pkgutil
from pathlib import Path

from ltr.admin.settings import load_settings

#: Tracker name -> "module:Class". The class is built as ``Class(params, device=...)``.
TRACKERS: dict[str, str] = {
    "fixedbox": "pytracking.tracker.fixedbox:FixedBoxTracker",
    "segm": "pytracking.tracker.segm:SegmTracker",
    "dmb": "pytracking.tracker.dmb:DMBTracker",
    # Classical OpenCV baselines (csrt/kcf need opencv-contrib-python; docs/trackers.md "Classical baselines").
    "csrt": "pytracking.tracker.opencv:CSRTTracker",
    "kcf": "pytracking.tracker.opencv:KCFTracker",
    "mil": "pytracking.tracker.opencv:MILTracker",
}


def register_tracker(name: str, target: str) -> None:
    """Add a tracker class under ``name`` (``target`` = ``"package.module:Class"``)."""
    if ":" not in target:
        raise ValueError(f"register_tracker('{name}', '{target}'): target must read 'package.module:Class'")
    TRACKERS[name] = target


def tracker_class(name: str) -> type:
    """Import and return the class registered under ``name``."""
    if name not in TRACKERS:
        raise KeyError(f"unknown tracker '{name}'; registered trackers: {', '.join(sorted(TRACKERS))}")
    module_name, class_name = TRACKERS[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)


def available_parameters(name: str) -> list[str]:
    """Parameter files available for tracker ``name`` (modules in ``pytracking/parameter/<name>/``)."""
    try:
        package = importlib.import_module(f"pytracking.parameter.{name}")
    except ModuleNotFoundError:
        return []
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_"))


class Tracker:
    """A tracker name + parameter file + optional run id.

    ``results_path`` overrides the ``results_path`` setting (``ltr.admin.settings``).
    """

    def __init__(self, name: str, parameter_name: str, run_id: int | None = None, display_name: str | None = None,
                 results_path: str | os.PathLike | None = None):
        if name not in TRACKERS:
            raise KeyError(f"unknown tracker '{name}'; registered trackers: {', '.join(sorted(TRACKERS))}")
        if run_id is not None and (not isinstance(run_id, int) or run_id < 0):
            raise ValueError(f"run_id must be a non-negative integer or None, got {run_id!r}")
        self.name = name
        self.parameter_name = parameter_name
        self.run_id = run_id
        self.display_name = display_name or (
            f"{name}_{parameter_name}" + ("" if run_id is None else f"_{run_id:03d}"))
        root = Path(results_path) if results_path is not None else load_settings().path("results_path")
        subdir = parameter_name if run_id is None else f"{parameter_name}_{run_id:03d}"
        self.results_dir = Path(root).expanduser().resolve() / name / subdir

    def __repr__(self) -> str:
        return f"Tracker({self.name!r}, {self.parameter_name!r}, run_id={self.run_id!r})"

    def get_parameters(self):
        """A fresh parameter dataclass from ``pytracking/parameter/<name>/<param>.py``'s ``parameters()``."""
        module_name = f"pytracking.parameter.{self.name}.{self.parameter_name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and module_name.startswith(exc.name):
                raise ValueError(
                    f"tracker '{self.name}' has no parameter file '{self.parameter_name}' "
                    f"(pytracking/parameter/{self.name}/{self.parameter_name}.py); available: "
                    f"{', '.join(available_parameters(self.name)) or 'none'}") from exc
            raise
        if not hasattr(module, "parameters"):
            raise ValueError(f"{module.__file__}: a parameter file must define parameters() returning a dataclass")
        params = module.parameters()
        if not dataclasses.is_dataclass(params):
            raise ValueError(f"{module.__file__}: parameters() returned {type(params).__name__}, not a dataclass")
        return params

    def create_tracker(self, params=None, device="cpu"):
        """A new tracker object holding a deep copy of ``params`` (default: :meth:`get_parameters`)."""
        params = self.get_parameters() if params is None else copy.deepcopy(params)
        return tracker_class(self.name)(params, device=device)
