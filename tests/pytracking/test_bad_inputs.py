"""Bad input to the pytracking layer (issue 9): tracker init, run_tracker CLI, worker processes."""
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from pytracking.run_tracker import main as run_tracker_main
from pytracking.tracker.base import resolve_init_region


@pytest.mark.parametrize("box", [[10, 10, 0.1, 0.1], [10, 10, 1.5, 30], [-9, 5, 10, 10]])
def test_init_box_under_two_pixels_is_rejected(box):
    with pytest.raises(ValueError, match="smaller than 2 px"):
        resolve_init_region((48, 64), box=box)  # the last one is 1 px wide once clipped to the image
    assert resolve_init_region((48, 64), box=[10, 10, 2, 2]).box.tolist() == [10, 10, 2, 2]


def test_run_tracker_unknown_dataset_and_results_path_a_file(make_synthetic, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        run_tracker_main(["fixedbox", "default", "--dataset", "nosuchset"])
    assert exc.value.code == 2 and "--dataset nosuchset" in capsys.readouterr().err
    root = make_synthetic("otb", sequences=1, frames=4, size=(64, 48))
    (tmp_path / "res").write_text("")
    rc = run_tracker_main(["fixedbox", "default", "--dataset", "otb", "--root", str(root), "--results",
                           str(tmp_path / "res")])
    err = capsys.readouterr()
    assert rc == 2 and err.err.count("\n") == 1 and "is a file, but the results folder" in err.err
    assert "[done]" not in err.out  # refused before tracking anything


def test_workers_die_with_their_parent_on_sigkill(tmp_path):
    script = textwrap.dedent("""
        import multiprocessing, os, signal, sys, time
        from pytracking.evaluation.running import die_with_parent

        def child(parent):
            die_with_parent(parent)
            time.sleep(60)

        if __name__ == "__main__":
            p = multiprocessing.get_context("fork").Process(target=child, args=(os.getpid(),))
            p.start()
            print(p.pid, flush=True)
            time.sleep(0.5)
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    pid = int(out.stdout.split()[0])
    deadline = time.time() + 5
    while time.time() < deadline and _alive(pid):
        time.sleep(0.1)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return "\nState:\tZ" not in f.read()
    except FileNotFoundError:
        return False
