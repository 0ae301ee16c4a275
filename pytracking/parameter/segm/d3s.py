"""``segm d3s``: D3S (spec 2): ``default_params`` with the fixed frame-1 reference instead of CMEDFL's memory."""
from pytracking.parameter.segmentation import SegmParams, tiny_crop


def parameters() -> SegmParams:
    return tiny_crop(SegmParams(memory="d3s", net_path="segm_tiny.pth"))
