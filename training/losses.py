"""Losses. No pretrained VGG/LPIPS weights exist here, so the perceptual term is structural (SSIM)
plus frequency (FFT amplitude); the adversarial term uses a small discriminator trained from scratch."""
import torch
import torch.nn.functional as F

from archs.model import warp


def charbonnier(a, b, eps=1e-3):
    return torch.sqrt((a - b) ** 2 + eps * eps).mean()


def _gauss(ch, device, size=7, sigma=1.5):
    ax = torch.arange(size, dtype=torch.float32, device=device) - size // 2
    g = torch.exp(-(ax ** 2) / (2 * sigma * sigma))
    g = (g / g.sum())
    k = (g[:, None] * g[None, :]).expand(ch, 1, size, size).contiguous()
    return k


def ssim(a, b):
    ch = a.shape[1]
    # One depthwise convolution over the five stacked maps: torch's CPU convolution is slow for one
    # or three channels (a single-channel SSIM cost more than the whole network's forward and backward).
    stats = F.conv2d(torch.cat([a, b, a * a, b * b, a * b], 1), _gauss(5 * ch, a.device), groups=5 * ch)
    mu_a, mu_b, aa, bb, ab = stats.split(ch, 1)
    saa, sbb, sab = aa - mu_a ** 2, bb - mu_b ** 2, ab - mu_a * mu_b
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    return (((2 * mu_a * mu_b + c1) * (2 * sab + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (saa + sbb + c2))).mean()


def luma(rgb):
    """BT.601 Y in [0, 1] scale (without the 16/255 offset, which SSIM does not see)."""
    w = rgb.new_tensor([65.481, 128.553, 24.966]).view(1, 3, 1, 1) / 255.0
    return (rgb * w).sum(1, keepdim=True)


def ssim_y_loss(sr, hr):
    """1 - SSIM on luma, the quantity the evaluation reports."""
    return 1 - ssim(luma(sr), luma(hr))


def structure_frequency(sr, hr):
    fa = torch.fft.rfft2(sr, norm="ortho").abs()
    fb = torch.fft.rfft2(hr, norm="ortho").abs()
    return (1 - ssim(sr, hr)) + F.l1_loss(fa, fb)


def temporal(sr_clip, hr_clip, flows):
    """Flow-warped frame differences of the output should match those of the ground truth. A network
    without flow gives None: then plain frame differences, which still punish flicker the truth lacks."""
    loss = 0.0
    for t in range(1, sr_clip.shape[1]):
        if flows is None or flows[t] is None:
            d_sr, d_hr = sr_clip[:, t] - sr_clip[:, t - 1], hr_clip[:, t] - hr_clip[:, t - 1]
            loss = loss + charbonnier(d_sr, d_hr)
            continue
        flow = F.interpolate(flows[t].detach(), scale_factor=8, mode="bilinear", align_corners=False) * 8
        d_sr = sr_clip[:, t] - warp(sr_clip[:, t - 1], flow)
        d_hr = hr_clip[:, t] - warp(hr_clip[:, t - 1], flow)
        loss = loss + charbonnier(d_sr, d_hr)
    return loss / max(1, sr_clip.shape[1] - 1)


def d_hinge(real_logits, fake_logits):
    return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()


def g_hinge(fake_logits):
    return -fake_logits.mean()
