"""Second-order degradations in the style of Real-ESRGAN / RealBasicVSR, consistent across a clip.

Blur (isotropic or anisotropic Gaussian), resize with a random kernel, Gaussian or Poisson noise
and JPEG, twice, then the final x4 downscale and either JPEG or real H.264 through GStreamer's
x264 at a random quality. The parameters are drawn once per clip from a seeded generator and
applied to every frame, as a camera and its encoder would; the noise itself changes per frame.
The same seed gives the same LR clip.
"""
import os
import subprocess
import tempfile

import cv2
import numpy as np

INTERP = [cv2.INTER_AREA, cv2.INTER_LINEAR, cv2.INTER_CUBIC]


def gaussian_kernel(rng, size_range=(7, 21), sigma_range=(0.2, 3.0), aniso_prob=0.5):
    k = int(rng.integers(size_range[0] // 2, size_range[1] // 2 + 1)) * 2 + 1
    s1 = rng.uniform(*sigma_range)
    if rng.random() < aniso_prob:
        s2 = rng.uniform(*sigma_range)
        theta = rng.uniform(0, np.pi)
    else:
        s2, theta = s1, 0.0
    ax = np.arange(k) - k // 2
    xx, yy = np.meshgrid(ax, ax)
    c, s = np.cos(theta), np.sin(theta)
    xr, yr = c * xx + s * yy, -s * xx + c * yy
    kern = np.exp(-0.5 * ((xr / s1) ** 2 + (yr / s2) ** 2))
    return (kern / kern.sum()).astype(np.float32)


# Ranges per profile. "full" is Real-ESRGAN-wide; "moderate" is what live cameras and their H.264
# encoders usually deliver (milder blur, noise and compression, H.264 more often than JPEG).
PROFILES = {
    "full": {"sigma1": (0.2, 3.0), "scale1": (0.5, 1.2), "jpeg1": (45, 96), "jpeg2": (50, 96), "x264_prob": 0.3,
             "x264_quantizer": (18, 36), "noise": 1.0},
    "moderate": {"sigma1": (0.4, 2.0), "scale1": (0.6, 1.0), "jpeg1": (60, 96), "jpeg2": (60, 96), "x264_prob": 0.5,
                 "x264_quantizer": (18, 32), "noise": 0.6},
}


def stream_params(rng=None, quantizer=26):
    """A live stream's degradation: area downscale x4 (what a camera's or encoder's scaler does),
    then H.264. No added blur or noise. With `rng`, the quantizer is drawn from 18..33."""
    q = int(rng.integers(18, 34)) if rng is not None else quantizer
    return {"kind": "stream", "x264_quantizer": q, "noise_seed": 0}


def sample_params(rng, strength=1.0, profile="full", stream_share=0.5):
    """Everything random about one clip's degradation; `strength` scales noise and compression.
    profile "mixed": `stream_share` of the clips a live stream's degradation (stream_params), the rest "moderate"."""
    if profile == "stream" or (profile == "mixed" and rng.random() < stream_share):
        return stream_params(rng)
    if profile == "mixed":
        profile = "moderate"
    r = PROFILES[profile]
    strength = strength * r["noise"]
    p = {
        "k1": gaussian_kernel(rng, sigma_range=r["sigma1"]),
        "scale1": rng.uniform(*r["scale1"]),
        "interp1": int(rng.integers(0, 3)),
        "noise1": ("gauss", rng.uniform(1, 12) * strength) if rng.random() < 0.6 else ("poisson", rng.uniform(0.05, 1.5) * strength),
        "jpeg1": int(rng.integers(*r["jpeg1"])),
        "second": bool(rng.random() < 0.8),
        "k2": gaussian_kernel(rng, sigma_range=(0.2, 1.5)),
        "scale2": rng.uniform(0.6, 1.1),
        "interp2": int(rng.integers(0, 3)),
        "noise2": ("gauss", rng.uniform(1, 8) * strength) if rng.random() < 0.6 else ("poisson", rng.uniform(0.05, 1.0) * strength),
        "final_interp": int(rng.integers(0, 3)),
        "codec": "x264" if rng.random() < r["x264_prob"] else "jpeg",
        "jpeg2": int(rng.integers(*r["jpeg2"])),
        "x264_quantizer": int(rng.integers(*r["x264_quantizer"])),
        "noise_seed": int(rng.integers(0, 2 ** 31)),
    }
    return p


def fixed_params(seed=0):
    """The evaluation's fixed, moderate degradation."""
    rng = np.random.default_rng(seed)
    p = sample_params(rng, strength=0.6)
    p.update({"k1": gaussian_kernel(np.random.default_rng(seed), (9, 9), (1.2, 1.2), 0.0), "scale1": 0.8, "interp1": 2,
              "noise1": ("gauss", 4.0), "jpeg1": 85, "second": True, "k2": gaussian_kernel(np.random.default_rng(seed), (5, 5), (0.8, 0.8), 0.0),
              "scale2": 0.9, "interp2": 1, "noise2": ("gauss", 2.0), "final_interp": 0, "codec": "x264", "x264_quantizer": 26})
    return p


def _noise(img, kind, amount, rng):
    f = img.astype(np.float32)
    if kind == "gauss":
        f = f + rng.normal(0, amount, f.shape).astype(np.float32)
    else:
        vals = 2 ** np.ceil(np.log2(max(1.0, 255.0 / max(amount, 1e-3))))
        f = rng.poisson(np.clip(f, 0, 255) / 255.0 * vals).astype(np.float32) / vals * 255.0
    return np.clip(f, 0, 255).astype(np.uint8)


def _jpeg(img, q):
    ok, enc = cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, int(q)])
    return cv2.cvtColor(cv2.imdecode(enc, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def x264_roundtrip(frames, quantizer):
    """Real video compression: x264 through gst-launch-1.0, decoded back with libav."""
    h, w = frames[0].shape[:2]
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in.rgb"), os.path.join(d, "out.rgb")
        np.stack(frames).tofile(src)
        pipeline = (f"filesrc location={src} blocksize={w * h * 3} ! rawvideoparse format=rgb width={w} height={h} framerate=25/1 "
                    f"! videoconvert ! video/x-raw,format=I420 ! x264enc speed-preset=veryfast pass=quant quantizer={quantizer} "
                    f"key-int-max=50 ! h264parse ! avdec_h264 ! videoconvert ! video/x-raw,format=RGB ! filesink location={dst}")
        subprocess.run(["gst-launch-1.0", "-q"] + pipeline.split(), check=True, capture_output=True)
        out = np.fromfile(dst, np.uint8)
    n = out.size // (w * h * 3)
    out = out[: n * w * h * 3].reshape(n, h, w, 3)
    if n != len(frames):
        raise RuntimeError(f"x264 round trip returned {n} frames for {len(frames)}")
    return list(out)


def degrade_clip(frames, params, scale=4):
    """frames: list of HR uint8 RGB (H x W x 3, H and W divisible by scale). Returns the LR clip."""
    h, w = frames[0].shape[:2]
    lh, lw = h // scale, w // scale
    if params.get("kind") == "stream":
        return x264_roundtrip([cv2.resize(f, (lw, lh), interpolation=cv2.INTER_AREA) for f in frames], params["x264_quantizer"])
    rng = np.random.default_rng(params["noise_seed"])
    out = []
    for f in frames:
        img = cv2.filter2D(f, -1, params["k1"], borderType=cv2.BORDER_REFLECT)
        s1 = params["scale1"] / scale * 2  # first stage lands between 1/8 and 1/2 of HR
        img = cv2.resize(img, (max(8, int(w * s1)), max(8, int(h * s1))), interpolation=INTER_LIST(params["interp1"]))
        img = _noise(img, *params["noise1"], rng)
        img = _jpeg(img, params["jpeg1"])
        if params["second"]:
            img = cv2.filter2D(img, -1, params["k2"], borderType=cv2.BORDER_REFLECT)
            img = cv2.resize(img, (max(8, int(img.shape[1] * params["scale2"])), max(8, int(img.shape[0] * params["scale2"]))),
                             interpolation=INTER_LIST(params["interp2"]))
            img = _noise(img, *params["noise2"], rng)
        img = cv2.resize(img, (lw, lh), interpolation=INTER_LIST(params["final_interp"]))
        if params["codec"] == "jpeg":
            img = _jpeg(img, params["jpeg2"])
        out.append(img)
    if params["codec"] == "x264":
        out = x264_roundtrip(out, params["x264_quantizer"])
    return out


def INTER_LIST(i):
    return INTERP[int(i) % len(INTERP)]
