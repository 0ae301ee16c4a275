"""The generic trainer: end-to-end loop, bit-for-bit resume (between and inside epochs), NaN stop, checkpoints."""
import subprocess
import sys

import pytest
import torch
from torch import nn

from ltr.admin.checkpoint import list_checkpoints, load_checkpoint
from ltr.trainers import Trainer, TrainerOptions, TrainingError


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.Dropout(0.2),
                                  nn.Conv2d(8, 1, 3, padding=1))

    def forward(self, x):
        return self.body(x)


class MaskData(torch.utils.data.Dataset):
    """Item k: a random image whose target mask is the thresholded first channel (learnable)."""

    def __init__(self, n=16, size=8):
        self.n, self.size = n, size

    def __len__(self):
        return self.n

    def __getitem__(self, k):
        g = torch.Generator().manual_seed(int(k))
        x = torch.randn(3, self.size, self.size, generator=g)
        return {"x": x, "y": (x[:1] > 0).float()}


class Actor:
    def __init__(self, net, fail_at=None, interrupt_at=None, interrupt_after_forward=None):
        self.net, self.calls, self.fail_at, self.interrupt_at = net, 0, fail_at, interrupt_at
        self.interrupt_after_forward = interrupt_after_forward

    def __call__(self, batch):
        self.calls += 1
        if self.calls == self.interrupt_at:
            raise KeyboardInterrupt
        loss = nn.functional.binary_cross_entropy_with_logits(self.net(batch["x"]), batch["y"])
        if self.calls == self.interrupt_after_forward:  # BatchNorm statistics and dropout RNG already moved
            raise KeyboardInterrupt
        if self.calls == self.fail_at:
            loss = loss * float("nan")
        return loss, {"Loss/total": loss.item()}


def make_trainer(tmp_path, epochs, actor_kwargs=None, **options):
    torch.manual_seed(0)
    net = TinyNet()
    actor = Actor(net, **(actor_kwargs or {}))
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.StepLR(opt, 2, 0.5)
    opts = TrainerOptions(epochs=epochs, batch_size=4, seed=3, settings_name="test/tiny", progress=False, **options)
    return Trainer(actor, MaskData(), opt, sched, opts, net_config={"arch": "tiny"},
                   checkpoint_dir=tmp_path / "ckpt", tensorboard_dir=tmp_path / "tb")


def test_loop_trains_and_checkpoints_every_epoch(tmp_path):
    trainer = make_trainer(tmp_path, epochs=6, image_interval=0)
    losses = trainer.train()
    trainer.close()
    assert len(losses) == 6 * 4
    assert sum(losses[-4:]) < 0.7 * sum(losses[:4])
    assert [e for e, _ in list_checkpoints(tmp_path / "ckpt")] == [1, 2, 3, 4, 5, 6]
    last = load_checkpoint(tmp_path / "ckpt" / "TinyNet_ep0006.pth")
    assert last["meta"]["epoch"] == 6 and last["meta"]["complete"] and last["config"] == {"arch": "tiny"}
    assert last["scheduler"]["last_epoch"] == 6
    assert last["optimizer"]["param_groups"][0]["lr"] == pytest.approx(1e-2 / 8)
    assert any(p.name.startswith("events") for p in (tmp_path / "tb").iterdir())


def test_resume_between_epochs_is_bit_for_bit(tmp_path):
    reference = make_trainer(tmp_path / "a", epochs=3).train()
    first = make_trainer(tmp_path / "b", epochs=1).train()
    again = make_trainer(tmp_path / "b", epochs=3)
    assert again.resume().name == "TinyNet_ep0001.pth"
    assert first + again.train() == reference


def test_keyboard_interrupt_saves_and_resume_inside_epoch_is_bit_for_bit(tmp_path):
    reference = make_trainer(tmp_path / "a", epochs=2).train()
    interrupted = make_trainer(tmp_path / "b", epochs=2, actor_kwargs={"interrupt_at": 7})
    with pytest.raises(KeyboardInterrupt):
        interrupted.train()
    meta = load_checkpoint(tmp_path / "b" / "ckpt" / "TinyNet_ep0002.pth")["meta"]
    assert meta["complete"] is False and meta["batches_done"] == 2
    resumed = make_trainer(tmp_path / "b", epochs=2)
    resumed.resume()
    assert interrupted.losses + resumed.train() == reference


