"""Class-conditional SAGAN on ImageNet at 128x128 (TFDS `imagenet2012`, which must be prepared
by hand: TFDS cannot download it).

Run:    python -m ganzoo.run --config zoo_configs/sagan_imagenet2012.py --strategy mirrored
Aims:   Zhang et al. 2018 (https://arxiv.org/abs/1805.08318), Table 2: Inception score 52.52,
        FID 18.65. The conditional SN-GAN ImageNet networks (sngan_imagenet2012.py) with
        attention on the 64x64 maps (Table 1 compares 8 to 64; 32 and 64 do best), spectral norm
        in G and D, hinge loss, n_dis = 1, Adam(1e-4 G, 4e-4 D, 0, 0.9), batch 256, 1M steps.
"""

from zoo_configs import sngan_imagenet2012


def get_config():
    config = sngan_imagenet2012.get_config()
    config.model = "sagan"
    config.arch.attention_resolution = 64
    config.train.d_steps = 1
    config.train.lr_g = 1e-4
    config.train.lr_d = 4e-4
    config.train.batch_size = 256
    config.train.steps = 1_000_000
    config.train.lr_schedule = "constant"  # SAGAN keeps its rates fixed
    return config
