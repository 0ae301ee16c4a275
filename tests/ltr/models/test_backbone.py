import pytest
import torch
import torchvision

from ltr.models import BackboneWeightsError, ResNetTrunk, build_net, imagenet_weight_candidates


@pytest.fixture
def hub_dir(tmp_path):
    old = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path / "hub"))
    yield tmp_path / "hub"
    torch.hub.set_dir(old)


def test_channels_and_strides_resnet18_128px():
    trunk = ResNetTrunk("resnet18", frozen=True).eval()
    feats = trunk(torch.randn(1, 3, 128, 128))
    assert {k: tuple(v.shape[1:]) for k, v in feats.items()} == {
        "conv1": (64, 64, 64), "layer1": (64, 32, 32), "layer2": (128, 16, 16), "layer3": (256, 8, 8)}
    assert trunk.channels == {"conv1": 64, "layer1": 64, "layer2": 128, "layer3": 256}


def test_resnet50_channels_and_reduced_width():
    assert ResNetTrunk("resnet50").channels == {"conv1": 64, "layer1": 256, "layer2": 512, "layer3": 1024}
    small = ResNetTrunk("resnet18", width=16)
    feats = small(torch.randn(1, 3, 96, 96))
    assert feats["layer3"].shape == (1, 64, 6, 6) and feats["conv1"].shape == (1, 16, 48, 48)


def test_imagenet_weights_missing_error_names_expected_file(hub_dir):
    expected = hub_dir / "checkpoints" / "resnet18-f37072fd.pth"
    assert imagenet_weight_candidates("resnet18")[0] == expected
    with pytest.raises(BackboneWeightsError) as err:
        build_net({"arch": "d3s", "backbone": "resnet18"})
    msg = str(err.value)
    assert str(expected) in msg and "random" in msg and "backbone_weights" in msg


def test_imagenet_weights_from_hub_cache_match_torchvision(hub_dir):
    ref = torchvision.models.resnet18().eval()
    path = imagenet_weight_candidates("resnet18")[0]
    path.parent.mkdir(parents=True)
    torch.save(ref.state_dict(), path)
    net = build_net({"arch": "d3s", "backbone": "resnet18"}).eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        expected = ref.layer3(ref.layer2(ref.layer1(ref.maxpool(ref.relu(ref.bn1(ref.conv1(x)))))))
        got = net.extract_backbone(x)["layer3"]
    torch.testing.assert_close(got, expected)


def test_weights_path_errors(tmp_path):
    with pytest.raises(BackboneWeightsError, match="no such file"):
        build_net({"arch": "d3s", "backbone": "resnet18", "backbone_weights": str(tmp_path / "missing.pth")})
    r18 = tmp_path / "r18.pth"
    torch.save(torchvision.models.resnet18().state_dict(), r18)
    with pytest.raises(BackboneWeightsError, match="r18.pth"):
        build_net({"arch": "d3s", "backbone": "resnet50", "backbone_weights": str(r18)})
    with pytest.raises(BackboneWeightsError, match="backbone_width 64"):
        build_net({"arch": "d3s", "backbone": "resnet18", "backbone_width": 32, "backbone_weights": str(r18)})
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(BackboneWeightsError, match="junk.pth"):
        build_net({"arch": "d3s", "backbone": "resnet18", "backbone_weights": str(junk)})
    ok = build_net({"arch": "d3s", "backbone": "resnet18", "backbone_weights": str(r18)})
    torch.testing.assert_close(ok.feature_extractor.conv1.weight, torch.load(r18)["conv1.weight"])


def test_frozen_backbone_bn_eval_no_grads():
    net = build_net({"arch": "d3s", "backbone": "resnet18", "backbone_width": 16, "backbone_weights": "random"})
    net.train()
    trunk = net.feature_extractor
    assert not trunk.training and all(not m.training for m in trunk.modules())
    assert net.segm_predictor.training
    before = trunk.bn1.running_mean.clone()
    x = torch.randn(2, 3, 64, 64)
    m = (torch.rand(2, 1, 64, 64) > 0.5).float()
    net(x, m, x, torch.rand(2, 1, 64, 64)).sum().backward()
    assert all(p.grad is None and not p.requires_grad for p in trunk.parameters())
    assert net.segm_predictor.mixer[0].weight.grad is not None
    torch.testing.assert_close(trunk.bn1.running_mean, before)


def test_trainable_backbone_bn_trains_and_gets_grads():
    net = build_net({"arch": "d3s", "backbone": "resnet18", "backbone_width": 16, "backbone_weights": "random",
                     "frozen_backbone": False}).train()
    assert net.feature_extractor.bn1.training
    x = torch.randn(2, 3, 64, 64)
    net(x, torch.ones(2, 1, 64, 64), x, torch.rand(2, 1, 64, 64)).sum().backward()
    assert net.feature_extractor.conv1.weight.grad is not None
