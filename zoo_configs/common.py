"""The fields every zoo config has; an entry's config states only its differences.

Run:  python -m ganzoo.run --model dcgan [--config zoo_configs/FILE.py] [--config.a.b=value]
"""

import ml_collections


def get_config():
    config = ml_collections.ConfigDict()
    config.model = "dcgan"
    config.dataset = "mnist"
    config.seed = 0
    config.strategy = "default"
    config.workdir = ""  # empty: runs/<model>
    config.conditional = False  # class-conditional (entries that offer both: sngan, sagan)
    config.preset = ""  # fine-tune from this pretrained preset (--preset NAME): its weights at step 0

    # Constructor arguments of the model (its architecture): each entry sets its own fields.
    config.arch = ml_collections.ConfigDict()
    config.arch.latent_dim = 100
    config.arch.latent_prior = "normal"  # z's distribution: normal | uniform (+-1) | uniform_sqrt3
    config.arch.ema_decay = 0.0
    config.arch.minibatch = "none"  # batch-level features in D: none | discrimination | stddev
    config.arch.vbn_reference = 0  # > 0: virtual batch norm in G (gan, dcgan) with this reference
    config.arch.pack = 1  # PacGAN: D judges this many examples at once (unconditional models)

    config.data = ml_collections.ConfigDict()
    config.data.split = "train"
    config.data.tfds_dir = ""  # empty: TFDS's default (~/tensorflow_datasets)
    config.data.image_size = ""  # "H,W" to resize (image folders, TFDS); empty: native size
    config.data.toy_size = 100_000  # points drawn from ring8 / grid25
    # decoded examples kept in memory: auto (when they fit in a quarter of the memory) | memory | none
    config.data.cache = "auto"

    config.train = ml_collections.ConfigDict()
    config.train.steps = 2000  # total training steps (each: d_steps D updates + 1 G update)
    config.train.batch_size = 64  # global batch of one D or G update
    config.train.loss = "non_saturating"
    config.train.label_smoothing = 0.0
    config.train.d_steps = 1
    # > 0: the R1 gradient penalty on D's real inputs, weight gamma / 2 (Mescheder et al. 2018)
    config.train.r1_gamma = 0.0
    config.train.optimizer = "adam"  # adam | sgd
    config.train.lr_g = 2e-4
    config.train.lr_d = 2e-4
    config.train.beta1 = 0.5  # adam
    config.train.beta2 = 0.999  # adam
    config.train.momentum = 0.0  # sgd
    # learning-rate schedule, in training steps for both networks: constant | exponential (x
    # lr_decay every step) | linear (from lr_decay_start down to 0 at train.steps)
    config.train.lr_schedule = "constant"
    config.train.lr_decay = 1.0
    config.train.lr_decay_start = 0
    config.train.jit_compile = False  # XLA; slower than plain TF on CPU
    # Keras dtype policy: float32 | mixed_bfloat16 | mixed_float16 (float16 adds loss scaling to
    # both optimizers); variables, losses, spectral-norm vectors and batch statistics stay float32
    config.train.mixed_precision = "float32"

    config.log = ml_collections.ConfigDict()
    config.log.log_every = 50  # losses and learning rates to TensorBoard and losses.csv
    config.log.sample_every = 500  # PNG grid (and TensorBoard image) of the fixed latent batch
    config.log.checkpoint_every = 500
    config.log.keep_checkpoints = 3
    config.log.num_samples = 64  # size of the fixed latent batch (points: 2000)
    config.log.verbose = 1  # Keras progress bar: 0 silent, 1 bar, 2 one line per chunk

    # Periodic evaluation during training (ganzoo.evaluation): TensorBoard eval/* and eval.json.
    config.eval = ml_collections.ConfigDict()
    config.eval.every = 0  # steps between evaluations; 0: off
    config.eval.num_samples = 2000  # samples scored, and reference examples of the split
    config.eval.split = "test"
    config.eval.extractor = "auto"  # auto | mnist | fashion | inception | fid_inception (images); 2-D points take none
    config.eval.metrics = "default"  # or e.g. "fid,kid": see python -m ganzoo.evaluate --help
    config.eval.cache_dir = ""  # reference statistics; empty: ~/.cache/ganzoo/reference
    return config
