"""``segm default_params``: CMEDFL (§4) with the shared defaults of §1.7 and a bounded compact memory, for
the shipped tiny net ``segm_tiny.pth`` (trained on 128 px crops, ltr/train_settings/tiny.py): the segmentation crop is
128 px instead of 384 and the minimum contour area is scaled with it. ``paper_params`` keeps 384 px for full-size
(ResNet-50) nets."""
from pytracking.parameter.segmentation import SegmParams, tiny_crop


def parameters() -> SegmParams:
    return tiny_crop(SegmParams(memory="cmedfl", net_path="segm_tiny.pth"))
