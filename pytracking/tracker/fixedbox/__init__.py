"""Baseline tracker that reports the initial box on every frame (a lower bound for every benchmark)."""
from pytracking.tracker.fixedbox.fixedbox import FixedBoxTracker

__all__ = ["FixedBoxTracker"]
