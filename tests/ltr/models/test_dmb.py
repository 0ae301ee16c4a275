import math

import pytest
import torch

from ltr.models import build_net, flatten_memory, memory_read, parameter_groups, soft_aggregate
from ltr.models.config import NetConfigError

TINY = {"arch": "dmb", "backbone": "resnet18", "backbone_width": 16, "backbone_weights": "random",
        "key_dim": 16, "value_dim": 32, "decoder_dim": 16}


def test_memory_read_equals_explicit_weighted_sum():
    g = torch.Generator().manual_seed(1)
    keys = torch.randn(2, 4, 6, generator=g, dtype=torch.float64)
    values = torch.randn(2, 3, 6, generator=g, dtype=torch.float64)
    q = torch.randn(2, 4, 2, 1, generator=g, dtype=torch.float64)
    got = memory_read(keys, values, q)
    assert got.shape == (2, 3, 2, 1)
    for b in range(2):
        for j in range(2):
            qj = q[b, :, j, 0]
            scores = [math.exp(float(keys[b, :, i] @ qj) / 2.0) for i in range(6)]  # sqrt(K) = 2
            total = sum(scores)
            want = sum(values[b, :, i] * (scores[i] / total) for i in range(6))
            torch.testing.assert_close(got[b, :, j, 0], want)


def test_soft_aggregate_sharpens():
    p = torch.tensor([0.2, 0.5, 0.9]).reshape(1, 1, 1, 3)
    logits = torch.cat((torch.log(1 - p), torch.log(p)), dim=1)  # softmax gives p
    out = torch.softmax(soft_aggregate(logits), dim=1)[:, 1]
    torch.testing.assert_close(out, (p ** 2 / (p ** 2 + (1 - p) ** 2))[:, 0])


def test_full_size_shapes_resnet18_128px():
    net = build_net({"arch": "dmb", "backbone": "resnet18", "backbone_weights": "random"}).eval()
    img = torch.randn(1, 3, 128, 128)
    mask = torch.zeros(1, 1, 128, 128)
    mask[..., 40:80, 40:80] = 1
    with torch.no_grad():
        key, value = net.memorize(img, mask)
        assert key.shape == (1, 128, 8, 8) and value.shape == (1, 512, 8, 8)
        keys = flatten_memory([key, key])
        assert keys.shape == (1, 128, 128)
        logits = net.segment(img, keys, flatten_memory([value, value]), torch.rand(1, 1, 128, 128))
    assert logits.shape == (1, 2, 128, 128)


@pytest.mark.parametrize("memory_encoder", ["trunk", "light"])
def test_recurrent_forward_matches_inference_api(memory_encoder):
    net = build_net({**TINY, "memory_encoder": memory_encoder}).eval()
    g = torch.Generator().manual_seed(0)
    images = torch.randn(2, 3, 3, 64, 64, generator=g)
    masks = (torch.rand(2, 3, 1, 64, 64, generator=g) > 0.5).float()
    dists = torch.rand(2, 3, 1, 64, 64, generator=g) * 64
    with torch.no_grad():
        out = net(images, masks[:, 0], dists)
        assert out.shape == (2, 2, 2, 64, 64)
        k0, v0 = net.memorize(images[:, 0], masks[:, 0])
        l1 = net.segment(images[:, 1], flatten_memory([k0]), flatten_memory([v0]), dists[:, 1])
        k1, v1 = net.memorize(images[:, 1], net.foreground_probability(l1))
        l2 = net.segment(images[:, 2], flatten_memory([k0, k1]), flatten_memory([v0, v1]), dists[:, 2])
    torch.testing.assert_close(out[:, 0], l1, rtol=1e-3, atol=1e-3)
    torch.testing.assert_close(out[:, 1], l2, rtol=1e-3, atol=1e-3)


def test_mask_stem_starts_as_query_encoder_and_trunk_frozen():
    net = build_net(TINY)
    net.train()
    assert not net.encoder_q.training and not net.encoder_m.trunk.training
    assert net.encoder_m.mask_stem.conv1_m.weight.requires_grad
    assert not any(p.requires_grad for p in net.encoder_q.parameters())


def test_light_memory_encoder_reads_the_query_features_instead_of_a_second_trunk():
    net = build_net({**TINY, "memory_encoder": "light"}).eval()
    assert net.config["memory_encoder"] == "light" and "memory_encoder" not in build_net(TINY).config
    assert net.backbone_modules() == [net.encoder_q] and not hasattr(net.encoder_m, "trunk")
    trained = {id(p) for g in parameter_groups(net) for p in g["params"]}
    assert {id(p) for p in net.encoder_m.parameters()} <= trained and {id(p) for p in net.value_m.parameters()} <= trained
    g = torch.Generator().manual_seed(2)
    image, mask = torch.randn(1, 3, 64, 64, generator=g), (torch.rand(1, 1, 64, 64, generator=g) > 0.5).float()
    with torch.no_grad():
        feats = net.extract_backbone(image)
        key, value = net.memorize(image, mask, feats)
        torch.testing.assert_close(key, net.kv_q.key(feats["layer3"]))       # the frame's query key (XMem)
        torch.testing.assert_close((key, value), net.memorize(image, mask))    # features computed when not given
        other, _ = net.memorize(image, 1 - mask, feats)
        _, other_value = net.memorize(image, 1 - mask, feats)
    torch.testing.assert_close(other, key)                                     # the mask changes the value only
    assert not torch.allclose(other_value, value)
    with pytest.raises(NetConfigError, match="memory_encoder must be one of 'trunk', 'light'"):
        build_net({**TINY, "memory_encoder": "tiny"})
