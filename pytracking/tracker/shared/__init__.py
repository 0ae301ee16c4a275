"""Pieces shared by the segmentation trackers: network loading, crops to tensors, distance maps, the initial
region geometry and the DCF-driven per-frame control flow (§1.8)."""
