"""D3S, CMEDFL and DMB on the EfficientNet-Lite0 backbone: config, forward and the trackers' inference APIs at
96/128 px, a training step that only trains the heads (or also the last stage), and the same input normalisation
in training and tracking for each backbone."""
import numpy as np
import pytest
import torch

from ltr.actors import actor_for
from ltr.data.processing import prepare_batch
from ltr.data.preprocess import IMAGENET_MEAN, IMAGENET_STD
from ltr.models import NetConfigError, build_net, packaged_backbone_keys, parameter_groups, scores_map, topk_match
from ltr.models.efficientnet import LITE_NORMALIZATION, WEIGHTS_MODULE
from pytracking.tracker.shared.network import layer3_feature_fn, net_input

pytest.importorskip(WEIGHTS_MODULE)

EFF = {"backbone": "efficientnet_lite0"}
SMALL_DMB = {"key_dim": 32, "value_dim": 64, "decoder_dim": 32}


def _net(arch, **extra):
    torch.manual_seed(0)
    return build_net({"arch": arch, **EFF, **(SMALL_DMB if arch == "dmb" else {}), **extra})


def test_config_keys_and_errors():
    net = _net("d3s")
    assert net.config["backbone"] == "efficientnet_lite0" and "train_last_stage" not in net.config
    assert net.feature_extractor.channels["layer3"] == 112
    assert net.input_normalization == LITE_NORMALIZATION
    with pytest.raises(NetConfigError, match="backbone_width applies to the backbones resnet18, resnet50 only"):
        build_net({"arch": "d3s", **EFF, "backbone_width": 32})
    with pytest.raises(NetConfigError, match="train_last_stage true needs frozen_backbone true"):
        build_net({"arch": "d3s", **EFF, "frozen_backbone": False, "train_last_stage": True})
    with pytest.raises(NetConfigError, match="train_last_stage must be true/false"):
        build_net({"arch": "d3s", **EFF, "train_last_stage": 1})
    assert _net("d3s", train_last_stage=True).config["train_last_stage"] is True


