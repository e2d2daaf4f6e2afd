"""AC-GAN on CIFAR-10 (TFDS `cifar10`, 32x32).

Run:    python -m ganzoo.run --config zoo_configs/acgan_cifar10.py
Aims:   Odena et al. 2016 (https://arxiv.org/abs/1610.09585), Table 1: Inception score 8.25
        +- 0.07 on CIFAR-10. Their recipe: batch 100, Adam(2e-4, beta_1=0.5), dropout 0.5 in D,
        50,000 steps. Their networks differ in detail from these (a DCGAN generator 4 -> 32 with
        an auxiliary class head on the DCGAN discriminator), so expect a different figure.
"""

from zoo_configs import common


def get_config():
    config = common.get_config()
    config.model = "acgan"
    config.dataset = "cifar10"
    config.arch.g_filters = 96
    config.arch.d_filters = 64
    config.arch.kernel_size = 5
    config.arch.d_dropout = 0.5
    config.train.steps = 50_000
    config.train.batch_size = 100
    return config
