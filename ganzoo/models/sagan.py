"""SAGAN (Zhang et al. 2018, https://arxiv.org/abs/1805.08318): SN-GAN plus self-attention."""

import keras

from ganzoo.models.sngan import SNGAN
from ganzoo.registry import register_model


@register_model("sagan")
@keras.saving.register_keras_serializable(package="ganzoo")
class SAGAN(SNGAN):
    """Self-Attention GAN: the SN-GAN networks with a ``SelfAttention`` block in G and D and
    spectral norm in G as well as D (Section 4); trained with the hinge loss, one D step per G
    step and two time-scale learning rates (Heusel et al. 2017): Adam(1e-4) for G, Adam(4e-4)
    for D, beta_1=0, beta_2=0.9.

    ``attention_resolution`` is the height of the maps the attention block sees; ``None`` puts
    it at half the image height (64 for 128x128, 16 for 32x32, 14 for 28x28; the paper's
    ImageNet model used 32 and 64).

    Example:
        >>> model = ganzoo.build("sagan", image_shape=(32, 32, 3), attention_resolution=16)
    """

    default_compile_args = dict(
        SNGAN.default_compile_args,
        g_optimizer=dict(class_name="adam", config=dict(learning_rate=1e-4, beta_1=0.0, beta_2=0.9)),
        d_optimizer=dict(class_name="adam", config=dict(learning_rate=4e-4, beta_1=0.0, beta_2=0.9)),
        d_steps=1,
    )
    tiny_args = dict(SNGAN.tiny_args, attention_resolution=8)

    def __init__(self, g_spectral_norm=True, attention_resolution=None, image_shape=(28, 28, 1),
                 **kwargs):
        if attention_resolution is None:
            attention_resolution = int(image_shape[0]) // 2
        super().__init__(g_spectral_norm=g_spectral_norm,
                         attention_resolution=attention_resolution, image_shape=image_shape,
                         **kwargs)
        if not self.attention_resolution:
            raise ValueError("SAGAN needs attention_resolution > 0 (SN-GAN is sagan without it)")
