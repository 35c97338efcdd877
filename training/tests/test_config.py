import glob
import os

import pytest

from config import build, load_config

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("path", sorted(p for p in glob.glob(os.path.join(HERE, "configs", "**", "*.yaml"), recursive=True)
                                        if "_base" not in p))
def test_every_config_loads_and_builds_its_network(path):
    config = load_config(path)
    assert "base" not in config
    assert config["name"].startswith("streamsr-")
    net = build(config)
    assert sum(p.numel() for p in net.parameters()) > 1000


def test_a_config_extends_its_base_and_overrides_only_what_it_names(tmp_path):
    (tmp_path / "net.yaml").write_text("name: streamsr-x\nmodel: {latent_channels: 16, decoder_channels: 12}\ntrain: {seed: 1, lr: 0.1}\n")
    (tmp_path / "run.yaml").write_text("base: net.yaml\nmodel: {decoder_channels: 16}\ntrain: {seed: 2}\n")
    config = load_config(str(tmp_path / "run.yaml"))
    assert config == {"name": "streamsr-x", "model": {"latent_channels": 16, "decoder_channels": 16}, "train": {"seed": 2, "lr": 0.1}}


def test_a_typo_in_the_model_block_is_an_error_not_a_default():
    config = load_config(os.path.join(HERE, "configs", "tiny-v7.yaml"))
    config["model"]["decoder_chanels"] = 16
    with pytest.raises(TypeError, match="decoder_chanels"):
        build(config)
    config = load_config(os.path.join(HERE, "configs", "recurrent.yaml"))
    config["model"]["hiden"] = 4
    with pytest.raises(TypeError, match="hiden"):
        build(config)
    with pytest.raises(ValueError, match="unknown arch"):
        build({"model": {"arch": "transformer"}})
