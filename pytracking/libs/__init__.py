"""Tracker building blocks that do not depend on a particular network: the DCF localiser (:mod:`pytracking.libs.dcf`),
mask post-processing (:mod:`pytracking.libs.postprocess`) and the segmentation memories
(:mod:`pytracking.libs.memory`)."""
