"""Classical OpenCV baselines: ``csrt`` (CSR-DCF), ``kcf`` (KCF) and ``mil`` (MIL); CSRT and KCF need the contrib
build of OpenCV (``opencv-contrib-python``, docs/trackers.md "Classical baselines")."""
from pytracking.tracker.opencv.backend import OpenCVContribMissing
from pytracking.tracker.opencv.opencv_tracker import CSRTTracker, KCFTracker, MILTracker, OpenCVTracker

__all__ = ["CSRTTracker", "KCFTracker", "MILTracker", "OpenCVContribMissing", "OpenCVTracker"]
