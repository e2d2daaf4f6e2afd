"""The semi-supervised GAN on MNIST with 100 labels: `python -m ganzoo.run --model ssgan`.

Run:    python -m ganzoo.run --model ssgan [--config.data.label_seed=K]
Aims:   Salimans et al. 2016 (https://arxiv.org/abs/1606.03498), Table 1: 93 +- 6.5 test errors
        of 10,000 with 100 labelled training digits (10 a class), feature matching. Its MNIST
        networks (see ganzoo.models.ssgan), Adam(beta_1 0.5; lr 0.003 for D, 0.0003 for G: see
        below), labelled and unlabelled
        batches of 100. The paper trained 300 epochs of 60,000 digits; ganzoo's embedded
        default has 20,000 (python -m ganzoo.reproduce ssgan uses the full set when given).
"""

from zoo_configs import common


def get_config():
    config = common.get_config()
    config.model = "ssgan"
    config.arch.latent_dim = 100
    config.arch.g_units = (500, 500)
    config.arch.d_units = (1000, 500, 250, 250, 250)
    config.arch.input_noise = 0.3
    config.arch.hidden_noise = 0.5
    config.arch.unlabeled_weight = 0.5
    config.arch.d_average = 0.9999  # classify with D's running average (the authors' test)
    config.data.num_labels = 100  # labelled training examples, the same number each class
    config.data.label_seed = 0  # which ones: the paper averages over several draws
    config.train.batch_size = 100
    # the paper's 3e-3 for G saturated its tanh output within a few steps here (98% of pixels at
    # +-1 after 20 updates, measured from the data-dependent init); 3e-4 draws digit shapes by
    # step 500
    config.train.lr_g = 3e-4
    config.train.lr_d = 3e-3
    config.train.beta1 = 0.5
    config.train.steps = 6000  # 30 epochs of the 20,000 embedded digits
    config.log.sample_every = 1000
    config.log.checkpoint_every = 1000
    config.eval.every = 0
    return config
