"""SN-GAN on the embedded MNIST digits: the default of `python -m ganzoo.run --model sngan`.

Run:    python -m ganzoo.run --model sngan [--config.conditional=True]
Aims:   recognisable digits on a 2-core CPU in about 10 minutes, with the networks of Miyato et
        al. 2018 (https://arxiv.org/abs/1802.05957, appendix B) made narrow for 28x28: G 7 -> 14
        -> 28 with 64 then 16 channels, D with 16, 64, 64. Spectral norm in D and the hinge loss
        as in the paper; the optimizer is the paper's "setting C" of Table 1 (Adam(2e-4, 0.5,
        0.999), n_dis = 1), under which Fig. 1 shows SN-GAN doing as well as under its n_dis = 5
        default (which `compile()` and the CIFAR-10 config use): on this CPU n_dis = 5 costs
        1.0 s a generator step instead of 0.25 s.
"""

from zoo_configs import common


def get_config():
    config = common.get_config()
    config.model = "sngan"
    config.arch.latent_dim = 128
    config.arch.g_channels = (64, 16)
    config.arch.d_channels = (16, 64, 64)
    config.arch.d_downsample = (True, True, False)
    config.train.loss = "hinge"
    config.train.d_steps = 1
    config.train.lr_g = 2e-4
    config.train.lr_d = 2e-4
    config.train.beta1 = 0.5
    config.train.beta2 = 0.999
    config.train.steps = 2400
    config.train.batch_size = 64
    config.eval.every = 600  # FID/KID/IS/... of 2,000 samples (MNIST classifier features)
    return config
