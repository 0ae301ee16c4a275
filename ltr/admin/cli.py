"""One error handler for every command-line entry point: a user error (bad input, a setting, a missing or
unwritable file, a full disk) prints ONE line on stderr naming the file / setting and exits with code 2; Ctrl-C exits
with code 130; anything else (a bug) keeps its traceback.

    @cli_main
    def main(argv=None) -> int: ...
"""
from __future__ import annotations

import errno
import functools
import os
import sys
from typing import Callable

from ltr.admin.errors import DataFormatError
from ltr.admin.settings import SettingsError, expand_user, unknown_home

__all__ = ["cli_main", "user_error_line", "check_writable_dir", "EXIT_USER_ERROR", "EXIT_INTERRUPTED"]

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130

#: (module, class) of the project's user-facing errors; looked up in ``sys.modules`` (a class can only have been
#: raised if its module is loaded), so this module imports nothing heavy.
_USER_ERRORS = (("ltr.trainers.trainer", "TrainingError"), ("ltr.models.config", "NetConfigError"),
                ("ltr.models.backbone", "BackboneWeightsError"), ("pytracking.parameter.base", "ParameterError"),
                ("ltr.admin.checkpoint", "CheckpointError"), ("ltr.models.legacy", "LegacyCheckpointError"))
_WORKER_TRACEBACK = "Original Traceback (most recent call last):"


def _user_error_types() -> tuple[type, ...]:
    types: list[type] = [DataFormatError, SettingsError]
    for module, name in _USER_ERRORS:
        cls = getattr(sys.modules.get(module), name, None)
        if isinstance(cls, type):
            types.append(cls)
    return tuple(types)


def _from_worker(text: str) -> str | None:
    """The original error line of an exception re-raised from a DataLoader worker / a process pool."""
    if _WORKER_TRACEBACK not in text:
        return None
    last = [ln for ln in text.splitlines() if ln.strip()][-1]
    names = ("DataFormatError", "SettingsError") + tuple(n for _, n in _USER_ERRORS)
    head, _, message = last.partition(": ")
    if head.rsplit(".", 1)[-1] in names and message:
        return f"{message} (raised in a worker process)"
    return None


def _os_error_line(exc: OSError) -> str:
    where = exc.filename if exc.filename is not None else ""
    where = f"{where} -> {exc.filename2}" if exc.filename2 else where
    if exc.errno == errno.ENOSPC:
        return f"disk full (no space left on the device) while writing {where or 'a file'}; free space or choose " \
               f"another output folder"
    if exc.errno == errno.EDQUOT:
        return f"disk quota exceeded while writing {where or 'a file'}"
    if isinstance(exc, PermissionError):
        return f"permission denied: {where}; check the file/folder permissions or choose another location"
    if isinstance(exc, FileNotFoundError):
        return f"no such file or folder: {where}"
    if isinstance(exc, NotADirectoryError):
        return f"not a folder: {where} (a file is in the way of a folder path)"
    if isinstance(exc, IsADirectoryError):
        return f"is a folder, expected a file: {where}"
    if isinstance(exc, FileExistsError):
        return f"already exists: {where}"
    return f"{exc.strerror or exc}: {where}" if where else str(exc)


def user_error_line(exc: BaseException) -> str | None:
    """The one-line message for a user error, ``None`` for an exception that is a bug (keeps its traceback)."""
    text = str(exc)
    worker = _from_worker(text)
    if worker is not None:
        return worker
    if isinstance(exc, _user_error_types()):
        return text.splitlines()[0] if text else type(exc).__name__
    if isinstance(exc, OSError) and (exc.filename is not None or exc.errno in (errno.ENOSPC, errno.EDQUOT)):
        return _os_error_line(exc)
    if isinstance(exc, RuntimeError) and "PytorchStreamWriter failed" in text:
        return "writing a checkpoint failed (disk full or the folder is not writable)"
    return None


def cli_main(func: Callable[..., int]) -> Callable[..., int]:
    """Decorator for ``main(argv=None) -> int``: user errors (and ``SystemExit("message")``) -> ``error: <one line>``
    on stderr and exit code 2;
    ``KeyboardInterrupt`` -> ``interrupted`` and 130."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs) -> int:
        try:
            argv = kwargs.get("argv", args[0] if args else None)
            _check_home_prefixes(sys.argv[1:] if argv is None else argv)
            return func(*args, **kwargs)
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        except SystemExit as exc:  # raise SystemExit("message") is a user error too; argparse's exits pass through
            if not isinstance(exc.code, str):
                raise
            print(f"error: {exc.code}", file=sys.stderr)
            return EXIT_USER_ERROR
        except Exception as exc:  # noqa: BLE001 - re-raised below unless it is a user error
            line = user_error_line(exc)
            if line is None:
                raise
            print(f"error: {line}", file=sys.stderr)
            return EXIT_USER_ERROR

    return wrapper


def _check_home_prefixes(argv) -> None:
    """Refuse a command-line value starting with ``~user`` for a user that does not exist (the shell leaves it
    unexpanded and it would become a folder literally named ``~user``); the error names the option."""
    if not isinstance(argv, (list, tuple)):
        return
    for i, token in enumerate(argv):
        if not isinstance(token, str):
            continue
        option, sep, value = token.partition("=")
        if sep and option.startswith("-"):
            where = option
        else:
            value = token
            before = argv[i - 1] if i > 0 else None
            where = before if isinstance(before, str) and before.startswith("-") and "=" not in before else \
                "a command-line argument"
        if unknown_home(value) is not None:
            expand_user(value, where)


def check_writable_dir(path: str | os.PathLike, what: str) -> None:
    """Make sure ``path`` is (or can be created as) a writable folder BEFORE long work starts; raises
    :class:`DataFormatError` naming it and ``what`` (e.g. "results folder (--results / results_path)")."""
    path = os.path.abspath(expand_user(path, what))
    probe = path
    while not os.path.exists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    if not os.path.isdir(probe):
        raise DataFormatError(probe, f"is a file, but the {what} {path} must be a folder; remove it or choose "
                                     f"another location")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise DataFormatError(probe, f"is not writable, so the {what} {path} cannot be written; fix the "
                                     f"permissions or choose another location")
