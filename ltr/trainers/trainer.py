"""The generic training loop: epochs, scheduler, atomic per-epoch checkpoints, automatic resume, DDP, AMP, logging.

One iteration: ``loss, stats = actor(batch)`` on the device, backward (through a ``GradScaler`` under CUDA AMP),
optimizer step. The scheduler steps at the *end* of every epoch (§7: with StepLR(15) epochs 1-14 run at the base
lr, as in the original that stepped at the start). Epochs are numbered from 1; ``<Net>_ep<NNNN>.pth`` holds the state
after epoch ``NNNN`` (or, after a KeyboardInterrupt, after ``meta.batches_done`` batches of it).

Reproducibility: samples are functions of ``(seed, index)`` and the loader of epoch ``e`` reads fixed indices
(:mod:`ltr.data.loader`), checkpoints carry optimizer, scheduler, grad-scaler and RNG states, so a resumed CPU run
reproduces the losses of an uninterrupted one bit for bit.
"""
from __future__ import annotations

import math
import signal
import threading
import time
from dataclasses import dataclass, fields
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn
from tqdm import tqdm

from ltr.admin.checkpoint import checkpoint_path, latest_checkpoint, load_checkpoint, rng_state, save_checkpoint
from ltr.admin.checkpoint import load_net_state, set_rng_state, unwrap
from ltr.data.loader import batches_per_epoch, build_loader
from ltr.data.preprocess import IMAGENET_NORMALIZATION
from ltr.trainers.visualize import predicted_masks, sample_grid


class TrainingError(RuntimeError):
    """Training cannot go on (a non-finite loss, a checkpoint of another run)."""


class _DDP(nn.parallel.DistributedDataParallel):
    """DDP that forwards attribute lookups (``fg_channel``, ``foreground_probability``...) to the wrapped net, so
    actors written for the plain net work unchanged."""

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            if name == "module":  # not registered yet (inside DDP's __init__): no fallback, no recursion
                raise
            return getattr(self.module, name)


@dataclass
class TrainerOptions:
    """Loop settings. ``stop_after_batches`` ends training after that many batches in total (benchmarks, tests)."""

    epochs: int
    batch_size: int
    num_workers: int = 0
    seed: int = 0
    settings_name: str = ""
    amp: bool = True
    log_interval: int = 10
    image_interval: int = 200
    progress: bool = True
    grad_clip: float | None = None  # None or 0: no clipping
    find_unused_parameters: bool = False  # DDP: True for nets with trainable parameters unused in forward
    stop_after_batches: int | None = None
    extra_meta: dict | None = None  # JSON-able, stored in every checkpoint's meta (e.g. the training settings)
    force_resume: bool = False  # resume even when the recipe (batch size, processing, ...) changed

    @classmethod
    def from_settings(cls, settings, **runtime) -> "TrainerOptions":
        """The loop settings of a :class:`ltr.train_settings.TrainSettings` (every field the two share, by name;
        ``settings_name`` = its name, the settings stored in each checkpoint's meta), plus the ``runtime`` options
        (``progress``, ``force_resume``, ``stop_after_batches``)."""
        shared = {f.name: getattr(settings, f.name) for f in fields(cls) if hasattr(settings, f.name)}
        return cls(**shared, settings_name=settings.name, extra_meta={"train_settings": settings.to_dict()},
                   **runtime)


#: Recipe keys that may change between a run and its resume (they do not change what is computed).
RESUMABLE_CHANGES = frozenset({"epochs", "num_workers", "device", "log_interval", "image_interval", "description",
                               "data_root"})


def _flat(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict) and k != "net":
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def recipe_changes(old: dict, new: dict) -> list[str]:
    """``key: old -> new`` for every recipe key that differs (dotted section keys; RESUMABLE_CHANGES ignored)."""
    a, b = _flat(old), _flat(new)
    keys = sorted(k for k in set(a) | set(b) if k not in RESUMABLE_CHANGES and a.get(k) != b.get(k))
    return [f"{k}: {a.get(k, '(unset)')!r} -> {b.get(k, '(unset)')!r}" for k in keys]


