"""``dmb default_params``: DMB/SAMN (§3) with the shared defaults of §1.7 and a bounded key/value memory, for
a tiny DMB net ``dmb_tiny.pth`` trained on 128 px crops (``python -m ltr.run_training dmb dmb_tiny``)."""
from pytracking.parameter.segmentation import DMBParams, tiny_crop


def parameters() -> DMBParams:
    return tiny_crop(DMBParams(net_path="dmb_tiny.pth"))
