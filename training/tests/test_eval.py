import numpy as np

from eval import paired_difference


def test_a_consistent_improvement_has_an_interval_below_zero():
    rng = np.random.default_rng(0)
    base = rng.uniform(2e-4, 4e-4, 500)
    d = paired_difference(base * 0.95, base)
    assert d["ci95_1e3"][1] < 0 and d["share_lower"] == 1.0
    assert abs(d["relative"] + 0.05) < 1e-3


def test_noise_alone_is_not_called_a_difference():
    rng = np.random.default_rng(1)
    base = rng.uniform(2e-4, 4e-4, 500)
    d = paired_difference(base + rng.normal(0, 2e-5, 500), base)
    assert d["ci95_1e3"][0] < 0 < d["ci95_1e3"][1]
    assert 0.3 < d["share_lower"] < 0.7


def test_a_compared_model_is_scored_on_the_same_frames_in_the_same_run():
    """--compare runs another model on the evaluation's LR frames: the bicubic baseline named as a
    file scores exactly what the built-in bicubic row does, and both differ from the model's row."""
    import os

    import cv2

    from eval import evaluate, flows
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    rng = np.random.default_rng(5)
    scene = cv2.GaussianBlur(rng.integers(0, 256, (160, 200, 3), dtype=np.uint8), (0, 0), 2)
    hr = [np.ascontiguousarray(scene[t:t + 128, 2 * t:2 * t + 160]) for t in range(4)]
    summary, _, _ = evaluate(hr, "stream", os.path.join(root, "models", "streamsr-tiny-x4.onnx"), "synthetic", flows(hr),
                             [os.path.join(root, "models", "bicubic-x4.onnx")])
    r = summary["results"]
    assert r["bicubic-x4"] == r["bicubic"]
    assert r["bicubic-x4"]["psnr_y"] != r["model"]["psnr_y"]
    assert list(r)[-1] == "ground truth"
