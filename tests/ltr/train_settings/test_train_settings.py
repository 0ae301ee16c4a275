"""TrainSettings: sampler/processing sections, dotted overrides, unknown keys and types, dict round trip (nested and
the flat layout of the shipped checkpoints)."""
import dataclasses
import json
from pathlib import Path

import pytest

from ltr.admin.params import ParameterError
import torch

import pytracking
from ltr.admin.settings import SettingsError
from ltr.data.processing import ProcessingParams
from ltr.data.samplers import SamplerParams
from ltr.train_settings import TrainSettings, available_recipes, load_recipe


def test_sections_take_their_defaults_from_the_params_classes():
    settings = TrainSettings(net={"arch": "d3s"})
    assert settings.sampler == SamplerParams() and settings.processing == ProcessingParams()
    top_level = {f.name for f in dataclasses.fields(TrainSettings)}
    for kind in (SamplerParams, ProcessingParams):  # one definition per key: no top-level copy of a section field
        assert not top_level & {f.name for f in dataclasses.fields(kind)}


def test_dotted_overrides_change_one_field_of_a_section():
    settings, _ = load_recipe("segm", "segm_tiny")
    changed = settings.with_text_overrides(["processing.output_size=160", "sampler.samples_per_epoch=640",
                                            "processing.search_factor=5", "epochs=2"])
    assert changed.processing == dataclasses.replace(settings.processing, output_size=160, search_factor=5.0)
    assert isinstance(changed.processing.search_factor, float)
    assert changed.sampler == dataclasses.replace(settings.sampler, samples_per_epoch=640) and changed.epochs == 2
    assert settings.processing.output_size == 128 and settings.sampler.samples_per_epoch == 1600  # not mutated
    # a section as a JSON object changes the named fields and keeps the others
    narrow = changed.with_text_overrides(['sampler={"max_gap": 7, "min_visible": 3}'])
    assert narrow.sampler == dataclasses.replace(changed.sampler, max_gap=7, min_visible=3)
    # switching to sequence mode needs mode and num_frames together: one call, one check
    assert settings.replace(**{"sampler.mode": "sequence", "sampler.num_frames": 3}).sampler.num_frames == 3


def test_unknown_section_keys_are_errors_naming_the_key_and_the_known_ones():
    settings, _ = load_recipe("segm", "segm_tiny")
    with pytest.raises(SettingsError, match=r"segm/segm_tiny: unknown key\(s\) processing.output_sz; known keys: "
                                            r"processing.box_mask_prob, .*processing.output_size") as info:
        settings.with_text_overrides(["processing.output_sz=1"])
    assert "epochs" not in str(info.value)  # only the section's keys are listed
    with pytest.raises(SettingsError, match=r"unknown key\(s\) output_size; did you mean processing.output_size\?"):
        settings.with_text_overrides(["output_size=1"])
    with pytest.raises(SettingsError, match=r"unknown key\(s\) sampler.gap; known keys: sampler.max_gap"):
        settings.replace(sampler={"gap": 3})
    with pytest.raises(SettingsError, match=r"unknown key\(s\) optim.lr"):
        settings.with_text_overrides(["optim.lr=1"])


def test_section_values_are_type_and_range_checked():
    settings, _ = load_recipe("segm", "segm_tiny")
    with pytest.raises(SettingsError, match="'sampler.samples_per_epoch' must be int, got 1.5"):
        settings.with_text_overrides(["sampler.samples_per_epoch=1.5"])
    with pytest.raises(SettingsError, match="'processing.output_size' must be int, got 'big'"):
        settings.with_text_overrides(["processing.output_size=big"])
    with pytest.raises(SettingsError, match="'sampler' must be SamplerParams, got 3"):
        settings.with_text_overrides(["sampler=3"])
    with pytest.raises(SettingsError, match="segm/segm_tiny: processing: .*box_mask_prob in \\[0, 1\\]"):
        settings.with_text_overrides(["processing.box_mask_prob=2"])
    with pytest.raises(SettingsError, match="sampler: pair mode samples 2 frames"):
        settings.with_text_overrides(["sampler.num_frames=3"])
    with pytest.raises(ParameterError, match="ProcessingParams: 'output_size' must be int, got 96.5"):
        ProcessingParams(output_size=96.5)                  # a section checks its own types when it is built


@pytest.mark.parametrize("name", available_recipes())
def test_every_recipe_round_trips_through_json_and_a_weights_only_checkpoint(name, tmp_path):
    settings, _ = load_recipe(*name.split("/"))
    stored = settings.to_dict()
    assert stored["sampler"] == dataclasses.asdict(settings.sampler)
    assert TrainSettings.from_dict(json.loads(json.dumps(stored))) == settings
    torch.save({"meta": {"train_settings": stored}}, tmp_path / "meta.pth")
    loaded = torch.load(tmp_path / "meta.pth", weights_only=True)["meta"]["train_settings"]
    assert TrainSettings.from_dict(loaded) == settings


def test_stored_settings_read_back_and_a_flat_section_key_is_refused():
    stored = {"net": {"arch": "d3s"}, "name": "segm/old", "epochs": 3,
              "processing": {"output_size": 64, "search_factor": 3},
              "sampler": {"samples_per_epoch": 32, "mode": "sequence", "num_frames": 3}}
    settings = TrainSettings.from_dict(stored)
    assert settings.processing == ProcessingParams(output_size=64, search_factor=3.0)
    assert settings.sampler == SamplerParams(samples_per_epoch=32, mode="sequence", num_frames=3)
    assert (settings.name, settings.epochs) == ("segm/old", 3)
    assert TrainSettings.from_dict(settings.to_dict()) == settings
    # the layout from before the sections is no longer read: a section key at top level names its section
    with pytest.raises(SettingsError,
                       match=r"segm/old: unknown key\(s\) output_size; did you mean processing.output_size"):
        TrainSettings.from_dict({**stored, "output_size": 64})
    with pytest.raises(SettingsError, match="no 'net' key"):
        TrainSettings.from_dict({"epochs": 3})


@pytest.mark.parametrize("module,name", [("segm", "segm_tiny"), ("segm", "d3s_tiny"), ("dmb", "dmb_tiny")])
def test_shipped_checkpoints_record_the_settings_of_their_recipe(module, name):
    path = Path(pytracking.__file__).parent / "networks" / f"{name}.pth"
    meta = torch.load(path, weights_only=True)["meta"]["train_settings"]
    stored = TrainSettings.from_dict(meta)
    recipe, _ = load_recipe(module, name)
    assert stored.processing == recipe.processing and stored.sampler == recipe.sampler
    assert stored.net == recipe.net and stored.synthetic == recipe.synthetic
    assert (stored.epochs, stored.lr_step, stored.batch_size) == (recipe.epochs, recipe.lr_step, recipe.batch_size)
