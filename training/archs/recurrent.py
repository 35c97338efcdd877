"""An online recurrent network with its hidden state at LR resolution (RLSP/RRN-style), for the
engine contract: the hidden state is the cached latent (stride 1), warped onto the current frame
by the in-graph flow before it is read, so what the previous frames held lands where it belongs.

    x_t, warp(x_{t-1}), warp(h_{t-1}) ──conv──► blocks at LR resolution ──► 48 sub-pixel channels + bilinear skip ──► SR x4
                                                                        └──► h_t (cached for the next frame)

With `feedback` (session 10) the latent also carries the previous output's luma in sub-pixel form
(16 channels at LR resolution) and a history flag: a learned per-pixel gate blends the previous
luma into the current output where it still holds (static parts of a camera's picture, whose noise
and compression flicker from frame to frame), which makes the output steadier and averages the
noise out over frames. A zero latent (no history, or the per-frame ablation) has the flag at 0 and
blends nothing.
"""
import torch
from torch import nn
import torch.nn.functional as F

from .model import FlowNet, ResBlock, act, bilinear_x4_as_conv, warp


class RecurrentSRNet(nn.Module):
    def __init__(self, channels=16, hidden=8, blocks=2, flow_channels=12, feedback=False):
        super().__init__()
        self.hidden = hidden
        self.feedback = feedback
        self.latent_channels = hidden + (16 + 1 if feedback else 0)
        self.latent_stride = 1
        self.scale = 4
        # flow_channels 0: no explicit alignment (RLSP/RRN). The state is read where it was written and
        # the trunk's receptive field follows the motion; it saves the flow and both warps (a quarter of the time).
        self.flow = FlowNet(flow_channels) if flow_channels else None
        self.inp = nn.Conv2d(3 + 3 + hidden, channels, 3, 1, 1)
        self.blocks = nn.ModuleList(ResBlock(channels) for _ in range(blocks))
        self.out = nn.Conv2d(channels, 3 * 16, 3, 1, 1)
        self.hid = nn.Conv2d(channels, hidden, 3, 1, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)
        self.register_buffer("skip_weight", bilinear_x4_as_conv(), persistent=False)
        # quantize.fake_quantize sets it: the int8 graph rounds the skip to whole levels (quantize_tail).
        self.skip_on_picture_grid = False
        if feedback:
            # Sees the trunk's features and how far the previous luma is from this frame's; starts nearly
            # closed, so a network grown from one without feedback starts where it was.
            self.gate = nn.Conv2d(channels + 16, 16, 1)
            nn.init.zeros_(self.gate.weight)
            nn.init.constant_(self.gate.bias, -3.0)
            # BT.601 luma of each of the 16 sub-pixel positions (channel c * 16 + i is colour c at position i).
            luma = torch.zeros(16, 48, 1, 1)
            for i in range(16):
                luma[i, i], luma[i, 16 + i], luma[i, 32 + i] = 0.299, 0.587, 0.114
            self.register_buffer("luma_weight", luma, persistent=False)

    def step_subpixel(self, x, px, prev_latent):
        prev_hidden = prev_latent[:, :self.hidden] if self.feedback else prev_latent
        if self.flow is None:
            flow = None
            f = act(self.inp(torch.cat([x, px, prev_hidden], 1)))
        else:
            flow = F.interpolate(self.flow(x, px), scale_factor=2, mode="bilinear", align_corners=False) * 2
            f = act(self.inp(torch.cat([x, warp(px, flow), warp(prev_hidden, flow)], 1)))
        for b in self.blocks:
            f = b(f)
        skip = F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), self.skip_weight, groups=3)
        if self.skip_on_picture_grid and not self.feedback:
            skip = torch.fake_quantize_per_tensor_affine(skip, 1 / 255, 0, 0, 255)
        sub, hidden = skip + self.out(f), torch.tanh(self.hid(f))
        if not self.feedback:
            return sub, hidden, flow
        # As two fixed 1x1 convolutions and a concatenation, not per-channel slices: fewer, larger ONNX ops.
        luma = F.conv2d(sub, self.luma_weight)
        prev_luma = prev_latent[:, self.hidden:self.hidden + 16]
        has_history = prev_latent[:, self.hidden + 16:self.hidden + 17]
        diff = prev_luma - luma
        d = torch.sigmoid(self.gate(torch.cat([f, diff.abs()], 1))) * has_history * diff
        # The same shift on R, G and B moves the luma by d and leaves the colour alone.
        sub = sub + torch.cat([d, d, d], 1)
        return sub, torch.cat([hidden, luma + d, torch.ones_like(has_history)], 1), flow

    def step(self, x, px, prev_hidden):
        sub, h, flow = self.step_subpixel(x, px, prev_hidden)
        return F.pixel_shuffle(sub, 4), h, flow

    def forward_clip(self, frames):
        n, t, _, h, w = frames.shape
        hidden = frames.new_zeros(n, self.latent_channels, h, w)
        outs, flows = [], []
        for i in range(t):
            prev = frames[:, i - 1] if i > 0 else frames[:, 0]
            sr, hidden, flow = self.step(frames[:, i], prev, hidden)
            outs.append(sr)
            # the temporal loss reads flows at stride 2; without alignment it compares plain frame differences
            flows.append(None if flow is None else F.avg_pool2d(flow, 2) / 2)
        return torch.stack(outs, 1), flows
