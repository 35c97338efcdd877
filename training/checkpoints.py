"""Checkpoint surgery: weights from an exported ONNX model, and a smaller network's weights loaded
into a grown one so that it computes what the smaller one did."""
import torch


def load_grown(net, state):
    """Loads a smaller network's weights (fewer trunk or decoder blocks, a narrower decoder, no LoRA
    branches as in an exported model) so that `net` computes exactly what that network did: new
    blocks end in zero convolutions, new decoder features are read through zero weights. Returns the
    names `state` did not have."""
    own = net.state_dict()
    if "dec_up.weight" not in state:  # not the tiny graph: nothing to grow, same shapes expected
        net.load_state_dict({**own, **state})
        return sorted(set(own) - set(state))
    d_old, d = state["dec_up.weight"].shape[0] // 4, net.dec_up.out_channels // 4
    for k, v in state.items():
        t = own[k]
        if t.shape == v.shape:
            t.copy_(v)
        elif k in ("dec_up.weight", "dec_up.bias", "dec_conv.bias"):
            t[: v.shape[0]] = v  # pixel_shuffle takes features in blocks of 4 channels: old ones first
        elif k == "dec_conv.weight":  # input is [features, LR frame]: new features go in between
            t[: v.shape[0], :d_old] = v[:, :d_old]
            t[: v.shape[0], d_old:d] = 0
            t[: v.shape[0], d:] = v[:, d_old:]
        elif k == "dec_out.weight":
            t[:, : v.shape[1]] = v
            t[:, v.shape[1]:] = 0
        else:
            raise ValueError(f"cannot grow {k} from {tuple(v.shape)} to {tuple(t.shape)}")
    net.load_state_dict(own)
    return sorted(set(own) - set(state))


def onnx_weights(path):
    """The network's weights from an exported model (LoRA already merged into the base weights)."""
    import onnx
    from onnx import numpy_helper
    model = onnx.load(path)
    return {i.name[len("net."):]: torch.from_numpy(numpy_helper.to_array(i).copy())
            for i in model.graph.initializer if i.name.startswith("net.")}
