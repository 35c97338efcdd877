#!/usr/bin/python3
"""Evaluates an exported model on a clip, through the real engine, next to bicubic and the per-frame ablation.

    /usr/bin/python3 training/eval.py --video .cache/media/vtest.avi --model models/streamsr-tiny-x4.onnx

The clip is the ground truth (HR). It is degraded into LR in one or both of two ways
(--degradation): `camera`, the fixed heavy degradation (seed 0: blur, resize, noise, JPEG, second
stage, x4 down, x264 q26), and `stream`, the way a live stream arrives (area x4 down, x264 q26, no
added blur or noise). Then every method runs frame by frame through `bin/streamsr bench replay`, i.e. the Java engine with the previous frame and cached
latent fed back exactly as the upscaler does:
- bicubic: models/bicubic-x4.onnx;
- model: the model with its cached latent;
- per-frame ablation: the same model with every frame treated as a stream's first (zero latent,
  CFR off).
Reported per degradation: PSNR and SSIM on Y (BT.601, 4-pixel border cropped) against HR, and the warping error
E_warp (x1e-3, RGB in [0, 1]): SR frame t-1 warped onto t with DIS optical flow computed on the HR
frames, over pixels that pass a forward-backward consistency check; and model minus ablation per
frame (PSNR-Y) and per frame pair (E_warp) with 95% intervals. Writes models/NAME.md/.json and
side-by-side crops and a temporal profile under models/cards/.
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

import cv2
import numpy as np

from degrade import degrade_clip, fixed_params, stream_params

# The two ways the evaluation degrades the ground truth into LR.
DEGRADATIONS = {
    "camera": (lambda: fixed_params(0), "fixed_params(0): blur, resize, noise, JPEG, 2nd stage, x4 down, x264 q26"),
    "stream": (lambda: stream_params(quantizer=26), "stream_params(q=26): area x4 down, x264 q26 (a live stream)"),
}

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_clip(path, limit=None):
    cap = cv2.VideoCapture(path)
    frames = []
    while limit is None or len(frames) < limit:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(f, cv2.COLOR_BGR2RGB))
    if not frames:
        raise SystemExit(f"cannot read {path}")
    h, w = frames[0].shape[:2]
    h8, w8 = h // 8 * 8, w // 8 * 8  # LR sides even, as the latent stride needs
    return [f[:h8, :w8] for f in frames]


def replay(model, lr_frames, no_history=False):
    h, w = lr_frames[0].shape[:2]
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "lr.rgb"), os.path.join(d, "sr.rgb")
        np.stack(lr_frames).tofile(src)
        cmd = [os.path.join(ROOT, "bin", "streamsr"), "bench", "replay", "--model", model, "--size", f"{w}x{h}",
               "--in", src, "--out", dst] + (["--no-history"] if no_history else [])
        r = subprocess.run(cmd, check=True, capture_output=True, text=True)
        timing = [l for l in r.stdout.splitlines() if "frames" in l]
        sr = np.fromfile(dst, np.uint8).reshape(len(lr_frames), h * 4, w * 4, 3)
    return list(sr), (timing[-1] if timing else "")


def y_channel(rgb):
    f = rgb.astype(np.float64)
    return 16.0 + (65.481 * f[..., 0] + 128.553 * f[..., 1] + 24.966 * f[..., 2]) / 255.0


def psnr_y(a, b, border=4):
    ya, yb = y_channel(a)[border:-border, border:-border], y_channel(b)[border:-border, border:-border]
    mse = np.mean((ya - yb) ** 2)
    return 100.0 if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def ssim_y(a, b, border=4):
    x, y = y_channel(a)[border:-border, border:-border], y_channel(b)[border:-border, border:-border]
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    blur = lambda z: cv2.GaussianBlur(z, (11, 11), 1.5)  # noqa: E731
    mx, my = blur(x), blur(y)
    sxx, syy, sxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    m = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return float(m[5:-5, 5:-5].mean())


def flows(hr):
    """Flow from frame t to t-1 on the HR frames, and a forward-backward consistency mask."""
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    out = []
    grays = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in hr]
    h, w = grays[0].shape
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    for t in range(1, len(hr)):
        back = dis.calc(grays[t], grays[t - 1], None)
        fwd = dis.calc(grays[t - 1], grays[t], None)
        mx, my = gx + back[..., 0], gy + back[..., 1]
        fwd_at = cv2.remap(fwd, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        mask = np.sum((back + fwd_at) ** 2, -1) < 0.01 * (np.sum(back ** 2, -1) + np.sum(fwd_at ** 2, -1)) + 0.5
        out.append((mx, my, mask))
    return out


def e_warp_pairs(frames, flow_list):
    """The warping error of every consecutive pair (t-1, t), unscaled."""
    errs = []
    for t in range(1, len(frames)):
        mx, my, mask = flow_list[t - 1]
        warped = cv2.remap(frames[t - 1].astype(np.float32) / 255, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        d = np.sum((frames[t].astype(np.float32) / 255 - warped) ** 2, -1)
        errs.append(float(d[mask].mean()) if mask.any() else 0.0)
    return np.array(errs)


def paired_difference(a, b):
    """Mean of a - b over frame pairs (x1e-3) with a 95% interval, and the share of pairs where a < b:
    whether a difference between two methods on the same frames is more than noise."""
    d = 1e3 * (np.asarray(a) - np.asarray(b))
    half = 1.96 * d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else float("nan")
    return {"mean_1e3": round(float(d.mean()), 5), "ci95_1e3": [round(float(d.mean() - half), 5), round(float(d.mean() + half), 5)],
            "share_lower": round(float(np.mean(d < 0)), 3), "relative": round(float(d.mean() / (1e3 * np.mean(b))), 5)}


def crops_image(lr, methods, hr, t, box):
    y, x, s = box
    tiles = [cv2.resize(lr[t], None, fx=4, fy=4, interpolation=cv2.INTER_NEAREST)[y:y + s, x:x + s]]
    tiles += [m[t][y:y + s, x:x + s] for m in methods] + [hr[t][y:y + s, x:x + s]]
    return np.concatenate(tiles, 1)


def profile_image(lr, methods, hr, row, x0, width, frames):
    rows = [np.stack([cv2.resize(f, None, fx=4, fy=4, interpolation=cv2.INTER_NEAREST)[row, x0:x0 + width] for f in lr[:frames]])]
    rows += [np.stack([f[row, x0:x0 + width] for f in m[:frames]]) for m in methods]
    rows += [np.stack([f[row, x0:x0 + width] for f in hr[:frames]])]
    return np.concatenate(rows, 1)


def section_markdown(summary):
    r = summary["results"]
    rows = "\n".join(f"| {k} | {v.get('psnr_y', '-')} | {v.get('ssim_y', '-')} | {v.get('e_warp_1e3', '-')} |" for k, v in r.items())
    m, b, a = r["model"], r["bicubic"], r["per-frame ablation"]
    d = summary["e_warp_model_minus_ablation"]
    p = summary["psnr_model_minus_ablation"]
    return f"""## {summary['degradation_name']}: {summary['degradation']}

