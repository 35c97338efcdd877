#!/usr/bin/python3
"""Builds the data pack the GPU kit trains from, here, where Debian's OpenCV and GStreamer are:

    /usr/bin/python3 training/make_pack.py --out .cache/pack/streamsr-pack.npz

Degraded training clips (HR and LR, uint8; half of them degraded as a live stream arrives, half as
a camera: degrade.py's "mixed" profile, x264 included) and the shipped CPU model's weights to
start the distillation from, in one compressed .npz under --max-mib (the device machine receives at
most 64 MiB with the working tree). vtest.avi is never in it (data.load_clips refuses it).
"""
import argparse
import os

import numpy as np

from checkpoints import onnx_weights
from data import build_pool

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--clips", type=int, default=520)
    ap.add_argument("--frames", type=int, default=5)
    ap.add_argument("--lr-crop", type=int, default=32)
    ap.add_argument("--max-mib", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=8642)
    ap.add_argument("--student", default=os.path.join(ROOT, "models", "streamsr-recurrent-x4.onnx"),
                    help="the float model whose weights the distillation starts from (recurrent or tiny)")
    args = ap.parse_args()
    hr, lr = build_pool(args.clips, args.frames, args.lr_crop, args.seed, profile="mixed", static_fraction=0.35, curated=True)
    weights = onnx_weights(args.student)
    arch = "tiny" if "dec_up.weight" in weights else "recurrent"
    student = {f"student/{k}": v.numpy() for k, v in weights.items()}
    student["student_arch"] = np.array(arch)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    n = len(hr)
    while True:
        np.savez_compressed(args.out, hr=hr[:n], lr=lr[:n], **student)
        mib = os.path.getsize(args.out) / 2 ** 20
        if mib <= args.max_mib or n <= 8:
            break
        n = int(n * args.max_mib / mib * 0.97)
    print(f"{args.out}: {n} clips of {args.frames} frames, LR {args.lr_crop}px -> HR {args.lr_crop * 4}px, {mib:.1f} MiB")


if __name__ == "__main__":
    main()
