import os
import subprocess
import sys

import pytest
import torch

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.skipif(not os.path.isdir(os.path.join(HERE, "data", "raw", "images")),
                    reason="training data not fetched: run training/fetch_data.sh (./setup test does)")
def test_a_few_iterations_train_checkpoint_and_resume(tmp_path):
    cmd = [sys.executable, os.path.join(HERE, "train.py"), "--config", os.path.join(HERE, "configs", "tiny.yaml"),
           "--out", str(tmp_path), "--pool", "6"]
    subprocess.run(cmd + ["--iterations", "3"], check=True, capture_output=True)
    state = torch.load(tmp_path / "last.pt")
    assert state["iteration"] == 3
    r = subprocess.run(cmd + ["--iterations", "4"], check=True, capture_output=True, text=True)
    assert "resumed at iteration 3" in r.stdout
    assert torch.load(tmp_path / "last.pt")["iteration"] == 4


@pytest.mark.skipif(not os.path.isdir(os.path.join(HERE, "data", "raw", "images")),
                    reason="training data not fetched: run training/fetch_data.sh (./setup test does)")
def test_a_fine_tune_starts_from_a_checkpoint_on_curated_moderate_static_clips(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    base = [sys.executable, os.path.join(HERE, "train.py"), "--pool", "6", "--iterations", "1"]
    subprocess.run(base + ["--config", os.path.join(HERE, "configs", "tiny.yaml"), "--out", str(first)],
                   check=True, capture_output=True)
    r = subprocess.run(base + ["--config", os.path.join(HERE, "configs", "tiny-v5.yaml"), "--out", str(second),
                               "--init", str(first / "last.pt")], check=True, capture_output=True, text=True)
    assert f"initialised from {first / 'last.pt'}" in r.stdout
    state = torch.load(second / "last.pt")
    assert state["iteration"] == 1 and state["config"]["train"]["images"] == "curated"
