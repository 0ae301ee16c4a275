"""Train a recipe: ``python -m ltr.run_training MODULE SETTINGS [options]`` (or ``python run_training.py ...`` in ltr/).

Examples::

    python -m ltr.run_training segm segm_tiny --workspace /tmp/ws          # CPU, synthetic data, minutes
    python -m ltr.run_training segm segm_default --device cuda --root /data/youtube-vos
    torchrun --nproc_per_node 2 -m ltr.run_training segm segm_default --device cuda   # DDP (nccl; gloo on CPU)

Checkpoints go to ``<workspace>/checkpoints/<MODULE>/<SETTINGS>/<Net>_ep<NNNN>.pth`` (plus ``settings.json``); a run
resumes automatically from the latest one there. TensorBoard logs go to ``<workspace>/tensorboard/<MODULE>/<SETTINGS>``
unless the ``tensorboard_path`` setting is set. Ctrl-C saves a checkpoint and exits (status 130).
"""
from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from pathlib import Path

import torch

from ltr.admin.cli import check_writable_dir, cli_main
from ltr.admin.cli_args import add_root, add_threads, add_workers
from ltr.admin.atomic import atomic_write_text
from ltr.admin.checkpoint import checkpoint_dir
from ltr.admin.errors import DataFormatError
from ltr.admin.settings import SettingsError, load_settings
from ltr.train_settings import TrainSettings, load_recipe


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ltr.run_training", description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("module", help="recipe folder under ltr/train_settings (segm, dmb)")
    parser.add_argument("settings", help="recipe name (segm_default, d3s_default, segm_tiny, dmb_default, ...)")
    parser.add_argument("--workspace", help="training workspace (default: the workspace_path setting)")
    add_root(parser, "--data", help="YouTube-VOS root (default: the youtubevos_path setting)")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--batch-size", type=int, help="per-process batch size")
    add_workers(parser, None, "data-loading worker processes per training process (default: the recipe's)")
    parser.add_argument("--device", help="cpu, cuda, cuda:1 (under torchrun each process takes cuda:LOCAL_RANK)")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override any TrainSettings key (JSON value), e.g. --set lr_step=10 --set amp=false "
                             "--set processing.output_size=128 --set sampler.samples_per_epoch=640")
    parser.add_argument("--no-progress", action="store_true", help="no tqdm progress bar")
    parser.add_argument("--force-resume", action="store_true",
                        help="resume even though the recipe (batch size, processing settings, ...) changed")
    add_threads(parser, help="torch CPU threads per process")
    return parser.parse_args(argv)


def resolve_settings(args: argparse.Namespace) -> TrainSettings:
    settings, _ = load_recipe(args.module, args.settings)
    settings = settings.with_text_overrides(args.set)
    flags = {"epochs": args.epochs, "batch_size": args.batch_size, "num_workers": args.workers,
             "device": args.device, "seed": args.seed, "data_root": args.root}
    return settings.replace(**{k: v for k, v in flags.items() if v is not None})


@cli_main
def main(argv=None) -> int:
    from ltr.data.processing import prepare_batch
    from ltr.models.backbone import BackboneWeightsError
    from ltr.trainers import Trainer, TrainerOptions
    from ltr.trainers.distributed import cleanup_distributed, init_distributed
    from ltr.train_settings.common import build

    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        settings = resolve_settings(args)
        paths = load_settings({"workspace_path": args.workspace})
        workspace = paths.path("workspace_path")
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    info = init_distributed(settings.device)
    try:
        objects = build(settings, workspace)
        module, name = settings.name.split("/")
        ckpt_dir = checkpoint_dir(workspace, module, name)
        check_writable_dir(ckpt_dir, "checkpoint folder (--workspace or the workspace_path setting)")
        if paths.source("tensorboard_path") == "default":
            tb_dir = workspace / "tensorboard" / module / name
        else:
            tb_dir = paths.path("tensorboard_path") / module / name
        options = TrainerOptions.from_settings(settings, progress=not args.no_progress,
                                               force_resume=args.force_resume)
        trainer = Trainer(objects.actor, objects.dataset, objects.optimizer, objects.scheduler, options,
                          net_config=objects.net.config, checkpoint_dir=ckpt_dir, device=info.device,
                          tensorboard_dir=tb_dir, rank=info.rank, world_size=info.world_size,
                          batch_transform=functools.partial(prepare_batch,
                                                            normalization=objects.net.input_normalization))
        resumed = trainer.resume()
        if info.is_main:
            record = {**settings.to_dict(), "data_root": str(objects.data_root), "world_size": info.world_size}
            atomic_write_text(ckpt_dir / "settings.json", json.dumps(record, indent=2) + "\n")
            where = f"resuming from {resumed}" if resumed else "starting from scratch"
            print(f"training {settings.name} on {info.device} x{info.world_size}, data {objects.data_root}, "
                  f"{len(objects.dataset)} samples/epoch, {where}; checkpoints in {ckpt_dir}", flush=True)
        tic = time.perf_counter()
        try:
            trainer.train()
        except KeyboardInterrupt:
            return 130
        finally:
            trainer.close()
        if info.is_main:
            print(f"finished {settings.name}: epoch {trainer.epoch}, {time.perf_counter() - tic:.1f} s; last "
                  f"checkpoint {Path(ckpt_dir)}", flush=True)
        return 0
    except (SettingsError, DataFormatError, BackboneWeightsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        cleanup_distributed()


if __name__ == "__main__":
    sys.exit(main())