def test_non_finite_loss_stops_with_a_clear_message(tmp_path):
    trainer = make_trainer(tmp_path, epochs=2, actor_kwargs={"fail_at": 6})
    with pytest.raises(TrainingError, match=r"loss is nan at epoch 2, batch 2 \(settings 'test/tiny'\)"):
        trainer.train()
    assert [e for e, _ in list_checkpoints(tmp_path / "ckpt")] == [1]


def test_resume_refuses_another_net_config(tmp_path):
    make_trainer(tmp_path, epochs=1).train()
    other = make_trainer(tmp_path, epochs=2)
    other.net_config = {"arch": "other"}
    with pytest.raises(TrainingError, match="net config differs"):
        other.resume()


def test_checkpoint_loads_in_fresh_process_with_weights_only(tmp_path):
    make_trainer(tmp_path, epochs=1).train()
    path = tmp_path / "ckpt" / "TinyNet_ep0001.pth"
    code = "import torch,sys; p=torch.load(sys.argv[1], weights_only=True); print(p['meta']['settings'], len(p['net']))"
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["test/tiny", str(len(TinyNet().state_dict()))]


def test_interrupt_after_the_forward_pass_saves_the_last_consistent_state(tmp_path):
    reference = make_trainer(tmp_path / "a", epochs=2).train()
    interrupted = make_trainer(tmp_path / "b", epochs=2, actor_kwargs={"interrupt_after_forward": 7})
    with pytest.raises(KeyboardInterrupt):
        interrupted.train()
    assert load_checkpoint(tmp_path / "b" / "ckpt" / "TinyNet_ep0002.pth")["meta"]["batches_done"] == 2
    resumed = make_trainer(tmp_path / "b", epochs=2)
    resumed.resume()
    assert interrupted.losses + resumed.train() == reference  # no BatchNorm statistic of the aborted batch leaked


def test_sigint_finishes_the_batch_then_saves(tmp_path):
    import os
    import signal

    class SigintActor(Actor):
        def __call__(self, batch):
            out = super().__call__(batch)
            if self.calls == 3:
                os.kill(os.getpid(), signal.SIGINT)  # arrives inside the step: the step still completes
            return out

    reference = make_trainer(tmp_path / "a", epochs=2).train()
    trainer = make_trainer(tmp_path / "b", epochs=2)
    trainer.actor = SigintActor(trainer.net)
    with pytest.raises(KeyboardInterrupt):
        trainer.train()
    assert len(trainer.losses) == 3
    assert load_checkpoint(tmp_path / "b" / "ckpt" / "TinyNet_ep0001.pth")["meta"]["batches_done"] == 3
    resumed = make_trainer(tmp_path / "b", epochs=2)
    resumed.resume()
    assert trainer.losses + resumed.train() == reference


def test_resume_refuses_a_changed_recipe_unless_forced(tmp_path):
    recipe = {"train_settings": {"batch_size": 4, "processing": {"output_size": 96}, "epochs": 1}}
    make_trainer(tmp_path, epochs=1, extra_meta=recipe).train()
    changed = {"train_settings": {"batch_size": 4, "processing": {"output_size": 128}, "epochs": 2}}
    with pytest.raises(TrainingError, match=r"recipe changed .*processing.output_size: 96 -> 128.*--force-resume"):
        make_trainer(tmp_path, epochs=2, extra_meta=changed).resume()
    other_batch = make_trainer(tmp_path, epochs=2, extra_meta=recipe)
    other_batch.options.batch_size = 2
    with pytest.raises(TrainingError, match=r"batch_size: 4 -> 2"):
        other_batch.resume()
    more_epochs = {"train_settings": {**recipe["train_settings"], "epochs": 5}}
    assert make_trainer(tmp_path, epochs=2, extra_meta=more_epochs).resume() is not None  # epochs may change
    assert make_trainer(tmp_path, epochs=2, extra_meta=changed, force_resume=True).resume() is not None
