"""SAGAN on CIFAR-10 (TFDS `cifar10`, 32x32).

Run:    python -m ganzoo.run --config zoo_configs/sagan_cifar10.py
Aims:   no figure of the paper (Zhang et al. 2018, https://arxiv.org/abs/1805.08318, reports
        ImageNet only): the SN-GAN CIFAR-10 networks (sngan_cifar10.py, Table 2 of Miyato et al.
        2018: IS 8.22, FID 21.7) plus attention on the 16x16 maps, spectral norm in G, and the
        SAGAN training recipe, so the two configs compare the paper's additions at 32x32.
"""

from zoo_configs import sngan_cifar10


def get_config():
    config = sngan_cifar10.get_config()
    config.model = "sagan"
    config.arch.attention_resolution = 16
    config.train.d_steps = 1
    config.train.lr_g = 1e-4
    config.train.lr_d = 4e-4
    config.train.steps = 250_000
    return config
