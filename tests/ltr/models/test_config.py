import json

import pytest
import torch

from ltr.models import RECIPE_LR, NetConfigError, build_net, describe, parameter_groups

TINY = {"backbone": "resnet18", "backbone_width": 16, "backbone_weights": "random"}


@pytest.mark.parametrize("bad, match", [
    ({"arch": "d3s", "colour": 1}, "unknown key.*colour"),
    ({"arch": "d3s", "key_dim": 64}, "unknown key.*key_dim"),
    ({"arch": "dmb", "gat_channels": 32}, "unknown key.*gat_channels"),
    ({"arch": "siammask"}, "unknown arch"),
    ({"backbone": "resnet18"}, "no 'arch'"),
    ({"arch": "d3s", "backbone": "vgg16"}, "backbone 'vgg16'"),
    ({"arch": "d3s", "backbone_width": 30}, "multiple of 4"),
    ({"arch": "d3s", "topk": 0}, "topk"),
    ({"arch": "d3s", "frozen_backbone": "yes"}, "frozen_backbone"),
])
def test_bad_configs_rejected(bad, match):
    with pytest.raises(NetConfigError, match=match):
        build_net(bad)


def test_config_roundtrip_and_checkpoint_reload():
    net = build_net({"arch": "cmedfl", **TINY})
    cfg = json.loads(json.dumps(net.config))
    assert cfg == describe({"arch": "cmedfl", **TINY}) and cfg["gat_channels"] == 32 and cfg["embed_dim"] == 64
    rebuilt = build_net({**cfg, "backbone_weights": "random"})
    rebuilt.load_state_dict(net.state_dict())
    x = torch.randn(1, 3, 64, 64)
    m = torch.ones(1, 1, 64, 64)
    d = torch.rand(1, 1, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(rebuilt.eval()(x, m, x, d), net.eval()(x, m, x, d))


def test_parameter_groups_follow_recipe():
    cm = parameter_groups(build_net({"arch": "cmedfl", **TINY}))
    assert [(g["name"], g["lr"]) for g in cm] == [("predictor", 1e-3), ("feat_adjust", 8e-4)]
    net = build_net({"arch": "d3s", **TINY, "frozen_backbone": False})
    groups = parameter_groups(net)
    assert [g["name"] for g in groups] == ["predictor", "backbone"]
    n_group = sum(p.numel() for g in groups for p in g["params"])
    assert n_group == sum(p.numel() for p in net.parameters())
    dmb = parameter_groups(build_net({"arch": "dmb", **TINY, "key_dim": 16, "value_dim": 32, "decoder_dim": 16}))
    assert [(g["name"], g["lr"]) for g in dmb] == [("heads", RECIPE_LR["dmb"]["heads"])]
    assert any(p.shape == (16, 1, 7, 7) for p in dmb[0]["params"])  # mask stem convs are trained