| method | PSNR-Y (dB) | SSIM-Y | E_warp (x1e-3) |
|---|---|---|---|
{rows}

Model vs bicubic: {m['psnr_y'] - b['psnr_y']:+.2f} dB PSNR-Y, {m['ssim_y'] - b['ssim_y']:+.4f} SSIM-Y.
Model vs the per-frame ablation (same weights, no cached latent, CFR off): PSNR-Y {m['psnr_y'] - a['psnr_y']:+.3f} dB
(per frame {p['mean']:+.4f} dB, 95% interval {p['ci95'][0]:+.4f} to {p['ci95'][1]:+.4f}, higher on {100 * p['share_higher']:.1f}% of frames);
E_warp {m['e_warp_1e3']:.4f} vs {a['e_warp_1e3']:.4f}, per frame pair model minus ablation {d['mean_1e3']:+.5f}
(95% interval {d['ci95_1e3'][0]:+.5f} to {d['ci95_1e3'][1]:+.5f}, {100 * d['relative']:+.2f}%), lower on {100 * d['share_lower']:.1f}% of pairs.

Images: `cards/{summary['name']}-{summary['degradation_name']}-crops.png` (frame {min(100, summary['frames'] - 1)}, left to right:
LR nearest x4, bicubic, per-frame ablation, model, ground truth) and `cards/{summary['name']}-{summary['degradation_name']}-profile.png`
(one pixel row over time, same order).
"""


def card_markdown(name, summaries, args):
    first = summaries[0]
    timings = "; ".join(f"{k}: {v}" for k, v in first["engine"].items())
    return f"""# {name}

Evaluated by `/usr/bin/python3 training/eval.py --video {args.video} --model {args.model} --degradation {args.degradation} --card{''.join(' --compare ' + c for c in args.compare)}`
({first['frames']} frames of {first['video']}, LR {first['lr']} -> {first['hr']}). Every method ran through the Java engine
(`bin/streamsr bench replay`) with the previous frame and cached latent fed back as the upscaler does. PSNR/SSIM on Y
(BT.601, 4-pixel border), E_warp x1e-3 on pixels that pass a forward-backward DIS flow check (lower is steadier).

""" + "\n".join(section_markdown(s) for s in summaries) + f"""
Engine timings during evaluation (not a benchmark; see bench/results.md): {timings}.

