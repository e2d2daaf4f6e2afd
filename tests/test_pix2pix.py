"""pix2pix: the U-Net, the PatchGAN, the objective, the embedded task, paired evaluation and the
command line. (The parametrised entry tests in test_models / test_training_core /
test_distribute run for pix2pix too.)"""

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from conftest import tiny
from ganzoo.data import paired
from ganzoo.models.pix2pix import receptive_field, unet_levels
from test_cli import run_cli
from test_evaluate import run_evaluate


def _skip_pairs(model):
    """[(decoder tensor shape, encoder tensor shape, encoder layer feeding the skip)] per skip."""
    out = []
    for layer in model.generator.layers:
        if isinstance(layer, keras.layers.Concatenate):
            decoder, encoder = layer.input
            source = encoder._keras_history.operation  # the LeakyReLU of an encoder level
            conv = source.input._keras_history.operation
            if not isinstance(conv, keras.layers.Conv2D):  # through its normalisation
                conv = conv.input._keras_history.operation
            out.append((tuple(decoder.shape[1:]), tuple(encoder.shape[1:]), conv.name))
    return out


@pytest.mark.parametrize("size, levels", [(256, 8), (64, 6), (32, 5), (28, 2), (16, 4)])
def test_unet_depth_output_shape_and_skip_wiring_follow_the_image_size(size, levels):
    model = ganzoo.build("pix2pix", image_shape=(size, size, 3), source_channels=1, g_filters=2,
                         d_filters=2)
    assert unet_levels((size, size, 3)) == model.levels == levels
    assert tuple(model.generator.output.shape[1:]) == (size, size, 3)
    assert tuple(model.generator.input.shape[1:]) == (size, size, 1)
    skips = _skip_pairs(model)
    assert len(skips) == levels - 1
    widths = model.unet_widths()
    for j, (decoder, encoder, conv) in enumerate(skips):
        level = levels - 2 - j  # decoder block j meets the mirrored encoder level
        side = size // 2 ** (level + 1)
        assert decoder[:2] == encoder[:2] == (side, side)
        assert decoder[-1] == encoder[-1] == widths[level]
        assert conv == f"down_{level}"
    # the paper's encoder-decoder: the same layers without the skips
    plain = ganzoo.build("pix2pix", image_shape=(size, size, 3), source_channels=1, g_filters=2,
                         d_filters=2, skips=False)
    assert _skip_pairs(plain) == [] and tuple(plain.generator.output.shape[1:]) == (size, size, 3)


