"""AC-GAN on ImageNet at 128x128 (TFDS `imagenet2012`, which must be prepared by hand: TFDS
cannot download it).

Run:    python -m ganzoo.run --config zoo_configs/acgan_imagenet2012.py --strategy mirrored
Aims:   Odena et al. 2016 (https://arxiv.org/abs/1610.09585), Section 4: 128x128 ImageNet
        samples, trained as 100 AC-GANs of 10 classes each (Inception score 10.1 over all
        1000 classes). This config trains one 1000-class model, which the paper reports as
        harder; batch 100, Adam(2e-4, beta_1=0.5), dropout 0.5 in D.
"""

from zoo_configs import common


def get_config():
    config = common.get_config()
    config.model = "acgan"
    config.dataset = "imagenet2012"
    config.data.image_size = "128,128"
    config.arch.latent_dim = 110
    config.arch.g_filters = 48
    config.arch.d_filters = 16
    config.arch.kernel_size = 5
    config.arch.d_dropout = 0.5
    config.train.steps = 200_000
    config.train.batch_size = 100
    return config
