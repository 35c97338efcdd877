import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(HERE)
from checkpoints import onnx_weights


@pytest.mark.parametrize("student", ["recurrent", "tiny"])
def test_the_gpu_kit_dry_run_trains_base_distils_the_student_and_writes_what_comes_back(tmp_path, student):
    rng = np.random.default_rng(0)
    hr = rng.integers(0, 256, (6, 3, 64, 64, 3), dtype=np.uint8)
    lr = hr.reshape(6, 3, 16, 4, 16, 4, 3).mean(axis=(3, 5)).astype(np.uint8)
    if student == "tiny":  # a pack made before the recurrent model shipped
        weights = {f"tiny/{k}": v.numpy() for k, v in onnx_weights(os.path.join(ROOT, "models", "streamsr-tiny-x4.onnx")).items()}
        config, name = "tiny-v7.yaml", "streamsr-tiny-x4"
    else:
        from config import build, load_config
        net = build(load_config(os.path.join(HERE, "configs", "recurrent-v2.yaml")))
        weights = {f"student/{k}": v.numpy() for k, v in net.state_dict().items()}
        weights["student_arch"] = np.array("recurrent")
        config, name = "recurrent-v2.yaml", "streamsr-recurrent-x4"
    pack = tmp_path / "pack.npz"
    np.savez_compressed(pack, hr=hr, lr=lr, **weights)
    out = tmp_path / "kit"
    r = subprocess.run([sys.executable, os.path.join(HERE, "gpu_kit.py"), "--pack", str(pack), "--out", str(out), "--dry-run"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"{student} starts from the shipped weights" in r.stdout
    figures = json.loads((out / "figures.json").read_text())
    assert figures["base_iterations"] == 2 and figures["distil_iterations"] == 2 and figures["student"] == student
    assert figures["pytorch_fps_320x180"] > 0 and "bicubic_psnr" in figures and f"{student}_psnr" in figures
    assert figures.get("onnx") == name + ".onnx", figures
    assert (out / "log.txt").read_text().count("phase") >= 2
    state = torch.load(out / f"{student}.pt")
    assert state["config"]["name"] == name
    # What comes back exports here like any checkpoint of train.py.
    onnx_out = tmp_path / "student.onnx"
    subprocess.run([sys.executable, os.path.join(HERE, "export.py"), "--config", os.path.join(HERE, "configs", config),
                    "--checkpoint", str(out / f"{student}.pt"), "--out", str(onnx_out)], check=True, capture_output=True)
    assert onnx_out.stat().st_size > 10_000


def test_the_kit_needs_no_opencv_yaml_or_onnx():
    """The device has PyTorch and CUDA only: the kit's own imports must not reach for more."""
    code = ("import sys; sys.modules['cv2'] = None; sys.modules['yaml'] = None; sys.modules['onnx'] = None; "
            "import gpu_kit")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, cwd=HERE)


def test_burn_in_frames_build_the_state_and_are_not_scored():
    """recurrent_probe --burn-in: the loss does not see the clip's first frames (the zero-state start
    the per-frame ablation is), and does see every later one."""
    from gpu_kit import loss_on
    torch.manual_seed(3)
    hr = torch.rand(2, 5, 3, 32, 32)
    sr = hr + 0.05 * torch.randn_like(hr)
    flows = [None] * 5
    base = float(loss_on(sr, hr, flows, temporal=True, burn_in=2))
    early, late = sr.clone(), sr.clone()
    early[:, :2] = 0
    late[:, 3] = 0
    assert float(loss_on(early, hr, flows, temporal=True, burn_in=2)) == pytest.approx(base)
    assert float(loss_on(late, hr, flows, temporal=True, burn_in=2)) > base + 0.01
    assert float(loss_on(early, hr, flows, temporal=True)) > base + 0.01


def test_per_frame_training_runs_every_frame_on_its_own():
    """recurrent_probe --per-frame: each frame of the batch's clips is a one-frame clip (zero state,
    the previous frame itself), so only the per-frame path is trained; without it, whole clips."""
    from gpu_kit import train
    seen = []

    class Probe(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.ones(1))

        def forward_clip(self, lr):
            seen.append(tuple(lr.shape))
            sr = torch.nn.functional.interpolate(lr.flatten(0, 1), scale_factor=4, mode="nearest") * self.w
            return sr.view(lr.shape[0], lr.shape[1], 3, lr.shape[3] * 4, lr.shape[4] * 4), [None] * lr.shape[1]

    rng = np.random.default_rng(0)
    pack = {"hr": rng.integers(0, 255, (4, 5, 32, 32, 3), dtype=np.uint8), "lr": rng.integers(0, 255, (4, 5, 8, 8, 3), dtype=np.uint8)}
    for per_frame, shape in ((True, (10, 1, 3, 8, 8)), (False, (2, 5, 3, 8, 8))):
        seen.clear()
        train(Probe(), pack, np.arange(4), 60, torch.device("cpu"), lambda _: None, "probe", batch=2, crop=8, max_iterations=2,
              per_frame=per_frame)
        assert seen == [shape, shape]
