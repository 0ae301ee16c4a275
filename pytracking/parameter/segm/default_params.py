"""``segm default_params``: CMEDFL (§4) with the shared defaults of §1.7 and a bounded compact memory, for
the shipped tiny net ``segm_tiny.pth`` (trained on 128 px crops, ltr/train_settings/tiny.py): the segmentation crop is
128 px instead of 384 and the minimum contour area is scaled with it. Two crops per frame, as the originals: the
tiny nets see the target at 32 px per side, the DCF at 57, and one shared pass at the nets' scale lost accuracy on
the held-out benchmarks (docs/quality.md "Shared pass"; ``--set feature_pass=shared --set dcf.sample_size=192
--set dcf.search_area_scale=6.0`` runs it). ``paper_params`` keeps 384 px for full-size (ResNet-50) nets; ``paper_shared``
shares one pass per frame there (§1.9)."""
from pytracking.parameter.segmentation import SegmParams, tiny_crop


def parameters() -> SegmParams:
    return tiny_crop(SegmParams(appearance_memory="cmedfl", net_path="segm_tiny.pth"))
