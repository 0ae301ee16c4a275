"""``segm``: CMEDFL (compact memory, graph attention) and, with the ``d3s`` parameter file, D3S."""
from pytracking.tracker.segm.segm import SegmTracker

__all__ = ["SegmTracker"]
