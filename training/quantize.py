#!/usr/bin/python3
"""int8 export of a shipped model: QDQ nodes around its heavy convolutions, for ONNX Runtime's
int8 kernels (VNNI on this CPU). Post-training static quantization:

    /usr/bin/python3 training/quantize.py --model models/streamsr-tiny-x4.onnx --config training/configs/tiny-v7.yaml \\
        --out /tmp/tiny-int8.onnx

Calibration runs the network in PyTorch (weights read back from the ONNX file) over degraded
training clips (data.build_pool, mixed degradation; never vtest), streaming each clip with its
latent fed back as the engine does, and records every quantized convolution's input and output
range (the 99.99th percentile of |x|, min/max otherwise). Then, in the ONNX graph, each such Conv
gets QuantizeLinear -> DequantizeLinear on its input and its output (uint8, per tensor),
per-channel symmetric int8 weights and int32 bias behind DequantizeLinear: the pattern ONNX
Runtime fuses into QLinearConv. The flow heads, CFR's small 1x1 layers and the fixed bilinear skip
stay float: they steer the warps and the exact x4 baseline.
"""
import argparse

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

from checkpoints import load_grown, onnx_weights
from config import build, load_config

# Convolutions worth int8 in the tiny graph: at LR resolution or stride 2, 16 channels or more on one side.
TINY_QUANTIZED = ("encoder.0", "encoder.2", "flow.coarse.0", "flow.coarse.2", "flow.fine.0", "flow.fine.2", "u_in.base",
                  "u_down.base", "u_mid.base", "u_up.base", "u_out.base", "dec_up", "dec_conv", "dec_out")


def quantized_convolutions(net):
    """The convolutions a network runs in int8. The recurrent network's are all at LR resolution
    (or coarser, in the flow) except the 2-channel flow heads, which steer the warps and stay float, and
    the feedback gate."""
    modules = dict(net.named_modules())
    if all(name in modules for name in TINY_QUANTIZED):
        return TINY_QUANTIZED
    # The feedback gate (a 1x1 convolution, a sliver of the time) decides how much of the previous frame
    # shows: quantising it would add the flicker it is there to remove.
    return tuple(name for name, m in modules.items()
                 if isinstance(m, torch.nn.Conv2d) and m.out_channels > 2 and max(m.in_channels, m.out_channels) >= 8 and name != "gate")


@torch.no_grad()
def calibrate(net, clips, percentile):
    """Per quantized module: (input min, input max, output min, output max)."""
    names = quantized_convolutions(net)
    samples = {name: ([], []) for name in names}
    modules = dict(net.named_modules())
    hooks = []
    for name in names:
        def hook(module, inputs, output, name=name):
            samples[name][0].append(inputs[0].detach().flatten())
            samples[name][1].append(output.detach().flatten())
        hooks.append(modules[name].register_forward_hook(hook))
    for clip in clips:
        x = torch.from_numpy(clip).permute(0, 3, 1, 2).float()[None] / 255
        net.forward_clip(x)
    for h in hooks:
        h.remove()
    ranges = {}
    for name, (ins, outs) in samples.items():
        r = []
        for values in (torch.cat(ins), torch.cat(outs)):
            lo, hi = float(values.min()), float(values.max())
            if percentile < 100:
                q = torch.quantile(values[torch.randperm(len(values))[:1_000_000]], torch.tensor([1 - percentile / 100, percentile / 100]))
                lo, hi = max(lo, float(q[0])), min(hi, float(q[1]))
            r += [min(lo, 0.0), max(hi, 1e-6)]
        ranges[name] = r
    return ranges


def fake_quantize(net, ranges):
    """The same arithmetic in PyTorch, for checking the export: the quantized convolutions see
    fake-quantized inputs, int8 weights, int32 biases and fake-quantize their outputs."""
    modules = dict(net.named_modules())
    for name, (in_lo, in_hi, out_lo, out_hi) in ranges.items():
        conv = modules[name]
        in_scale, in_zero = uint8_params(in_lo, in_hi)
        out_scale, out_zero = uint8_params(out_lo, out_hi)
        with torch.no_grad():
            w = conv.weight.detach().clone()
            w_scale = w.abs().reshape(w.shape[0], -1).amax(1).clamp_min(1e-8) / 127.0
            conv.weight.copy_(torch.clamp(torch.round(w / w_scale[:, None, None, None]), -127, 127) * w_scale[:, None, None, None])
            if conv.bias is not None:
                b_scale = float(in_scale) * w_scale
                conv.bias.copy_(torch.round(conv.bias / b_scale) * b_scale)
        conv.register_forward_pre_hook(lambda m, inputs, s=float(in_scale), z=int(in_zero):
                                       (torch.fake_quantize_per_tensor_affine(inputs[0], s, z, 0, 255),))
        conv.register_forward_hook(lambda m, inputs, output, s=float(out_scale), z=int(out_zero):
                                   torch.fake_quantize_per_tensor_affine(output, s, z, 0, 255))
    return net


