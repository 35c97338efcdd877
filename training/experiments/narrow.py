#!/usr/bin/python3
"""Session 15: a narrower recurrent network started from a wider one's weights, for CPUs whose int8
kernels are slow (AVX2 without VNNI). Keeps the trunk channels (and each residual block's inner
channels) whose filters carry the most weight (L1), so a short fine-tune starts near the wide
network instead of from scratch.

    cd training && /usr/bin/python3 -m experiments.narrow --model ../models/streamsr-recurrent-x4.onnx \
        --channels 24 --out runs/narrow24/init.pt
"""
import argparse
import os

import torch

from archs.recurrent import RecurrentSRNet
from checkpoints import onnx_weights


def keep(weight, n):
    """Indices of the n output filters with the largest L1 norm, in order."""
    return torch.sort(torch.topk(weight.abs().reshape(weight.shape[0], -1).sum(1), n).indices).values


def narrow(wide, channels):
    hidden, blocks = wide["hid.weight"].shape[0], sum(1 for k in wide if k.endswith(".a.weight"))
    net = RecurrentSRNet(channels=channels, hidden=hidden, blocks=blocks, flow_channels=0)
    # The trunk's channels are one set (the residual adds tie them): scored by every filter that writes them.
    score = wide["inp.weight"].abs().reshape(wide["inp.weight"].shape[0], -1).sum(1)
    for b in range(blocks):
        w = wide[f"blocks.{b}.b.weight"]
        score = score + w.abs().reshape(w.shape[0], -1).sum(1)
    trunk = torch.sort(torch.topk(score, channels).indices).values
    state = {"inp.weight": wide["inp.weight"][trunk], "inp.bias": wide["inp.bias"][trunk],
             "out.weight": wide["out.weight"][:, trunk], "out.bias": wide["out.bias"],
             "hid.weight": wide["hid.weight"][:, trunk], "hid.bias": wide["hid.bias"]}
    for b in range(blocks):
        inner = keep(wide[f"blocks.{b}.a.weight"][:, trunk], channels)
        state[f"blocks.{b}.a.weight"] = wide[f"blocks.{b}.a.weight"][inner][:, trunk]
        state[f"blocks.{b}.a.bias"] = wide[f"blocks.{b}.a.bias"][inner]
        state[f"blocks.{b}.b.weight"] = wide[f"blocks.{b}.b.weight"][trunk][:, inner]
        state[f"blocks.{b}.b.bias"] = wide[f"blocks.{b}.b.bias"][trunk]
    net.load_state_dict(state)
    return net


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="the wide network: an exported float recurrent model (.onnx)")
    ap.add_argument("--channels", type=int, default=24)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    net = narrow(onnx_weights(args.model), args.channels)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save({"model": net.state_dict(), "iteration": 0}, args.out)
    print(f"{args.out}: {args.channels} channels, {sum(p.numel() for p in net.parameters())} parameters")


if __name__ == "__main__":
    main()
