import pytest
import torch

from ltr.actors import DMBActor, SegmActor, actor_for
from ltr.actors.losses import bootstrapped_cross_entropy, mask_iou, soft_iou_loss, two_channel_bce
from ltr.models import build_net, parameter_groups

TINY = {"backbone": "resnet18", "backbone_width": 16, "backbone_weights": "random"}
S = 96


def _frame(g, size=S):
    """A textured background with a bright square whose position varies; returns image, mask, distance map."""
    img = torch.randn(3, size, size, generator=g) * 0.3
    x0, y0 = torch.randint(16, size - 48, (2,), generator=g).tolist()
    mask = torch.zeros(1, size, size)
    mask[:, y0:y0 + 32, x0:x0 + 32] = 1.0
    img = img + 1.5 * mask
    ys, xs = torch.meshgrid(torch.arange(size.__float__()), torch.arange(size.__float__()), indexing="ij")
    dist = torch.sqrt((xs - (x0 + 15.5)) ** 2 + (ys - (y0 + 15.5)) ** 2)[None]
    return img, mask, dist


def _pair_batch(b=2):
    g = torch.Generator().manual_seed(0)
    tr = [_frame(g) for _ in range(b)]
    te = [_frame(g) for _ in range(b)]
    return {"train_images": torch.stack([f[0] for f in tr]), "train_masks": torch.stack([f[1] for f in tr]),
            "test_images": torch.stack([f[0] for f in te]), "test_masks": torch.stack([f[1] for f in te]),
            "test_dist": torch.stack([f[2] for f in te])}


def _seq_batch(b=2, t=3):
    g = torch.Generator().manual_seed(0)
    frames = [[_frame(g) for _ in range(t)] for _ in range(b)]
    return {k: torch.stack([torch.stack([f[i] for f in seq]) for seq in frames])
            for i, k in enumerate(("images", "masks", "dists"))}


def _train(actor, net, batch, steps):
    torch.manual_seed(0)
    opt = torch.optim.Adam(parameter_groups(net))
    net.train()
    losses = []
    for _ in range(steps):
        loss, stats = actor(batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(stats["Loss/total"])
    return losses, stats


@pytest.mark.parametrize("arch", ["d3s", "cmedfl"])
def test_segm_actor_loss_decreases(arch):
    torch.manual_seed(0)
    net = build_net({"arch": arch, **TINY})
    actor = actor_for(net)
    assert isinstance(actor, SegmActor)
    losses, stats = _train(actor, net, _pair_batch(), steps=30)
    assert set(stats) == {"Loss/total", "Loss/segm", "IoU"}
    assert min(losses[-3:]) < 0.75 * losses[0], losses


def test_dmb_actor_loss_decreases():
    torch.manual_seed(0)
    net = build_net({"arch": "dmb", **TINY, "key_dim": 16, "value_dim": 32, "decoder_dim": 32})
    actor = actor_for(net)
    assert isinstance(actor, DMBActor)
    losses, stats = _train(actor, net, _seq_batch(), steps=30)
    assert set(stats) == {"Loss/total", "Loss/bce", "Loss/iou", "IoU"}
    assert min(losses[-3:]) < 0.75 * losses[0], losses


def test_missing_batch_key_is_named():
    net = build_net({"arch": "d3s", **TINY})
    batch = _pair_batch()
    del batch["test_dist"]
    with pytest.raises(KeyError, match="test_dist"):
        SegmActor(net)(batch)


def test_losses_by_hand():
    logits = torch.zeros(1, 2, 1, 2)
    logits[0, 0, 0, 0] = 2.0  # fg logit of pixel 0 (D3S order)
    masks = torch.tensor([[[[1.0, 0.0]]]])
    # BCE terms: pixel0 fg: softplus(-2); pixel0 bg (target 0, logit 0): log 2; pixel1: fg log2, bg log2
    sp = torch.nn.functional.softplus(torch.tensor(-2.0))
    want = (sp + 3 * torch.log(torch.tensor(2.0))) / 4
    torch.testing.assert_close(two_channel_bce(logits, masks, fg_channel=0), want)
    # bootstrapped CE with fg channel 1: pixel losses [-log sigmoid(-2) , log 2]; top 50% -> max
    ce = bootstrapped_cross_entropy(logits, masks, top_fraction=0.5, fg_channel=1)
    torch.testing.assert_close(ce, torch.nn.functional.softplus(torch.tensor(2.0)))
    prob = torch.tensor([[[[0.5, 0.25]]]])
    torch.testing.assert_close(soft_iou_loss(prob, masks), torch.tensor(1 - 0.5 / 1.25), atol=1e-5, rtol=0)
    assert mask_iou(torch.tensor([[[[0.9, 0.9]]]]), masks).item() == 0.5
    assert mask_iou(torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 2, 2)).item() == 1.0
