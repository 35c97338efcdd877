#!/usr/bin/python3
"""Writes the bicubic x4 baseline model that satisfies StreamSR's engine contract.

    /usr/bin/python3 training/make_baseline.py            # models/bicubic-x4.onnx
    /usr/bin/python3 training/make_baseline.py --counter  # the test model whose latent counts frames

The graph is built with onnx.helper alone (no PyTorch needed): uint8 NHWC in, ONNX Resize in
cubic mode (a = -0.75, half-pixel centres, the same kernel as PyTorch/OpenCV bicubic), rounding,
uint8 NHWC out. Its latent output is all zeros: the baseline has no temporal memory. The
--counter variant returns prev_latent + 1 instead, so a test can tell from the engine's inputs
whether a stream's history survived a restart.
"""
import argparse
import os

import onnx
from onnx import TensorProto, helper

SCALE = 4
LATENT_CHANNELS = 4
LATENT_STRIDE = 2


def build(counter: bool) -> onnx.ModelProto:
    n, h, w = "N", "H", "W"
    hs, ws = "H_latent", "W_latent"
    inputs = [
        helper.make_tensor_value_info("lr", TensorProto.UINT8, [n, h, w, 3]),
        helper.make_tensor_value_info("prev_lr", TensorProto.UINT8, [n, h, w, 3]),
        helper.make_tensor_value_info("prev_latent", TensorProto.FLOAT, [n, LATENT_CHANNELS, hs, ws]),
    ]
    outputs = [
        helper.make_tensor_value_info("sr", TensorProto.UINT8, [n, "H_sr", "W_sr", 3]),
        helper.make_tensor_value_info("latent", TensorProto.FLOAT, [n, LATENT_CHANNELS, hs, ws]),
    ]
    init = [
        helper.make_tensor("scales", TensorProto.FLOAT, [4], [1.0, 1.0, float(SCALE), float(SCALE)]),
        helper.make_tensor("lo", TensorProto.FLOAT, [], [0.0]),
        helper.make_tensor("hi", TensorProto.FLOAT, [], [255.0]),
    ]
    nodes = [
        helper.make_node("Cast", ["lr"], ["lr_f"], to=TensorProto.FLOAT),
        helper.make_node("Transpose", ["lr_f"], ["lr_nchw"], perm=[0, 3, 1, 2]),
        helper.make_node("Resize", ["lr_nchw", "", "scales"], ["up"], mode="cubic", cubic_coeff_a=-0.75,
                         coordinate_transformation_mode="half_pixel", exclude_outside=0),
        helper.make_node("Clip", ["up", "lo", "hi"], ["clipped"]),
        helper.make_node("Round", ["clipped"], ["rounded"]),
        helper.make_node("Transpose", ["rounded"], ["sr_f"], perm=[0, 2, 3, 1]),
        helper.make_node("Cast", ["sr_f"], ["sr"], to=TensorProto.UINT8),
    ]
    if counter:
        init.append(helper.make_tensor("one", TensorProto.FLOAT, [], [1.0]))
        nodes.append(helper.make_node("Add", ["prev_latent", "one"], ["latent"]))
    else:
        nodes.append(helper.make_node("Shape", ["prev_latent"], ["latent_shape"]))
        nodes.append(helper.make_node("ConstantOfShape", ["latent_shape"], ["latent"],
                                      value=helper.make_tensor("zero", TensorProto.FLOAT, [1], [0.0])))
    name = "counter-x4" if counter else "bicubic-x4"
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="streamsr-training")
    model.ir_version = 8
    meta = {
        "name": name,
        "version": "1",
        "scale": str(SCALE),
        "latent_channels": str(LATENT_CHANNELS),
        "latent_stride": str(LATENT_STRIDE),
        "description": "bicubic x4 (a=-0.75), zero latent" if not counter else "bicubic x4, latent = prev_latent + 1 (tests only)",
    }
    helper.set_model_props(model, meta)
    onnx.checker.check_model(model, full_check=True)
    return model


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--counter", action="store_true", help="write the test model whose latent counts frames")
    ap.add_argument("--out", help="output path")
    args = ap.parse_args()
    default = os.path.join(root, "src/test/resources/models/counter-x4.onnx") if args.counter \
        else os.path.join(root, "models/bicubic-x4.onnx")
    out = args.out or default
    os.makedirs(os.path.dirname(out), exist_ok=True)
    onnx.save(build(args.counter), out)
    print(out)


if __name__ == "__main__":
    main()
