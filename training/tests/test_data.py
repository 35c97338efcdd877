
import cv2
import numpy as np

import data
from degrade import degrade_clip, fixed_params, sample_params, stream_params, x264_roundtrip


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


def test_the_moderate_profile_is_reproducible_and_milder():
    hr = clip(2)
    a = degrade_clip(hr, sample_params(np.random.default_rng(7), profile="moderate"))
    b = degrade_clip(hr, sample_params(np.random.default_rng(7), profile="moderate"))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    rng = np.random.default_rng(0)
    moderate = [sample_params(rng, profile="moderate") for _ in range(200)]
    assert max(p["x264_quantizer"] for p in moderate) < 32 and min(p["jpeg1"] for p in moderate) >= 60
    assert max(p["noise1"][1] for p in moderate if p["noise1"][0] == "gauss") <= 12 * 0.6


def test_the_stream_degradation_is_an_area_downscale_then_h264_and_mixed_draws_both():
    hr = clip(3, 3, 64)
    lr = degrade_clip(hr, stream_params(quantizer=26))
    expected = x264_roundtrip([cv2.resize(f, (16, 16), interpolation=cv2.INTER_AREA) for f in hr], 26)
    assert all(np.array_equal(x, y) for x, y in zip(lr, expected)), "no blur, no noise: area down and x264 only"
    rng = np.random.default_rng(5)
    kinds = [sample_params(rng, profile="mixed").get("kind", "camera") for _ in range(200)]
    assert 60 < kinds.count("stream") < 140, "about half the clips arrive as a live stream would"
    quantizers = [stream_params(np.random.default_rng(i))["x264_quantizer"] for i in range(100)]
    assert min(quantizers) >= 18 and max(quantizers) <= 33


def test_a_static_clip_keeps_its_background_where_nothing_moves():
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)
    frames = data.synthetic_motion(img, 5, 96, np.random.default_rng(11), static=True)
    same = np.all(frames[0] == frames[-1], axis=-1)
    # The camera is still: most of the frame is the same pixels; the walker (and text) changed some.
    assert 0.5 < same.mean() < 1.0
    moving = data.synthetic_motion(img, 5, 96, np.random.default_rng(11), static=False)
    assert np.all(moving[0] == moving[-1], axis=-1).mean() < 0.1


def test_curated_images_leave_out_blurred_targets_graphics_and_calibration_repeats(tmp_path, monkeypatch):
    images = tmp_path / "images"
    images.mkdir()
    rng = np.random.default_rng(5)
    for name in ("building.jpg", "left01.jpg", "left05.jpg", "text_defocus.jpg", "opencv-logo.png"):
        cv2.imwrite(str(images / name), rng.integers(0, 256, (200, 240, 3), dtype=np.uint8))
    monkeypatch.setattr(data, "RAW", str(tmp_path))
    assert len(data.load_images()) == 5
    assert len(data.load_images(curated=True)) == 2, "building.jpg and the first of the calibration series"


def test_fast_clips_move_by_the_speed_factor():
    rng = np.random.default_rng(4)
    img = cv2.GaussianBlur(rng.integers(0, 256, (400, 400, 3), dtype=np.uint8), (0, 0), 3)
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)

    def shift(speed):
        frames = data.synthetic_motion(img, 2, 128, np.random.default_rng(21), speed=speed)
        a, b = (cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in frames)
        # The rotation and zoom about the crop's centre average out: the mean flow is the pan.
        return np.hypot(*dis.calc(a, b, None)[16:-16, 16:-16].reshape(-1, 2).mean(0))

    slow, fast = shift(1.0), shift(4.0)
    assert slow > 0.5 and 3.0 < fast / slow < 5.0, (slow, fast)
