#!/usr/bin/python3
"""Session 7's question for region of interest (issue 21): when an operator moves a region a little
while it plays (same size, new position), should the upscaler keep the stream's history or start
it again? Crops a moving LR window out of vtest.avi degraded as a live stream: region A for the
first half, then A moved by a few pixels. Scores the frames after the move with the history
carried across the move and with it reset at the move, for the tiny model and the default
recurrent one, in PyTorch (the engine computes the same, tests/test_model.py).

    cd training && /usr/bin/python3 -m experiments.region_move
"""
import argparse
import json
import os

import numpy as np
import torch

from checkpoints import load_grown, onnx_weights
from config import build, load_config
from degrade import degrade_clip, stream_params
from eval import psnr_y, read_clip
from probe import upscale

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(HERE)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=80, help="frames in all; the move comes half way")
    ap.add_argument("--after", type=int, default=10, help="frames after the move that are scored")
    args = ap.parse_args()
    torch.set_num_threads(1)
    hr = read_clip(os.path.join(ROOT, ".cache", "media", "vtest.avi"), args.frames)
    lr = degrade_clip(hr, stream_params(quantizer=26))
    half = args.frames // 2
    w, h = 96, 72  # LR window; the region's size stays, its position moves
    results = {}
    for name, config, model in (("tiny v6", "tiny-v7.yaml", "streamsr-tiny-x4.onnx"), ("recurrent v2", "recurrent-v2.yaml", "streamsr-recurrent-x4.onnx")):
        net = build(load_config(os.path.join(HERE, "configs", config)))
        weights = onnx_weights(os.path.join(ROOT, "models", model))
        if hasattr(net, "dec_up"):
            load_grown(net, weights)
        else:
            net.load_state_dict(weights)
        net.eval()
        r = {}
        for dx, dy in ((2, 0), (4, 2), (8, 6), (16, 12)):
            x0, y0 = 80, 60
            lr_crops = [f[y0:y0 + h, x0:x0 + w] for f in lr[:half]] + [f[y0 + dy:y0 + dy + h, x0 + dx:x0 + dx + w] for f in lr[half:]]
            hr_crops = [f[4 * y0:4 * (y0 + h), 4 * x0:4 * (x0 + w)] for f in hr[:half]] + \
                       [f[4 * (y0 + dy):4 * (y0 + dy + h), 4 * (x0 + dx):4 * (x0 + dx + w)] for f in hr[half:]]
            with torch.no_grad():
                kept = upscale(net, lr_crops)[half:half + args.after]
                reset = upscale(net, lr_crops[half:])[:args.after]
            target = hr_crops[half:half + args.after]
            k = float(np.mean([psnr_y(s, t) for s, t in zip(kept, target)]))
            z = float(np.mean([psnr_y(s, t) for s, t in zip(reset, target)]))
            r[f"moved {dx},{dy} LR px"] = {"history kept": round(k, 3), "history reset": round(z, 3), "kept - reset": round(k - z, 3)}
        results[name] = r
        print(name, json.dumps(r), flush=True)
    os.makedirs(os.path.join(HERE, "runs"), exist_ok=True)
    with open(os.path.join(HERE, "runs", "region_move.json"), "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
