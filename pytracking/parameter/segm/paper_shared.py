"""``segm paper_shared``: ``paper_params`` with one backbone pass per frame (§1.9): the 384 px segmentation crop of 4
target sides is also the DCF's search sample (instead of a second, 256 px sample of 4.5 sides). Measured with a
random-weight ResNet-50 (bench/bench_tracker.py, README "Speed"): a quarter less time per frame, but a slower
initialisation (the DCF's frame-1 problem on a 24 x 24 grid instead of 16 x 16); its accuracy is not measured (no
trained full-size net here)."""
from pytracking.parameter.segm import paper_params
from pytracking.parameter.segmentation import SegmParams, shared_pass

#: search area in target sides: the segmentation crop's own (384 px at 96 px per side)
SEARCH_AREA = 4.0


def parameters() -> SegmParams:
    return shared_pass(paper_params.parameters(), SEARCH_AREA)
