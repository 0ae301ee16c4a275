"""DDP with 2 CPU processes (gloo, spawned here): the trainer runs 2 steps and the replicas stay identical."""
import subprocess
import sys
import textwrap

import torch

SCRIPT = textwrap.dedent('''
    import os, sys
    import torch
    import torch.multiprocessing as mp
    from torch import nn

    from ltr.trainers import Trainer, TrainerOptions
    from ltr.trainers.distributed import cleanup_distributed, init_distributed


    class Data(torch.utils.data.Dataset):
        def __len__(self):
            return 8

        def __getitem__(self, k):
            x = torch.randn(3, 6, 6, generator=torch.Generator().manual_seed(int(k)))
            return {"x": x, "y": (x[:1] > 0).float()}


    class Actor:
        def __init__(self, net):
            self.net = net

        def __call__(self, batch):
            loss = nn.functional.binary_cross_entropy_with_logits(self.net(batch["x"]), batch["y"])
            return loss, {"Loss/total": loss.item(), "channels": float(self.net.out_channels)}


    class Net(nn.Sequential):
        out_channels = 1


    def worker(rank, out, port):
        os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE="2",
                          LOCAL_RANK=str(rank))
        info = init_distributed("cpu")
        torch.manual_seed(rank)  # different inits: DDP must broadcast rank 0's weights
        net = Net(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 1, 3, padding=1))
        opt = torch.optim.SGD(net.parameters(), lr=0.5)
        sched = torch.optim.lr_scheduler.StepLR(opt, 10)
        trainer = Trainer(Actor(net), Data(), opt, sched,
                          TrainerOptions(epochs=1, batch_size=2, progress=False, stop_after_batches=2),
                          net_config={"arch": "t"}, checkpoint_dir=out + "/ckpt", rank=info.rank,
                          world_size=info.world_size)
        losses = trainer.train()
        torch.save({"params": [p.detach().clone() for p in net.parameters()], "losses": losses},
                   f"{out}/rank{rank}.pt")
        cleanup_distributed()


    if __name__ == "__main__":
        mp.spawn(worker, args=(sys.argv[1], int(sys.argv[2])), nprocs=2, join=True)
''')


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_process_gloo_training_keeps_replicas_identical(tmp_path):
    script = tmp_path / "ddp_run.py"
    script.write_text(SCRIPT)
    subprocess.run([sys.executable, str(script), str(tmp_path), str(_free_port())], check=True, timeout=120,
                   capture_output=True)
    r0 = torch.load(tmp_path / "rank0.pt", weights_only=True)
    r1 = torch.load(tmp_path / "rank1.pt", weights_only=True)
    assert len(r0["losses"]) == 2 and r0["losses"] == r1["losses"]  # rank-averaged losses
    for a, b in zip(r0["params"], r1["params"]):
        assert torch.equal(a, b)
    torch.manual_seed(0)
    start = torch.nn.Conv2d(3, 4, 3, padding=1).weight
    assert not torch.equal(r0["params"][0], start)  # the weights moved
