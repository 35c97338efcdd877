"""An online recurrent network with its hidden state at LR resolution (RLSP/RRN-style), for the
engine contract: the hidden state is the cached latent (stride 1), warped onto the current frame
by the in-graph flow before it is read, so what the previous frames held lands where it belongs.

    x_t, warp(x_{t-1}), warp(h_{t-1}) ──conv──► blocks at LR resolution ──► 48 sub-pixel channels + bilinear skip ──► SR x4
                                                                        └──► h_t (cached for the next frame)

Experimental (training/README.md, session 6): not a shipped model.
"""
import torch
from torch import nn
import torch.nn.functional as F

from .model import FlowNet, ResBlock, act, bilinear_x4_as_conv, warp


class RecurrentSRNet(nn.Module):
    def __init__(self, channels=16, hidden=8, blocks=2, flow_channels=12):
        super().__init__()
        self.latent_channels = hidden
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

    def step_subpixel(self, x, px, prev_hidden):
        if self.flow is None:
            flow = None
            f = act(self.inp(torch.cat([x, px, prev_hidden], 1)))
        else:
            flow = F.interpolate(self.flow(x, px), scale_factor=2, mode="bilinear", align_corners=False) * 2
            f = act(self.inp(torch.cat([x, warp(px, flow), warp(prev_hidden, flow)], 1)))
        for b in self.blocks:
            f = b(f)
        skip = F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), self.skip_weight, groups=3)
        return skip + self.out(f), torch.tanh(self.hid(f)), flow

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
