"""Pieces shared by the segmentation trackers: network loading, crops to tensors (normalisation and distance maps
from :mod:`ltr.data.preprocess`, the functions training uses), the initial region geometry and the DCF-driven
per-frame control flow (§1.8)."""
