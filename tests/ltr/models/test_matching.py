import math

import torch

from ltr.models import topk_match


def brute_force(query, keys, pos, neg, k):
    b, _, n = query.shape
    fg = torch.zeros(b, n)
    p_out = torch.zeros(b, n)
    n_out = torch.zeros(b, n)
    for bi in range(b):
        for i in range(n):
            q = query[bi, :, i]
            sims = []
            for j in range(keys.shape[2]):
                key = keys[bi, :, j]
                sims.append(float(q @ key) / (math.sqrt(float(q @ q)) * math.sqrt(float(key @ key))))
            kk = min(k, len(sims))
            p = sum(sorted([s * float(pos[bi, j]) for j, s in enumerate(sims)], reverse=True)[:kk]) / kk
            ng = sum(sorted([s * float(neg[bi, j]) for j, s in enumerate(sims)], reverse=True)[:kk]) / kk
            p_out[bi, i], n_out[bi, i] = p, ng
            fg[bi, i] = math.exp(p) / (math.exp(p) + math.exp(ng))
    return fg, p_out, n_out


def test_topk_match_equals_hand_computation():
    g = torch.Generator().manual_seed(0)
    query = torch.randn(2, 4, 5, generator=g, dtype=torch.float64)
    keys = torch.randn(2, 4, 7, generator=g, dtype=torch.float64) * 3.0  # unnormalised keys (CMEDFL bank)
    pos = (torch.rand(2, 7, generator=g) > 0.5).double()
    for k in (3, 1, 10):  # 10 > M: min(k, M) used
        got = topk_match(query, keys, pos, 1.0 - pos, k=k)
        want = brute_force(query, keys, pos, 1.0 - pos, k)
        for a, b in zip(got, want):
            torch.testing.assert_close(a, b.double())


def test_topk_match_small_case_by_hand():
    # one query pixel along x; memory: x (fg), -x (bg), y (fg), x (bg) -> sims 1, -1, 0, 1
    query = torch.tensor([[[1.0], [0.0]]])
    keys = torch.tensor([[[2.0, -1.0, 0.0, 1.0], [0.0, 0.0, 5.0, 0.0]]])
    pos = torch.tensor([[1.0, 0.0, 1.0, 0.0]])
    fg, p, n = topk_match(query, keys, pos, 1.0 - pos, k=2)
    # P = mean top2 of [1, 0, 0, 0] = 0.5; N = mean top2 of [0, -1, 0, 1] = 0.5
    assert p.item() == 0.5 and n.item() == 0.5 and abs(fg.item() - 0.5) < 1e-7
    fg, p, n = topk_match(query, keys, pos, 1.0 - pos, k=1)
    assert p.item() == 1.0 and n.item() == 1.0
