"""The original GAN on 8 Gaussians on a ring (the mode-collapse benchmark of VEEGAN/PacGAN).

Run:    python -m ganzoo.run --model gan --dataset ring8
Aims:   samples on all 8 modes (Srivastava et al. 2017, https://arxiv.org/abs/1705.07761,
        Fig. 2 setting: radius 2, std 0.02), written as a scatter plot over the modes.
        MLP G and maxout D without dropout, Adam, batch 256.
"""

from zoo_configs import gan_mnist


def get_config():
    config = gan_mnist.get_config()
    config.dataset = "ring8"
    config.workdir = "runs/gan_ring8"
    config.arch.latent_dim = 2 * 8
    config.arch.g_units = (128, 128)
    config.arch.d_units = (128, 128)
    config.arch.d_input_dropout = 0.0
    config.arch.d_dropout = 0.0
    config.arch.g_init_range = 0.1
    config.arch.d_init_range = 0.1
    config.train.steps = 3000
    config.train.batch_size = 256
    config.train.optimizer = "adam"
    config.train.lr_g = 1e-3
    config.train.lr_d = 1e-3
    config.train.beta1 = 0.5
    config.train.lr_decay = 1.0
    config.log.sample_every = 1000
    config.log.checkpoint_every = 1000
    config.eval.every = 1000  # mode coverage and Fréchet distance of 2,000 points
    return config
