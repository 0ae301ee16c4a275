"""Networks: D3S, CMEDFL and DMB on a shared ResNet or EfficientNet-Lite0 trunk (see docs/models.md).

``build_net(config)`` builds a net from its JSON-able config; ``parameter_groups(net)`` gives the recipe's trainable
parameter groups; ``topk_match`` and ``memory_read`` are the matching functions the trackers' memories call. The
architectures and backbones are registered in ``ltr.models.registry`` (one line each).
"""
from ltr.models.backbone import BackboneWeightsError, ResNetTrunk, imagenet_weight_candidates
from ltr.models.config import ARCHS, BACKBONES, PACKAGED_BACKBONES, RECIPE_LR, NetConfig, NetConfigError, build_net
from ltr.models.config import describe, packaged_backbone_keys, parameter_groups
from ltr.models.dmb import DMBNet, DMBOptions, flatten_memory, memory_read, soft_aggregate
from ltr.models.efficientnet import EfficientNetLite0, EfficientNetLite0Trunk
from ltr.models.matching import topk_match
from ltr.models.registry import ArchSpec, BackboneSpec, arch_spec, backbone_spec, register_arch, register_backbone
from ltr.models.segm_nets import CMEDFLNet, CMEDFLOptions, D3SNet, D3SOptions, scores_map

__all__ = ["ARCHS", "ArchSpec", "BACKBONES", "BackboneSpec", "BackboneWeightsError", "CMEDFLNet", "CMEDFLOptions",
           "D3SNet", "D3SOptions", "DMBNet", "DMBOptions", "EfficientNetLite0", "EfficientNetLite0Trunk",
           "NetConfig", "NetConfigError", "PACKAGED_BACKBONES", "RECIPE_LR", "ResNetTrunk", "arch_spec",
           "backbone_spec", "build_net", "describe", "flatten_memory", "imagenet_weight_candidates", "memory_read",
           "packaged_backbone_keys", "parameter_groups", "register_arch", "register_backbone", "scores_map",
           "soft_aggregate", "topk_match"]
