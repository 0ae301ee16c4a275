"""``dmb``: DMB/SAMN, an STM-style appearance memory (AMB) with the DCF as spatial memory (SMB)."""
from pytracking.tracker.dmb.dmb import DMBTracker

__all__ = ["DMBTracker"]