@pytest.mark.parametrize("arch", ["d3s", "cmedfl"])
@pytest.mark.parametrize("size", [96, 128])
def test_segm_nets_forward_and_inference_api(arch, size):
    net = _net(arch).eval()
    img = torch.randn(2, 3, size, size)
    mask = (torch.rand(2, 1, size, size) > 0.5).float()
    dist = torch.rand(2, 1, size, size) * size
    with torch.no_grad():
        logits = net(img, mask, img, dist)
        assert logits.shape == (2, 2, size, size)
        feats = net.extract_backbone(img)
        emb = net.embed(feats["layer3"])
        assert emb.shape == (2, 64, size // 16, size // 16)
        small = torch.nn.functional.interpolate(mask, size=emb.shape[-2:], mode="nearest").flatten(1)
        fg, pos, _ = topk_match(emb.flatten(2), emb.flatten(2), small, 1 - small, k=net.topk)
        scores = scores_map(fg, pos, tuple(emb.shape[-2:]))
        if arch == "cmedfl":
            out = net.segment(feats, scores, dist, net.graph_attention(emb, emb, mask))
        else:
            out = net.segment(feats, scores, dist)
        assert torch.allclose(out, logits, atol=1e-4)  # the training pass is the inference API on one reference
        assert net.extract_backbone(torch.randn(1, 3, 77, 91))["layer3"].shape == (1, 112, 5, 6)  # DCF samples


@pytest.mark.parametrize("size", [96, 128])
def test_dmb_forward_and_inference_api(size):
    net = _net("dmb").eval()
    images = torch.randn(1, 3, 3, size, size)
    mask = (torch.rand(1, 1, size, size) > 0.5).float()
    dists = torch.rand(1, 3, 1, size, size) * size
    with torch.no_grad():
        logits = net(images, mask, dists)
        assert logits.shape == (1, 2, 2, size, size)
        key, value = net.memorize(images[:, 0], mask)
        assert key.shape == (1, 32, size // 16, size // 16) and value.shape == (1, 64, size // 16, size // 16)
        first = net.segment(images[:, 1], key.flatten(2), value.flatten(2), dists[:, 1])
        assert torch.allclose(first, logits[:, 0], atol=1e-4)
    # the mask stem has the stem's geometry and starts at zero: memory encoder = query encoder at initialisation
    assert net.encoder_m.mask_stem.conv1_m.weight.shape == (32, 1, 3, 3)
    with torch.no_grad():
        assert torch.allclose(net.encoder_m(images[:, 0], mask), net.encoder_q(images[:, 0])["layer3"])


def _batch(arch, size=96):
    g = torch.Generator().manual_seed(1)
    mask = torch.zeros(2, 1, size, size)
    mask[:, :, 30:70, 25:60] = 1
    if arch == "dmb":
        img = torch.randn(2, 3, 3, size, size, generator=g)
        return {"images": img, "masks": mask[:, None].expand(2, 3, 1, size, size).clone(),
                "dists": torch.rand(2, 3, 1, size, size, generator=g) * size}
    img = torch.randn(2, 3, size, size, generator=g)
    return {"train_images": img, "train_masks": mask, "test_images": img, "test_masks": mask,
            "test_dist": torch.rand(2, 1, size, size, generator=g) * size}


@pytest.mark.parametrize("arch", ["d3s", "cmedfl", "dmb"])
def test_training_step_trains_heads_only(arch):
    net = _net(arch)
    net.train()
    actor = actor_for(net)
    groups = parameter_groups(net)
    assert "backbone" not in {g["name"] for g in groups}
    optimizer = torch.optim.Adam(groups, lr=1e-3)
    batch = _batch(arch)
    trunk_keys = set(packaged_backbone_keys(net))  # every trunk weight and BN statistic (the whole trunk is frozen)
    assert len(trunk_keys) == 198 * len(net.backbone_modules())
    trunk_before = {k: v.clone() for k, v in net.state_dict().items() if k in trunk_keys}
    losses = []
    for _ in range(4):
        optimizer.zero_grad()
        loss, _ = actor(batch)
        loss.backward()
        losses.append(loss.item())
        for name, p in net.named_parameters():
            assert (p.grad is None) == (name in trunk_keys), name
        optimizer.step()
    assert losses[-1] < losses[0]
    for key, value in trunk_before.items():  # weights and BN running statistics unchanged
        assert torch.equal(net.state_dict()[key], value), key


def test_train_last_stage_gets_gradients_only_there():
    net = _net("d3s", train_last_stage=True)
    net.train()
    groups = {g["name"]: g for g in parameter_groups(net)}
    stage5 = {id(p) for p in net.feature_extractor.stages[4].parameters()}
    assert {id(p) for p in groups["backbone"]["params"]} == stage5
    loss, _ = actor_for(net)(_batch("d3s"))
    loss.backward()
    for name, p in net.feature_extractor.named_parameters():
        assert (p.grad is not None) == name.startswith("stages.4."), name
    assert net.feature_extractor.stages[4].training and not net.feature_extractor.stages[3].training


@pytest.mark.parametrize("backbone, expected", [
    ({"backbone": "resnet18", "backbone_width": 16, "backbone_weights": "random"}, (IMAGENET_MEAN, IMAGENET_STD)),
    (EFF, LITE_NORMALIZATION)])
def test_training_and_tracking_normalise_the_same_way(backbone, expected):
    net = build_net({"arch": "d3s", **backbone}).eval()
    assert net.input_normalization == expected
    crop = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    raw = torch.from_numpy(crop).permute(2, 0, 1)[None]
    trained = prepare_batch({"test_images": raw, "test_brightness": torch.ones(1)}, net.input_normalization)
    tracked = net_input(raw.float(), net.input_normalization)
    assert torch.allclose(trained["test_images"], tracked, atol=1e-6)
    mean, std = (torch.tensor(v).view(1, 3, 1, 1) for v in expected)
    assert torch.allclose(tracked, (raw.float() / 255 - mean) / std, atol=1e-6)
    with torch.no_grad():  # the DCF feature function normalises as the segmentation input does
        dcf = layer3_feature_fn(net)(raw.float())
        assert torch.allclose(dcf, net.extract_backbone(tracked)["layer3"], atol=1e-5)
