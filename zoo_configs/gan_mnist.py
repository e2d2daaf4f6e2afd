"""The original GAN on the embedded MNIST digits: `python -m ganzoo.run --model gan`.

Run:    python -m ganzoo.run --model gan [--config.train.loss=minimax|maximum_likelihood]
Aims:   the MNIST samples of Goodfellow et al. 2014 (https://arxiv.org/abs/1406.2661), Fig. 2a:
        MLP G (1200-1200 ReLU), maxout D (240x5, 240x5) with dropout, k = 1, batch 100; D's
        max-norm 1.9365 is the paper's TFD setting (its MNIST file has none). The paper's
        momentum SGD (lr 0.1 decaying by 1/1.000004 a step, momentum 0.5) diverged here within
        500 steps; with the paper's [0, 1] pixels (--config.arch.unit_pixels=True), D's rate
        halved (its objective there is half the zoo's) and no max-norm it trains, but 5,000
        steps score 15 nats against Adam's 100 (reports/goodfellow_parzen.md, paper_sgd), so
        this config uses Adam(2e-4, 0.5); that SGD recipe: --config.arch.unit_pixels=True
        --config.arch.d_max_norm=0 --config.train.optimizer=sgd --config.train.lr_g=0.1
        --config.train.lr_d=0.05 --config.train.momentum=0.5
        --config.train.lr_schedule=exponential --config.train.lr_decay=0.999996
"""

from zoo_configs import common


def get_config():
    config = common.get_config()
    config.model = "gan"
    config.arch.g_units = (1200, 1200)
    config.arch.d_units = (240, 240)
    config.arch.d_pieces = 5
    config.arch.d_input_dropout = 0.2
    config.arch.d_dropout = 0.5
    config.arch.d_max_norm = 1.9365
    config.arch.g_batch_norm = False  # batch norm before G's ReLUs (PacGAN's 2-D generators)
    config.arch.unit_pixels = False  # G a sigmoid on [0, 1], D reading [0, 1] (the paper's)
    config.arch.linear_scale = 0.0  # > 0: G linear, both nets in units this many times the data's
    config.train.steps = 5000
    config.train.batch_size = 100
    config.eval.every = 1000  # FID/KID/IS/... of 2,000 samples (MNIST classifier features)
    return config
