import torch
import torch.nn.functional as F

import losses as L


def reference_ssim(a, b):
    """SSIM written plainly, one channel at a time: what the stacked depthwise version must equal."""
    k = L._gauss(1, a.device)
    values = []
    for c in range(a.shape[1]):
        x, y = a[:, c:c + 1], b[:, c:c + 1]
        mx, my = F.conv2d(x, k), F.conv2d(y, k)
        sxx, syy, sxy = F.conv2d(x * x, k) - mx ** 2, F.conv2d(y * y, k) - my ** 2, F.conv2d(x * y, k) - mx * my
        values.append(((2 * mx * my + 1e-4) * (2 * sxy + 9e-4)) / ((mx ** 2 + my ** 2 + 1e-4) * (sxx + syy + 9e-4)))
    return torch.cat(values, 1).mean()


def test_ssim_equals_the_per_channel_definition_and_falls_with_noise():
    g = torch.Generator().manual_seed(0)
    a = torch.rand(2, 3, 40, 48, generator=g)
    b = (a + 0.1 * torch.randn(a.shape, generator=g)).clamp(0, 1)
    assert torch.allclose(L.ssim(a, b), reference_ssim(a, b), atol=1e-6)
    assert abs(L.ssim(a, a).item() - 1) < 1e-5
    worse = (a + 0.3 * torch.randn(a.shape, generator=g)).clamp(0, 1)
    assert L.ssim(a, worse) < L.ssim(a, b) < 1


def test_ssim_y_reads_luma_only():
    g = torch.Generator().manual_seed(1)
    a = torch.rand(1, 3, 32, 32, generator=g)
    # A change that keeps BT.601 luma: more red, less green in the luma ratio.
    shift = torch.zeros_like(a)
    shift[:, 0], shift[:, 1] = 0.05, -0.05 * 65.481 / 128.553
    assert L.ssim_y_loss(a + shift, a).item() < 1e-5
    assert L.ssim_y_loss(a.flip(-1), a).item() > 0.1


def test_the_temporal_loss_without_flow_punishes_flicker_the_truth_lacks():
    """A network without alignment passes no flows: frame differences are compared as they are."""
    import torch

    from losses import temporal
    hr = torch.rand(1, 1, 3, 16, 16).repeat(1, 4, 1, 1, 1)
    steady = hr + 0.1
    flicker = hr + 0.1 * torch.tensor([1.0, -1.0, 1.0, -1.0]).view(1, 4, 1, 1, 1)
    assert float(temporal(steady, hr, None)) < 2e-3  # Charbonnier's epsilon
    assert float(temporal(flicker, hr, [None] * 4)) > 0.1
