"""Backbone forward time (conv1..layer3, eval, no grad) of the trunks the nets can use, per crop size, on N threads.

Compares EfficientNet-Lite0 (ImageNet, stages 1-5) with the tiny recipes' random ResNet-18 trunks (width 16 / 32)
and full-width ResNet-18 / ResNet-50; reports median milliseconds per image and the ratio to ResNet-18 width 32.

    python bench/bench_backbones.py [--sizes 128 256] [--threads 1] [--repeats 20] [--batch 1]
"""
from __future__ import annotations

import argparse
import time

import torch

from ltr.models.backbone import ResNetTrunk
from ltr.models.efficientnet import EfficientNetLite0Trunk

TRUNKS = {
    "resnet18 w16 (tiny)": lambda: ResNetTrunk("resnet18", width=16),
    "resnet18 w32 (tiny)": lambda: ResNetTrunk("resnet18", width=32),
    "efficientnet_lite0": lambda: EfficientNetLite0Trunk(),
    "resnet18 w64": lambda: ResNetTrunk("resnet18", width=64),
    "resnet50 w64": lambda: ResNetTrunk("resnet50", width=64),
}


def params_m(trunk: torch.nn.Module) -> float:
    return sum(p.numel() for p in trunk.parameters()) / 1e6


@torch.no_grad()
def time_trunk(trunk: torch.nn.Module, size: int, batch: int, repeats: int, channels_last: bool) -> float:
    """Median seconds per image."""
    trunk.eval()
    x = torch.randn(batch, 3, size, size)
    if channels_last:
        trunk = trunk.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    for _ in range(3):
        trunk(x)
    times = []
    for _ in range(repeats):
        tic = time.perf_counter()
        trunk(x)
        times.append(time.perf_counter() - tic)
    return sorted(times)[len(times) // 2] / batch


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[128, 256])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--contiguous", action="store_true", help="NCHW instead of channels-last (the trackers use "
                                                                     "channels-last)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    trunks = {name: make() for name, make in TRUNKS.items()}
    print(f"threads {args.threads}, batch {args.batch}, {'NCHW' if args.contiguous else 'channels-last'}; "
          f"ms per image (median of {args.repeats}), ratio to resnet18 w32")
    header = f"{'backbone':22s} {'params M':>8s} " + " ".join(f"{s:>7d}px {'ratio':>5s}" for s in args.sizes)
    print(header)
    results = {name: [time_trunk(t, s, args.batch, args.repeats, not args.contiguous) for s in args.sizes]
               for name, t in trunks.items()}
    base = results["resnet18 w32 (tiny)"]
    for name, times in results.items():
        cells = " ".join(f"{1e3 * t:9.2f} {t / b:5.2f}" for t, b in zip(times, base))
        print(f"{name:22s} {params_m(trunks[name]):8.2f} {cells}")


if __name__ == "__main__":
    main()
