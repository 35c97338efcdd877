#!/usr/bin/python3
"""Scores training checkpoints on a clip while a run goes on: PSNR and SSIM on Y of the first N
frames, degraded as eval.py degrades them, with the cached latent fed back, in PyTorch.

    /usr/bin/python3 training/probe.py --video .cache/media/vtest.avi --frames 200 training/runs/tiny-v6e/last.pt

For comparing checkpoints of a run, not for reporting: eval.py runs the exported model through the
Java engine and adds E_warp and the per-frame ablation. On the first 200 vtest frames the two agree
to the third decimal of PSNR and the fourth of SSIM (version 4: 25.899 dB / 0.7293 both).
Pass an .onnx with --config to score an exported model's weights (read back with checkpoints.onnx_weights).
"""
import argparse

import numpy as np
import torch

from archs.model import StreamSRNet
from checkpoints import load_grown, onnx_weights
from config import load_config
from degrade import degrade_clip, fixed_params
from eval import psnr_y, read_clip, ssim_y


def load(path, model_config=None):
    """A checkpoint carries its config; an exported model needs the config's `model:` section."""
    if path.endswith(".onnx"):
        if model_config is None:
            raise SystemExit(f"{path}: an exported model needs --config")
        net = StreamSRNet(**model_config)
        load_grown(net, onnx_weights(path))
        return net.eval(), path
    state = torch.load(path, map_location="cpu")
    net = StreamSRNet(**state["config"]["model"])
    net.load_state_dict(state["model"])
    return net.eval(), f"{path} (iteration {state['iteration']})"


@torch.no_grad()
def upscale(net, lr_frames, history=True):
    """The network over a clip as the engine runs it; history=False is the per-frame ablation."""
    h, w = lr_frames[0].shape[:2]
    s = net.latent_stride
    latent, prev, out = torch.zeros(1, net.latent_channels, h // s, w // s), None, []
    for f in lr_frames:
        x = torch.from_numpy(f).permute(2, 0, 1)[None].float() / 255
        if not history:
            latent, prev = torch.zeros_like(latent), None
        sr, latent, _ = net.step(x, x if prev is None else prev, latent)
        prev = x
        out.append((sr.clamp(0, 1) * 255 + 0.5).to(torch.uint8)[0].permute(1, 2, 0).numpy())
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--video", required=True)
    ap.add_argument("--frames", type=int, default=200)
    ap.add_argument("--config", help="the model's config, for .onnx files")
    ap.add_argument("--threads", type=int, default=1, help="leave the other core to the training run")
    ap.add_argument("checkpoints", nargs="+", help="train.py checkpoints (.pt) or exported models (.onnx)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    hr = read_clip(args.video, args.frames)
    lr = degrade_clip(hr, fixed_params(0))
    model_config = load_config(args.config)["model"] if args.config else None
    for path in args.checkpoints:
        net, label = load(path, model_config)
        sr = upscale(net, lr)
        print(f"{label}: PSNR-Y {np.mean([psnr_y(s, h) for s, h in zip(sr, hr)]):.3f} dB, "
              f"SSIM-Y {np.mean([ssim_y(s, h) for s, h in zip(sr, hr)]):.4f} ({len(hr)} frames)", flush=True)


if __name__ == "__main__":
    main()
