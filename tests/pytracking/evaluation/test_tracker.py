"""Tracker registry, results layout, typed parameter files and per-sequence parameter copies."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from pytracking.evaluation.tracker import TRACKERS, Tracker, available_parameters, tracker_class
from pytracking.parameter.base import ParameterError, TrackerParams
from pytracking.tracker.fixedbox import FixedBoxTracker


def test_registry_lists_the_three_trackers_and_the_baseline():
    assert {"segm", "dmb", "fixedbox"} <= set(TRACKERS)
    assert tracker_class("fixedbox") is FixedBoxTracker
    with pytest.raises(KeyError, match="registered trackers: .*fixedbox"):
        Tracker("nosuch", "default", results_path="/tmp/x")


def test_results_dir_layout(tmp_path):
    assert Tracker("fixedbox", "default", results_path=tmp_path).results_dir == tmp_path / "fixedbox" / "default"
    assert Tracker("segm", "d3s", run_id=7, results_path=tmp_path).results_dir == tmp_path / "segm" / "d3s_007"


def test_results_dir_follows_the_results_path_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTRACKING_RESULTS_PATH", str(tmp_path / "res"))
    assert Tracker("fixedbox", "default", run_id=1).results_dir == (tmp_path / "res" / "fixedbox" / "default_001")


def test_unknown_parameter_file_names_the_available_ones(tmp_path):
    with pytest.raises(ValueError, match=r"no parameter file 'nosuch'.*available: default"):
        Tracker("fixedbox", "nosuch", results_path=tmp_path).get_parameters()
    assert "default" in available_parameters("fixedbox")


def test_parameters_reject_unknown_keys(tmp_path):
    params = Tracker("fixedbox", "default", results_path=tmp_path).get_parameters()
    with pytest.raises(ParameterError, match=r"unknown key\(s\) output_msk; known keys: output_mask"):
        params.output_msk = False
    with pytest.raises(ParameterError, match=r"unknown key\(s\) bogus"):
        type(params).from_dict({"output_mask": False, "bogus": 1})
    assert type(params).from_dict({"output_mask": False}).output_mask is False


@dataclass
class _Nested(TrackerParams):
    thresholds: list | None = None


def test_replace_is_a_deep_copy():
    a = _Nested(thresholds=[1, 2])
    b = a.replace()
    b.thresholds.append(3)
    assert a.thresholds == [1, 2]
    with pytest.raises(ParameterError):
        a.replace(nope=1)


def test_create_tracker_copies_params_per_sequence(tmp_path):
    tracker = Tracker("fixedbox", "default", results_path=tmp_path)
    params = tracker.get_parameters()
    t1 = tracker.create_tracker(params)
    t1.params.output_mask = False  # a tracker changing its own params (e.g. VOS thresholds) ...
    t2 = tracker.create_tracker(params)
    assert params.output_mask is True and t2.params.output_mask is True  # ... never leaks into the next sequence
    assert t1.params is not t2.params
    image = np.zeros((40, 50, 3), np.uint8)
    assert t1.initialize(image, box=[1, 2, 3, 4])["mask"] is None
    assert t2.initialize(image, box=[1, 2, 3, 4])["mask"].shape == (40, 50)


@pytest.mark.parametrize("name, param, memory", [("segm", "default_params", "cmedfl"), ("segm", "d3s", "d3s"),
                                                 ("segm", "paper_params", "cmedfl"), ("dmb", "default_params", None)])
def test_segmentation_parameter_files(name, param, memory, tmp_path):
    params = Tracker(name, param, results_path=tmp_path).get_parameters()
    assert getattr(params, "appearance_memory", None) == memory
    assert params.segm_output_sz == (384 if param == "paper_params" else 128)
    assert params.segm_mask_thr == 0.5  # §1.7 values
    assert (params.feature_pass, params.dcf.sample_size) == ("separate", 256)   # the originals' two crops
    with pytest.raises(ParameterError, match=r"unknown key\(s\) sample_sz"):
        params.dcf.sample_sz = 3
    assert Tracker(name, param, results_path=tmp_path).get_parameters() == params  # fresh and equal each time


def test_apply_overrides_reaches_nested_groups_and_rejects_unknown_keys():
    from pytracking.parameter.base import apply_overrides

    params = Tracker("segm", "default_params", results_path="/tmp").get_parameters()
    new = apply_overrides(params, ["net_path=/nets/x.pth", "dcf.sample_size=128", "dcf.search_area_scale=4.0",
                                   "segm_mask_thr=0.3"])
    assert (new.net_path, new.dcf.sample_size, new.segm_mask_thr) == ("/nets/x.pth", 128, 0.3)
    assert params.dcf.sample_size == 256  # the original is untouched
    with pytest.raises(ParameterError, match="set dcf.sample_size=144"):   # the shared pass keeps the net's scale
        apply_overrides(params, ["feature_pass=shared"])
    with pytest.raises(ParameterError, match=r"unknown key\(s\) dcf.nope; known keys: dcf.augment_blur"):
        apply_overrides(params, ["dcf.nope=1"])
    with pytest.raises(ParameterError, match=r"unknown key\(s\) memory.x"):   # memory is not a parameter group
        apply_overrides(params, ["memory.x=1"])
    with pytest.raises(ParameterError, match="'dcf.sample_size' must be int, got 'big'"):
        apply_overrides(params, ["dcf.sample_size=big"])
    with pytest.raises(ParameterError, match="KEY=VALUE"):
        apply_overrides(params, ["novalue"])
