"""The DCF target localiser of D3S / DMB / CMEDFL (§1.4): search-area samples, PCA projection, frame-1
augmentations, Gaussian labels, weighted training set, Gauss-Newton/CG training, Fourier upsampling of the scores,
peak flags, the uncertainty gate and the target-state update. See docs/dcf.md."""
from pytracking.libs.dcf.localizer import DCFLocalizer, LocalizationResult
from pytracking.libs.dcf.params import DCFParams
from pytracking.libs.dcf.state import (TargetState, UncertaintyGate, clamp_to_image, initial_target_scale,
                                       update_state)

__all__ = ["DCFLocalizer", "DCFParams", "LocalizationResult", "TargetState", "UncertaintyGate", "clamp_to_image",
           "initial_target_scale", "update_state"]
