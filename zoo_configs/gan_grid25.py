"""The original GAN on 25 Gaussians on a 5x5 grid (the mode-collapse benchmark of VEEGAN/PacGAN).

Run:    python -m ganzoo.run --model gan --dataset grid25
Aims:   samples on the 25 modes (Srivastava et al. 2017, https://arxiv.org/abs/1705.07761,
        grid of spacing 2, std 0.05), written as a scatter plot over the modes.
"""

from zoo_configs import gan_ring8


def get_config():
    config = gan_ring8.get_config()
    config.dataset = "grid25"
    config.workdir = "runs/gan_grid25"
    config.train.steps = 5000
    return config
