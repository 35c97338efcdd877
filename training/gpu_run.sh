#!/usr/bin/env bash
# What a session with a device machine runs there, as one command through the device tool:
#   run(command="bash training/gpu_run.sh", carry=[".cache/pack"], timeout_s=600)
# after `/usr/bin/python3 training/make_pack.py --out .cache/pack/streamsr-pack.npz` here, and a
# dry run here: `python3 training/gpu_kit.py --pack .cache/pack/streamsr-pack.npz --out /tmp/kit --dry-run`.
# Everything it writes goes under $OUT/kit and comes back: base.pt, recurrent.pt (the student), log.txt, figures.json,
# streamsr-recurrent-x4.onnx. Export, quantize and evaluate recurrent.pt here (training/README.md, "GPU kit").
set -euo pipefail
out=${OUT:-/tmp/out}/kit
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$out/gpu.txt" 2>&1 || true
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.is_available())" >> "$out/gpu.txt" 2>&1
python3 training/gpu_kit.py --pack .cache/pack/streamsr-pack.npz --out "$out" --minutes "${KIT_MINUTES:-7.5}"
