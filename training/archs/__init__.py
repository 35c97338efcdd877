"""The networks: StreamSRNet (model), its CFR and Dual-LoRA layers, the recurrent network, and the
GAN discriminator used in training."""
