#!/usr/bin/python3
"""Trains a StreamSR model with DLoRAL's alternating schedule.

    /usr/bin/python3 training/train.py --config training/configs/tiny.yaml --out training/runs/tiny
    /usr/bin/python3 training/train.py --config training/configs/tiny.yaml --out /tmp/smoke --iterations 5 --pool 16

Stages (no pretrained diffusion prior exists here, so the base weights learn too):
- warm-up: every base weight with pixel + structure/frequency loss;
- consistency: CFR, flow, encoder/UNet base and C-LoRA trainable; L_cons = pixel + structure + temporal;
- detail: D-LoRA and decoder trainable; L_enh = L_cons + adversarial (small discriminator from scratch);
alternating every `stage_switch` iterations, with L(s) = (1 - s/s_t) L_cons + (s/s_t) L_enh ramping over
`blend_steps` after each switch into detail (and back down after a switch into consistency).
Data keys in the config's `train:`: `degradation` (full | moderate, degrade.PROFILES), `static_fraction`
(share of fixed-camera synthetic clips), `images` (all | curated, data.NOT_CAMERA_CONTENT left out).
Checkpoints (`last.pt`) resume exactly; logs go to OUT/log.txt. Runs on Debian's torch 1.13 (CPU) and
newer PyTorch with CUDA (`--device cuda`).
"""
import argparse
import json
import os
import random
import time

import numpy as np
import torch

from archs.discriminator import PatchDiscriminator
from archs.lora import lora_parameters
from checkpoints import load_grown, onnx_weights
from config import build, load_config
from data import build_pool
import losses as L
from runlog import run_log


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def stage_at(it, warmup, switch):
    """('warmup' | 'consistency' | 'detail', iterations since the last switch)."""
    if it < warmup:
        return "warmup", it
    k, s = divmod(it - warmup, switch)
    return ("consistency" if k % 2 == 0 else "detail"), s


def param_groups(net, stage):
    lora_c, lora_d = set(map(id, lora_parameters(net, "c"))), set(map(id, lora_parameters(net, "d")))
    decoder = {id(p) for m in (net.dec_up, net.dec_conv, net.dec_blocks, net.dec_out) for p in m.parameters()}
    out = []
    for p in net.parameters():
        pid = id(p)
        if stage == "warmup":
            train = pid not in lora_c and pid not in lora_d
        elif stage == "consistency":
            train = pid not in lora_d and pid not in decoder
        else:
            train = pid in lora_d or pid in decoder
        p.requires_grad_(train)
        if train:
            out.append(p)
    return out


