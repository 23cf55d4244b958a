#!/usr/bin/env bash
# The GPU path, for real: every solution notebook with torch on cuda, and the conv benchmark with a GPU
# column. For a lent accelerator machine whose image has PyTorch but not Jupyter: the wheels for
# nbclient/ipykernel/ipywidgets travel in .whl/ (see the device tool's notes). Not part of CI.
set -euo pipefail
if [ -d .whl ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site:$PWD
fi
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"
python3 bench/run_solutions.py "$@"
python3 bench/conv_bench.py --repeat 5
