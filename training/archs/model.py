"""StreamSR's network: a DLoRAL-style one-step video super-resolution model sized for real time.

    LR frame ──encoder──► latent z (stride 2)
    LR pair ──flow (2-level SpyNet-like pyramid)──► flow at latent resolution
    previous latent ──warp(flow)──► CFR(Q from z; K, V from warped) ──► fused latent
    fused ──one-step UNet (Dual-LoRA convs)──► latent y  (returned, cached for the next frame)
    y ──decoder (pixel shuffle x2, fused with the LR frame, then x4)──► residual + bilinear LR skip ──► SR x4

The first frame of a stream comes with a zero latent: the graph detects it and switches CFR off.
"""
import torch
from torch import nn
import torch.nn.functional as F

from .cfr import CrossFrameRetrieval
from .lora import DualLoRAConv2d


def act(x):
    return F.leaky_relu(x, 0.1, inplace=False)


def warp(x, flow):
    """Samples x at (position + flow); flow in pixels of x, channel 0 = dx, 1 = dy."""
    n, _, h, w = x.shape
    ys = (torch.arange(h, dtype=x.dtype, device=x.device) + 0.5) / h * 2 - 1
    xs = (torch.arange(w, dtype=x.dtype, device=x.device) + 0.5) / w * 2 - 1
    gy = ys.view(1, h, 1).expand(1, h, w)
    gx = xs.view(1, 1, w).expand(1, h, w)
    fx = flow[:, 0] * (2.0 / w)
    fy = flow[:, 1] * (2.0 / h)
    grid = torch.stack([gx + fx, gy + fy], dim=-1)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


class FlowNet(nn.Module):
    """Two-level coarse-to-fine flow from the current to the previous frame, at stride 2."""

    def __init__(self, ch):
        super().__init__()
        self.coarse = nn.Sequential(nn.Conv2d(6, ch, 3, 1, 1), nn.LeakyReLU(0.1), nn.Conv2d(ch, ch, 3, 1, 1),
                                    nn.LeakyReLU(0.1), nn.Conv2d(ch, 2, 3, 1, 1))
        self.fine = nn.Sequential(nn.Conv2d(8, ch, 3, 1, 1), nn.LeakyReLU(0.1), nn.Conv2d(ch, ch, 3, 1, 1),
                                  nn.LeakyReLU(0.1), nn.Conv2d(ch, 2, 3, 1, 1))
        for head in (self.coarse[-1], self.fine[-1]):
            nn.init.zeros_(head.weight)
            nn.init.zeros_(head.bias)

    def forward(self, x, px):
        x2, p2 = F.avg_pool2d(x, 2), F.avg_pool2d(px, 2)
        x4, p4 = F.avg_pool2d(x2, 2), F.avg_pool2d(p2, 2)
        f4 = self.coarse(torch.cat([x4, p4], 1))
        f2 = F.interpolate(f4, size=x2.shape[-2:], mode="bilinear", align_corners=False) * 2
        f2 = f2 + self.fine(torch.cat([x2, warp(p2, f2), f2], 1))
        return f2


def bilinear_x4_as_conv(channels=3, r=4):
    """The weights of F.interpolate(x, scale_factor=r, mode="bilinear", align_corners=False) written
    as a 3x3 grouped convolution at LR resolution whose r*r output channels per input channel are
    the sub-pixel phases in pixel_shuffle order: the same numbers, computed before the shuffle.
    With edge (replicate) padding it matches at the borders too, where interpolate clamps."""
    w = torch.zeros(channels * r * r, 1, 3, 3)
    size = 7
    centre = size // 2
    for ky in range(3):
        for kx in range(3):
            delta = torch.zeros(1, 1, size, size)
            delta[0, 0, centre + ky - 1, centre + kx - 1] = 1.0
            up = F.interpolate(delta, scale_factor=r, mode="bilinear", align_corners=False)[0, 0]
            for ry in range(r):
                for rx in range(r):
                    value = up[r * centre + ry, r * centre + rx]
                    for c in range(channels):
                        w[c * r * r + ry * r + rx, 0, ky, kx] = value
    return w


class ResBlock(nn.Module):
    """x + conv(act(conv(x))), 3x3. The second convolution starts at zero, so a network that gains a
    block computes exactly what it did before and a fine-tune starts from the trained model."""

    def __init__(self, ch, conv=None, rank=4):
        super().__init__()
        if conv is None:
            self.a, self.b = nn.Conv2d(ch, ch, 3, 1, 1), nn.Conv2d(ch, ch, 3, 1, 1)
            last = self.b
        else:
            self.a, self.b = conv(ch, ch, 3, rank=rank), conv(ch, ch, 3, rank=rank)
            last = self.b.base
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)

    def forward(self, x):
        return x + self.b(act(self.a(x)))


