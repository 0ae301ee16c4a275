"""``segm d3s_paper``: D3S (§2) at full size with the original's default values (§1.7: 384 px segmentation
crops, the DCF settings of ``DCFParams``) for a ResNet-50 D3S net ``d3s_r50.pth`` in the ``network_path`` folder
(train it with ``python -m ltr.run_training segm d3s_default``, or convert the authors' checkpoint with
``ltr.models.legacy``). The project's deliberate deviations keep their defaults; ``d3s_original`` switches every
option that reproduces the original code (docs/fidelity.md), including its two crops per frame; here one backbone
pass per frame serves the DCF and the segmentation (§1.9), as in ``paper_params``."""
from pytracking.parameter.segm.paper_params import SEARCH_AREA
from pytracking.parameter.segmentation import SegmParams, shared_pass


def parameters() -> SegmParams:
    return shared_pass(SegmParams(memory="d3s", net_path="d3s_r50.pth"), SEARCH_AREA)
