"""``segm d3s_paper``: D3S (§2) at full size with the original's default values (§1.7: 384 px segmentation
crops, the DCF settings of ``DCFParams``) for a ResNet-50 D3S net ``d3s_r50.pth`` in the ``network_path`` folder
(train it with ``python -m ltr.run_training segm d3s_default``, or convert the authors' checkpoint with
``ltr.models.legacy``). The project's deliberate deviations keep their defaults; ``d3s_original`` switches every
option that reproduces the original code (docs/fidelity.md)."""
from pytracking.parameter.segmentation import SegmParams


def parameters() -> SegmParams:
    return SegmParams(appearance_memory="d3s", net_path="d3s_r50.pth")