def test_unet_256_is_the_papers_architecture():
    """Appendix 6.1.1 at 256x256: encoder C64-C128-C256-C512-C512-C512-C512-C512, decoder
    CD512-CD512-CD512-C512-C256-C128-C64 (before the skips' concatenation), dropout on the first
    three decoder blocks only, no norm on the first (and innermost) encoder layer."""
    model = ganzoo.build("pix2pix", image_shape=(256, 256, 3), source_channels=3)
    layers = {layer.name: layer for layer in model.generator.layers}
    assert [layers[f"down_{i}"].filters for i in range(8)] == [64, 128, 256, 512, 512, 512, 512, 512]
    assert [layers[f"up_{j}"].filters for j in range(7)] == [512, 512, 512, 512, 256, 128, 64]
    dropouts = [layer for layer in model.generator.layers if isinstance(layer, keras.layers.Dropout)]
    assert len(dropouts) == 3 and all(d.rate == 0.5 for d in dropouts)
    norms = [layer for layer in model.generator.layers
             if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(norms) == 6 + 7  # encoder levels 1..6, every decoder block
    assert layers["output"].activation is keras.activations.tanh
    # the authors' code prints "[Network G] Total number of parameters : 54.414 M" and
    # "[Network D] ... : 2.769 M" for unet_256 / basic D on 3 -> 3 channels (trainable weights;
    # their BN buffers are not parameters). Their batch-norm U-Net has no bias on the first and
    # innermost encoder convolutions (no norm follows them); ganzoo's has (64 + 512 more).
    count = lambda net: sum(int(np.prod(w.shape)) for w in net.trainable_weights)  # noqa: E731
    assert layers["down_0"].use_bias and layers["down_7"].use_bias
    assert round((count(model.generator) - 64 - 512) / 1e6, 3) == 54.414
    assert round(count(model.discriminator) / 1e6, 3) == 2.769


@pytest.mark.parametrize("patch, field", [("1", 1), ("16", 16), ("34", 34), ("70", 70),
                                          ("142", 142), ("286", 286)])
def test_patchgan_receptive_field_matches_its_name(patch, field):
    model = ganzoo.build("pix2pix", image_shape=(64, 64, 1), source_channels=1, g_filters=2,
                         d_filters=2, patch=patch)
    assert model.discriminator_receptive_field() == field


def test_patchgan_70_sees_exactly_a_70x70_window():
    """The field measured, not computed: the gradient of one central output patch with respect
    to the (source, target) input is non-zero on a 70x70 window and zero outside it."""
    model = ganzoo.build("pix2pix", image_shape=(160, 160, 1), source_channels=1, g_filters=2,
                         d_filters=4, norm="instance")
    assert receptive_field([(4, 2), (4, 2), (4, 2), (4, 1), (4, 1)]) == 70
    x = tf.random.stateless_uniform((1, 160, 160, 1), seed=(1, 2), minval=-1, maxval=1)
    y = tf.random.stateless_uniform((1, 160, 160, 1), seed=(3, 4), minval=-1, maxval=1)
    # instance norm mixes the whole image: judge the receptive field of the convolutions alone
    convs = [layer for layer in model.discriminator.layers if isinstance(layer, keras.layers.Conv2D)]
    with tf.GradientTape() as tape:
        tape.watch(y)
        h = tf.concat([x, y], -1)
        for i, conv in enumerate(convs):
            h = conv(h)
            if i < len(convs) - 1:
                h = tf.nn.leaky_relu(h, 0.2)
        out = h[0, 10, 10, 0]
    grad = np.abs(np.asarray(tape.gradient(out, y))[0, ..., 0])
    rows, cols = np.nonzero(grad > 0)
    assert rows.max() - rows.min() + 1 == 70 and cols.max() - cols.min() + 1 == 70
    whole = ganzoo.build("pix2pix", image_shape=(32, 32, 1), source_channels=1, g_filters=2,
                         d_filters=2, patch="image")
    assert whole.discriminator_receptive_field() >= 32  # ImageGAN: one field covers the image
    with pytest.raises(ValueError, match="valid patches: 1, 16, 34, 70, 142, 286, image"):
        ganzoo.build("pix2pix", image_shape=(32, 32, 1), source_channels=1, patch="71")


def _softplus(x):
    return np.logaddexp(0.0, x)


def test_objective_is_l1_plus_cgan_against_numpy():
    """G: -log D(x, G(x)) averaged over patches + lambda * mean |y - G(x)|; D: half of
    -log D(x, y) - log(1 - D(x, G(x))), averaged over patches (the authors' code)."""
    model = tiny("pix2pix", l1_weight=100.0)
    model.compile()
    rng = np.random.default_rng(0)
    real_out, fake_out = rng.normal(size=(2, 4, 3, 3, 1)).astype(np.float32)
    fake, real = rng.uniform(-1, 1, size=(2, 4, 16, 16, 1)).astype(np.float32)
    g = np.asarray(model.generator_objective(fake_out, None, fake, real))
    expected_g = (_softplus(-fake_out).reshape(4, -1).mean(1)
                  + 100.0 * np.abs(real - fake).reshape(4, -1).mean(1))
    np.testing.assert_allclose(g, expected_g, rtol=1e-5)
    d = np.asarray(model.discriminator_loss(real_out, fake_out, None, None))
    expected_d = 0.5 * (_softplus(-real_out).reshape(4, -1).mean(1)
                        + _softplus(fake_out).reshape(4, -1).mean(1))
    np.testing.assert_allclose(d, expected_d, rtol=1e-5)
    # the ablation's modes: cGAN only (lambda = 0) and L1 only (no adversarial term)
    cgan = tiny("pix2pix", l1_weight=0.0)
    cgan.compile()
    np.testing.assert_allclose(np.asarray(cgan.generator_objective(fake_out, None, fake, real)),
                               _softplus(-fake_out).reshape(4, -1).mean(1), rtol=1e-5)
    l1 = tiny("pix2pix", gan_weight=0.0)
    l1.compile()
    np.testing.assert_allclose(np.asarray(l1.generator_objective(fake_out, None, fake, real)),
                               100.0 * np.abs(real - fake).reshape(4, -1).mean(1), rtol=1e-5)
    with pytest.raises(ValueError, match="not both 0"):
        tiny("pix2pix", l1_weight=0.0, gan_weight=0.0)


def _pairs(model, steps=2, batch=8):
    rng = np.random.default_rng(5)
    sources = rng.uniform(-1, 1, (steps, batch) + model.source_shape).astype(np.float32)
    targets = rng.uniform(-1, 1, (steps, batch) + model.image_shape).astype(np.float32)
    return tf.data.Dataset.from_tensor_slices((sources, targets))


def test_a_training_step_is_the_authors_d_then_g_against_the_updated_d():
    """One fit step equals, computed by hand with plain SGD: fake = G(x); D -= lr * grad of
    0.5 * [softplus(-D(x, y)) + softplus(D(x, fake))]; then G -= lr * grad of
    softplus(-D'(x, G(x))) + 100 |y - G(x)| with the *updated* D'."""
    build = dict(g_dropout=0.0, norm="instance", seed=4)
    model, twin = tiny("pix2pix", **build), tiny("pix2pix", **build)
    model.compile(g_optimizer=keras.optimizers.SGD(0.05), d_optimizer=keras.optimizers.SGD(0.05))
    data = _pairs(model, steps=1)
    x, y = (tf.constant(v) for v in next(iter(data)))
    model.fit(data, epochs=1, verbose=0)

    G, D = twin.generator, twin.discriminator
    fake = G(x, training=True)
    with tf.GradientTape() as tape:
        d_loss = 0.5 * (tf.reduce_mean(tf.nn.softplus(-D([x, y], training=True)))
                        + tf.reduce_mean(tf.nn.softplus(D([x, fake], training=True))))
    for w, g in zip(D.trainable_weights, tape.gradient(d_loss, D.trainable_weights)):
        w.assign(w - 0.05 * g)
    with tf.GradientTape() as tape:
        fake = G(x, training=True)
        g_loss = (tf.reduce_mean(tf.nn.softplus(-D([x, fake], training=True)))
                  + 100.0 * tf.reduce_mean(tf.abs(y - fake)))
    for w, g in zip(G.trainable_weights, tape.gradient(g_loss, G.trainable_weights)):
        w.assign(w - 0.05 * g)
    for net, ref in ((model.discriminator, D), (model.generator, G)):
        for a, b in zip(net.trainable_weights, ref.trainable_weights):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-6)


