import sys
import types

import pytest
import torch

from ltr.admin.checkpoint import load_network
from ltr.admin.errors import DataFormatError
from ltr.models import build_net
from ltr.models.legacy import convert_legacy_checkpoint, convert_state_dict, main

TINY = {"backbone": "resnet18", "backbone_width": 16, "backbone_weights": "random"}


def _save_with_pickled_constructor(monkeypatch, payload, path, zipfile):
    """Save like the original trainer: a pickled object of a module that is gone when the file is read."""
    fake = types.ModuleType("legacy_fake_ltr")

    class NetConstructor:
        def __init__(self, fun_name):
            self.fun_name = fun_name

    def segm_resnet50():
        return None

    NetConstructor.__module__ = segm_resnet50.__module__ = "legacy_fake_ltr"
    NetConstructor.__qualname__ = "NetConstructor"
    segm_resnet50.__qualname__ = "segm_resnet50"
    fake.NetConstructor, fake.segm_resnet50 = NetConstructor, segm_resnet50
    monkeypatch.setitem(sys.modules, "legacy_fake_ltr", fake)
    payload = dict(payload, constructor=NetConstructor("segm_resnet50"), fun=segm_resnet50)
    torch.save(payload, path, _use_new_zipfile_serialization=zipfile)
    monkeypatch.delitem(sys.modules, "legacy_fake_ltr")


def _perturbed(net):
    with torch.no_grad():
        for p in net.parameters():
            p.add_(0.01 * torch.randn_like(p))
    return net


@pytest.mark.parametrize("zipfile", [True, False])
def test_cmedfl_original_layout_converts(monkeypatch, tmp_path, zipfile):
    torch.manual_seed(0)
    net = _perturbed(build_net({"arch": "cmedfl", **TINY})).eval()
    legacy = {k: v for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")}
    legacy["feature_extractor.layer4.0.conv1.weight"] = torch.zeros(3)  # present in the original backbone
    legacy["feature_extractor.fc.weight"] = torch.zeros(3)
    legacy["segm_predictor.segment0.0.weight"] = torch.zeros(3)  # the original's dead weights
    src = tmp_path / "SegmNet_ep0040.pth.tar"
    _save_with_pickled_constructor(monkeypatch, {"net": legacy, "epoch": 40}, src, zipfile)
    with pytest.raises(DataFormatError):  # the project loader refuses it
        load_network(src)
    dst = tmp_path / "converted.pth"
    converted, config = convert_legacy_checkpoint("cmedfl", src, dst, config={"arch": "cmedfl", **TINY})
    loaded, _ = load_network(dst)
    x = torch.randn(1, 3, 64, 64)
    m = torch.ones(1, 1, 64, 64)
    d = torch.rand(1, 1, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x, m, x, d), net(x, m, x, d))


def test_dmb_original_names_map():
    net = build_net({"arch": "dmb", **TINY, "key_dim": 8, "value_dim": 8, "decoder_dim": 8})
    own = net.state_dict()
    legacy = {}
    for key, value in own.items():  # the STM/DMB names, written out by hand
        k = key.replace("encoder_m.mask_stem.", "Encoder_M.").replace("encoder_m.trunk.", "Encoder_M.")
        k = k.replace("encoder_q.", "Encoder_Q.").replace("kv_m.key", "KV_M_r4.Key")
        k = k.replace("kv_m.value", "KV_M_r4.Value")
        k = k.replace("kv_q.key", "KV_Q_r4.Key").replace("kv_q.value", "KV_Q_r4.Value").replace("decoder.", "Decoder.")
        k = k.replace(".layer1.", ".res2.").replace(".layer2.", ".res3.").replace(".layer3.", ".res4.")
        legacy["module." + k] = value
    legacy["module.Encoder_Q.mean"] = torch.zeros(1, 3, 1, 1)
    converted = convert_state_dict("dmb", legacy)
    assert set(converted) == set(own)
    assert converted["encoder_m.mask_stem.conv1_m.weight"] is own["encoder_m.mask_stem.conv1_m.weight"]


def test_wrong_checkpoint_is_named(tmp_path, capsys):
    src = tmp_path / "other.pth.tar"
    torch.save({"net": {"foo.weight": torch.zeros(1)}}, src)
    with pytest.raises(DataFormatError, match="other.pth.tar.*missing"):
        convert_legacy_checkpoint("d3s", src, config={"arch": "d3s", **TINY})
    assert main(["d3s", str(tmp_path / "none.pth.tar"), str(tmp_path / "out.pth")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "none.pth.tar" in err and "does not exist" in err and err.count("\n") == 1
