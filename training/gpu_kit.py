#!/usr/bin/env python3
"""The GPU training kit: trains `base` and distils it into the CPU model, in one command, on a
machine with an NVIDIA GPU, PyTorch and CUDA and nothing else (no Java, GStreamer, OpenCV, YAML or
package registry). Its data comes in a pack made here (make_pack.py).

    python3 training/gpu_kit.py --pack .cache/pack/streamsr-pack.npz --out $OUT/kit --minutes 8
    python3 training/gpu_kit.py --pack PACK --out DIR --dry-run      # seconds on a CPU, in the pytest suite

Phases, within --minutes of wall time: base (configs/base.yaml's network) trained from scratch on
the pack's HR/LR clips for 45% of it; then the student (the pack's `student_arch`: the recurrent
CPU model, or the tiny one in packs without it), starting from the shipped weights in the pack,
trained on the ground truth and on base's output (distillation) for the rest. Losses:
Charbonnier + 4 x (1 - SSIM on luma) + 0.4 x structure/frequency, + 0.5 x temporal once half the
phase is done; the distillation adds Charbonnier to base's frames. Writes DIR/base.pt, DIR/<student>.pt
(train.py's checkpoint format: export.py --checkpoint takes them), DIR/log.txt, DIR/figures.json
(PSNR on held-out pack clips against bicubic, iterations, and the student graph's GPU frames/s at
320x180 -> 1280x720 in PyTorch and, if a TensorRT Python module is present, as a TensorRT FP16
engine), and DIR/<model name>.onnx when torch can export it.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from archs.model import EngineGraph, StreamSRNet
from archs.recurrent import RecurrentSRNet
import losses as L
from runlog import run_log

# The networks, as configs/base.yaml and configs/tiny-v7.yaml describe them (no YAML on the device).
BASE = {"latent_channels": 32, "flow_channels": 24, "key_channels": 16, "window": 5, "topk": 4, "rank": 8, "decoder_channels": 16}
TINY = {"latent_channels": 16, "flow_channels": 16, "key_channels": 8, "window": 3, "topk": 3, "rank": 4, "decoder_channels": 12}
# configs/recurrent-v2.yaml: the shipped CPU model since session 9.
RECURRENT = {"channels": 32, "hidden": 16, "blocks": 2, "flow_channels": 0}
STUDENTS = {"tiny": ("streamsr-tiny-x4", lambda: StreamSRNet(**TINY), TINY),
            "recurrent": ("streamsr-recurrent-x4", lambda: RecurrentSRNet(**RECURRENT), dict(RECURRENT, arch="recurrent"))}


def clips(pack, idx, device, crop, rng):
    """A batch of clips as N x T x 3 x H x W floats, with a random crop, flips and time reversal."""
    hr, lr = pack["hr"], pack["lr"]
    s = lr.shape[2]
    y, x = (int(rng.integers(0, s - crop + 1)) for _ in range(2))
    h = torch.from_numpy(hr[idx][:, :, 4 * y:4 * (y + crop), 4 * x:4 * (x + crop)]).to(device)
    l = torch.from_numpy(lr[idx][:, :, y:y + crop, x:x + crop]).to(device)
    h = h.permute(0, 1, 4, 2, 3).float() / 255
    l = l.permute(0, 1, 4, 2, 3).float() / 255
    for dim in (-1, -2, 1):
        if rng.random() < 0.5:
            h, l = h.flip(dim), l.flip(dim)
    return h, l


LOSS_WEIGHTS = {"pixel": 1.0, "ssim_y": 4.0, "structure": 0.4, "temporal": 0.5}


def loss_on(sr, hr, flows, temporal, weights=None, burn_in=0):
    """With burn_in, the clip's first frames only build the recurrent state and are not scored: the
    network is judged where the engine runs it, with history, and not on the zero-state start the
    per-frame ablation is."""
    w = LOSS_WEIGHTS if weights is None else {**LOSS_WEIGHTS, **weights}
    sr, hr, flows = sr[:, burn_in:], hr[:, burn_in:], flows[burn_in:]
    n, t = sr.shape[:2]
    a, b = sr.reshape(n * t, *sr.shape[2:]), hr.reshape(n * t, *hr.shape[2:])
    loss = w["pixel"] * L.charbonnier(a, b) + w["ssim_y"] * L.ssim_y_loss(a, b) + w["structure"] * L.structure_frequency(a, b)
    if temporal:
        loss = loss + w["temporal"] * L.temporal(sr, hr, flows)
    return loss


def psnr(sr, hr):
    return float(-10 * torch.log10(((sr.clamp(0, 1) - hr) ** 2).mean()))


def evaluate(net, pack, idx, device):
    """Mean PSNR (RGB) of the network and of bicubic on held-out clips."""
    out, bic = [], []
    with torch.no_grad():
        for i in idx:
            h = torch.from_numpy(pack["hr"][i:i + 1]).to(device).permute(0, 1, 4, 2, 3).float() / 255
            l = torch.from_numpy(pack["lr"][i:i + 1]).to(device).permute(0, 1, 4, 2, 3).float() / 255
            sr, _ = net.forward_clip(l)
            out.append(psnr(sr, h))
            b = F.interpolate(l[0], scale_factor=4, mode="bicubic", align_corners=False)
            bic.append(psnr(b.unsqueeze(0), h))
    return round(float(np.mean(out)), 3), round(float(np.mean(bic)), 3)


def train(net, pack, train_idx, seconds, device, log, name, teacher=None, batch=16, crop=24, lr=1e-3, max_iterations=None,
          checkpoint=None, weights=None, burn_in=0, temporal_from=0.5, per_frame=False):
    """Trains for `seconds` of wall time on a cosine schedule; `checkpoint(iteration)` is called every
    500 iterations, so a run cut short leaves its weights. per_frame: every frame of the batch's clips
    on its own (zero state, the previous frame itself), which trains the per-frame path alone."""
    opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=lr)
    rng = np.random.default_rng(len(name))
    t0, it = time.time(), 0
    while time.time() - t0 < seconds and (max_iterations is None or it < max_iterations):
        frac = (time.time() - t0) / seconds
        for g in opt.param_groups:
            g["lr"] = lr * (0.5 * (1 + np.cos(np.pi * min(1.0, frac))) * 0.95 + 0.05)
        idx = rng.choice(train_idx, size=min(batch, len(train_idx)), replace=False)
        hr, lr_clip = clips(pack, idx, device, crop, rng)
        if per_frame:
            hr, lr_clip = (c.reshape(-1, 1, *c.shape[2:]) for c in (hr, lr_clip))
        sr, flows = net.forward_clip(lr_clip)
        loss = loss_on(sr, hr, flows, temporal=frac >= temporal_from, weights=weights, burn_in=burn_in)
        if teacher is not None:
            with torch.no_grad():
                target, _ = teacher.forward_clip(lr_clip)
            loss = loss + L.charbonnier(sr, target)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        if it % 100 == 0:
            log(json.dumps({"phase": name, "it": it, "loss": round(float(loss), 5), "psnr": round(psnr(sr, hr), 2),
                            "s": round(time.time() - t0, 1)}))
        it += 1
        if checkpoint is not None and it % 500 == 0:
            checkpoint(it)
    return it


def gpu_throughput(net, device, out_dir, log, frames=200, name="streamsr-tiny-x4"):
    """Frames/s of the student graph at 320x180 -> 1280x720: PyTorch, and TensorRT FP16 when it is installed."""
    figures = {}
    graph = EngineGraph(net).eval().to(device)
    lr = torch.randint(0, 256, (1, 180, 320, 3), dtype=torch.uint8, device=device)
    s = net.latent_stride
    latent = torch.zeros(1, net.latent_channels, 180 // s, 320 // s, device=device)
    with torch.no_grad():
        for _ in range(10):
            _, latent = graph(lr, lr, latent)
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.time()
        for _ in range(frames):
            _, latent = graph(lr, lr, latent)
        if device.type == "cuda":
            torch.cuda.synchronize()
    figures["pytorch_fps_320x180"] = round(frames / (time.time() - t0), 1)
    onnx_path = os.path.join(out_dir, name + ".onnx")
    try:
        cpu_graph = EngineGraph(net.to("cpu")).eval()
        dyn = {"lr": {0: "N", 1: "H", 2: "W"}, "prev_lr": {0: "N", 1: "H", 2: "W"}, "prev_latent": {0: "N", 2: "h", 3: "w"},
               "sr": {0: "N", 1: "H4", 2: "W4"}, "latent": {0: "N", 2: "h", 3: "w"}}
        x = torch.randint(0, 256, (1, 64, 96, 3), dtype=torch.uint8)
        with torch.no_grad():
            torch.onnx.export(cpu_graph, (x, x, torch.zeros(1, net.latent_channels, 64 // s, 96 // s)), onnx_path, opset_version=17,
                              input_names=["lr", "prev_lr", "prev_latent"], output_names=["sr", "latent"], dynamic_axes=dyn)
        figures["onnx"] = os.path.basename(onnx_path)
        net.to(device)
    except Exception as e:  # an exporter that needs packages this machine lacks: export.py does it at home
        figures["onnx_error"] = str(e)[:300]
        net.to(device)
        return figures
    try:
        import tensorrt as trt  # noqa: F401
        figures.update(tensorrt_throughput(onnx_path, frames, s))
    except ImportError:
        figures["tensorrt"] = "no tensorrt Python module here"
    except Exception as e:
        figures["tensorrt_error"] = str(e)[:300]
    return figures


def tensorrt_throughput(onnx_path, frames, stride=2):
    """Builds the ONNX file as TensorRtEngine does (FP16, a profile around 320x180) and times enqueueV3."""
    import tensorrt as trt
    logger = trt.Logger(trt.Logger.WARNING)
    builder = trt.Builder(logger)
    network = builder.create_network(1 << int(trt.NetworkDefinitionCreationFlag.EXPLICIT_BATCH))
    parser = trt.OnnxParser(network, logger)
    with open(onnx_path, "rb") as f:
        if not parser.parse(f.read()):
            return {"tensorrt_error": "; ".join(str(parser.get_error(i)) for i in range(parser.num_errors))[:300]}
    config = builder.create_builder_config()
    config.set_flag(trt.BuilderFlag.FP16)
    profile = builder.create_optimization_profile()
    for name, c in (("lr", 3), ("prev_lr", 3)):
        profile.set_shape(name, (1, 90, 160, c), (1, 180, 320, c), (1, 720, 1280, c))
    lat = network.get_input(2).shape[1]
    profile.set_shape("prev_latent", (1, lat, 90 // stride, 160 // stride), (1, lat, 180 // stride, 320 // stride),
                      (1, lat, 720 // stride, 1280 // stride))
    config.add_optimization_profile(profile)
    t0 = time.time()
    plan = builder.build_serialized_network(network, config)
    build_s = time.time() - t0
    engine = trt.Runtime(logger).deserialize_cuda_engine(plan)
    ctx = engine.create_execution_context()
    ctx.set_input_shape("lr", (1, 180, 320, 3))
    ctx.set_input_shape("prev_lr", (1, 180, 320, 3))
    ctx.set_input_shape("prev_latent", (1, lat, 180 // stride, 320 // stride))
    tensors = {"lr": torch.zeros(1, 180, 320, 3, dtype=torch.uint8, device="cuda"),
               "prev_lr": torch.zeros(1, 180, 320, 3, dtype=torch.uint8, device="cuda"),
               "prev_latent": torch.zeros(1, lat, 180 // stride, 320 // stride, device="cuda"),
               "sr": torch.zeros(1, 720, 1280, 3, dtype=torch.uint8, device="cuda"),
               "latent": torch.zeros(1, lat, 180 // stride, 320 // stride, device="cuda")}
    for name, t in tensors.items():
        ctx.set_tensor_address(name, t.data_ptr())
    stream = torch.cuda.Stream()
    for _ in range(10):
        ctx.execute_async_v3(stream.cuda_stream)
    stream.synchronize()
    t0 = time.time()
    for _ in range(frames):
        ctx.execute_async_v3(stream.cuda_stream)
    stream.synchronize()
    return {"tensorrt_fp16_fps_320x180": round(frames / (time.time() - t0), 1), "tensorrt_build_s": round(build_s, 1),
            "tensorrt_version": trt.__version__}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pack", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=8.0, help="wall time for both phases together")
    ap.add_argument("--dry-run", action="store_true", help="a few iterations on the CPU, small batches: checks the kit")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    log = run_log(args.out)

    device = torch.device("cpu" if args.dry_run else args.device)
    torch.manual_seed(1234)
    pack = dict(np.load(args.pack))
    n = len(pack["hr"])
    held_out = list(range(max(1, n // 20)))
    train_idx = np.arange(len(held_out), n) if n > len(held_out) else np.arange(n)
    log(f"pack {args.pack}: {n} clips, {len(held_out)} held out; device {device}"
        + (f" ({torch.cuda.get_device_name(0)})" if device.type == "cuda" else ""))
    seconds = 2.0 if args.dry_run else args.minutes * 60
    limit = 2 if args.dry_run else None
    batch, crop = (2, 8) if args.dry_run else (32, 24)

    base = StreamSRNet(**BASE).to(device)
    its = train(base, pack, train_idx, 0.45 * seconds, device, log, "base", batch=batch, crop=crop, lr=1e-3, max_iterations=limit)
    torch.save({"model": base.state_dict(), "iteration": its, "config": {"name": "streamsr-base-x4", "model": BASE}},
               os.path.join(args.out, "base.pt"))
    base.eval()
    for p in base.parameters():
        p.requires_grad_(False)

    arch = str(pack["student_arch"]) if "student_arch" in pack else "tiny"
    name, make, config = STUDENTS[arch]
    student = make().to(device)
    prefix = "student/" if "student_arch" in pack else "tiny/"
    shipped = {k[len(prefix):]: torch.from_numpy(v) for k, v in pack.items() if k.startswith(prefix)}
    if shipped:
        missing = set(student.state_dict()) - set(shipped)
        own = student.state_dict()
        own.update({k: v.to(device) for k, v in shipped.items() if k in own})
        student.load_state_dict(own)
        log(f"{arch} starts from the shipped weights ({len(shipped)} tensors; new: {len(missing)})")
    student_its = train(student, pack, train_idx, 0.55 * seconds, device, log, "distil", teacher=base, batch=batch, crop=crop,
                        lr=3e-4, max_iterations=limit)
    torch.save({"model": student.state_dict(), "iteration": student_its, "config": {"name": name, "model": config}},
               os.path.join(args.out, f"{arch}.pt"))
    student.eval()
    figures = {"device": str(device), "student": arch, "base_iterations": its, "distil_iterations": student_its,
               "held_out_clips": len(held_out)}
    figures["base_psnr"], figures["bicubic_psnr"] = evaluate(base, pack, held_out, device)
    figures[f"{arch}_psnr"], _ = evaluate(student, pack, held_out, device)
    figures.update(gpu_throughput(student, device, args.out, log, frames=5 if args.dry_run else 200, name=name))
    with open(os.path.join(args.out, "figures.json"), "w") as f:
        json.dump(figures, f, indent=2)
    log(json.dumps(figures))


if __name__ == "__main__":
    main()