def test_l1_only_trains_no_discriminator_and_the_logged_g_loss_is_the_l1():
    model = tiny("pix2pix", gan_weight=0.0, g_dropout=0.0)
    model.compile(g_optimizer=keras.optimizers.SGD(0.0), d_optimizer=keras.optimizers.SGD(0.1))
    d_before = [np.array(w) for w in model.discriminator.weights]
    sources, targets = next(iter(_pairs(model, steps=1)))
    # with a zero learning rate the logged loss is the L1 of the networks as they are
    fake = np.asarray(model.generator(sources, training=True))
    history = model.fit(_pairs(model, steps=1), epochs=1, verbose=0)
    assert history.history["d_loss"][-1] == 0.0
    np.testing.assert_allclose(history.history["g_loss"][-1],
                               100.0 * np.abs(np.asarray(targets) - fake).mean(), rtol=1e-4)
    for a, b in zip(d_before, model.discriminator.weights):
        np.testing.assert_array_equal(a, np.asarray(b))


def test_dropout_stays_on_at_sampling_unless_turned_off():
    model = tiny("pix2pix")
    x = np.random.default_rng(0).uniform(-1, 1, (4,) + model.source_shape).astype(np.float32)
    a, b = model.translate(x, seed=1), model.translate(x, seed=2)
    assert not np.allclose(a, b)  # the paper's noise: dropout at test time
    np.testing.assert_array_equal(a, model.translate(x, seed=1))
    off = model.translate(x, seed=1, dropout=False)
    np.testing.assert_array_equal(off, model.translate(x, seed=2, dropout=False))
    np.testing.assert_array_equal(off, np.asarray(model.generator(x, training=False)))
    quiet = tiny("pix2pix", sample_dropout=False)
    np.testing.assert_array_equal(quiet.translate(x, seed=1), quiet.translate(x, seed=2))


