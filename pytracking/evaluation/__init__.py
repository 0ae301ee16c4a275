"""Evaluation datasets (:mod:`.datasets` registry, :mod:`.data` sequences) and, from the trackers side, the tracker
wrapper and runners (``tracker``, ``running``)."""
from pytracking.evaluation.data import Sequence, SequenceList
from pytracking.evaluation.datasets import get_dataset

__all__ = ["Sequence", "SequenceList", "get_dataset"]
