"""Conditional SN-GAN with the projection discriminator on ImageNet at 128x128 (TFDS
`imagenet2012`, which must be prepared by hand: TFDS cannot download it).

Run:    python -m ganzoo.run --config zoo_configs/sngan_imagenet2012.py --strategy mirrored
Aims:   Miyato & Koyama 2018 (https://arxiv.org/abs/1802.05637), Section 5.2: 1000-class
        ImageNet at 128x128, conditional batch norm in G and projection in D, reported Inception
        score 29.7 after 450K iterations. G: 4x4x1024, ResBlockUp 1024, 512, 256, 128, 64;
        D: ResBlockDown 64, 128, 256, 512, 1024 (down), 1024 (the sngan defaults at 128x128);
        hinge loss, n_dis = 5, Adam(2e-4, 0, 0.9) decayed linearly to 0 over the 450K
        iterations, batch 64.
"""

from zoo_configs import sngan_cifar10


def get_config():
    config = sngan_cifar10.get_config()  # the same training recipe
    config.dataset = "imagenet2012"
    config.conditional = True
    config.data.image_size = "128,128"
    config.arch.g_channels = (1024, 512, 256, 128, 64)
    config.arch.d_channels = (64, 128, 256, 512, 1024, 1024)
    config.arch.d_downsample = (True, True, True, True, True, False)
    config.train.steps = 450_000
    config.train.lr_schedule = "linear"
    config.log.sample_every = 5000
    config.log.checkpoint_every = 5000
    return config
