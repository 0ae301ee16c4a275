"""Atomic writes: an exception inside the block leaves the previous content and no temporary file."""
import pytest

from ltr.admin.atomic import atomic_open, atomic_write_text


def test_write_replaces_content(tmp_path):
    target = tmp_path / "sub" / "r.txt"
    atomic_write_text(target, "a\n")
    atomic_write_text(target, "b\n")
    assert target.read_text() == "b\n"
    assert [p.name for p in target.parent.iterdir()] == ["r.txt"]


def test_interrupted_write_keeps_old_file(tmp_path):
    target = tmp_path / "r.txt"
    atomic_write_text(target, "old\n")
    with pytest.raises(KeyboardInterrupt):
        with atomic_open(target) as f:
            f.write("half")
            raise KeyboardInterrupt
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.txt"]


def test_written_files_get_the_usual_permissions(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "r.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "r.txt").stat().st_mode & 0o777 == 0o644
