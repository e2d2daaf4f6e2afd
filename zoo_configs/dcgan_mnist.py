"""DCGAN on the embedded MNIST digits: the default of `python -m ganzoo.run --model dcgan`.

Run:    python -m ganzoo.run --model dcgan
Aims:   recognisable digits in under 10 minutes on a 2-core CPU, as in Radford et al. 2015
        (https://arxiv.org/abs/1511.06434), Fig. 2-3 style samples; Adam(2e-4, beta_1=0.5).
"""

from zoo_configs import common


def get_config():
    config = common.get_config()
    config.model = "dcgan"
    config.arch.g_filters = 64
    config.arch.d_filters = 64
    config.arch.kernel_size = 5
    config.train.steps = 2000
    config.train.batch_size = 64
    config.eval.every = 500  # FID/KID/IS/... of 2,000 samples (MNIST classifier features)
    return config
