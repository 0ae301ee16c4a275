"""Build the objects of a training run from :class:`~ltr.train_settings.TrainSettings`.

``build(settings, workspace, rank=0, world_size=1) -> TrainingObjects`` (net, actor, optimizer, scheduler and the
training sample dataset). Recipe modules only define ``settings()``; this is shared by all of them.
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.distributed as dist

from ltr.admin.settings import SettingsError, load_settings
from ltr.data.processing import SegmProcessing
from ltr.data.samplers import SegmSampler
from ltr.train_settings import TrainSettings


@dataclass
class TrainingObjects:
    net: torch.nn.Module
    actor: object
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    dataset: SegmSampler
    data_root: Path


def _wrap(settings: TrainSettings, exc: Exception) -> SettingsError:
    return SettingsError(f"training settings {settings.name}: {exc}")


def synthetic_root(s: TrainSettings, workspace: Path) -> Path:
    """Where (and with which generate() arguments) the synthetic YouTube-VOS of a tiny recipe lives; generated on
    first use (rank 0 only; others wait), in a temporary folder renamed when complete."""
    from ltr.dataset.synthetic import generate

    opts = dict(s.synthetic)
    tag = "-".join(f"{k}{'x'.join(map(str, v)) if isinstance(v, (list, tuple)) else v}"
                   for k, v in sorted(opts.items()))
    root = Path(workspace) / "synthetic" / f"youtubevos-{tag}"
    is_main = not (dist.is_available() and dist.is_initialized()) or dist.get_rank() == 0
    if is_main and not root.is_dir():
        print(f"no YouTube-VOS root set (--data or settings key youtubevos_path): generating synthetic YouTube-VOS "
              f"{opts} into {root}", flush=True)
        root.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root.parent))
        try:
            if "size" in opts:
                opts["size"] = tuple(opts["size"])
            generate("youtubevos", tmp, **opts)
            tmp.rename(root)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
    return root


def data_root(s: TrainSettings, workspace: Path) -> Path:
    """The YouTube-VOS root: ``data_root`` (--data), else the ``youtubevos_path`` setting, else synthetic data for
    recipes that allow it; otherwise the settings error says how to set the path."""
    if s.data_root:
        return load_settings({"youtubevos_path": s.data_root}).dataset_root("youtubevos_path")
    paths = load_settings()
    if paths.get("youtubevos_path") or not s.synthetic:
        return paths.dataset_root("youtubevos_path")
    return synthetic_root(s, workspace)


def training_datasets(s: TrainSettings, root: Path, workspace: Path) -> list:
    """YouTube-VOS ``train`` (restricted to ``split_file`` if set). Per-video boxes/visibility are cached under
    ``<workspace>/cache/youtubevos-<hash of the root>`` so later runs skip reading every mask again."""
    from ltr.dataset.youtubevos import YouTubeVOS

    digest = hashlib.sha1(str(Path(root).resolve()).encode()).hexdigest()[:12]
    cache = Path(workspace) / "cache" / f"youtubevos{s.dataset_version}-{digest}"
    return [YouTubeVOS(root, version=s.dataset_version, split="train", split_file=s.split_file or None,
                       cache_dir=cache)]


def build(s: TrainSettings, workspace: str | Path) -> TrainingObjects:
    """Net (seeded with ``s.seed``), actor, Adam over the recipe's parameter groups, StepLR, and the sample dataset."""
    from ltr.actors import actor_for
    from ltr.models import NetConfigError, build_net, parameter_groups

    root = data_root(s, Path(workspace))  # first: a missing dataset path is reported before any net is built
    torch.manual_seed(s.seed)
    try:
        net = build_net(s.net)
    except NetConfigError as exc:
        raise _wrap(s, exc) from exc
    net.config = dict(net.config)
    groups = parameter_groups(net)
    unknown = sorted(set(s.lr) - {g["name"] for g in groups})
    if unknown:
        raise SettingsError(f"training settings {s.name}: lr names unknown parameter group(s) {', '.join(unknown)}; "
                            f"this net trains {', '.join(g['name'] for g in groups)}")
    for group in groups:
        group["lr"] = float(s.lr.get(group["name"], group["lr"]))
    optimizer = torch.optim.Adam(groups, betas=tuple(s.betas), weight_decay=s.weight_decay)
    step = s.lr_step if s.lr_step > 0 else 1
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step, s.lr_gamma if s.lr_step > 0 else 1.0)
    processing = SegmProcessing(s.processing)
    dataset = SegmSampler(training_datasets(s, root, Path(workspace)), processing, s.sampler, seed=s.seed)
    return TrainingObjects(net, actor_for(net), optimizer, scheduler, dataset, root)
