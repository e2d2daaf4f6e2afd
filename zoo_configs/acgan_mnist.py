"""AC-GAN on the embedded MNIST digits: the default of `python -m ganzoo.run --model acgan`.

Run:    python -m ganzoo.run --model acgan
Aims:   class-conditional digits whose rows follow the requested class (Odena et al. 2016,
        https://arxiv.org/abs/1610.09585, Fig. 1 and Section 4 report MNIST/CIFAR-10 samples).
        The DCGAN networks at 28x28 with the auxiliary class head, Adam(2e-4, beta_1=0.5).
        Dropout in D is the paper's (0.5) in the CIFAR-10 config; here it is off because on this
        2-core CPU it made a step 2.7x slower (513 vs 193 ms at batch 64).
"""

from zoo_configs import dcgan_mnist


def get_config():
    config = dcgan_mnist.get_config()  # the same networks, steps and batch
    config.model = "acgan"
    config.arch.d_dropout = 0.0
    config.arch.class_weight = 1.0
    config.arch.fake_class_loss = True  # False: D's class head learns from real digits only
    return config
