#!/usr/bin/python3
"""Exports a trained checkpoint (or random weights, for speed checks) to the engine's ONNX contract.

    /usr/bin/python3 training/export.py --config training/configs/tiny.yaml --checkpoint runs/tiny/last.pt
    /usr/bin/python3 training/export.py --config training/configs/tiny.yaml --random --out /tmp/tiny.onnx

LoRA branches are merged into the base weights first; opset 17 (grid_sample needs >= 16, and
Debian's torch 1.13 stops at 17). The metadata carries the engine contract and the model card's metrics.
"""
import argparse
import json
import os

import onnx
import torch

from archs.lora import merge_all
from archs.model import EngineGraph
from config import build, load_config


def export(net, out, name, version="1", metrics=None, sample=(1, 64, 96)):
    net = net.eval()
    merge_all(net)
    graph = EngineGraph(net)
    n, h, w = sample
    lr = torch.randint(0, 256, (n, h, w, 3), dtype=torch.uint8)
    prev = torch.randint(0, 256, (n, h, w, 3), dtype=torch.uint8)
    latent = torch.zeros(n, net.latent_channels, h // net.latent_stride, w // net.latent_stride)
    dyn = {"lr": {0: "N", 1: "H", 2: "W"}, "prev_lr": {0: "N", 1: "H", 2: "W"},
           "prev_latent": {0: "N", 2: "H_latent", 3: "W_latent"},
           "sr": {0: "N", 1: "H_sr", 2: "W_sr"}, "latent": {0: "N", 2: "H_latent", 3: "W_latent"}}
    with torch.no_grad():
        torch.onnx.export(graph, (lr, prev, latent), out, opset_version=17, input_names=["lr", "prev_lr", "prev_latent"],
                          output_names=["sr", "latent"], dynamic_axes=dyn, do_constant_folding=True)
    model = onnx.load(out)
    meta = {"name": name, "version": str(version), "scale": "4", "latent_channels": str(net.latent_channels),
            "latent_stride": str(net.latent_stride)}
    for k, v in (metrics or {}).items():
        meta[k] = json.dumps(v) if not isinstance(v, str) else v
    del model.metadata_props[:]
    for k, v in meta.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = k, v
    onnx.checker.check_model(model)
    onnx.save(model, out)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True)
    ap.add_argument("--checkpoint")
    ap.add_argument("--random", action="store_true", help="export untrained weights (speed checks only)")
    ap.add_argument("--out")
    ap.add_argument("--version", default="1", help="model version in the ONNX metadata; bump it for new weights")
    ap.add_argument("--card", help="model card JSON from eval.py --card; its metrics go into the ONNX metadata")
    ap.add_argument("--name", help="model name in the ONNX metadata (metrics and health show it); default: the config's, "
                                   "e.g. streamsr-recurrent-x4-stream for weights tuned for live streams")
    args = ap.parse_args()
    config = load_config(args.config)
    net = build(config)
    if args.checkpoint:
        state = torch.load(args.checkpoint, map_location="cpu")
        net.load_state_dict(state["model"])
    elif not args.random:
        ap.error("--checkpoint or --random")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    name = args.name or config["name"]
    out = args.out or os.path.join(root, "models", name + ".onnx")
    metrics = None
    if args.card:
        with open(args.card) as f:
            card = json.load(f)
        sections = card["degradations"] if "degradations" in card else {"camera": card}  # cards before --degradation had one
        metrics = {"eval_video": card["video"]}
        for degradation, section in sections.items():
            metrics[f"eval_{degradation}_lr"] = section["lr"]
            metrics[f"eval_{degradation}_degradation"] = section["degradation"]
            for method, values in section["results"].items():
                for k, v in values.items():
                    metrics[f"{degradation}_{method.replace(' ', '_').replace('-', '_')}_{k}"] = v
    print(export(net, out, name, version=args.version, metrics=metrics))


if __name__ == "__main__":
    main()