class Trainer:
    """Trains ``actor.net`` on ``dataset`` (a map-style dataset whose items are dicts of tensors); each collated batch
    goes to the device, through ``batch_transform`` (if given), then to the actor."""

    def __init__(self, actor, dataset, optimizer: torch.optim.Optimizer, scheduler, options: TrainerOptions, *,
                 net_config: dict, checkpoint_dir: str | Path, device: str | torch.device = "cpu",
                 tensorboard_dir: str | Path | None = None, rank: int = 0, world_size: int = 1,
                 batch_transform=None):
        self.actor, self.dataset, self.optimizer, self.scheduler = actor, dataset, optimizer, scheduler
        self.options, self.net_config = options, net_config
        self.checkpoint_dir, self.device = Path(checkpoint_dir), torch.device(device)
        self.rank, self.world_size = rank, world_size
        self.batch_transform = batch_transform  # applied on the device (ltr.data.processing.prepare_batch)
        self.net = unwrap(actor.net)
        self.net_name = type(self.net).__name__
        self.net.to(self.device)
        if world_size > 1:
            ids = [self.device.index] if self.device.type == "cuda" else None
            actor.net = _DDP(self.net, device_ids=ids, find_unused_parameters=options.find_unused_parameters)
        self.use_amp = options.amp and self.device.type == "cuda"
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.use_amp)
        self.writer = None
        if tensorboard_dir is not None and rank == 0:
            from torch.utils.tensorboard import SummaryWriter
            self.writer = SummaryWriter(str(tensorboard_dir))
        self.epoch = 0  # last completed epoch
        self.batches_done = 0  # batches of epoch self.epoch + 1 already trained (resume inside an epoch)
        self.global_step = 0
        self.losses: list[float] = []  # every iteration's (rank-averaged) loss, in order

    # ---------------------------------------------------------------- checkpoints
    def _save(self, epoch: int, batches_done: int | None) -> Path | None:
        """Checkpoint named for ``epoch``; ``batches_done`` None means the epoch is complete."""
        if self.rank != 0:
            return None
        meta = {"epoch": epoch, "settings": self.options.settings_name, "global_step": self.global_step,
                "complete": batches_done is None, "batches_done": batches_done or 0,
                "batch_size": self.options.batch_size, "world_size": self.world_size, "seed": self.options.seed,
                **(self.options.extra_meta or {})}
        path = checkpoint_path(self.checkpoint_dir, self.net_name, epoch)
        return save_checkpoint(path, self.net, self.net_config, meta, self.optimizer, self.scheduler,
                               {**rng_state(), "scaler": self.scaler.state_dict()})

    def resume(self) -> Path | None:
        """Load the latest checkpoint of this run's folder, if any; returns its path."""
        path = latest_checkpoint(self.checkpoint_dir, self.net_name)
        if path is None:
            return None
        payload = load_checkpoint(path, map_location="cpu")
        meta = payload["meta"]
        if payload["config"] != self.net_config:
            raise TrainingError(f"{path}: its net config differs from this run's ({payload['config']} vs "
                                f"{self.net_config}); use another --workspace or delete the old checkpoints")
        for key in ("batch_size", "world_size", "seed"):
            mine = {"batch_size": self.options.batch_size, "world_size": self.world_size,
                    "seed": self.options.seed}[key]
            if meta.get(key, mine) != mine and not meta.get("complete", True):
                raise TrainingError(f"{path}: was interrupted inside epoch {meta['epoch']} with {key}={meta[key]}; "
                                    f"resume it with the same {key} (got {mine})")
        changes = [f"{k}: {meta[k]!r} -> {mine!r}" for k, mine in
                   (("batch_size", self.options.batch_size), ("seed", self.options.seed)) if meta.get(k, mine) != mine]
        old, new = meta.get("train_settings"), (self.options.extra_meta or {}).get("train_settings")
        if isinstance(old, dict) and isinstance(new, dict):
            changes += [c for c in recipe_changes(old, new) if not c.startswith(("batch_size:", "seed:"))]
        if changes and not self.options.force_resume:
            raise TrainingError(f"{path}: the recipe changed since this checkpoint ({'; '.join(changes)}); resuming "
                                f"would mix two recipes. Use another --workspace, restore the settings, or pass "
                                f"--force-resume to continue anyway")
        load_net_state(self.net, payload, path)  # head-only checkpoints: the packaged backbone is already loaded
        self.optimizer.load_state_dict(payload["optimizer"])
        self.scheduler.load_state_dict(payload["scheduler"])
        rng = payload["rng"]
        set_rng_state(rng)
        if rng.get("scaler") and self.use_amp:  # empty when saved by a CPU (AMP-less) run
            self.scaler.load_state_dict(rng["scaler"])
        self.global_step = int(meta.get("global_step", 0))
        if meta.get("complete", True):
            self.epoch, self.batches_done = int(meta["epoch"]), 0
        else:
            self.epoch, self.batches_done = int(meta["epoch"]) - 1, int(meta["batches_done"])
        return path

    # ---------------------------------------------------------------- loop
    def _to_device(self, batch: dict) -> dict:
        nb = self.device.type == "cuda"
        batch = {k: v.to(self.device, non_blocking=nb) if torch.is_tensor(v) else v for k, v in batch.items()}
        return self.batch_transform(batch) if self.batch_transform is not None else batch

    def _snapshot(self) -> tuple:
        """What a forward pass changes besides the parameters: RNG states (dropout) and buffers (BatchNorm
        statistics); restored when a step is aborted, so a checkpoint saved then holds the last *consistent* state."""
        return rng_state(), [b.detach().clone() for b in self.net.buffers()]

    def _restore(self, snapshot: tuple) -> None:
        set_rng_state(snapshot[0])
        with torch.no_grad():
            for buf, saved in zip(self.net.buffers(), snapshot[1]):
                buf.copy_(saved)

    def _on_sigint(self, signum, frame) -> None:
        """First Ctrl-C: finish the current batch, then save and stop; a second one stops at once."""
        if self._stop_requested:
            raise KeyboardInterrupt
        self._stop_requested = True
        if self.rank == 0:
            print("\ninterrupt: finishing this batch, then saving (Ctrl-C again to stop at once)", flush=True)

    def _step(self, batch: dict) -> tuple[float, dict]:
        with torch.autocast(device_type=self.device.type, dtype=torch.float16, enabled=self.use_amp):
            loss, stats = self.actor(batch)
        value = loss.detach().float().reshape(1)
        if self.world_size > 1:  # every rank sees the same mean loss, so all stop together on a bad one
            dist.all_reduce(value)
            value /= self.world_size
        value = value.item()
        if not math.isfinite(value):
            raise TrainingError(
                f"loss is {value} at epoch {self.epoch + 1}, batch {self.batches_done + 1} (settings "
                f"'{self.options.settings_name}'); training stopped. Lower the learning rate, enable grad_clip, or "
                f"check the data; the last good checkpoint is in {self.checkpoint_dir}")
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        if self.options.grad_clip:
            self.scaler.unscale_(self.optimizer)
            nn.utils.clip_grad_norm_(self.net.parameters(), self.options.grad_clip)
        self._updating = True  # parameters / optimizer state change from here: an abort cannot be undone
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self._updating = False
        return value, stats

    def _log(self, stats: dict, value: float, rate: float, batch: dict) -> None:
        if self.writer is None:
            return
        if self.global_step % self.options.log_interval == 0:
            self.writer.add_scalar("Loss/train", value, self.global_step)
            for key, stat in stats.items():
                if key != "Loss/total":
                    self.writer.add_scalar(f"{key}/train" if not key.startswith("Loss/") else key, stat,
                                           self.global_step)
            self.writer.add_scalar("Speed/samples_per_s", rate, self.global_step)
            for group in self.optimizer.param_groups:
                self.writer.add_scalar(f"LR/{group.get('name', 'group')}", group["lr"], self.global_step)
        if self.options.image_interval and self.global_step % self.options.image_interval == 0:
            prob = predicted_masks(self.net, batch)
            normalization = getattr(self.net, "input_normalization", IMAGENET_NORMALIZATION)
            self.writer.add_image("Samples/image_gt_pred", sample_grid(batch, prob, normalization=normalization),
                                  self.global_step)

    def train(self) -> list[float]:
        """Run (or resume) until ``options.epochs``; returns the losses of the iterations run by this call.

        Ctrl-C (SIGINT, main thread) lets the running batch finish, saves and raises KeyboardInterrupt; an interrupt
        inside a step (before the optimizer update) rolls the step back, so the saved state is always the end of the
        last completed batch."""
        self._stop_requested, self._updating = False, False
        handler_set = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, self._on_sigint) if handler_set else None
        try:
            return self._train()
        finally:
            if handler_set:
                signal.signal(signal.SIGINT, previous)

    def _train(self) -> list[float]:
        opts = self.options
        start = len(self.losses)
        per_epoch = batches_per_epoch(len(self.dataset), opts.batch_size, self.world_size)
        if per_epoch < 1:
            raise TrainingError(f"samples_per_epoch={len(self.dataset)} is smaller than batch_size={opts.batch_size} "
                                f"x {self.world_size} process(es); raise samples_per_epoch or lower the batch size")
        while self.epoch < opts.epochs:
            epoch = self.epoch + 1
            loader = build_loader(self.dataset, opts.batch_size, epoch - 1, seed=opts.seed,
                                  num_workers=opts.num_workers, rank=self.rank, world_size=self.world_size,
                                  skip_batches=self.batches_done, device=self.device)
            self.net.train()
            bar = tqdm(total=per_epoch, initial=self.batches_done, desc=f"epoch {epoch}/{opts.epochs}",
                       disable=not opts.progress or self.rank != 0, dynamic_ncols=True, leave=False)
            tic, seen, epoch_losses = time.perf_counter(), 0, []
            snapshot = None
            try:
                for batch in loader:
                    batch = self._to_device(batch)
                    snapshot = self._snapshot()
                    value, stats = self._step(batch)
                    snapshot = None
                    self.losses.append(value)
                    epoch_losses.append(value)
                    self.batches_done += 1
                    self.global_step += 1
                    seen += opts.batch_size * self.world_size
                    rate = seen / max(time.perf_counter() - tic, 1e-9)
                    bar.set_postfix(loss=f"{value:.4f}", samples_s=f"{rate:.1f}")
                    bar.update(1)
                    self._log(stats, value, rate, batch)
                    if opts.stop_after_batches is not None and len(self.losses) - start >= opts.stop_after_batches:
                        bar.close()
                        return self.losses[start:]
                    if self._stop_requested:
                        raise KeyboardInterrupt
            except KeyboardInterrupt:
                bar.close()
                if self._updating:  # torn optimizer update: keep the last checkpoint instead of saving
                    print(f"\ninterrupted during an optimizer update; not saved, the last checkpoint in "
                          f"{self.checkpoint_dir} is kept")
                    raise
                if snapshot is not None:
                    self._restore(snapshot)  # the aborted batch leaves no trace (BatchNorm statistics, RNG)
                saved = self._save(epoch, self.batches_done)
                if saved is not None:
                    print(f"\ninterrupted: saved {saved} (epoch {epoch}, {self.batches_done} batches done); run the "
                          f"same command again to resume")
                raise
            bar.close()
            self.scheduler.step()
            self.epoch, self.batches_done = epoch, 0
            self._save(epoch, None)
            if self.writer is not None:
                self.writer.add_scalar("Loss/epoch", sum(epoch_losses) / max(len(epoch_losses), 1), epoch)
                self.writer.flush()
            if self.world_size > 1:
                dist.barrier()
        return self.losses[start:]

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
