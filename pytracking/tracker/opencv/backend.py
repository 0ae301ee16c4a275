"""Find the installed OpenCV implementation of a classical tracker and build it with our typed parameters.

OpenCV builds differ in where the trackers live and how they are called:

- 4.5.1+ and 5.x: ``cv2.Tracker<Name>_create(cv2.Tracker<Name>_Params())``; ``init(image, rect)`` returns None,
  ``update(image)`` returns ``(ok, (x, y, w, h))`` in integers.
- ``cv2.legacy.Tracker<Name>_create()`` (4.5.1+ contrib, still in 5.0) and the old API of <= 4.5.0
  (``cv2.Tracker<Name>_create()`` without a params class): no params object; ``init`` returns a bool and
  ``update`` floats.

CSRT and KCF are contrib modules (``opencv-contrib-python``); MIL is in the main build (``opencv-python``) too.
"""
from __future__ import annotations

import ctypes
import functools
import sys
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Callable

import cv2

from pytracking.parameter.base import ParameterError

#: OpenCV algorithm name -> whether it needs the contrib build.
NEEDS_CONTRIB = {"CSRT": True, "KCF": True, "MIL": False}

_OPENCV_DISTRIBUTIONS = ("opencv-contrib-python", "opencv-contrib-python-headless", "opencv-python",
                         "opencv-python-headless")


class OpenCVContribMissing(ImportError):
    """The installed ``cv2`` lacks a contrib tracker (CSRT, KCF); the message says which package to install."""


@dataclass(frozen=True)
class OpenCVBackend:
    """How to make one OpenCV tracker: ``create`` (called with a params object when ``params_class`` is set)."""

    algorithm: str
    create: Callable[..., Any]
    params_class: type | None
    where: str


def installed_opencv() -> dict[str, str]:
    """Installed OpenCV pip distributions -> version (several can share one ``cv2`` folder)."""
    found = {}
    for name in _OPENCV_DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def contrib_install_hint() -> str:
    """The pip command that puts the contrib build of the installed OpenCV version in place."""
    dists = installed_opencv()
    headless = any(n.endswith("-headless") for n in dists) and not any(
        n in dists for n in ("opencv-python", "opencv-contrib-python"))
    package = "opencv-contrib-python-headless" if headless else "opencv-contrib-python"
    version = next((dists[n] for n in ("opencv-python", "opencv-python-headless", "opencv-contrib-python",
                                       "opencv-contrib-python-headless") if n in dists), None)
    pin = f"=={version}" if version else ""
    return f"pip install --force-reinstall --no-deps {package}{pin}"


def find_backend(algorithm: str, cv=None) -> OpenCVBackend:
    """The OpenCV factory of ``algorithm`` ("CSRT", "KCF", "MIL"); raises :class:`OpenCVContribMissing`."""
    cv = cv2 if cv is None else cv
    name = f"Tracker{algorithm}"
    create = getattr(cv, f"{name}_create", None)
    if create is not None:
        return OpenCVBackend(algorithm, create, getattr(cv, f"{name}_Params", None), f"cv2.{name}_create")
    create = getattr(getattr(cv, "legacy", None), f"{name}_create", None)
    if create is not None:
        return OpenCVBackend(algorithm, create, None, f"cv2.legacy.{name}_create")
    version = getattr(cv, "__version__", "?")
    location = getattr(cv, "__file__", "?")
    dists = ", ".join(f"{k} {v}" for k, v in installed_opencv().items()) or "no OpenCV pip distribution"
    build = "the contrib build of OpenCV" if NEEDS_CONTRIB.get(algorithm, True) else "OpenCV"
    raise OpenCVContribMissing(
        f"tracker '{algorithm.lower()}' needs {build}: the installed cv2 {version} ({location}; {dists}) has "
        f"neither cv2.{name}_create nor cv2.legacy.{name}_create. Install the contrib build of the same version "
        f"(it replaces the cv2 files of opencv-python and keeps everything else working): "
        f"`{contrib_install_hint()}` (bash install.sh does this; docs/trackers.md, 'Classical baselines')")


def build_tracker(backend: OpenCVBackend, params) -> Any:
    """A new OpenCV tracker object configured from ``params`` (:class:`~pytracking.parameter.opencv.
    OpenCVTrackerParams`). Without a params class only OpenCV's defaults can be used."""
    if backend.params_class is None:
        changed = params.non_default_opencv_fields()
        if changed:
            raise ParameterError(
                f"{backend.where} (OpenCV {getattr(cv2, '__version__', '?')}) takes no parameters, so "
                f"{', '.join(changed)} cannot be applied; leave them at their defaults or install OpenCV >= 4.5.1 "
                f"(`{contrib_install_hint()}`)")
        return backend.create()
    cv_params = backend.params_class()
    for attr, value in params.opencv_values().items():
        if not hasattr(cv_params, attr):
            raise ParameterError(f"{type(params).__name__}: this OpenCV's {backend.params_class.__name__} has no "
                                 f"option '{attr}'; leave it at its default or update OpenCV")
        setattr(cv_params, attr, value)
    return backend.create(cv_params)


@functools.lru_cache(maxsize=None)
def _c_library():
    """The C runtime OpenCV links against (for ``srand``), or None where it cannot be found."""
    candidates = ["ucrtbase", "msvcrt"] if sys.platform == "win32" else [None]
    for name in candidates:
        try:
            lib = ctypes.CDLL(name)
            lib.srand.argtypes = [ctypes.c_uint]
            return lib
        except (OSError, AttributeError):
            continue
    return None


def seed_c_rand(seed: int) -> bool:
    """Seed the C library's ``rand`` (MIL draws its Haar features with ``rand()``); False where the C runtime
    cannot be reached (MIL then varies between runs)."""
    lib = _c_library()
    if lib is None:
        return False
    lib.srand(int(seed) & 0xFFFFFFFF)
    return True


__all__ = ["NEEDS_CONTRIB", "OpenCVBackend", "OpenCVContribMissing", "build_tracker", "contrib_install_hint",
           "find_backend", "installed_opencv", "seed_c_rand"]