def fake_quantize_activations(net, ranges):
    """Quantization-aware training: the quantized convolutions' inputs and outputs are
    fake-quantized to uint8 at the calibrated ranges in every forward pass, with straight-through
    gradients, so the network learns to live with the rounding int8 will add (the weights stay float
    and are rounded per channel at export, where their error is far smaller). Returns the hooks."""
    modules = dict(net.named_modules())
    hooks = []
    for name, (in_lo, in_hi, out_lo, out_hi) in ranges.items():
        in_scale, in_zero = uint8_params(in_lo, in_hi)
        out_scale, out_zero = uint8_params(out_lo, out_hi)
        hooks.append(modules[name].register_forward_pre_hook(lambda m, inputs, s=float(in_scale), z=int(in_zero):
                                                             (torch.fake_quantize_per_tensor_affine(inputs[0], s, z, 0, 255),)))
        hooks.append(modules[name].register_forward_hook(lambda m, inputs, output, s=float(out_scale), z=int(out_zero):
                                                         torch.fake_quantize_per_tensor_affine(output, s, z, 0, 255)))
    return hooks


def uint8_params(lo, hi):
    scale = (hi - lo) / 255.0
    zero = int(round(-lo / scale))
    return np.float32(scale), np.uint8(min(255, max(0, zero)))


def quantize_graph(model, ranges):
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    new_nodes, new_inits, qdq_of = [], [], {}

    def qdq(tensor, lo, hi, tag):
        """Q -> DQ of a tensor; returns the dequantized name. One pair per tensor, shared by its readers."""
        if tensor in qdq_of:
            return qdq_of[tensor]
        scale, zero = uint8_params(lo, hi)
        s, z = f"{tag}_scale", f"{tag}_zero"
        new_inits.extend([numpy_helper.from_array(np.array(scale, np.float32), s), numpy_helper.from_array(np.array(zero, np.uint8), z)])
        new_nodes.append(helper.make_node("QuantizeLinear", [tensor, s, z], [f"{tag}_q"], name=f"{tag}_Q"))
        new_nodes.append(helper.make_node("DequantizeLinear", [f"{tag}_q", s, z], [f"{tag}_dq"], name=f"{tag}_DQ"))
        qdq_of[tensor] = (f"{tag}_dq", scale)
        return qdq_of[tensor]

    out_nodes = []
    count = 0
    for node in g.node:
        name = node.input[1][len("net."):-len(".weight")] if node.op_type == "Conv" and node.input[1].startswith("net.") else None
        if name not in ranges:
            out_nodes.append(node)
            continue
        count += 1
        in_lo, in_hi, out_lo, out_hi = ranges[name]
        tag = name.replace(".", "_")
        x_dq, x_scale = qdq(node.input[0], in_lo, in_hi, f"q_{tag}_in")
        w = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
        w_scale = np.maximum(np.abs(w).reshape(w.shape[0], -1).max(1), 1e-8) / 127.0
        w_q = np.clip(np.round(w / w_scale[:, None, None, None]), -127, 127).astype(np.int8)
        new_inits += [numpy_helper.from_array(w_q, f"{tag}_w_q"), numpy_helper.from_array(w_scale.astype(np.float32), f"{tag}_w_scale"),
                      numpy_helper.from_array(np.zeros(w.shape[0], np.int8), f"{tag}_w_zero")]
        out_nodes.append(helper.make_node("DequantizeLinear", [f"{tag}_w_q", f"{tag}_w_scale", f"{tag}_w_zero"], [f"{tag}_w_dq"],
                                          name=f"{tag}_w_DQ", axis=0))
        inputs = [x_dq, f"{tag}_w_dq"]
        if len(node.input) > 2 and node.input[2]:
            b = numpy_helper.to_array(inits[node.input[2]]).astype(np.float32)
            b_scale = (x_scale * w_scale).astype(np.float32)
            b_q = np.round(b / b_scale).astype(np.int32)
            new_inits += [numpy_helper.from_array(b_q, f"{tag}_b_q"), numpy_helper.from_array(b_scale, f"{tag}_b_scale"),
                          numpy_helper.from_array(np.zeros(w.shape[0], np.int32), f"{tag}_b_zero")]
            out_nodes.append(helper.make_node("DequantizeLinear", [f"{tag}_b_q", f"{tag}_b_scale", f"{tag}_b_zero"], [f"{tag}_b_dq"],
                                              name=f"{tag}_b_DQ", axis=0))
            inputs.append(f"{tag}_b_dq")
        raw = f"{tag}_out_float"
        conv = helper.make_node("Conv", inputs, [raw], name=node.name)
        conv.attribute.extend(node.attribute)
        # Q/DQ emitted before the Conv in this list are fine: the graph is sorted again below.
        out_nodes.extend(new_nodes)
        new_nodes.clear()
        out_nodes.append(conv)
        scale, zero = uint8_params(out_lo, out_hi)
        s, z = f"{tag}_out_scale", f"{tag}_out_zero"
        new_inits += [numpy_helper.from_array(np.array(scale, np.float32), s), numpy_helper.from_array(np.array(zero, np.uint8), z)]
        out_nodes.append(helper.make_node("QuantizeLinear", [raw, s, z], [f"{tag}_out_q"], name=f"{tag}_out_Q"))
        out_nodes.append(helper.make_node("DequantizeLinear", [f"{tag}_out_q", s, z], [node.output[0]], name=f"{tag}_out_DQ"))
    used = {i for n in out_nodes for i in n.input}
    kept = [i for i in g.initializer if i.name in used]
    del g.node[:]
    g.node.extend(topological(out_nodes, {i.name for i in g.input} | {i.name for i in kept} | {i.name for i in new_inits}))
    del g.initializer[:]
    g.initializer.extend(kept + new_inits)
    return count


