"""The hand-copy ``pytracking/vot/trackers.ini`` says what ``pytracking.vot.workspace`` writes: one entry per
shipped tracker configuration, device cpu (the workspace writer's ``--device`` default), parameter files that exist."""
from __future__ import annotations

import configparser
from pathlib import Path

from pytracking.evaluation.tracker import Tracker
from pytracking.vot.workspace import trackers_ini_entry

INI = Path(__file__).resolve().parents[3] / "pytracking" / "vot" / "trackers.ini"
PLACEHOLDER = "/path/to/.venv/bin/python"


def test_every_shipped_entry_is_the_workspace_writers_entry_on_cpu():
    shipped = configparser.ConfigParser(inline_comment_prefixes=None, comment_prefixes=(";",))
    shipped.read(INI, encoding="utf-8")
    assert shipped.sections()
    for name in shipped.sections():
        entry = shipped[name]
        tracker, params = entry["env_PYTRACKING_TRAX_TRACKER"], entry["env_PYTRACKING_TRAX_PARAM"]
        assert entry["env_PYTRACKING_TRAX_DEVICE"] == "cpu", name
        expected = configparser.ConfigParser()
        expected.read_string(trackers_ini_entry(tracker, params, entry["env_PYTRACKING_TRAX_REGION"],
                                                python=PLACEHOLDER))
        assert dict(expected[name]) == dict(entry), name
        Tracker(tracker, params, results_path=".").get_parameters()  # the parameter file exists and loads
