"""Class-conditional SAGAN on the embedded MNIST digits: the default of
`python -m ganzoo.run --model sagan`.

Run:    python -m ganzoo.run --model sagan [--config.conditional=False]
Aims:   digits whose rows follow the requested class on a 2-core CPU in about 10 minutes. The
        recipe of Zhang et al. 2018 (https://arxiv.org/abs/1805.08318, Section 5): spectral
        norm in G and D, hinge loss, one D step per G step, Adam(1e-4 G, 4e-4 D, beta_1=0,
        beta_2=0.9), conditional BN in G and projection in D as for their ImageNet model; the
        networks are the narrow 28x28 ones of sngan_mnist.py with attention on the 14x14 maps.
"""

from zoo_configs import sngan_mnist


def get_config():
    config = sngan_mnist.get_config()  # the same networks, steps and batch
    config.model = "sagan"
    config.conditional = True
    config.arch.attention_resolution = 14
    config.train.lr_g = 1e-4
    config.train.lr_d = 4e-4
    config.train.beta1 = 0.0
    config.train.beta2 = 0.9
    return config
