"""``segm d3s_original``: ``d3s_paper`` with every option that reproduces the original D3S code
(:func:`pytracking.parameter.segmentation.reproduce_original`, docs/fidelity.md), e.g. for a frame-by-frame
comparison with the authors' checkpoint; needs torchvision's ImageNet ResNet-50 file for the separate DCF backbone."""
from pytracking.parameter.segm import d3s_paper
from pytracking.parameter.segmentation import SegmParams, reproduce_original


def parameters() -> SegmParams:
    return reproduce_original(d3s_paper.parameters())
