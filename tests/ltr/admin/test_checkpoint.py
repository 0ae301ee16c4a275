"""Checkpoint files: plain state dicts + JSON config, weights_only loading in a fresh process, clear errors."""
import random
import subprocess
import sys
import types

import numpy as np
import pytest
import torch

from ltr.admin.checkpoint import (checkpoint_dir, checkpoint_path, latest_checkpoint, list_checkpoints,
                                  load_checkpoint, load_network, rng_state, save_checkpoint, set_rng_state)
from ltr.admin.errors import DataFormatError


class _TinyNet(torch.nn.Module):
    def __init__(self, channels=3, backbone_weights="imagenet"):
        super().__init__()
        if backbone_weights != "random":
            raise AssertionError("load_network must rebuild with backbone_weights='random'")
        self.conv = torch.nn.Conv2d(channels, 2, 3)
        self.bn = torch.nn.BatchNorm2d(2)

    def forward(self, x):
        return self.bn(self.conv(x))


def _fake_models(monkeypatch):
    module = types.ModuleType("ltr.models")
    def build_net(cfg):
        if cfg.get("arch") == "nope":
            raise ValueError("network config: unknown arch 'nope'")  # as ltr.models.NetConfigError does
        return _TinyNet(cfg["channels"], cfg["backbone"]["backbone_weights"])

    module.build_net = build_net
    monkeypatch.setitem(sys.modules, "ltr.models", module)


def _trained_pieces():
    torch.manual_seed(0)
    net = _TinyNet(backbone_weights="random")
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, 15, 0.2)
    net(torch.randn(2, 3, 8, 8)).sum().backward()
    opt.step()
    sched.step()
    return net, opt, sched


def test_paths_and_latest(tmp_path):
    d = checkpoint_dir(tmp_path, "segm", "segm_tiny")
    assert d == tmp_path / "checkpoints" / "segm" / "segm_tiny"
    assert checkpoint_path(d, "SegmNet", 7).name == "SegmNet_ep0007.pth"
    assert latest_checkpoint(d) is None
    net, _, _ = _trained_pieces()
    for epoch in (1, 12, 3):
        save_checkpoint(checkpoint_path(d, "SegmNet", epoch), net, {"channels": 3}, {"epoch": epoch})
    (d / "notes.pth").write_bytes(b"x")
    assert [e for e, _ in list_checkpoints(d)] == [1, 3, 12]
    assert latest_checkpoint(d).name == "SegmNet_ep0012.pth"
    assert latest_checkpoint(d, "OtherNet") is None


def test_weights_only_load_in_fresh_process(tmp_path):
    net, opt, sched = _trained_pieces()
    path = save_checkpoint(tmp_path / "Net_ep0001.pth", net, {"channels": 3, "backbone": {"backbone_weights": "x"}},
                           {"epoch": 1, "settings": "segm/segm_tiny"}, opt, sched, rng_state())
    code = ("import torch,sys; p=torch.load(sys.argv[1], weights_only=True); "
            "print(sorted(p), p['meta']['epoch'], p['meta']['net_type'], p['optimizer']['state'][0]['step'].item())")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["['config',", "'meta',", "'net',", "'optimizer',", "'rng',", "'scheduler']",
                                  "1", "_TinyNet", "1.0"]
    payload = load_checkpoint(path)
    for k, v in net.state_dict().items():
        assert torch.equal(payload["net"][k], v)
    assert payload["scheduler"]["last_epoch"] == 1
    assert "time" in payload["meta"]


def test_rng_state_roundtrip():
    state = rng_state()
    a = (random.random(), np.random.rand(), torch.rand(1).item())
    set_rng_state(state)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == a


def test_config_must_be_json(tmp_path):
    net, _, _ = _trained_pieces()
    with pytest.raises(ValueError, match="JSON-able"):
        save_checkpoint(tmp_path / "a.pth", net, {"size": np.float32(1.0).reshape(1)})
    assert not list(tmp_path.iterdir())


def test_load_network_rebuilds_with_random_backbone(tmp_path, monkeypatch):
    _fake_models(monkeypatch)
    net, _, _ = _trained_pieces()
    config = {"channels": 3, "backbone": {"backbone_weights": "imagenet"}}
    path = save_checkpoint(tmp_path / "n.pth", net, config, {"epoch": 2})
    loaded, cfg = load_network(path, "cpu")
    assert cfg == config and not loaded.training
    for k, v in net.state_dict().items():
        assert torch.equal(loaded.state_dict()[k], v)


def test_load_network_mismatch_names_file(tmp_path, monkeypatch):
    _fake_models(monkeypatch)
    net, _, _ = _trained_pieces()
    path = save_checkpoint(tmp_path / "n.pth", net, {"channels": 4, "backbone": {"backbone_weights": "random"}})
    with pytest.raises(DataFormatError, match="n.pth: weights do not fit"):
        load_network(path)
    bad = save_checkpoint(tmp_path / "bad.pth", net, {"arch": "nope"})
    with pytest.raises(DataFormatError, match="bad.pth: its 'config' does not build a net.*nope"):
        load_network(bad)


def test_legacy_and_broken_files_are_explained(tmp_path):
    legacy = tmp_path / "SegmNet.pth.tar"
    torch.save({"net": {}, "constructor": types.SimpleNamespace(fun_name="segm_resnet50")}, legacy)
    with pytest.raises(DataFormatError, match="not a plain state-dict checkpoint"):
        load_checkpoint(legacy)
    broken = tmp_path / "broken.pth"
    broken.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(DataFormatError, match="broken.pth"):
        load_checkpoint(broken)
    with pytest.raises(DataFormatError, match="does not exist"):
        load_checkpoint(tmp_path / "missing.pth")
    torch.save({"state_dict": {}}, tmp_path / "dmb.pth")
    with pytest.raises(DataFormatError, match="'net' and 'config'"):
        load_checkpoint(tmp_path / "dmb.pth")


def test_export_keeps_only_inference_parts(tmp_path):
    from ltr.admin.checkpoint import export_network
    net, opt, sched = _trained_pieces()
    src = save_checkpoint(tmp_path / "t.pth", net, {"channels": 3}, {"epoch": 4}, opt, sched, rng_state())
    dst = export_network(src, tmp_path / "shipped" / "n.pth", {"iou": 0.5})
    payload = torch.load(dst, weights_only=True)
    assert sorted(payload) == ["config", "meta", "net"]
    assert payload["meta"]["epoch"] == 4 and payload["meta"]["iou"] == 0.5
    assert dst.stat().st_size < src.stat().st_size