def batch(hr_pool, lr_pool, size, rng, device):
    idx = rng.integers(0, len(hr_pool), size)
    hr = torch.from_numpy(hr_pool[idx]).to(device).permute(0, 1, 4, 2, 3).float() / 255
    lr = torch.from_numpy(lr_pool[idx]).to(device).permute(0, 1, 4, 2, 3).float() / 255
    if rng.random() < 0.5:
        hr, lr = hr.flip(-1), lr.flip(-1)
    if rng.random() < 0.5:
        hr, lr = hr.flip(-2), lr.flip(-2)
    if rng.random() < 0.5:  # play the clip backwards: motion both ways
        hr, lr = hr.flip(1), lr.flip(1)
    return hr, lr


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--iterations", type=int)
    ap.add_argument("--pool", type=int, default=1200, help="degraded training clips kept in memory")
    ap.add_argument("--init", help="start from this checkpoint's (or exported .onnx model's) weights: a fine-tune, iterations "
                    "count from 0; the config may add trunk/decoder blocks or widen the decoder (checkpoints.load_grown)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    cfg = load_config(args.config)
    tc = cfg["train"]
    iterations = args.iterations or tc["iterations"]
    torch.set_num_threads(int(tc.get("threads", 2)))
    seed_everything(tc["seed"])
    os.makedirs(args.out, exist_ok=True)
    log = run_log(args.out)

    device = torch.device(args.device)
    net = build(cfg).to(device)
    disc = PatchDiscriminator().to(device)
    d_opt = torch.optim.Adam(disc.parameters(), lr=tc["lr"] * 0.5, betas=(0.5, 0.99))
    start = 0
    ckpt = os.path.join(args.out, "last.pt")
    state = torch.load(ckpt, map_location=device) if os.path.exists(ckpt) else None
    if state:
        net.load_state_dict(state["model"])
        disc.load_state_dict(state["disc"])
        d_opt.load_state_dict(state["d_opt"])
        start = state["iteration"]
        log(f"resumed at iteration {start}")
    elif args.init:
        init = onnx_weights(args.init) if args.init.endswith(".onnx") else torch.load(args.init, map_location=device)["model"]
        new = load_grown(net, init)
        fresh = [k for k in new if "_down." not in k and "_up." not in k]  # LoRA branches start as no change anyway
        log(f"initialised from {args.init}; {len(new)} tensors new" + (f", of them not LoRA: {', '.join(fresh)}" if fresh else ""))

    log(f"building a pool of {args.pool} degraded clips")
    hr_pool, lr_pool = build_pool(args.pool, tc["frames"], tc["lr_crop"], tc["seed"], log=log,
                                  profile=tc.get("degradation", "full"), static_fraction=tc.get("static_fraction", 0.0),
                                  curated=tc.get("images", "all") == "curated")
    rng = np.random.default_rng(tc["seed"] + start)
    w = tc["weights"]
    warmup = int(iterations * tc.get("warmup_fraction", 0.25))
    stage, opt = None, None
    t0 = time.time()
    for it in range(start, iterations):
        current, since = stage_at(it, warmup, tc["stage_switch"])
        if current != stage:
            stage = current
            opt = torch.optim.Adam(param_groups(net, stage), lr=tc["lr"] * (1.0 if stage == "warmup" else 0.5))
            if state and state.get("stage") == stage and state.get("opt"):
                try:
                    opt.load_state_dict(state["opt"])
                except ValueError:
                    pass
            log(f"iteration {it}: stage {stage}")
        lr_now = tc["lr"] * (1.0 if stage == "warmup" else 0.5) * (0.5 * (1 + np.cos(np.pi * it / iterations)) * 0.9 + 0.1)
        for g in opt.param_groups:
            g["lr"] = lr_now
        hr, lr = batch(hr_pool, lr_pool, tc["batch"], rng, device)
        sr, flows = net.forward_clip(lr)
        n, t = sr.shape[:2]
        flat_sr, flat_hr = sr.reshape(n * t, *sr.shape[2:]), hr.reshape(n * t, *hr.shape[2:])
        pixel = L.charbonnier(flat_sr, flat_hr)
        structure = L.structure_frequency(flat_sr, flat_hr)
        l_cons = w["pixel"] * pixel + w["structure"] * structure
        if w.get("ssim_y"):
            l_cons = l_cons + w["ssim_y"] * L.ssim_y_loss(flat_sr, flat_hr)
        temporal = torch.zeros((), device=device)
        adv = torch.zeros((), device=device)
        if stage != "warmup":
            temporal = L.temporal(sr, hr, flows)
            l_cons = l_cons + w["temporal"] * temporal
            ramp = min(1.0, since / max(1, tc["blend_steps"]))
            first_consistency = it - since == warmup  # no detail stage came before it: nothing to ramp out of
            # L(s) = (1 - s/s_t) L_cons + (s/s_t) L_enh, ramping in after a switch to detail and out after one back.
            s = ramp if stage == "detail" else (0.0 if first_consistency else 1.0 - ramp)
            if s > 0:
                adv = L.g_hinge(disc(flat_sr))
                loss = (1 - s) * l_cons + s * (l_cons + w["adversarial"] * adv)
            else:
                loss = l_cons
        else:
            loss = l_cons
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        if stage == "detail":
            d_opt.zero_grad(set_to_none=True)
            d_loss = L.d_hinge(disc(flat_hr), disc(flat_sr.detach().clamp(0, 1)))
            d_loss.backward()
            d_opt.step()
        if it % 50 == 0 or it == iterations - 1:
            with torch.no_grad():
                psnr = -10 * torch.log10(((flat_sr.clamp(0, 1) - flat_hr) ** 2).mean()).item()
            log(json.dumps({"it": it, "stage": stage, "loss": round(loss.item(), 5), "pixel": round(pixel.item(), 5),
                            "structure": round(structure.item(), 5), "temporal": round(float(temporal), 5),
                            "adv": round(float(adv), 5), "psnr": round(psnr, 2), "lr": round(lr_now, 6),
                            "s_per_it": round((time.time() - t0) / (it - start + 1), 3)}))
        if (it + 1) % 250 == 0 or it == iterations - 1:
            torch.save({"model": net.state_dict(), "disc": disc.state_dict(), "d_opt": d_opt.state_dict(),
                        "opt": opt.state_dict(), "stage": stage, "iteration": it + 1, "config": cfg}, ckpt + ".tmp")
            os.replace(ckpt + ".tmp", ckpt)
    log(f"done: {iterations} iterations in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
