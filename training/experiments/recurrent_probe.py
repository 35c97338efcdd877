#!/usr/bin/python3
"""Session 6's experiment: does a hidden state at LR resolution (recurrent.RecurrentSRNet) earn its
place where the shipped graph's stride-2 latent does not? Trains it from scratch on mixed-degradation
clips for --minutes on this CPU, then scores it in PyTorch on the first --frames of vtest.avi under
both evaluation degradations, with its per-frame ablation (zero hidden state, the frame as its own
predecessor), next to bicubic and the shipped model run the same way.

    cd training && /usr/bin/python3 -m experiments.recurrent_probe --minutes 18 --out runs/recurrent

Session 7 continues a run: --init a checkpoint, a lower --lr, larger --crop (the flow sees more
motion), another --seed for fresh clips.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from archs.recurrent import RecurrentSRNet
from checkpoints import load_grown, onnx_weights
from config import build, load_config
from data import build_pool
from degrade import degrade_clip, fixed_params, stream_params
from eval import psnr_y, read_clip, ssim_y
from gpu_kit import train
from probe import upscale as run


def bicubic(lr_frames):
    out = []
    for f in lr_frames:
        x = torch.from_numpy(f).permute(2, 0, 1)[None].float() / 255
        y = F.interpolate(x, scale_factor=4, mode="bicubic", align_corners=False)
        out.append((y.clamp(0, 1) * 255 + 0.5).to(torch.uint8)[0].permute(1, 2, 0).numpy())
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default=os.path.join(HERE, "configs", "recurrent.yaml"), help="the network (arch: recurrent)")
    ap.add_argument("--minutes", type=float, default=18)
    ap.add_argument("--out", required=True)
    ap.add_argument("--frames", type=int, default=120)
    ap.add_argument("--pool", type=int, default=800)
    ap.add_argument("--init", help="checkpoint (last.pt) to continue from, or an exported float model (.onnx): a fresh machine has no runs/")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--crop", type=int, default=24, help="LR crop side, at most --lr-size")
    ap.add_argument("--lr-size", type=int, default=32, help="LR side of the pool's clips")
    ap.add_argument("--clip-frames", type=int, default=7)
    ap.add_argument("--seed", type=int, default=13579)
    ap.add_argument("--profile", default="mixed")
    ap.add_argument("--stream-share", type=float, default=0.5, help="with --profile mixed: the share of live-stream clips")
    ap.add_argument("--fast-share", type=float, default=0.0, help="share of synthetic clips with --fast-speed times faster motion")
    ap.add_argument("--fast-speed", type=float, default=4.0)
    ap.add_argument("--qat", action="store_true", help="quantization-aware: calibrate on 48 clips as quantize.py does, then train "
                                                       "with the int8 graph's activation rounding simulated")
    ap.add_argument("--burn-in", type=int, default=0, help="the first N frames of each clip build the state and are not scored")
    ap.add_argument("--train-only", nargs="*", default=[], help="train only the parameters under these module names (e.g. gate): "
                                                                 "the rest stays as --init left it, and so does the per-frame ablation")
    ap.add_argument("--temporal-from", type=float, default=0.5, help="the share of the run after which the temporal loss is on")
    ap.add_argument("--per-frame", action="store_true", help="train on every frame of the clips on its own (zero state): the per-frame path alone")
    ap.add_argument("--weights", default="{}", help='loss weights over gpu_kit.LOSS_WEIGHTS, JSON: {"pixel": 4}')
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(7)
    os.makedirs(args.out, exist_ok=True)
    t0 = time.time()
    hr, lr = build_pool(args.pool, args.clip_frames, args.lr_size, args.seed, log=None, profile=args.profile, static_fraction=0.35, curated=True,
                        stream_share=args.stream_share, fast_share=args.fast_share, fast_speed=args.fast_speed)
    pack = {"hr": hr, "lr": lr}
    print(f"pool of {len(hr)} clips in {time.time() - t0:.0f} s", flush=True)
    net = build(load_config(args.config))
    assert isinstance(net, RecurrentSRNet), "--config must describe a recurrent network"
    start = 0
    if args.init:
        state = {"model": onnx_weights(args.init)} if args.init.endswith(".onnx") else torch.load(args.init, map_location="cpu")
        # A network grown from another (version 3's feedback gate on version 2's weights) starts its new layers fresh.
        missing, unexpected = net.load_state_dict(state["model"], strict=False)
        assert not unexpected, f"--init has weights this network lacks: {unexpected}"
        if missing:
            print(f"new in this network, trained from scratch: {missing}", flush=True)
        start = state.get("iteration", 0)
    if args.train_only:
        for name, p in net.named_parameters():
            p.requires_grad_(any(name == m or name.startswith(m + ".") for m in args.train_only))
        print(f"training only {[n for n, p in net.named_parameters() if p.requires_grad]}", flush=True)
    if args.qat:
        from quantize import PERCENTILE, calibrate, calibration_clips, fake_quantize_activations
        net.eval()
        fake_quantize_activations(net, calibrate(net, calibration_clips(), PERCENTILE))
        net.train()
        print("quantization-aware: activations of the int8 convolutions fake-quantized", flush=True)

    def save(its):
        torch.save({"model": net.state_dict(), "iteration": start + its}, os.path.join(args.out, "last.pt"))

    its = train(net, pack, np.arange(len(hr)), args.minutes * 60, torch.device("cpu"), print, "recurrent", batch=8,
                crop=args.crop, lr=args.lr, checkpoint=save, weights=json.loads(args.weights), burn_in=args.burn_in, temporal_from=args.temporal_from, per_frame=args.per_frame)
    save(its)
    net.eval()
    shipped = build(load_config(os.path.join(HERE, "configs", "tiny-v7.yaml")))
    load_grown(shipped, onnx_weights(os.path.join(os.path.dirname(HERE), "models", "streamsr-tiny-x4.onnx")))
    shipped.eval()
    hr_clip = read_clip(os.path.join(os.path.dirname(HERE), ".cache", "media", "vtest.avi"), args.frames)
    results = {"iterations": its, "frames": args.frames}
    for name, params in (("camera", fixed_params(0)), ("stream", stream_params(quantizer=26))):
        lr_clip = degrade_clip(hr_clip, params)
        r = {}
        for method, frames in (("bicubic", bicubic(lr_clip)), ("recurrent", run(net, lr_clip)),
                               ("recurrent per-frame ablation", run(net, lr_clip, history=False)),
                               ("shipped v6", run(shipped, lr_clip)), ("shipped v6 per-frame ablation", run(shipped, lr_clip, history=False))):
            r[method] = {"psnr_y": round(float(np.mean([psnr_y(s, h) for s, h in zip(frames, hr_clip)])), 3),
                         "ssim_y": round(float(np.mean([ssim_y(s, h) for s, h in zip(frames, hr_clip)])), 4)}
        results[name] = r
    print(json.dumps(results, indent=2))
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
