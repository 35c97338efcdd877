"""The small spectral-norm patch discriminator of the adversarial (detail) stage."""
from torch import nn


class PatchDiscriminator(nn.Module):
    def __init__(self, ch=32):
        super().__init__()
        sn = nn.utils.spectral_norm
        self.net = nn.Sequential(
            sn(nn.Conv2d(3, ch, 4, 2, 1)), nn.LeakyReLU(0.2),
            sn(nn.Conv2d(ch, ch * 2, 4, 2, 1)), nn.LeakyReLU(0.2),
            sn(nn.Conv2d(ch * 2, ch * 4, 4, 2, 1)), nn.LeakyReLU(0.2),
            sn(nn.Conv2d(ch * 4, 1, 3, 1, 1)))

    def forward(self, x):
        return self.net(x * 2 - 1)
