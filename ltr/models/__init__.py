"""Networks: D3S, CMEDFL and DMB on a shared ResNet or EfficientNet-Lite0 trunk (see docs/models.md).

``build_net(config)`` builds a net from its JSON-able config; ``parameter_groups(net)`` gives the recipe's trainable
parameter groups; ``topk_match`` and ``memory_read`` are the matching functions the trackers' memories call.
"""
from ltr.models.backbone import BackboneWeightsError, ResNetTrunk, imagenet_weight_candidates
from ltr.models.config import ARCHS, PACKAGED_BACKBONES, RECIPE_LR, NetConfig, NetConfigError, build_net, describe
from ltr.models.config import packaged_backbone_keys, parameter_groups
from ltr.models.efficientnet import EfficientNetLite0, EfficientNetLite0Trunk
from ltr.models.dmb import DMBNet, flatten_memory, memory_read, soft_aggregate
from ltr.models.matching import topk_match
from ltr.models.segm_nets import CMEDFLNet, D3SNet, scores_map

__all__ = ["ARCHS", "PACKAGED_BACKBONES", "RECIPE_LR", "BackboneWeightsError", "CMEDFLNet", "D3SNet", "DMBNet",
           "EfficientNetLite0", "EfficientNetLite0Trunk", "NetConfig", "NetConfigError", "ResNetTrunk", "build_net", "describe", "flatten_memory", "imagenet_weight_candidates",
           "memory_read", "packaged_backbone_keys", "parameter_groups", "scores_map", "soft_aggregate", "topk_match"]
