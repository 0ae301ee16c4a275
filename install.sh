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
"$py" -c "import torch, torchvision, pytracking, ltr, votTester; print('installed: torch', torch.__version__, '| torchvision', torchvision.__version__)"
