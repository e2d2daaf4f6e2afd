"""SN-GAN on CIFAR-10 (TFDS `cifar10`, 32x32), the paper's ResNet recipe.

Run:    python -m ganzoo.run --config zoo_configs/sngan_cifar10.py [--config.conditional=True]
Aims:   Miyato et al. 2018 (https://arxiv.org/abs/1802.05957), Table 2, "SN-GANs" with the
        ResNet networks: Inception score 8.22 +- .05, FID 21.7 +- .21 (unconditional).
        G: 4x4x256, three ResBlockUp(256); D: ResBlockDown 128 (down), 128 (down), 128, 128;
        hinge loss, n_dis = 5, Adam(2e-4, 0, 0.9), batch 64, 50,000 generator updates.
"""

from zoo_configs import common


def get_config():
    config = common.get_config()
    config.model = "sngan"
    config.dataset = "cifar10"
    config.arch.latent_dim = 128
    config.arch.g_channels = (256, 256, 256)
    config.arch.d_channels = (128, 128, 128, 128)
    config.arch.d_downsample = (True, True, False, False)
    config.train.loss = "hinge"
    config.train.d_steps = 5
    config.train.lr_g = 2e-4
    config.train.lr_d = 2e-4
    config.train.beta1 = 0.0
    config.train.beta2 = 0.9
    config.train.steps = 50_000
    config.train.batch_size = 64
    config.log.sample_every = 2000
    config.log.checkpoint_every = 2000
    return config
