import os

import cv2
import numpy as np

import data
from degrade import degrade_clip, fixed_params, sample_params


def clip(seed=0, n=3, size=64):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (size, size, 3), dtype=np.uint8) for _ in range(n)]


def test_degradations_are_reproducible_from_a_seed():
    hr = clip()
    a = degrade_clip(hr, sample_params(np.random.default_rng(42)))
    b = degrade_clip(hr, sample_params(np.random.default_rng(42)))
    c = degrade_clip(hr, sample_params(np.random.default_rng(43)))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))
    assert a[0].shape == (16, 16, 3) and a[0].dtype == np.uint8


def test_x264_degradation_goes_through_gstreamer():
    p = fixed_params(0)
    assert p["codec"] == "x264"
    lr = degrade_clip(clip(1, 4, 128), p)
    assert len(lr) == 4 and lr[0].shape == (32, 32, 3)


def test_the_validation_clip_is_never_loaded_for_training(tmp_path, monkeypatch):
    clips = tmp_path / "clips"
    clips.mkdir()
    for name in ("vtest.avi", "tree.avi"):
        w = cv2.VideoWriter(str(clips / name), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
        for i in range(5):
            w.write(np.full((48, 64, 3), i * 40, np.uint8))
        w.release()
    monkeypatch.setattr(data, "RAW", str(tmp_path))
    loaded = data.load_clips()
    assert len(loaded) == 1, "only tree.avi: vtest.avi is the validation clip"