How it was trained: see training/README.md.
"""


def paired_psnr(model_frames, ablation_frames, hr):
    """Per-frame PSNR-Y of the model minus the ablation's, with a 95% interval."""
    d = np.array([psnr_y(m, h) - psnr_y(a, h) for m, a, h in zip(model_frames, ablation_frames, hr)])
    half = 1.96 * d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else float("nan")
    return {"mean": round(float(d.mean()), 5), "ci95": [round(float(d.mean() - half), 5), round(float(d.mean() + half), 5)],
            "share_higher": round(float(np.mean(d > 0)), 3)}


def evaluate(hr, degradation, model, video, flow_list, compare=()):
    make, description = DEGRADATIONS[degradation]
    lr = degrade_clip(hr, make())
    results, outputs, timings = {}, {}, {}
    methods = [("bicubic", "bicubic-x4", False), ("model", model, False), ("per-frame ablation", model, True)]
    methods += [(os.path.splitext(os.path.basename(c))[0], c, False) for c in compare]
    for name, m, no_hist in methods:
        sr, timing = replay(m, lr, no_hist)
        outputs[name], timings[name] = sr, timing
    pairs = {name: e_warp_pairs(frames, flow_list) for name, frames in list(outputs.items()) + [("ground truth", hr)]}
    for name, sr in outputs.items():
        results[name] = {"psnr_y": round(float(np.mean([psnr_y(s, h) for s, h in zip(sr, hr)])), 3),
                         "ssim_y": round(float(np.mean([ssim_y(s, h) for s, h in zip(sr, hr)])), 4)}
    for name, errs in pairs.items():
        results.setdefault(name, {})["e_warp_1e3"] = round(1e3 * float(np.mean(errs)), 4)
    lh, lw = lr[0].shape[:2]
    summary = {"name": os.path.splitext(os.path.basename(model))[0], "video": os.path.basename(video), "frames": len(hr),
               "lr": f"{lw}x{lh}", "hr": f"{lw * 4}x{lh * 4}", "degradation_name": degradation, "degradation": description,
               "results": results, "e_warp_model_minus_ablation": paired_difference(pairs["model"], pairs["per-frame ablation"]),
               "psnr_model_minus_ablation": paired_psnr(outputs["model"], outputs["per-frame ablation"], hr), "engine": timings}
    return summary, lr, outputs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--video", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--frames", type=int, help="first N frames only")
    ap.add_argument("--degradation", choices=["camera", "stream", "both"], default="both",
                    help="camera: the fixed heavy degradation (blur, noise, JPEG, x264); stream: area x4 down + x264, as a live "
                         "stream arrives; both (default): one after the other")
    ap.add_argument("--card", action="store_true", help="write the model card and images into models/")
    ap.add_argument("--compare", action="append", default=[], metavar="MODEL",
                    help="another model run on the same frames in the same run (e.g. the float graph of an int8 export); repeatable")
    args = ap.parse_args()
    t0 = time.time()
    hr = read_clip(args.video, args.frames)
    flow_list = flows(hr)
    summaries = []
    name = os.path.splitext(os.path.basename(args.model))[0]
    cards = os.path.join(ROOT, "models", "cards")
    for degradation in (["camera", "stream"] if args.degradation == "both" else [args.degradation]):
        summary, lr, outputs = evaluate(hr, degradation, args.model, args.video, flow_list, args.compare)
        summaries.append(summary)
        if args.card:
            lh, lw = lr[0].shape[:2]
            os.makedirs(cards, exist_ok=True)
            t = min(100, len(hr) - 1)
            box = (lh * 4 // 3, lw * 4 // 2, 160)
            methods = [outputs["bicubic"], outputs["per-frame ablation"], outputs["model"]]
            cv2.imwrite(os.path.join(cards, f"{name}-{degradation}-crops.png"),
                        cv2.cvtColor(crops_image(lr, methods, hr, t, box), cv2.COLOR_RGB2BGR))
            cv2.imwrite(os.path.join(cards, f"{name}-{degradation}-profile.png"),
                        cv2.cvtColor(profile_image(lr, methods, hr, lh * 2, lw, 128, min(120, len(hr))), cv2.COLOR_RGB2BGR))
    out = {"video": os.path.basename(args.video), "frames": len(hr), "seconds": round(time.time() - t0, 1),
           "degradations": {s["degradation_name"]: s for s in summaries}}
    print(json.dumps(out, indent=2))
    if args.card:
        with open(os.path.join(ROOT, "models", f"{name}.json"), "w") as f:
            json.dump(out, f, indent=2)
        with open(os.path.join(ROOT, "models", f"{name}.md"), "w") as f:
            f.write(card_markdown(name, summaries, args))
    return out


if __name__ == "__main__":
    main()
