"""``python -m pytracking.settings``: print every path setting, its resolved value and where it came from.

The settings themselves live in :mod:`ltr.admin.settings` (one place for ``ltr`` and ``pytracking``).
"""
from __future__ import annotations

import argparse
import json

from ltr.admin.cli import cli_main
from ltr.admin.settings import SETTINGS_KEYS, Settings, SettingsError, env_name, load_settings, settings_file

__all__ = ["Settings", "SettingsError", "load_settings", "main"]


@cli_main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pytracking.settings", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.json:
        print(json.dumps({s.key: {"value": s.value, "source": s.source} for s in settings}, indent=2))
        return 0
    print(f"settings file: {settings_file()}{'' if settings_file().is_file() else ' (not present)'}")
    width = max(len(k) for k in SETTINGS_KEYS)
    for s in settings:
        print(f"{s.key:<{width}}  {s.value if s.value is not None else '-':<40}  [{s.source}; env {env_name(s.key)}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
