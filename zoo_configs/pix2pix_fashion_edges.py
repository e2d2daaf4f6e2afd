"""pix2pix on the embedded edges -> objects task: the default of `python -m ganzoo.run --model pix2pix`.

Run:    python -m ganzoo.run --model pix2pix
Data:   fashion_edges (ganzoo.data.EDGES_NOTE): edge maps of Fashion-MNIST's sandals, sneakers,
        bags and ankle boots -> the objects, 32x32 grey, 8,000 training pairs, 4,000 held out;
        shipped with the package, so it trains offline, in the spirit of the authors'
        edges2shoes / edges2handbags.
Aims:   recognisable, sharp objects from edges in about 10 minutes on a 2-core CPU; Isola et al.
        2017 (https://arxiv.org/abs/1611.07004): U-Net (5 levels at 32x32), 70x70 PatchGAN,
        L1 + cGAN with lambda 100, Adam(2e-4, beta_1 0.5), dropout at sampling.
Other:  --dataset PATH (side-by-side A|B folder: the authors' facades, maps, edges2shoes...),
        pairs:SRC_DIR,DST_DIR or FILE.npz; --config.data.direction=BtoA; ablations:
        --config.arch.gan_weight=0 (L1 only), --config.arch.l1_weight=0 (cGAN only),
        --config.arch.skips=False (encoder-decoder), --config.arch.patch=1|16|70|286|image.
"""

from zoo_configs import common


def get_config():
    config = common.get_config()
    config.model = "pix2pix"
    config.dataset = "fashion_edges"
    for field in ("latent_dim", "latent_prior", "minibatch", "vbn_reference"):  # no latent vector, no such D
        del config.arch[field]
    config.arch.g_filters = 64
    config.arch.d_filters = 64
    config.arch.norm = "batch"  # batch | instance
    config.arch.patch = "70"  # 1 | 16 | 34 | 70 | 142 | 286 | image
    config.arch.skips = True  # False: the paper's encoder-decoder
    config.arch.l1_weight = 100.0  # lambda; 0: cGAN only
    config.arch.gan_weight = 1.0  # 0: L1 only (no discriminator)
    config.arch.g_dropout = 0.5
    config.arch.sample_dropout = True
    config.data.direction = "AtoB"  # AtoB | BtoA: which half of a pair is the source
    config.train.steps = 1000
    config.train.batch_size = 64
    config.log.sample_every = 250
    config.log.checkpoint_every = 250
    config.log.num_samples = 32  # held-out pairs in the sample grids (source / translation / target)
    config.eval.every = 500  # L1, PSNR, SSIM, FID/KID and classifier score on held-out pairs
    config.eval.num_samples = 1000
    return config
