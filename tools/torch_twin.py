"""A PyTorch twin of ganzoo's DCGAN-MNIST default step, for ``tools/benchmark.py --torch``.

Layer for layer the networks of ``zoo_configs/dcgan_mnist.py`` (latent 100, 64 filters, 5x5
kernels, stride 2; G: dense 6272 without bias, BN, ReLU, two transposed convolutions, tanh; D: two
convolutions, LeakyReLU 0.2, BN on the second, dense logit), Adam(2e-4, 0.5, 0.999, eps 1e-7) on
each, and the step ganzoo and the keras.io idiom take: fresh noise, G forward (no gradient to G),
D update on real and fake, fresh noise, G update through D (no gradient to D's weights), mean
binary cross-entropy on logits. Batch norm in training mode everywhere, as in Keras' ``fit``.

Run as a server so that its runs alternate with ganzoo's in one warm process: each line on stdin
``STEPS`` runs that many steps on one fixed batch and prints the seconds they took (``0`` ends).
The first line printed is the twin's trainable parameter counts, ``G D``, which the benchmark
checks against ganzoo's networks.

    python tools/torch_twin.py [--batch_size 64] [--policy float32|mixed_bfloat16]
"""

import argparse
import sys
import time

import torch
from torch import nn


def networks(latent_dim=100, filters=64, kernel=5):
    pad = kernel // 2
    generator = nn.Sequential(
        nn.Linear(latent_dim, 2 * filters * 7 * 7, bias=False),
        nn.Unflatten(1, (2 * filters, 7, 7)),
        nn.BatchNorm2d(2 * filters, eps=1e-5, momentum=0.1),
        nn.ReLU(),
        nn.ConvTranspose2d(2 * filters, filters, kernel, 2, pad, output_padding=1, bias=False),
        nn.BatchNorm2d(filters, eps=1e-5, momentum=0.1),
        nn.ReLU(),
        nn.ConvTranspose2d(filters, 1, kernel, 2, pad, output_padding=1),
        nn.Tanh(),
    )
    discriminator = nn.Sequential(
        nn.Conv2d(1, filters, kernel, 2, pad),
        nn.LeakyReLU(0.2),
        nn.Conv2d(filters, 2 * filters, kernel, 2, pad, bias=False),
        nn.BatchNorm2d(2 * filters, eps=1e-5, momentum=0.1),
        nn.LeakyReLU(0.2),
        nn.Flatten(),
        nn.Linear(2 * filters * 7 * 7, 1),
    )
    for net in (generator, discriminator):
        for m in net.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(m.weight, 0.0, 0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
    return generator, discriminator


class Twin:
    def __init__(self, batch_size, policy, latent_dim=100):
        torch.manual_seed(0)
        self.g, self.d = networks(latent_dim)
        self.g.train()
        self.d.train()
        adam = dict(lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
        self.g_opt = torch.optim.Adam(self.g.parameters(), **adam)
        self.d_opt = torch.optim.Adam(self.d.parameters(), **adam)
        self.bce = nn.BCEWithLogitsLoss()
        self.real = torch.rand(batch_size, 1, 28, 28) * 2 - 1
        self.ones = torch.ones(batch_size, 1)
        self.zeros = torch.zeros(batch_size, 1)
        self.latent_dim = latent_dim
        self.autocast = policy == "mixed_bfloat16"

    def forward(self, fn, *args):
        if self.autocast:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                return fn(*args).float()
        return fn(*args)

    def step(self):
        n = self.real.shape[0]
        with torch.no_grad():
            fake = self.forward(self.g, torch.randn(n, self.latent_dim))
        self.d_opt.zero_grad(set_to_none=True)
        d_loss = (self.bce(self.forward(self.d, self.real), self.ones)
                  + self.bce(self.forward(self.d, fake), self.zeros))
        d_loss.backward()
        self.d_opt.step()
        self.d.requires_grad_(False)
        self.g_opt.zero_grad(set_to_none=True)
        fake = self.forward(self.g, torch.randn(n, self.latent_dim))
        g_loss = self.bce(self.forward(self.d, fake), self.ones)
        g_loss.backward()
        self.g_opt.step()
        self.d.requires_grad_(True)
        return d_loss.item(), g_loss.item()

    def run(self, steps):
        start = time.perf_counter()
        for _ in range(steps):
            self.step()
        return time.perf_counter() - start


def trainable(net):
    return sum(p.numel() for p in net.parameters() if p.requires_grad)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--policy", default="float32", choices=("float32", "mixed_bfloat16"))
    args = parser.parse_args()
    twin = Twin(args.batch_size, args.policy)
    print(trainable(twin.g), trainable(twin.d), flush=True)
    for line in sys.stdin:
        steps = int(line)
        if steps <= 0:
            break
        print(f"{twin.run(steps):.6f}", flush=True)


if __name__ == "__main__":
    main()