# -- the embedded task and the paired dataset names ----------------------------------------------

def test_edge_map_of_a_square_is_its_outline():
    image = np.zeros((1, 20, 20, 1), np.uint8)
    image[0, 6:14, 6:14] = 200
    edges = paired.edge_map(image)[0, ..., 0]
    assert set(np.unique(edges)) == {0, 255}  # black lines on white
    lines = edges == 0
    assert lines[6, 10] and lines[13, 10] and lines[10, 6] and lines[10, 13]  # the border
    assert not lines[10, 10] and not lines[1, 1] and not lines[18, 18]  # not inside or outside


def test_fashion_edges_is_the_embedded_paired_default():
    train, test = paired.fashion_edges("train"), paired.fashion_edges("test")
    assert (train.size, test.size) == (8000, 4000)
    assert train.source_shape == train.target_shape == (32, 32, 1)
    assert train.class_names == ("sandal", "sneaker", "bag", "ankle boot")
    np.testing.assert_array_equal(np.bincount(test.labels), [1000] * 4)
    edges, objects = next(iter(train.dataset))
    assert np.asarray(objects)[:2].max() == 0 and np.asarray(objects).max() > 100  # padded
    np.testing.assert_array_equal(np.asarray(edges), paired.edge_map(np.asarray(objects)[None])[0])
    swapped = paired.load_paired("fashion_edges", "test", "BtoA")
    a, b = next(iter(swapped.dataset))
    np.testing.assert_array_equal(np.asarray(a), np.asarray(next(iter(test.dataset))[1]))


def test_paired_names_give_the_download_or_the_choices(tmp_path):
    with pytest.raises(ValueError) as error:
        paired.load_paired("facades")
    assert "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/facades.tar.gz" in str(error.value)
    with pytest.raises(ValueError, match="fashion_edges \\(embedded\\)"):
        paired.load_paired("no_such_thing")
    with pytest.raises(ValueError, match="pairs:SOURCE_DIR,TARGET_DIR"):
        paired.load_paired("pairs:onlyone")
    # an unpacked download under its own name is a folder, not a download to ask for
    (tmp_path / "facades" / "train").mkdir(parents=True)
    from PIL import Image

    Image.fromarray(np.zeros((8, 16, 3), np.uint8)).save(tmp_path / "facades" / "train" / "1.png")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert paired.load_paired("facades", "train").source_shape == (8, 8, 3)
    finally:
        os.chdir(cwd)
    with pytest.raises(ValueError, match="paired dataset .* for paired models"):
        ganzoo.data.load("fashion_edges")
    np.savez(tmp_path / "p.npz", sources=np.zeros((3, 8, 8, 1), np.uint8),
             targets=np.full((3, 8, 8, 3), 9, np.uint8))
    source = paired.load_paired(str(tmp_path / "p.npz"), direction="BtoA")
    assert source.source_shape == (8, 8, 3) and source.target_shape == (8, 8, 1)


# -- paired evaluation --------------------------------------------------------------------------

def test_pixel_metrics_against_numpy():
    from ganzoo.evaluation import pixel_metrics

    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (3, 16, 16, 1)).astype(np.float32)
    b = np.clip(a + rng.normal(0, 0.1, a.shape), -1, 1).astype(np.float32)
    got = pixel_metrics(a, b)
    a01, b01 = (a + 1) / 2, (b + 1) / 2
    np.testing.assert_allclose(got["l1"], np.abs(a01 - b01).mean(), rtol=1e-5)
    mse = ((a01 - b01) ** 2).reshape(3, -1).mean(1)
    np.testing.assert_allclose(got["psnr"], np.mean(10 * np.log10(1.0 / mse)), rtol=1e-4)
    assert pixel_metrics(a, a)["ssim"] == pytest.approx(1.0, abs=1e-6)
    assert 0 < got["ssim"] < 1


def test_shipped_fashion_classifier_reaches_its_recorded_accuracy_on_the_held_out_objects():
    from ganzoo.evaluation import paired_arrays
    from ganzoo.metrics import features

    test = paired.fashion_edges("test")
    _, objects = paired_arrays(test)
    _, probs = features.get_extractor("fashion")(objects)
    accuracy = float(np.mean(np.argmax(probs, 1) == test.labels))
    meta = json.load(open(os.path.join(features.WEIGHTS_DIR, "fashion_classifier.json")))
    assert accuracy >= 0.95 and meta["test_accuracy"] == pytest.approx(accuracy, abs=5e-4)
    assert os.path.getsize(features.FASHION_WEIGHTS) < 1_000_000


