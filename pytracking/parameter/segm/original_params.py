"""``segm original_params``: CMEDFL's ``paper_params`` with every option that reproduces the original CMEDFL code
(:func:`pytracking.parameter.segmentation.reproduce_original`, docs/fidelity.md), including its unbounded memory;
needs torchvision's ImageNet ResNet-50 file for the separate DCF backbone."""
from pytracking.parameter.segm import paper_params
from pytracking.parameter.segmentation import SegmParams, reproduce_original


def parameters() -> SegmParams:
    return reproduce_original(paper_params.parameters())
