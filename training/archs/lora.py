"""Convolutions with two LoRA branches, C-LoRA (temporal consistency) and D-LoRA (spatial detail).

A LoRA branch on a k x k convolution is a k x k convolution down to rank r followed by a 1 x 1
convolution back up, scaled by alpha / r. Its product is itself a k x k convolution, so both
branches fold into the base weight for export (`merge`), and the exported graph costs nothing extra.
"""
import torch
from torch import nn


class DualLoRAConv2d(nn.Module):
    def __init__(self, cin, cout, k=3, stride=1, rank=4, alpha=4.0):
        super().__init__()
        self.base = nn.Conv2d(cin, cout, k, stride, k // 2)
        self.rank = rank
        self.scale = alpha / rank
        self.c_down = nn.Conv2d(cin, rank, k, stride, k // 2, bias=False)
        self.c_up = nn.Conv2d(rank, cout, 1, bias=False)
        self.d_down = nn.Conv2d(cin, rank, k, stride, k // 2, bias=False)
        self.d_up = nn.Conv2d(rank, cout, 1, bias=False)
        for up in (self.c_up, self.d_up):
            nn.init.zeros_(up.weight)  # LoRA starts as the identity change
        self.merged = False

    def forward(self, x):
        y = self.base(x)
        if not self.merged:
            y = y + self.scale * (self.c_up(self.c_down(x)) + self.d_up(self.d_down(x)))
        return y

    def branch_weight(self, down, up):
        # (cout, r, 1, 1) o (r, cin, k, k) -> (cout, cin, k, k)
        return torch.einsum("or,rikl->oikl", up.weight[:, :, 0, 0], down.weight)

    @torch.no_grad()
    def merge(self):
        if self.merged:
            return
        delta = self.branch_weight(self.c_down, self.c_up) + self.branch_weight(self.d_down, self.d_up)
        self.base.weight += self.scale * delta
        self.merged = True

    def lora_parameters(self, which):
        if which == "c":
            return list(self.c_down.parameters()) + list(self.c_up.parameters())
        if which == "d":
            return list(self.d_down.parameters()) + list(self.d_up.parameters())
        raise ValueError(which)


def merge_all(module):
    for m in module.modules():
        if isinstance(m, DualLoRAConv2d):
            m.merge()


def lora_parameters(module, which):
    params = []
    for m in module.modules():
        if isinstance(m, DualLoRAConv2d):
            params += m.lora_parameters(which)
    return params