class StreamSRNet(nn.Module):
    def __init__(self, latent_channels=16, flow_channels=16, key_channels=8, window=3, topk=3, rank=4,
                 decoder_channels=8, trunk_blocks=0, decoder_blocks=0):
        super().__init__()
        c = latent_channels
        d = decoder_channels
        self.latent_channels = c
        self.latent_stride = 2
        self.scale = 4
        self.encoder = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1), nn.LeakyReLU(0.1), nn.Conv2d(16, c, 3, 1, 1))
        self.flow = FlowNet(flow_channels)
        self.cfr = CrossFrameRetrieval(c, key_channels, window, topk)
        self.u_in = DualLoRAConv2d(c, c, 3, rank=rank)
        self.u_down = DualLoRAConv2d(c, 2 * c, 3, stride=2, rank=rank)
        self.u_mid = DualLoRAConv2d(2 * c, 2 * c, 3, rank=rank)
        self.u_up = DualLoRAConv2d(2 * c, c, 1, rank=rank)
        self.u_out = DualLoRAConv2d(c, c, 3, rank=rank)
        # Extra depth where it is cheap: residual blocks at the latent's stride 2 (a quarter of the LR
        # pixels) between the cached latent and the decoder, so the latent CFR sees is unchanged.
        self.trunk = nn.ModuleList(ResBlock(c, DualLoRAConv2d, rank) for _ in range(trunk_blocks))
        self.dec_up = nn.Conv2d(c, 4 * d, 1)
        # At LR resolution the decoder sees the frame itself again: the latent is at stride 2, and
        # detail finer than that can only come from here.
        self.dec_conv = nn.Conv2d(d + 3, 2 * d, 3, 1, 1)
        self.dec_blocks = nn.ModuleList(ResBlock(2 * d) for _ in range(decoder_blocks))
        self.dec_out = nn.Conv2d(2 * d, 3 * 16, 1)
        self.register_buffer("skip_weight", bilinear_x4_as_conv(), persistent=False)

    def step(self, x, px, prev_latent):
        """One frame: x, px float N x 3 x H x W in [0, 1]; returns (sr in [0, 1] unclamped, latent, flow)."""
        sub, y, flow = self.step_subpixel(x, px, prev_latent)
        return F.pixel_shuffle(sub, 4), y, flow

    def step_subpixel(self, x, px, prev_latent):
        """As step, but the SR frame stays in sub-pixel layout (N x 48 x H x W, pixel_shuffle order):
        everything but one final rearrangement happens at LR resolution, which is what makes the
        exported graph cheap at 1280x720 output."""
        z = self.encoder(x)
        flow = self.flow(x, px)
        has_history = (prev_latent.abs().amax(dim=(1, 2, 3), keepdim=True) > 0).to(z.dtype)
        z = self.cfr(z, warp(prev_latent, flow), has_history)
        e = act(self.u_in(z))
        m = act(self.u_mid(act(self.u_down(e))))
        u = self.u_up(F.interpolate(m, size=e.shape[-2:], mode="bilinear", align_corners=False))
        y = z + self.u_out(act(e + u))
        h = y
        for block in self.trunk:
            h = block(h)
        f = F.pixel_shuffle(act(self.dec_up(h)), 2)
        f = act(self.dec_conv(torch.cat([f, x], 1)))
        for block in self.dec_blocks:
            f = block(f)
        # The LR skip (bilinear x4) as a fixed conv in the same layout, instead of a full-resolution upsample and add.
        skip = F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), self.skip_weight, groups=3)
        return skip + self.dec_out(f), y, flow

    def forward_clip(self, frames):
        """frames: N x T x 3 x H x W in [0, 1]. Runs the stream as the engine does; returns SR N x T x 3 x 4H x 4W and flows."""
        n, t, _, h, w = frames.shape
        latent = frames.new_zeros(n, self.latent_channels, h // 2, w // 2)
        outs, flows = [], []
        for i in range(t):
            prev = frames[:, i - 1] if i > 0 else frames[:, 0]
            sr, latent, flow = self.step(frames[:, i], prev, latent)
            outs.append(sr)
            flows.append(flow)
        return torch.stack(outs, 1), flows


@torch.no_grad()
class EngineGraph(nn.Module):
    """The engine contract around the network: uint8 NHWC in and out, the latent in and out."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, lr, prev_lr, prev_latent):
        x = lr.permute(0, 3, 1, 2).to(torch.float32) / 255.0
        px = prev_lr.permute(0, 3, 1, 2).to(torch.float32) / 255.0
        sub, latent, _ = self.net.step_subpixel(x, px, prev_latent)
        # Quantise while the frame is still at LR resolution (48 channels), then one uint8
        # rearrangement from (N, C, ry, rx, H, W) to NHWC at 4H x 4W: pixel shuffle and the
        # NCHW -> NHWC transpose in a single pass over a quarter of the bytes.
        q = (sub.clamp(0, 1) * 255.0 + 0.5).to(torch.uint8)
        n, _, h, w = q.shape
        out = q.reshape(n, 3, 4, 4, h, w).permute(0, 4, 2, 5, 3, 1).reshape(n, 4 * h, 4 * w, 3)
        return out, latent
