"""Training clips from Debian's packages (fetched by fetch_data.sh into data/raw).

Still images become clips by synthetic camera motion: pans, zooms, small rotations and a moving
text overlay. tree.avi and Megamind.avi give real motion. vtest.avi is the validation clip and is
refused here. Clips are degraded once (degrade.py) into a pool that training samples from.
"""
import glob
import os

import cv2
import numpy as np

from degrade import degrade_clip, sample_params

HERE = os.path.dirname(os.path.abspath(__file__))
RAW = os.path.join(HERE, "data", "raw")
VALIDATION = {"vtest.avi"}
# Left out by `images: curated`: pictures whose "ground truth" is itself blurred (a network learns
# to reproduce the blur), graphics no camera sees (logos, palettes, drawn shapes), and all but one
# of each stereo calibration series, which would otherwise be a fifth of the images.
NOT_CAMERA_CONTENT = ("clock_motion", "licenseplate_motion", "text_defocus", "text_motion",
                      "LinuxLogo", "WindowsLogo", "logo", "opencv-logo", "opencv-logo-white", "green_palette",
                      "gradient", "ml", "pic1", "pic2", "pic3", "pic4", "pic5", "pic6", "detect_blob", "ellipses",
                      "phantom", "chessboard", "chessboard_GRAY", "chessboard_RGB", "color", "aloeGT") + \
    tuple(f"{side}{i:02d}" for side in ("left", "right") for i in range(2, 15))


def load_images(min_side=160, curated=False):
    images = []
    for path in sorted(glob.glob(os.path.join(RAW, "images", "*"))):
        if curated and os.path.splitext(os.path.basename(path))[0] in NOT_CAMERA_CONTENT:
            continue
        img = cv2.imread(path, cv2.IMREAD_COLOR)
        if img is None or min(img.shape[:2]) < min_side:
            continue
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        scale = 720.0 / max(img.shape[:2])  # big wallpapers down to a camera-like size
        if scale < 1:
            img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        images.append(img)
    if not images:
        raise RuntimeError(f"no training images in {RAW}/images: run training/fetch_data.sh")
    return images


def load_clips():
    clips = []
    for path in sorted(glob.glob(os.path.join(RAW, "clips", "*.avi"))):
        if os.path.basename(path) in VALIDATION:
            continue  # never train on the validation clip
        cap = cv2.VideoCapture(path)
        frames = []
        while True:
            ok, f = cap.read()
            if not ok:
                break
            frames.append(cv2.cvtColor(f, cv2.COLOR_BGR2RGB))
        if frames:
            clips.append(frames)
    return clips


def synthetic_motion(img, frames, size, rng, static=False, speed=1.0):
    """A clip of `frames` crops of `size` from one image under a smooth random camera motion.

    static: a fixed camera, as most surveillance feeds are, where only things in the scene move: a
    patch of the image walks across it (a person, a car) and maybe a text overlay. Without such clips
    the network never sees the case where the previous frames hold exactly the same background.
    speed: a multiple of the pan's and the walker's velocity (up to 3 HR pixels a frame at 1)."""
    h, w = img.shape[:2]
    mx, my = min(size, w / 2), min(size, h / 2)
    cx, cy = rng.uniform(mx, w - mx), rng.uniform(my, h - my)
    vx, vy = rng.uniform(-3, 3, 2) * speed
    zoom, dzoom = 1.0, rng.uniform(-0.01, 0.01)
    angle, dangle = 0.0, rng.uniform(-0.6, 0.6)
    if static:
        vx = vy = dzoom = dangle = 0.0
    text = rng.random() < 0.3
    tx, ty, tvx = rng.uniform(0, size), rng.uniform(size * 0.3, size * 0.9), rng.uniform(-4, 4)
    walker = None
    if static:
        pw, ph = int(rng.integers(size // 8, size // 3)), int(rng.integers(size // 6, size // 2))
        py, px = int(rng.integers(0, h - ph)), int(rng.integers(0, w - pw))
        walker = (img[py:py + ph, px:px + pw].copy(), rng.uniform(0, size - pw), rng.uniform(0, size - ph), *(rng.uniform(-3, 3, 2) * speed))
    out = []
    for t in range(frames):
        m = cv2.getRotationMatrix2D((cx + vx * t, cy + vy * t), angle + dangle * t, zoom + dzoom * t)
        m[:, 2] += (size / 2 - (cx + vx * t), size / 2 - (cy + vy * t))
        crop = cv2.warpAffine(img, m, (size, size), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)
        if walker is not None:
            patch, x0, y0, wvx, wvy = walker
            ph, pw = patch.shape[:2]
            shift = np.float32([[1, 0, x0 + wvx * t], [0, 1, y0 + wvy * t]])  # sub-pixel positions, as real motion has
            layer = cv2.warpAffine(patch, shift, (size, size), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT)
            mask = cv2.warpAffine(np.ones((ph, pw), np.float32), shift, (size, size), flags=cv2.INTER_LINEAR)[..., None]
            crop = (crop * (1 - mask) + layer * mask).astype(np.uint8)
        if text:
            cv2.putText(crop, "CAM 07 12:04", (int(tx + tvx * t), int(ty)), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)
        out.append(crop)
    return out


def real_clip(frames_all, frames, size, rng):
    h, w = frames_all[0].shape[:2]
    size = min(size, (min(h, w) // 4) * 4)
    start = int(rng.integers(0, len(frames_all) - frames))
    y, x = int(rng.integers(0, h - size + 1)), int(rng.integers(0, w - size + 1))
    return [f[y:y + size, x:x + size] for f in frames_all[start:start + frames]]


def build_pool(count, frames, lr_crop, seed, log=print, profile="full", static_fraction=0.0, curated=False, stream_share=0.5,
               fast_share=0.0, fast_speed=4.0):
    """`count` (HR, LR) clip pairs, uint8, HR N x T x S x S x 3 and LR N x T x S/4 x S/4 x 3.
    profile: the degradation ranges (degrade.PROFILES); static_fraction: share of synthetic clips
    from a fixed camera; curated: leave out NOT_CAMERA_CONTENT. fast_share: share of synthetic clips
    whose motion is `fast_speed` times faster (up to 3 LR pixels a frame at 4: a person crossing a
    320-pixel picture in four seconds moves 2.7; vtest.avi's moving pixels reach 1.6 at the 90th
    percentile and 3.6 at the 99th), drawn only when it is above 0, so pools without it stay as they were."""
    rng = np.random.default_rng(seed)
    images, clips = load_images(curated=curated), load_clips()
    hr_size = lr_crop * 4
    hrs, lrs = [], []
    for i in range(count):
        if clips and rng.random() < 0.3:
            hr = real_clip(clips[int(rng.integers(0, len(clips)))], frames, hr_size, rng)
            if hr[0].shape[0] != hr_size:
                hr = [cv2.resize(f, (hr_size, hr_size), interpolation=cv2.INTER_CUBIC) for f in hr]
        else:
            static = static_fraction > 0 and rng.random() < static_fraction
            speed = fast_speed if fast_share > 0 and rng.random() < fast_share else 1.0
            hr = synthetic_motion(images[int(rng.integers(0, len(images)))], frames, hr_size, rng, static, speed)
        lr = degrade_clip(hr, sample_params(rng, profile=profile, stream_share=stream_share))
        hrs.append(np.stack(hr))
        lrs.append(np.stack(lr))
        if log and (i + 1) % 500 == 0:
            log(f"pool {i + 1}/{count}")
    return np.stack(hrs), np.stack(lrs)
