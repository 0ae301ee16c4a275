import pytest
import torch

from ltr.models import build_net, scores_map, topk_match

TINY = {"backbone": "resnet18", "backbone_width": 16, "backbone_weights": "random"}


def _batch(size, b=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(b, 3, size, size, generator=g)
    y = torch.randn(b, 3, size, size, generator=g)
    m = (torch.rand(b, 1, size, size, generator=g) > 0.5).float()
    d = torch.rand(b, 1, size, size, generator=g) * size
    return x, m, y, d


@pytest.mark.parametrize("arch", ["d3s", "cmedfl"])
def test_output_shapes_resnet18_128px(arch):
    net = build_net({"arch": arch, "backbone": "resnet18", "backbone_weights": "random"}).eval()
    x, m, y, d = _batch(128)
    with torch.no_grad():
        logits = net(x, m, y, d)
        feats = net.extract_backbone(y)
        emb = net.embed(feats["layer3"])
    assert logits.shape == (2, 2, 128, 128)
    assert emb.shape == (2, 64, 8, 8)
    prob = net.foreground_probability(logits)
    assert prob.shape == (2, 1, 128, 128) and torch.all((prob >= 0) & (prob <= 1))


@pytest.mark.parametrize("size", [96, 160])
def test_non_square_power_sizes(size):
    net = build_net({"arch": "cmedfl", **TINY}).eval()
    x, m, y, d = _batch(size, b=1)
    with torch.no_grad():
        assert net(x, m, y, d).shape == (1, 2, size, size)


def test_bad_crop_size_error():
    net = build_net({"arch": "d3s", **TINY})
    x, m, y, d = _batch(100, b=1)
    with pytest.raises(ValueError, match="multiple of 16"):
        net(x, m, y, d)


def test_d3s_inference_api_reproduces_forward():
    net = build_net({"arch": "d3s", **TINY}).eval()
    x, m, y, d = _batch(96)
    with torch.no_grad():
        want = net(x, m, y, d)
        ref = net.extract_backbone(x)
        test = net.extract_backbone(y)
        q, r = net.embed(test["layer3"]), net.embed(ref["layer3"])
        small = torch.nn.functional.interpolate(m, size=(6, 6), mode="nearest").flatten(1)
        fg, p, _ = topk_match(q.flatten(2), r.flatten(2), small, 1 - small, k=3)
        got = net.segment(test, scores_map(fg, p, (6, 6)), d)
    torch.testing.assert_close(got, want, rtol=1e-3, atol=1e-3)  # batched vs. separate backbone passes


def test_cmedfl_inference_api_with_external_bank():
    net = build_net({"arch": "cmedfl", **TINY}).eval()
    x, m, y, d = _batch(96, b=1)
    with torch.no_grad():
        want = net(x, m, y, d)
        ref = net.extract_backbone(x)
        test = net.extract_backbone(y)
        q, t = net.embed(test["layer3"]), net.embed(ref["layer3"])
        small = torch.nn.functional.interpolate(m, size=(6, 6), mode="nearest").flatten(1)
        gat = net.graph_attention(q, t, m)
        assert gat.shape == (1, 32, 6, 6)
        fg, p, _ = topk_match(q.flatten(2), t.flatten(2), small, 1 - small)
        torch.testing.assert_close(net.segment(test, scores_map(fg, p, (6, 6)), d, gat), want, rtol=1e-3, atol=1e-3)
        # a bank of any size M: the reference plus entries of a second frame
        bank = torch.cat((t.flatten(2), q.flatten(2)[:, :, :10]), dim=2)
        pos = torch.cat((small, torch.zeros(1, 10)), dim=1)
        fg2, p2, _ = topk_match(q.flatten(2), bank, pos, 1 - pos)
        assert net.segment(test, scores_map(fg2, p2, (6, 6)), d, gat).shape == (1, 2, 96, 96)


def test_graph_attention_gated_by_reference_mask():
    net = build_net({"arch": "cmedfl", **TINY}).eval()
    q = torch.randn(1, 64, 6, 6)
    t = torch.randn(1, 64, 6, 6)
    mask = torch.zeros(1, 1, 96, 96)
    mask[..., :48, :] = 1.0  # top half of the template
    with torch.no_grad():
        out = net.graph_attention(q, t, mask)
        branch = net.segm_predictor.attention
        # explicit computation of e for query pixel 0
        qq = branch.query(q).flatten(2)[0, :, 0]
        tt = branch.support(t).flatten(2)[0]
        w = torch.softmax(qq @ tt, dim=0)
        e0 = branch.wfeature(t).flatten(2)[0] @ w
        full = branch.rrfeature(torch.cat((e0.reshape(1, 64, 1, 1).expand(1, 64, 6, 6), branch.wfeature(q)), dim=1))
    assert torch.all(out[..., 3:, :] == 0)
    torch.testing.assert_close(out[0, :, 0, 0], full[0, :, 0, 0])


def test_channels_last_matches():
    net = build_net({"arch": "cmedfl", **TINY}).eval()
    x, m, y, d = _batch(64)
    with torch.no_grad():
        want = net(x, m, y, d)
        cl = lambda t: t.contiguous(memory_format=torch.channels_last)  # noqa: E731
        got = net.to(memory_format=torch.channels_last)(cl(x), cl(m), cl(y), cl(d))
    torch.testing.assert_close(got, want, rtol=1e-3, atol=1e-3)


def test_published_size_resnet50_384px():
    net = build_net({"arch": "d3s", "backbone": "resnet50", "backbone_weights": "random"}).eval()
    x, m, y, d = _batch(384, b=1)
    with torch.no_grad():
        feats = net.extract_backbone(y)
        assert feats["layer3"].shape == (1, 1024, 24, 24) and feats["conv1"].shape == (1, 64, 192, 192)
        scores = net.match_reference(net.embed(feats["layer3"]), net.embed(net.extract_backbone(x)["layer3"]), m)
        assert scores.shape == (1, 2, 24, 24)
        assert net.segment(feats, scores, d).shape == (1, 2, 384, 384)


def test_backbone_accepts_any_dcf_sample_size():
    net = build_net({"arch": "d3s", **TINY}).eval()
    with torch.no_grad():
        assert net.extract_backbone(torch.randn(1, 3, 72, 72))["layer3"].shape[-2:] == (5, 5)


def test_forward_is_exportable():
    net = build_net({"arch": "cmedfl", **TINY}).eval()
    x, m, y, d = _batch(64, b=1)
    exported = torch.export.export(net, (x, m, y, d))
    with torch.no_grad():
        torch.testing.assert_close(exported.module()(x, m, y, d), net(x, m, y, d))
