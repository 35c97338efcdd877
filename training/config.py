"""Experiment configs and the model factory. A config may name a `base:` file (relative to itself)
whose keys it extends: nested maps merge, anything else the config sets replaces the base's."""
import os

import yaml


def _merge(base, over):
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def load_config(path):
    with open(path) as f:
        config = yaml.safe_load(f) or {}
    base = config.pop("base", None)
    if base is None:
        return config
    return _merge(load_config(os.path.join(os.path.dirname(path), base)), config)


def build(config):
    """The network a config's `model` block describes; `arch` picks the family, every other key must
    be one of its arguments (a typo is an error, not a default)."""
    model = dict(config["model"])
    arch = model.pop("arch", "streamsr")
    if arch == "recurrent":
        from archs.recurrent import RecurrentSRNet
        return RecurrentSRNet(**model)
    if arch != "streamsr":
        raise ValueError(f"unknown arch {arch!r}: streamsr or recurrent")
    from archs.model import StreamSRNet
    return StreamSRNet(**model)
