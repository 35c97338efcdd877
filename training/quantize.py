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

Three rewrites then make the int8 graph cheaper where ONNX Runtime's profile put the time: an
input convolution padded to a multiple of 8 channels, residual adds and the final add in uint8,
and the picture quantized in one step instead of clip, scale, round and cast. On version 2 they
take a 320x180 frame from 29 to 21 ms (both under the same training load; bench/results.md has
idle figures). `--graph-only` applies them to an existing int8 file, its calibration kept.
"""
import argparse

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

from checkpoints import load_grown, onnx_weights
from config import build, load_config

# Weights are symmetric int8 in [-WEIGHT_LEVELS, WEIGHT_LEVELS]: 7 bits, not 8 (ONNX Runtime's
# reduce_range). On x86 CPUs without VNNI (AVX2 only, as many EPYC and Xeon hosts are) ONNX Runtime's
# u8 x s8 kernel sums pairs of products in int16 with saturation: 2 x 255 x 127 overflows it, and on
# such a CPU 8-bit weights cost the stream model 0.56 dB (27.03 against 27.59 in float, first 100
# vtest.avi frames under `stream`). 2 x 255 x 63 fits, so the file computes the same everywhere.
WEIGHT_LEVELS = 63


def weight_grid(w, levels=None):
    """Per output channel, symmetric: (integer weights in [-levels, levels], float32 scales) of a
    float32 weight array. The export, its simulation and the 7-bit rewrite all round this way."""
    levels = WEIGHT_LEVELS if levels is None else levels
    scale = (np.maximum(np.abs(w).reshape(w.shape[0], -1).max(1), 1e-8) / levels).astype(np.float32)
    return np.clip(np.round(w / scale[:, None, None, None]), -levels, levels), scale

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


def residual_inputs(net, ranges):
    """(block, its first convolution's name) for each residual block whose first convolution is
    int8: the block's input is added back as that convolution reads it (quantize_residuals)."""
    out = []
    for name, m in net.named_modules():
        if hasattr(m, "a") and hasattr(m, "b") and type(m).__name__ == "ResBlock":
            for conv in (f"{name}.a", f"{name}.a.base"):
                if conv in ranges:
                    out.append((m, conv))
    return out


def fake_quantize(net, ranges):
    """The same arithmetic in PyTorch, for checking the export: the quantized convolutions see
    fake-quantized inputs, int8 weights, int32 biases and fake-quantize their outputs; a residual
    block adds back its input as its first convolution reads it."""
    modules = dict(net.named_modules())
    for name, (in_lo, in_hi, _, _) in ranges.items():
        conv = modules[name]
        in_scale, _ = uint8_params(in_lo, in_hi)
        with torch.no_grad():
            w = conv.weight.detach().clone()
            w_q, w_scale = weight_grid(w.numpy())
            w_scale = torch.from_numpy(w_scale)
            conv.weight.copy_(torch.from_numpy(w_q) * w_scale[:, None, None, None])
            if conv.bias is not None:
                b_scale = float(in_scale) * w_scale
                conv.bias.copy_(torch.round(conv.bias / b_scale) * b_scale)
    fake_quantize_activations(net, ranges)
    return net


class SkipRounding:
    """The skip's rounding as a removable hook: remove() gives the float network back."""

    def __init__(self, net):
        self.net = net

    def remove(self):
        self.net.skip_on_picture_grid = False


def fake_quantize_activations(net, ranges):
    """The int8 graph's activation rounding, as removable hooks: the quantized convolutions' inputs
    and outputs are fake-quantized to uint8 at the calibrated ranges (straight-through gradients), a
    residual block adds back its input as its first convolution reads it, and the skip is rounded to
    whole levels. Quantization-aware training runs with these alone, so the network learns to live
    with the rounding int8 will add (the weights stay float and are rounded per channel at export,
    where their error is far smaller). Returns the hooks."""
    modules = dict(net.named_modules())
    hooks = []
    if hasattr(net, "skip_on_picture_grid"):
        net.skip_on_picture_grid = True
        hooks.append(SkipRounding(net))
    for block, conv in residual_inputs(net, ranges):
        s, z = uint8_params(ranges[conv][0], ranges[conv][1])
        hooks.append(block.register_forward_pre_hook(lambda m, inputs, s=float(s), z=int(z):
                                                     (torch.fake_quantize_per_tensor_affine(inputs[0], s, z, 0, 255),)))
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
        w_q, w_scale = weight_grid(w)
        w_q = w_q.astype(np.int8)
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


def pad_input_channels(model, multiple=8):
    """Pads the input of an int8 convolution that reads a Concat to a multiple of `multiple`
    channels with zeros (and its weights with zero columns): ONNX Runtime's int8 kernels are built
    for such widths, and version 2's input convolution took 3.8 ms at 22 channels and 1.3-1.4 ms at 24
    (profile of a 320x180 frame). Zeros change nothing: uint8 quantization holds 0 exactly. The
    Concat input with the fewest channels gets the zeros, so the Pad copies as little as it can.
    Returns the convolutions padded."""
    from onnx import shape_inference
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in shape_inference.infer_shapes(model).graph.value_info}
    shapes.update({v.name: [d.dim_value for d in v.type.tensor_type.shape.dim] for v in g.input})
    by_output = {o: n for n in g.node for o in n.output}
    padded = []
    for conv in [n for n in g.node if n.op_type == "Conv"]:
        w_dq = by_output.get(conv.input[1])
        x_dq = by_output.get(conv.input[0])
        if w_dq is None or w_dq.op_type != "DequantizeLinear" or x_dq is None or x_dq.op_type != "DequantizeLinear":
            continue
        x_q = by_output[x_dq.input[0]]
        concat = by_output.get(x_q.input[0])
        w = inits[w_dq.input[0]]
        weights = numpy_helper.to_array(w)
        extra = -weights.shape[1] % multiple
        if concat is None or concat.op_type != "Concat" or extra == 0:
            continue
        widths = [shapes.get(i, [0, 0])[1] for i in concat.input]
        assert all(widths) and sum(widths) == weights.shape[1], f"{conv.name}: channels of {list(concat.input)} unknown: {widths}"
        k = int(np.argmin(widths))
        at = sum(widths[:k + 1])
        zeros = np.zeros((weights.shape[0], extra) + weights.shape[2:], weights.dtype)
        w.CopyFrom(numpy_helper.from_array(np.concatenate([weights[:, :at], zeros, weights[:, at:]], axis=1), w.name))
        tag = conv.name.strip("/").replace("/", "_")
        pads = numpy_helper.from_array(np.array([0, 0, 0, 0, 0, extra, 0, 0], np.int64), f"{tag}_channel_pads")
        g.initializer.append(pads)
        g.node.append(helper.make_node("Pad", [concat.input[k], pads.name], [f"{tag}_padded_input"], name=f"{tag}_channel_Pad", mode="constant"))
        concat.input[k] = f"{tag}_padded_input"
        padded.append(conv.name)
    nodes = topological(list(g.node), {i.name for i in g.input} | {i.name for i in g.initializer})
    del g.node[:]
    g.node.extend(nodes)
    return padded


