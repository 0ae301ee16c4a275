#!/usr/bin/env bash
# Set up the framework.
#   bash install.sh                      -> .venv/ in this checkout (pinned torch/torchvision, project + test extras)
#   bash install.sh CONDA_PATH ENV_NAME  -> a conda environment, as the original pytracking/D3S install.sh did
# Re-running is harmless: existing environments are reused and pip only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")"

TORCH_PIN="torch==2.14.1"
TORCHVISION_PIN="torchvision==0.29.1"

if [ "$#" -eq 2 ]; then
    conda_path="$1"; env_name="$2"
    # shellcheck disable=SC1091
    source "$conda_path/etc/profile.d/conda.sh"
    if ! conda env list | awk '{print $1}' | grep -qx "$env_name"; then
        conda create -y -n "$env_name" python=3.11
    fi
    conda activate "$env_name"
    py=python
elif [ "$#" -eq 0 ]; then
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv .venv
    fi
    py=.venv/bin/python
else
    echo "usage: bash install.sh                       (creates .venv/ in this checkout)" >&2
    echo "       bash install.sh CONDA_PATH ENV_NAME   (installs into a conda environment)" >&2
    exit 2
fi

"$py" -m pip install --quiet --upgrade pip
"$py" -m pip install --quiet "$TORCH_PIN" "$TORCHVISION_PIN"
"$py" -m pip install --quiet -e ".[test]"
# CSRT/KCF (classical baselines) are in OpenCV's contrib build (opencv-contrib-python, a dependency); vot-toolkit
# (test extra) requires opencv-python, which writes the same cv2/ folder. If the main build's files won, put the
# contrib files of the same version back (no dependency change; docs/trackers.md "Classical baselines").
if ! "$py" -c "import cv2, sys; sys.exit(0 if hasattr(cv2, 'TrackerCSRT_create') else 1)" 2>/dev/null; then
    cv_pin=$("$py" -c "from importlib.metadata import version; print('==' + version('opencv-contrib-python'))" \
             2>/dev/null || true)
    "$py" -m pip install --quiet --force-reinstall --no-deps "opencv-contrib-python$cv_pin"
fi
"$py" -c "import cv2, torch, torchvision, pytracking, ltr, votTester; cv2.TrackerCSRT_create; print('installed: torch', torch.__version__, '| torchvision', torchvision.__version__, '| OpenCV (contrib)', cv2.__version__)"