def test_real_targets_score_at_the_floor_and_blank_translations_far_from_it(tmp_path):
    from ganzoo.evaluation import PairedEvaluator

    evaluator = PairedEvaluator("fashion_edges", num_samples=600, cache_dir=str(tmp_path))
    ref = evaluator.reference()
    real = evaluator.score(ref["targets"])
    assert real["l1"] == 0 and real["ssim"] == pytest.approx(1.0, abs=1e-6)
    assert real["fid"] < 1e-3
    # the shipped classifier knows the task: real objects get their class (test accuracy 0.97)
    assert real["classifier_score"] == evaluator.reference_info["classifier_score_of_targets"] > 0.95
    # the floor: other real objects (the training split's) against the held-out ones
    from ganzoo.evaluation import paired_arrays

    _, other = paired_arrays(paired.fashion_edges("train"), 600)
    floor = evaluator.score(other)
    assert floor["classifier_score"] < 0.5  # not their pairs' classes: chance is 0.25
    blank = evaluator.score(np.full_like(ref["targets"], -1.0))
    assert blank["fid"] > 10 * floor["fid"] and blank["kid"] > 10 * floor["kid"]
    assert blank["classifier_score"] < 0.5 and blank["l1"] > 0.1
    with pytest.raises(ValueError, match="valid: l1, psnr, ssim, fid, kid, classifier_score"):
        PairedEvaluator("fashion_edges", metrics="fid,is", cache_dir=str(tmp_path))


# -- the command line ---------------------------------------------------------------------------

P2P_TINY = ["--model=pix2pix", "--config.arch.g_filters=4", "--config.arch.d_filters=4",
            "--batch_size=8", "--config.log.verbose=0", "--config.log.num_samples=16"]


def test_cli_trains_pix2pix_on_the_embedded_task_and_evaluates_it(tmp_path):
    args = ["--steps=4", "--workdir=w", "--config.log.checkpoint_every=2",
            "--config.log.sample_every=2", "--config.eval.every=4", "--config.eval.num_samples=200",
            *P2P_TINY]
    result = run_cli(args, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "fashion_edges (8000 examples, shape (32, 32, 1) -> (32, 32, 1))" in result.stdout
    w = tmp_path / "w"
    assert sorted(os.listdir(w / "checkpoints")) == ["ckpt-00000002.keras", "ckpt-00000004.keras"]
    from PIL import Image

    # 16 held-out pairs, 8 a row: two blocks of source / translation / target rows
    grid = Image.open(w / "samples.png")
    assert grid.size == (8 * 34 + 2, 6 * 34 + 2)
    with np.load(w / "fixed_pairs.npz") as fixed:
        edges, objects = fixed["sources"], fixed["targets"]
    cells = np.asarray(grid, np.float32)
    first_target = cells[2 * 34 + 2:2 * 34 + 34, 2:34]
    np.testing.assert_allclose(first_target, (objects[0, ..., 0] + 1) * 127.5, atol=1)
    first_source = cells[2:34, 2:34]
    np.testing.assert_allclose(first_source, (edges[0, ..., 0] + 1) * 127.5, atol=1)
    evals = json.loads((w / "eval.json").read_text())
    assert evals[0]["step"] == 4 and 0 < evals[0]["l1"] < 1 and evals[0]["fid"] > 0
    assert 0 <= evals[0]["classifier_score"] <= 1
    done = run_evaluate(["--workdir=w", "--num_samples=300"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    record = json.loads((w / "metrics.json").read_text())
    assert set(record["results"]) >= {"l1", "psnr", "ssim", "fid", "kid", "classifier_score"}
    assert record["reference"]["count"] == 300 and record["reference"]["direction"] == "AtoB"
    assert record["reference"]["classifier_score_of_targets"] > 0.95
    # a resumed run goes on from the checkpoint with the same held-out pairs
    more = run_cli([a for a in args if not a.startswith("--steps")] + ["--steps=6"], tmp_path)
    assert more.returncode == 0, more.stderr[-3000:]
    assert "resuming at step 4 of 6" in more.stdout