def quantize_residuals(model):
    """A residual block adds its int8 convolutions' output to its input, which its first
    convolution reads quantized. Reading the input as that convolution does (the same Q -> DQ)
    leaves the Add between dequantized tensors only, and ONNX Runtime then adds in uint8
    (QLinearAdd: 0.23 ms against 0.84 for the float add and its dequantize and quantize, each block
    of version 2 at 320x180). fake_quantize does the same in PyTorch. Returns the Adds rewired."""
    g = model.graph
    producers = {o: n for n in g.node for o in n.output}
    readers = {}
    for n in g.node:
        for i in n.input:
            readers.setdefault(i, []).append(n)
    rewired = 0
    for add in [n for n in g.node if n.op_type == "Add"]:
        if not any(producers.get(i) is not None and producers[i].op_type == "DequantizeLinear" for i in add.input):
            continue
        for k, x in enumerate(add.input):
            if producers.get(x) is None or producers[x].op_type == "DequantizeLinear":
                continue
            # Only a residual block's own Add, named by the export after the block's module
            # ("/blocks.0/Add" beside "/blocks.0/a/Conv"), as fake_quantize knows blocks.
            block = add.name.rsplit("/", 1)[0] + "/"
            q = next((r for r in readers.get(x, []) if r.op_type == "QuantizeLinear"), None)
            dq = q and next((r for r in readers.get(q.output[0], []) if r.op_type == "DequantizeLinear"
                             and any(c.name in (block + "a/Conv", block + "a/base/Conv") for c in readers.get(r.output[0], []))), None)
            if dq is not None:
                add.input[k] = dq.output[0]
                rewired += 1
    return rewired