def topological(nodes, available):
    available = set(available) | {""}
    pending, ordered = list(nodes), []
    while pending:
        progress = False
        rest = []
        for n in pending:
            if all(i in available for i in n.input):
                ordered.append(n)
                available.update(n.output)
                progress = True
            else:
                rest.append(n)
        if not progress:
            raise ValueError("graph has a cycle or a missing input: " + ", ".join(n.name for n in rest[:5]))
        pending = rest
    return ordered


CLIPS, PERCENTILE, SEED = 48, 99.99, 97


def calibration_clips(clips=CLIPS, seed=SEED, profile="mixed"):
    """The LR clips calibration streams through the network: degraded training clips, never vtest."""
    from data import build_pool  # needs OpenCV and GStreamer: here, not on a GPU machine
    _, lr = build_pool(clips, 7, 64, seed, log=None, profile=profile, static_fraction=0.35, curated=True)
    return list(lr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--config", required=True, help="the model's config (its network sizes)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--clips", type=int, default=CLIPS)
    ap.add_argument("--percentile", type=float, default=PERCENTILE)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--profile", default="mixed", help="degradation profile of the calibration clips")
    ap.add_argument("--float", action="append", default=[], metavar="MODULE", help="a convolution to leave in float; repeatable")
    args = ap.parse_args()
    torch.set_num_threads(2)
    net = build(load_config(args.config))
    load_grown(net, onnx_weights(args.model))
    net.eval()
    ranges = calibrate(net, calibration_clips(args.clips, args.seed, args.profile), args.percentile)
    for name in args.float:
        ranges.pop(name)
    model = onnx.load(args.model)
    count = quantize_graph(model, ranges)
    for p in model.metadata_props:
        if p.key == "name":
            p.value = p.value + "-int8"
    entry = model.metadata_props.add()
    entry.key, entry.value = "quantization", f"int8 QDQ, {count} convolutions, static calibration on {args.clips} clips, p{args.percentile}"
    onnx.checker.check_model(model)
    onnx.save(model, args.out)
    print(f"{args.out}: {count} convolutions in int8")


if __name__ == "__main__":
    main()
