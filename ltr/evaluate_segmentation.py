"""Mean mask IoU of a trained segmentation net on crops of held-out sequences, next to the same net untrained.

``python -m ltr.evaluate_segmentation --checkpoint CKPT --data DIR [--samples 128] [--seed 1] [--json OUT]``

``DIR`` is a YouTube-VOS root (``train/`` split read) of sequences not used in training, e.g. synthetic ones made with
another seed: ``python -m ltr.dataset.synthetic --format youtubevos --out DIR --sequences 12 --frames 24 --seed 1``.
Samples are drawn like training samples of the checkpoint's recipe (pair or 3-frame sequence mode, same crop
geometry) but without any augmentation: every frame is cropped around its ground-truth box and the distance map uses
the exact centre. IoU per sample = |pred > 0.5 AND gt > 0.5| / |pred > 0.5 OR gt > 0.5| on the test crop(s) (1 when
both are empty); the untrained net is the same config with a fresh random init (``torch.manual_seed(seed)``).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import torch

from ltr.admin.cli import cli_main
from ltr.admin.cli_args import add_root
from ltr.admin.atomic import atomic_write_text
from ltr.admin.checkpoint import load_checkpoint, load_network
from ltr.admin.errors import DataFormatError
from ltr.admin.settings import SettingsError
from ltr.data.processing import SegmProcessing, prepare_batch
from ltr.data.samplers import SegmSampler
from ltr.trainers.visualize import predicted_masks
from ltr.train_settings import TrainSettings, load_recipe


def checkpoint_settings(path: str | Path) -> TrainSettings:
    """The training settings recorded in a checkpoint's meta, or for files without them, their recipe's defaults."""
    meta = load_checkpoint(path)["meta"]
    if "train_settings" in meta:
        try:
            return TrainSettings.from_dict(meta["train_settings"])
        except SettingsError as exc:
            raise DataFormatError(path, f"meta.train_settings: {exc}") from exc
    name = meta.get("settings", "")
    if "/" not in name:
        raise DataFormatError(path, "checkpoint meta names no training settings ('settings': '<module>/<name>'); "
                                    "cannot tell its crop geometry")
    return load_recipe(*name.split("/"))[0]


def sample_ious(net: torch.nn.Module, batch: dict) -> torch.Tensor:
    """Per-sample IoU (B,) of thresholded predictions on the batch's test frame(s) (sequence mode: mean over
    predicted frames)."""
    prob = predicted_masks(net, batch)
    gt = batch["test_masks"] if "test_masks" in batch else batch["masks"][:, 1:]
    pred, ref = (prob > 0.5).flatten(1 if prob.dim() == 4 else 2), (gt > 0.5).flatten(1 if gt.dim() == 4 else 2)
    inter, union = (pred & ref).sum(-1).float(), (pred | ref).sum(-1).float()
    iou = torch.where(union > 0, inter / union.clamp(min=1), torch.ones_like(union))
    return iou if iou.dim() == 1 else iou.mean(1)


@torch.no_grad()
def evaluate(net: torch.nn.Module, dataset: SegmSampler, samples: int, batch_size: int = 16,
             device: str | torch.device = "cpu") -> float:
    """Mean IoU over items ``0 .. samples-1`` of ``dataset``."""
    net.eval()
    ious = []
    for start in range(0, samples, batch_size):
        items = [dataset[k] for k in range(start, min(start + batch_size, samples))]
        batch = prepare_batch({k: torch.stack([it[k] for it in items]).to(device) for k in items[0]},
                              normalization=net.input_normalization)
        ious.append(sample_ious(net, batch).cpu())
    return float(torch.cat(ious).mean())


def eval_dataset(settings: TrainSettings, data: str | Path, samples: int, seed: int) -> SegmSampler:
    from ltr.dataset.youtubevos import YouTubeVOS

    params = dataclasses.replace(settings.sampler, samples_per_epoch=samples)
    data = YouTubeVOS(data, version=settings.dataset_version, split="train")
    return SegmSampler([data], SegmProcessing(settings.processing.without_augmentation()), params, seed=seed)


def run(checkpoint: str | Path, data: str | Path, samples: int = 128, seed: int = 1,
        device: str | torch.device = "cpu") -> dict:
    """``{"trained_iou", "untrained_iou", "samples", ...}`` for one checkpoint."""
    from ltr.models import build_net

    settings = checkpoint_settings(checkpoint)
    dataset = eval_dataset(settings, data, samples, seed)
    net, config = load_network(checkpoint, device)
    trained = evaluate(net, dataset, samples, device=device)
    torch.manual_seed(seed)
    fresh = build_net({**config, "backbone_weights": "random"}).to(device)
    untrained = evaluate(fresh, dataset, samples, device=device)
    return {"checkpoint": str(checkpoint), "data": str(data), "samples": samples, "seed": seed,
            "settings": settings.name, "mode": settings.sampler.mode,
            "output_size": settings.processing.output_size,
            "trained_iou": trained, "untrained_iou": untrained}


@cli_main
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ltr.evaluate_segmentation", description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint", required=True)
    add_root(parser, "--data", required=True, help="YouTube-VOS root of held-out sequences")
    parser.add_argument("--samples", type=int, default=128)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", help="also write the result here")
    args = parser.parse_args(argv)
    try:
        result = run(args.checkpoint, args.root, args.samples, args.seed, args.device)
    except (DataFormatError, SettingsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{result['settings']}: mean IoU trained {result['trained_iou']:.4f}, untrained "
          f"{result['untrained_iou']:.4f} ({args.samples} samples of {args.root})")
    if args.json:
        atomic_write_text(args.json, json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