def quantize_tail(model):
    """The engine graph ends in Clip(0, 1) -> x255 -> +0.5 -> Cast(uint8): four passes over the
    48-channel sub-pixel tensor, 2.3 ms of a 320x180 frame (ONNX Runtime's profile, a training run
    on the same cores). One QuantizeLinear at scale 1/255 and zero point 0 computes the same picture
    (its saturation is the clip, its rounding the +0.5 and cast; exact halves round to even instead
    of up). Returns whether the tail was found."""
    g = model.graph
    consts = {}
    for n in g.node:
        if n.op_type == "Constant":
            consts[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
    consts.update({i.name: numpy_helper.to_array(i) for i in g.initializer})
    readers = {}
    for n in g.node:
        for i in n.input:
            readers.setdefault(i, []).append(n)

    def only_reader(tensor, op):
        r = readers.get(tensor, [])
        return r[0] if len(r) == 1 and r[0].op_type == op else None

    def const(name, value):
        return name in consts and consts[name].size == 1 and float(consts[name]) == value

    for clip in [n for n in g.node if n.op_type == "Clip"]:
        mul = only_reader(clip.output[0], "Mul")
        add = mul and only_reader(mul.output[0], "Add")
        cast = add and only_reader(add.output[0], "Cast")
        if not (cast and const(clip.input[1], 0.0) and const(clip.input[2], 1.0) and const(mul.input[1], 255.0)
                and const(add.input[1], 0.5) and helper.get_attribute_value(cast.attribute[0]) == onnx.TensorProto.UINT8):
            continue
        g.initializer.extend([numpy_helper.from_array(np.array(1 / 255, np.float32), "picture_scale"),
                              numpy_helper.from_array(np.array(0, np.uint8), "picture_zero")])
        q = helper.make_node("QuantizeLinear", [clip.input[0], "picture_scale", "picture_zero"], [cast.output[0]], name="picture_Q")
        kept = [n for n in g.node if n not in (clip, mul, add, cast)] + [q]
        # The sum before it (the bilinear skip plus the int8 convolution's sub-pixel detail): with
        # the float side on the picture's grid too, ONNX Runtime adds in uint8 (QLinearAdd, 0.3 ms
        # against 2.1 for dequantize, float add and quantize). It rounds the skip to whole levels
        # first: 19% of values move by one level, -0.001 dB on 40 vtest.avi frames.
        total = next((n for n in g.node if clip.input[0] in n.output), None)
        producers = {o: n for n in g.node for o in n.output}
        if total is not None and total.op_type == "Add" and any(producers.get(i) and producers[i].op_type == "DequantizeLinear" for i in total.input):
            for k, x in enumerate(total.input):
                if producers.get(x) is not None and producers[x].op_type != "DequantizeLinear":
                    kept.append(helper.make_node("QuantizeLinear", [x, "picture_scale", "picture_zero"], [f"{x}_picture_q"], name=f"{x}_picture_Q"))
                    kept.append(helper.make_node("DequantizeLinear", [f"{x}_picture_q", "picture_scale", "picture_zero"], [f"{x}_picture"],
                                                 name=f"{x}_picture_DQ"))
                    total.input[k] = f"{x}_picture"
        nodes = read_nodes(topological(kept, {i.name for i in g.input} | {i.name for i in g.initializer}), [o.name for o in g.output])
        del g.node[:]
        g.node.extend(nodes)
        return True
    return False


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


def requantize_weights(model, levels=WEIGHT_LEVELS):
    """Brings an int8 file's weights into [-levels, levels] (per output channel, from the weights it
    holds) and its int32 biases onto the matching scale, its activation calibration kept: for the
    files made before the weights were 7-bit. Returns how many convolutions changed."""
    inits = {i.name: i for i in model.graph.initializer}
    changed = 0
    for node in model.graph.node:
        if node.op_type != "DequantizeLinear" or not node.name.endswith("_w_DQ"):
            continue
        tag = node.name[:-len("_w_DQ")]
        q = numpy_helper.to_array(inits[f"{tag}_w_q"]).astype(np.float32)
        scale = numpy_helper.to_array(inits[f"{tag}_w_scale"]).astype(np.float32)
        peak = np.abs(q).reshape(q.shape[0], -1).max(1)
        if peak.max() <= levels:
            continue
        new_q, new_scale = weight_grid(q * scale[:, None, None, None], levels)
        new_q = new_q.astype(np.int8)
        inits[f"{tag}_w_q"].CopyFrom(numpy_helper.from_array(new_q, f"{tag}_w_q"))
        inits[f"{tag}_w_scale"].CopyFrom(numpy_helper.from_array(new_scale, f"{tag}_w_scale"))
        if f"{tag}_b_q" in inits:
            b_scale = numpy_helper.to_array(inits[f"{tag}_b_scale"]).astype(np.float32)
            b = numpy_helper.to_array(inits[f"{tag}_b_q"]).astype(np.float64) * b_scale
            new_b_scale = (b_scale * new_scale / scale).astype(np.float32)
            inits[f"{tag}_b_q"].CopyFrom(numpy_helper.from_array(np.round(b / new_b_scale).astype(np.int32), f"{tag}_b_q"))
            inits[f"{tag}_b_scale"].CopyFrom(numpy_helper.from_array(new_b_scale, f"{tag}_b_scale"))
        changed += 1
    return changed


def depth_to_space_tail(model):
    """The engine graph's last step turns the 48 sub-pixel channels into the 4x picture in NHWC as
    Reshape(N, 3, 4, 4, H, W) -> Transpose(0, 4, 2, 5, 3, 1) -> Reshape: ONNX Runtime's general
    6-D transpose of uint8, 5.0 ms of a 320x180 frame on an AVX2 CPU (its profile). DepthToSpace
    (CRD, pixel_shuffle's order) and a transpose that moves one axis compute the same bytes in 3.6.
    Returns whether the rewrite was made."""
    g = model.graph
    by_output = {o: n for n in g.node for o in n.output}
    outputs = [o.name for o in g.output]
    final = by_output.get("sr")
    if final is None or final.op_type != "Reshape":
        return False
    shuffle = by_output.get(final.input[0])
    if shuffle is None or shuffle.op_type != "Transpose":
        return False
    perm = [list(a.ints) for a in shuffle.attribute if a.name == "perm"]
    split = by_output.get(shuffle.input[0])
    if perm != [[0, 4, 2, 5, 3, 1]] or split is None or split.op_type != "Reshape":
        return False
    nodes = [n for n in g.node if n not in (final, shuffle, split)]
    nodes += [helper.make_node("DepthToSpace", [split.input[0]], ["sr_nchw"], name="picture_DepthToSpace", blocksize=4, mode="CRD"),
              helper.make_node("Transpose", ["sr_nchw"], ["sr"], name="picture_NHWC", perm=[0, 2, 3, 1])]
    # The shape arithmetic that fed the two reshapes is left without readers.
    del g.node[:]
    g.node.extend(read_nodes(nodes, outputs))
    return True


def read_nodes(nodes, outputs):
    """`nodes` (in graph order) without those whose outputs nothing reads on the way to `outputs`:
    what a rewrite leaves behind."""
    needed, live = set(outputs), []
    for n in reversed(nodes):
        if any(o in needed for o in n.output):
            live.append(n)
            needed.update(i for i in n.input if i)
    return live[::-1]


def note_weights(model):
    for p in model.metadata_props:
        if p.key == "quantization" and "weights" not in p.value:
            p.value += f"; weights per channel in [-{WEIGHT_LEVELS}, {WEIGHT_LEVELS}] (7 bits: exact on CPUs without VNNI)"


def note_rewrites(model, padded, residuals, tail, shuffle=False):
    """The graph rewrites, in the quantization metadata: a file says how it was made."""
    done = ([f"input channels padded ({', '.join(padded)})"] if padded else []) + ([f"{residuals} residual adds in uint8"] if residuals else []) \
        + (["the picture quantized in one step"] if tail else []) + (["DepthToSpace tail"] if shuffle else [])
    for p in model.metadata_props:
        if p.key == "quantization" and done:
            p.value += "; " + ", ".join(done)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--config", help="the model's config (its network sizes); not with --graph-only")
    ap.add_argument("--graph-only", action="store_true",
                    help="--model is already int8: apply only the graph rewrites (padding, uint8 adds, tail, DepthToSpace) and bring "
                         "its weights to 7 bits, keeping its activation calibration and name")
    ap.add_argument("--out", required=True)
    ap.add_argument("--clips", type=int, default=CLIPS)
    ap.add_argument("--percentile", type=float, default=PERCENTILE)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--profile", default="mixed", help="degradation profile of the calibration clips")
    ap.add_argument("--float", action="append", default=[], metavar="MODULE", help="a convolution to leave in float; repeatable")
    args = ap.parse_args()
    if args.graph_only:
        model = onnx.load(args.model)
        if not any(p.key == "quantization" for p in model.metadata_props):
            ap.error(f"{args.model} has no quantization metadata: --graph-only rewrites an int8 file quantize.py made")
        padded, residuals, tail = pad_input_channels(model), quantize_residuals(model), quantize_tail(model)
        shuffle = depth_to_space_tail(model)
        requantized = requantize_weights(model)
        note_rewrites(model, padded, residuals, tail, shuffle)
        note_weights(model)
        onnx.checker.check_model(model)
        onnx.save(model, args.out)
        print(f"{args.out}: input channels padded for {padded or 'none'}; {residuals} residual adds in uint8; tail {'rewritten' if tail else 'not found'}; "
              f"{'DepthToSpace tail; ' if shuffle else ''}weights of {requantized} convolutions brought to 7 bits")
        return
    if not args.config:
        ap.error("--config is required")
    torch.set_num_threads(2)
    net = build(load_config(args.config))
    load_grown(net, onnx_weights(args.model))
    net.eval()
    ranges = calibrate(net, calibration_clips(args.clips, args.seed, args.profile), args.percentile)
    for name in args.float:
        ranges.pop(name)
    model = onnx.load(args.model)
    count = quantize_graph(model, ranges)
    padded = pad_input_channels(model)
    residuals = quantize_residuals(model)
    tail = quantize_tail(model)
    shuffle = depth_to_space_tail(model)
    for p in model.metadata_props:
        if p.key == "name":
            p.value = p.value + "-int8"
    entry = model.metadata_props.add()
    entry.key, entry.value = "quantization", f"int8 QDQ, {count} convolutions, static calibration on {args.clips} clips, p{args.percentile}"
    note_rewrites(model, padded, residuals, tail, shuffle)
    note_weights(model)
    onnx.checker.check_model(model)
    onnx.save(model, args.out)
    print(f"{args.out}: {count} convolutions in int8; input channels padded for {padded or 'none'}; {residuals} residual adds in uint8; "
          f"{'the picture quantized in one step' if tail else 'no Clip/x255/+0.5/Cast tail found'}{'; DepthToSpace tail' if shuffle else ''}")


if __name__ == "__main__":
    main()
