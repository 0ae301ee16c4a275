"""Target-state update, uncertainty gate and parameters of the DCF (§1.4, §1.7, §1.8)."""
import math

import numpy as np
import pytest

from pytracking.libs.dcf import DCFParams, TargetState, UncertaintyGate, clamp_to_image, update_state
from pytracking.libs.dcf.state import initial_target_scale
from pytracking.parameter.base import ParameterError


def _state(pos, target_sz, p) -> TargetState:
    """The frame-1 state as DCFLocalizer.initialize reports it (scale from initial_target_scale)."""
    scale = initial_target_scale(target_sz, p)
    return TargetState(np.array(pos), np.array(target_sz), scale, np.array(target_sz) / scale)


def test_initial_geometry():
    p = DCFParams()
    state = _state([100.0, 120.0], [40.0, 90.0], p)
    assert state.target_scale == pytest.approx(4.5 * 60 / 256)
    np.testing.assert_allclose(state.base_target_sz * state.target_scale, [40, 90])
    with pytest.raises(ValueError, match="positive"):
        initial_target_scale([0, 10], p)


def test_update_state_clamps_scale_keeps_aspect_and_20_percent_inside():
    p = DCFParams()
    state = _state([100.0, 120.0], [40.0, 90.0], p)
    image_sz = (240, 320)
    new = update_state(state, [50.0, 60.0], state.target_scale * 1.5, image_sz)
    np.testing.assert_allclose(new.target_sz, [60, 135])
    assert new.target_sz[0] / new.target_sz[1] == pytest.approx(40 / 90)
    np.testing.assert_allclose(new.pos, [50, 60])
    np.testing.assert_allclose(state.target_sz, [40, 90])            # input untouched
    # Scale bounds: max(10 / base) below, min(image / base) above.
    tiny = update_state(state, [50.0, 60.0], 1e-6, image_sz)
    assert tiny.target_scale == pytest.approx(float(np.max(10 / state.base_target_sz)))
    assert min(tiny.target_sz) == pytest.approx(10)
    huge = update_state(state, [50.0, 60.0], 1e6, image_sz)
    assert huge.target_scale == pytest.approx(float(np.min(np.array(image_sz) / state.base_target_sz)))
    # Position: the box may leave the image only up to 80 % (centre within -0.3 size .. image + 0.3 size).
    out = update_state(state, [-100.0, 1000.0], None, image_sz)
    np.testing.assert_allclose(out.pos, [-0.3 * 40, 320 + 0.3 * 90])
    assert out.target_scale == state.target_scale
    np.testing.assert_allclose(clamp_to_image([-3.0, 400.0], image_sz), [0, 319])


def test_uncertainty_gate_sequence():
    gate = UncertaintyGate(threshold=3.0, budget=3, warmup_frames=5)
    # Frames 2..5: uncertainty 0, scores are appended.
    for frame in range(2, 6):
        assert gate.step(frame, 0.5) == (0.0, True)
    assert list(gate.history) == [0.5, 0.5, 0.5]                      # budget 3: the initial 1 is gone
    u, ok = gate.step(6, 0.25)
    assert u == pytest.approx(2.0) and ok
    u, ok = gate.step(7, 0.1)                                         # mean(0.5, 0.5, 0.25) / 0.1 = 4.17
    assert u == pytest.approx((0.5 + 0.5 + 0.25) / 3 / 0.1) and not ok
    assert list(gate.history) == [0.5, 0.5, 0.25]
    assert gate.step(8, 0.9, "not_found") == (100.0, False)
    assert gate.step(9, -0.2) == (math.inf, False)
    assert gate.uncertainty(3, -0.2) == 0.0


def test_gate_history_starts_with_one():
    gate = UncertaintyGate.from_params(DCFParams())
    assert list(gate.history) == [1.0] and gate.history.maxlen == 25
    assert gate.uncertainty(6, 0.5) == pytest.approx(2.0)


def test_params_reject_unknown_and_invalid_values():
    with pytest.raises(ParameterError, match="learning_rat"):
        DCFParams.from_dict({"learning_rat": 0.1})
    with pytest.raises(ParameterError, match="feature_stride"):
        DCFParams(sample_size=100)
    with pytest.raises(ParameterError, match="score_nyquist"):
        DCFParams(score_nyquist="both")
    with pytest.raises(ParameterError, match="learning_rate"):
        DCFParams(learning_rate=0.0)
    p = DCFParams(sample_size=64, feature_stride=4)
    assert (p.feature_size, p.output_size, p.num_init_samples) == (16, 64, 27)
    with pytest.raises(ParameterError):
        p.sample_sz = 3
