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
