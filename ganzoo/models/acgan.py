"""AC-GAN (Odena et al. 2016, https://arxiv.org/abs/1610.09585)."""

import keras
from keras import ops

from ganzoo.models.dcgan import DCGAN
from ganzoo.registry import register_model


def _class_nll(labels, logits):
    """Per-example -log P(C = label | x) from class logits."""
    return keras.losses.sparse_categorical_crossentropy(
        ops.cast(labels, "int32"), ops.cast(logits, "float32"), from_logits=True)


@register_model("acgan")
@keras.saving.register_keras_serializable(package="ganzoo")
class ACGAN(DCGAN):
    """Auxiliary-classifier GAN: a class-conditional generator and a discriminator with two
    heads, the source S (real or fake) and an auxiliary class C.

    The DCGAN networks with two changes: G's input is ``[z, one-hot(c)]``, and D ends in a
    source logit and ``num_classes`` class logits (dropout in D, as in the paper). Losses, the
    paper's log-likelihoods: ``L_S = log P(S=real | x_real) + log P(S=fake | x_fake)`` and
    ``L_C = log P(C=c | x_real) + log P(C=c | x_fake)``; D maximises ``L_S + L_C``, G maximises
    ``L_C - L_S``, with the source term of ``compile(loss=...)`` (non-saturating by default)
    and ``class_weight`` scaling ``L_C``. ``fake_class_loss=False`` drops the fake term from
    D's ``L_C`` (not the paper's): D's class head then learns the classes from real digits
    only, and cannot learn to read G's ambiguous samples as the class they were asked for.

    Example:
        >>> model = ganzoo.build("acgan", image_shape=(28, 28, 1), num_classes=10)
        >>> images = model.generate(10, labels=range(10))
    """

    conditioning = "required"
    supports_vbn = False
    tiny_args = dict(DCGAN.tiny_args, num_classes=3)

    def __init__(self, class_weight=1.0, d_dropout=0.5, fake_class_loss=True, **kwargs):
        super().__init__(d_dropout=d_dropout, **kwargs)
        self.class_weight = float(class_weight)
        self.fake_class_loss = bool(fake_class_loss)

    def generator_input(self):
        z = keras.Input((self.latent_dim,), name="z")
        labels = keras.Input((), dtype="int32", name="labels")
        one_hot = keras.layers.CategoryEncoding(self.num_classes, output_mode="one_hot")(labels)
        return [z, labels], keras.layers.Concatenate()([z, one_hot])

    def discriminator_output(self, features):
        source = keras.layers.Dense(1, kernel_initializer=self._init(), name="source")(features)
        classes = keras.layers.Dense(self.num_classes, kernel_initializer=self._init(),
                                     name="classes")(features)
        return [source, classes]

    def discriminator_loss(self, real_out, fake_out, real_labels, fake_labels):
        (real_source, real_classes), (fake_source, fake_classes) = real_out, fake_out
        source = self.gan_loss.d_loss(real_source, fake_source, self.label_smoothing)
        classes = _class_nll(real_labels, real_classes)
        if self.fake_class_loss:
            classes = classes + _class_nll(fake_labels, fake_classes)
        return source + self.class_weight * classes

    def adversarial_output(self, outputs):
        return outputs[0]  # the source head; the class head is not penalised by R1

    def generator_loss(self, fake_out, fake_labels):
        fake_source, fake_classes = fake_out
        return self.gan_loss.g_loss(fake_source) + self.class_weight * _class_nll(fake_labels,
                                                                                  fake_classes)

    def get_config(self):
        return {**super().get_config(), "class_weight": self.class_weight,
                "fake_class_loss": self.fake_class_loss}
