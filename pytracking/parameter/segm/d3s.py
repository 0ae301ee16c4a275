"""``segm d3s``: D3S (§2): the D3S network (GIM matching, no graph-attention branch) with the fixed frame-1
reference instead of CMEDFL's memory; the shipped ``d3s_tiny.pth`` was trained by ``ltr/train_settings/segm/d3s_tiny``
on 128 px crops, like ``default_params``."""
from pytracking.parameter.segmentation import SegmParams, tiny_crop


def parameters() -> SegmParams:
    return tiny_crop(SegmParams(appearance_memory="d3s", net_path="d3s_tiny.pth"))
