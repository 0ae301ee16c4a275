"""Training throughput vs data-loading throughput (samples/s), and on CUDA the step time with and without AMP.

    python bench/bench_training.py [--recipe segm/segm_tiny] [--device cpu|cuda] [--steps 10] [--workers 2]
                                   [--batch-size B] [--threads T] [--data YTVOS_ROOT] [--set key=value ...] [--json OUT]

Without ``--data`` a small synthetic YouTube-VOS is generated into a temporary folder. The net is always built with
``backbone_weights="random"`` (speed does not depend on the weights). Reported in one run, on one machine:
``loader_samples_per_s`` (the DataLoader alone, ``--workers`` processes), ``train_samples_per_s`` (forward + backward +
step on batches already in memory, fp32) and, on CUDA, ``train_amp_samples_per_s``, the step times, and the ratio
``loader / train``: above 1 the loader keeps up with the GPU.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch

from ltr.admin.atomic import atomic_write_text
from ltr.admin.cli_args import add_root, add_threads, add_workers
from ltr.data.loader import build_loader
from ltr.data.processing import prepare_batch
from ltr.trainers import Trainer, TrainerOptions
from ltr.train_settings import load_recipe
from ltr.train_settings.common import build


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def loader_rate(dataset, batch_size: int, workers: int, batches: int, seed: int) -> float:
    """Samples/s of the DataLoader alone (after its first batch, so worker start-up is excluded)."""
    loader = build_loader(dataset, batch_size, epoch=0, seed=seed, num_workers=workers)
    it = iter(loader)
    next(it)
    tic = time.perf_counter()
    count = 0
    for _ in range(batches):
        try:
            next(it)
        except StopIteration:
            break
        count += batch_size
    return count / (time.perf_counter() - tic)


def train_rate(objects, settings, device: torch.device, amp: bool, steps: int, workspace: Path) -> float:
    """Samples/s of training steps on one cached batch (no data loading in the timed part)."""
    options = TrainerOptions(epochs=1, batch_size=settings.batch_size, amp=amp, progress=False, image_interval=0)
    trainer = Trainer(objects.actor, objects.dataset, objects.optimizer, objects.scheduler, options,
                      net_config=objects.net.config, checkpoint_dir=workspace / "ckpt", device=device,
                      batch_transform=prepare_batch)
    items = [objects.dataset[k] for k in range(settings.batch_size)]
    batch = trainer._to_device({k: torch.stack([it[k] for it in items]) for k in items[0]})
    trainer.net.train()
    for _ in range(2):  # warm-up (cuDNN autotune, allocator)
        trainer._step(batch)
    _sync(device)
    tic = time.perf_counter()
    for _ in range(steps):
        trainer._step(batch)
    _sync(device)
    return steps * settings.batch_size / (time.perf_counter() - tic)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipe", default="segm/segm_tiny")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--steps", type=int, default=10)
    add_workers(parser, 2, "data-loading worker processes (default 2)")
    parser.add_argument("--batch-size", type=int)
    add_root(parser, "--data", help="YouTube-VOS root (default: the recipe's)")
    parser.add_argument("--set", action="append", default=[])
    add_threads(parser, help="torch CPU threads (1 on a busy CPU)")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    settings, _ = load_recipe(*args.recipe.split("/"))
    settings = settings.with_text_overrides(args.set)
    settings = settings.replace(net={**settings.net, "backbone_weights": "random"},
                                sampler=dataclasses.replace(settings.sampler, min_frames=10),
                                **({"batch_size": args.batch_size} if args.batch_size else {}))
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp)
        if args.root:
            settings = settings.replace(data_root=args.root)
        else:
            settings = settings.replace(data_root="", synthetic={"sequences": 8, "frames": 24, "seed": 0,
                                                                  "size": [640, 360]})
        objects = build(settings, workspace)
        batches = max(args.steps, 20)
        result = {"recipe": settings.name, "device": str(device), "batch_size": settings.batch_size,
                  "output_size": settings.processing.output_size, "workers": args.workers,
                  "torch": torch.__version__, "threads": torch.get_num_threads(), "machine": platform.processor()
                  or platform.machine()}
        if device.type == "cuda":
            result["gpu"] = torch.cuda.get_device_name(device)
        result["loader_samples_per_s"] = loader_rate(objects.dataset, settings.batch_size, args.workers, batches,
                                                     settings.seed)
        result["train_samples_per_s"] = train_rate(objects, settings, device, False, args.steps, workspace)
        result["step_time_s"] = settings.batch_size / result["train_samples_per_s"]
        if device.type == "cuda":
            result["train_amp_samples_per_s"] = train_rate(objects, settings, device, True, args.steps, workspace)
            result["step_time_amp_s"] = settings.batch_size / result["train_amp_samples_per_s"]
            result["amp_speedup"] = result["train_amp_samples_per_s"] / result["train_samples_per_s"]
        fastest = max(result["train_samples_per_s"], result.get("train_amp_samples_per_s", 0.0))
        result["loader_over_train"] = result["loader_samples_per_s"] / fastest
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        atomic_write_text(args.json, text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
