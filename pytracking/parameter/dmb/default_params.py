"""``dmb default_params``: DMB/SAMN (§3) with the shared defaults of §1.7 and a bounded key/value memory, for the
shipped tiny DMB net ``dmb_light.pth`` (128 px crops, the light memory encoder of §3.5:
``python -m ltr.run_training dmb dmb_light``), which memorises a frame from the query encoder's features of its own
crop: two trunk passes per segmented frame (the DCF sample and the segmentation crop, as in ``segm default_params``)
instead of three. ``tiny_trunk`` runs ``dmb_tiny.pth``, whose memory encoder is a second trunk as in the original."""
from pytracking.parameter.segmentation import DMBParams, tiny_crop


def parameters() -> DMBParams:
    return tiny_crop(DMBParams(net_path="dmb_light.pth"))
