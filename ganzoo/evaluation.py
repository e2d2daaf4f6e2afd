"""Evaluate generators against a dataset split: the library side of ``python -m ganzoo.evaluate``
and of the periodic-evaluation training callback.

``Evaluator(dataset, split, extractor, num_samples, ...)`` holds the reference features of
``num_samples`` examples of the split (computed once, then cached on disk keyed by dataset,
split, extractor and count) and scores a model's samples or any image array with every metric
that applies: FID, KID, Inception Score (over the extractor's classes), improved
precision/recall, density/coverage, class consistency of conditional samples, Parzen
log-likelihood on request; mode coverage on the 2-D mixtures.
"""

import hashlib
import json
import os
import time

import numpy as np

from ganzoo import metrics as M
from ganzoo.images import atomic_savez, atomic_write_text
from ganzoo.metrics import features as F

IMAGE_METRICS = ("fid", "kid", "is", "pr", "dc", "class_consistency", "parzen")
POINT_METRICS = ("mode_coverage", "fid")
DEFAULT_IMAGE_METRICS = ("fid", "kid", "is", "pr", "dc", "class_consistency")
CACHE_ENV = "GANZOO_CACHE"


def default_cache_dir():
    return os.path.join(os.path.expanduser(os.environ.get(CACHE_ENV, "~/.cache/ganzoo")), "reference")


def dataset_key(name):
    """A file-name-safe key for a dataset name; paths get their absolute path's hash."""
    from ganzoo import data as data_lib

    kind, arg = data_lib.resolve(name)
    if kind in ("builtin", "toy", "tfds"):
        return arg.replace("/", "-").replace(":", "-")
    path = os.path.abspath(arg)
    return f"{kind}-{os.path.basename(path.rstrip(os.sep))}-{hashlib.sha1(path.encode()).hexdigest()[:8]}"


def source_arrays(source, limit=None):
    """(images or points float32 in [-1, 1], labels int64, -1 when unlabelled) of the first
    ``limit`` examples of a DataSource, in order."""
    from ganzoo import data as data_lib

    batches = data_lib.pipeline(source, 1000, labels=source.has_labels, shuffle=False,
                                repeat=False, drop_remainder=False, cache=False)
    if not source.has_labels:
        batches = ((batch, np.full(len(batch), -1)) for batch in batches)
    xs, ys = _first_of_batches(batches, limit, f"dataset {source.name}")
    return xs, ys.astype(np.int64)


def _first_of_batches(batches, limit, name):
    """The first ``limit`` rows (all when None) of a stream of (x, y) batches, as two arrays."""
    xs, ys, count = [], [], 0
    for x, y in batches:
        xs.append(np.asarray(x))
        ys.append(np.asarray(y))
        count += len(xs[-1])
        if limit is not None and count >= limit:
            break
    if not xs:
        raise ValueError(f"{name} is empty")
    return np.concatenate(xs)[:limit], np.concatenate(ys)[:limit]


class Evaluator:
    """Scores samples against ``num_samples`` reference examples of ``dataset``'s ``split``.

    extractor: "auto" (mnist for 28x28x1 images, inception for other images, none for 2-D
    points), "mnist" or "inception". Raises ValueError on bad choices and
    ``features.WeightsUnavailable`` when the extractor's weights are not on this machine.
    """

    def __init__(self, dataset="mnist", split="test", extractor="auto", num_samples=10_000,
                 metrics="default", cache_dir=None, kid_subsets=100, kid_subset_size=1000,
                 is_splits=10, pr_k=3, dc_k=5, parzen_validation=1000, extractor_weights=None,
                 seed=0):
        from ganzoo import data as data_lib

        if num_samples < 2:
            raise ValueError(f"num_samples must be at least 2, got {num_samples}")
        self.dataset, self.split, self.num_samples, self.seed = dataset, split, int(num_samples), seed
        self.settings = {"kid_subsets": kid_subsets, "kid_subset_size": kid_subset_size,
                         "is_splits": is_splits, "pr_k": pr_k, "dc_k": dc_k,
                         "parzen_validation": parzen_validation}
        # seed 0: the reference (a toy mixture's draw included) is the same whatever the
        # seed of the samples, as its cache key says
        self.source = data_lib.load(dataset, split, seed=0)
        self.points = len(self.source.element_shape) == 1
        valid = POINT_METRICS if self.points else IMAGE_METRICS
        default = POINT_METRICS if self.points else DEFAULT_IMAGE_METRICS
        names = list(default) if metrics in ("default", None, "") else (
            [m for m in metrics.split(",") if m] if isinstance(metrics, str) else list(metrics))
        unknown = [m for m in names if m not in valid]
        if unknown or not names:
            kind = "2-D point" if self.points else "image"
            raise ValueError(f"unknown metrics {unknown or names} for {kind} data; valid: {', '.join(valid)}")
        self.metric_names = names
        if self.points:
            if extractor not in ("auto", "none"):
                raise ValueError(f"2-D point data takes no feature extractor, got {extractor!r}; valid: auto, none")
            if "mode_coverage" in names and self.source.modes is None:
                raise ValueError(f"mode_coverage needs a toy mixture (ring8, grid25), not {dataset}")
            self.extractor = None
            self.extractor_id = "points"
        else:
            name = F.default_extractor(self.source.element_shape) if extractor == "auto" else extractor
            if name not in F.EXTRACTORS:
                raise ValueError(f"unknown feature extractor {extractor!r}; valid: auto, {', '.join(F.EXTRACTORS)}")
            self.extractor = F.get_extractor(name, extractor_weights)
            if not self.extractor.num_classes and "is" in names:
                if metrics not in ("default", None, ""):
                    raise ValueError(f"the {name} extractor has no classes, so no Inception Score; "
                                     "valid extractors for is: inception, mnist, fashion")
                self.metric_names = names = [m for m in names if m != "is"]
            if self.extractor.image_shape and tuple(self.source.element_shape) != self.extractor.image_shape:
                raise ValueError(f"the {name} extractor takes {self.extractor.image_shape} images; "
                                 f"{dataset} has {tuple(self.source.element_shape)}; valid: "
                                 f"{', '.join(F.EXTRACTORS)} (inception resizes any image)")
            # the weights' digest: retrained weights never meet stale cached statistics
            self.extractor_id = f"{name}-{self.extractor.weights_digest()}"
        self.cache_dir = cache_dir or default_cache_dir()
        self.reference_info = None
        self._reference = None
        self._parzen_pixels = None  # (validation, test) pixels, flattened

    # -- reference ---------------------------------------------------------------------------
    def cache_path(self):
        return os.path.join(self.cache_dir, f"{dataset_key(self.dataset)}__{self.split}__"
                                            f"{self.extractor_id}__{self.num_samples}.npz")

    def _embed(self, images):
        if self.extractor is None:
            return np.asarray(images, np.float64), None
        return self.extractor(images)

    def reference(self):
        """{"features", "probs", "labels"} of the reference examples, from the cache
        when there, else computed and written atomically."""
        if self._reference is not None:
            return self._reference
        path = self.cache_path()
        cached = os.path.exists(path)
        if cached:
            with np.load(path) as stored:
                ref = {k: stored[k] for k in stored.files}
        else:
            data, labels = source_arrays(self.source, self.num_samples)
            feats, probs = self._embed(data)
            ref = {"features": feats, "labels": labels}
            if probs is not None:
                ref["probs"] = probs
            atomic_savez(path, **ref)
        self.reference_info = {"dataset": self.dataset, "split": self.split,
                               "extractor": self.extractor_id, "requested": self.num_samples,
                               "count": int(len(ref["features"])), "cache": path, "cache_hit": cached}
        self._reference = ref
        return ref

    # -- scoring -----------------------------------------------------------------------------
    def score_model(self, model, seed=0, num_samples=None, use_ema=True):
        """Metrics of ``num_samples`` (default: the reference count) samples of ``model``;
        conditional models get labels 0, 1, ..., K-1 in turn."""
        n = int(num_samples or self.num_samples)
        labels = np.arange(n) % model.num_classes if getattr(model, "conditional", False) else None
        samples = model.generate(n, seed=seed, labels=labels, use_ema=use_ema)
        out = self.score(samples, labels)
        if hasattr(model, "classify") and self.source.has_labels:
            out.update(self.classification(model))
        return out

    def classification(self, model):
        """Test errors of a model that classifies (the semi-supervised ``ssgan``'s
        discriminator) on the reference examples of the split."""
        images, labels = source_arrays(self.source, self.num_samples)
        predicted = model.classify(images)
        errors = int(np.sum(predicted != labels))
        return {"classification_errors": errors, "classification_accuracy": 1.0 - errors / len(labels)}

    def score(self, samples, labels=None):
        """Metrics of an array of samples (images in [-1, 1] or points), with the labels they
        were generated for if conditional. Returns {name: value}."""
        start = time.perf_counter()
        ref = self.reference()
        samples = np.asarray(samples, np.float32)
        if tuple(samples.shape[1:]) != tuple(self.source.element_shape):
            raise ValueError(f"samples of shape {tuple(samples.shape[1:])} do not match "
                             f"{self.dataset}'s {tuple(self.source.element_shape)}")
        feats, probs = self._embed(samples)
        out, s = {}, self.settings
        names = self.metric_names
        if "fid" in names:
            out["fid"] = M.frechet_distance(ref["features"], feats)
        if "kid" in names:
            out["kid"], out["kid_std"] = M.kernel_inception_distance(
                ref["features"], feats, s["kid_subsets"], s["kid_subset_size"], seed=self.seed)
        if "is" in names:
            out["is"], out["is_std"] = M.inception_score(probs, min(s["is_splits"], len(probs)))
        if "pr" in names:
            out.update(M.precision_recall(ref["features"], feats, s["pr_k"]))
        if "dc" in names:
            out.update(M.density_coverage(ref["features"], feats, s["dc_k"]))
        if "class_consistency" in names and labels is not None and self.classifies_dataset():
            result = M.class_consistency(probs, labels)
            out["class_consistency"] = result["accuracy"]
            out["class_consistency_per_class"] = result["per_class"]
        if "parzen" in names:
            out.update(self._parzen(samples))
        if "mode_coverage" in names:
            cover = M.mode_coverage(samples, self.source.modes, self.source.mode_std)
            out.update({"modes_captured": cover["modes_captured"], "num_modes": cover["num_modes"],
                        "high_quality": cover["high_quality"], "reverse_kl": cover["reverse_kl"]})
        out["seconds"] = time.perf_counter() - start
        return out

    def classifies_dataset(self):
        """Whether the extractor's classes are the dataset's (the digit classifier on a
        10-class digit set): only then is class consistency meaningful."""
        return (self.extractor is not None and self.extractor.name == "mnist"
                and self.source.num_classes == self.extractor.num_classes)

    def _parzen(self, samples):
        """Goodfellow et al.'s protocol on pixels: sigma chosen on the first
        ``parzen_validation`` training examples (ganzoo's datasets have no validation split),
        log-likelihood of the reference examples of the evaluated split."""
        from ganzoo import data as data_lib

        if self._parzen_pixels is None:  # read once per Evaluator; not in the feature cache
            validation, _ = source_arrays(data_lib.load(self.dataset, "train", seed=0),
                                          self.settings["parzen_validation"])
            test, _ = source_arrays(self.source, self.num_samples)
            self._parzen_pixels = (validation.reshape(len(validation), -1),
                                   test.reshape(len(test), -1))
        validation, test = self._parzen_pixels
        flat = samples.reshape(len(samples), -1).astype(np.float64)
        sigma, _ = M.select_parzen_sigma(flat, validation)
        mean, stderr = M.parzen_log_likelihood(flat, test, sigma)
        return {"parzen_ll": mean, "parzen_stderr": stderr, "parzen_sigma": sigma}

    def describe(self):
        """Every choice behind the numbers, for metrics.json."""
        self.reference()
        return {"reference": self.reference_info, "metrics": self.metric_names,
                "settings": self.settings, "seed": self.seed}


def write_json(path, payload):
    atomic_write_text(path, json.dumps(payload, indent=1, sort_keys=True, default=float), ".json")


# -- paired models (pix2pix) -------------------------------------------------------------------

PAIRED_METRICS = ("l1", "psnr", "ssim", "fid", "kid", "classifier_score")


def paired_arrays(source, limit=None):
    """(sources, targets) float32 in [-1, 1] of the first ``limit`` pairs of a PairedSource, in
    order and without jitter."""
    from ganzoo import data as data_lib

    batches = data_lib.paired_pipeline(source, 500, jitter_pairs=False, shuffle=False,
                                       repeat=False, drop_remainder=False, cache=False)
    return _first_of_batches(batches, limit, f"paired dataset {source.name}")


def pixel_metrics(translations, targets):
    """Per-image L1 (mean |difference| with pixels in [0, 1]), PSNR (dB, peak 1) and SSIM
    (``tf.image.ssim``, 11x11 Gaussian window, peak 1) of translations against their targets;
    returns the three means. Images are float in [-1, 1]."""
    import tensorflow as tf

    a = (np.asarray(translations, np.float32) + 1.0) / 2.0
    b = (np.asarray(targets, np.float32) + 1.0) / 2.0
    l1 = np.abs(a - b).reshape(len(a), -1).mean(axis=1)
    psnr = tf.image.psnr(a, b, max_val=1.0).numpy()
    ssim = tf.image.ssim(a, b, max_val=1.0).numpy()
    return {"l1": float(l1.mean()), "psnr": float(np.mean(psnr)), "ssim": float(np.mean(ssim))}


def default_paired_extractor(dataset, direction):
    """The domain classifier of a paired task's targets, or None where ganzoo has none."""
    return "fashion" if dataset == "fashion_edges" and direction == "AtoB" else None


class PairedEvaluator:
    """Scores a paired model's translations of the held-out pairs of ``dataset``'s ``split``
    against their ground truth: L1, PSNR, SSIM; FID and KID between the translations and the
    real targets in a domain classifier's features; and the classifier score, the fraction of
    translations the classifier assigns to their ground truth's class (the role of the paper's
    FCN-score; the same figure for the real targets is in ``reference_info``).

    extractor: "auto" (the task's own classifier: ``fashion`` for fashion_edges; none for other
    data, which leaves L1/PSNR/SSIM), "none", or a name in ``features.EXTRACTORS``.
    """

    def __init__(self, dataset="fashion_edges", split="test", extractor="auto", num_samples=4000,
                 metrics="default", cache_dir=None, seed=0, direction="AtoB", kid_subsets=100,
                 kid_subset_size=1000, extractor_weights=None):
        from ganzoo import data as data_lib

        if num_samples < 2:
            raise ValueError(f"num_samples must be at least 2, got {num_samples}")
        self.dataset, self.split, self.direction = dataset, split, direction
        self.num_samples, self.seed = int(num_samples), seed
        self.settings = {"kid_subsets": kid_subsets, "kid_subset_size": kid_subset_size}
        self.source = data_lib.load_paired(dataset, split, direction)
        if self.source.size:  # every held-out pair at most
            self.num_samples = min(self.num_samples, self.source.size)
        name = default_paired_extractor(dataset, direction) if extractor == "auto" else extractor
        if name in (None, "none"):
            self.extractor, self.extractor_id = None, "none"
        else:
            if name not in F.EXTRACTORS:
                raise ValueError(f"unknown feature extractor {extractor!r}; valid: auto, none, "
                                 f"{', '.join(F.EXTRACTORS)}")
            self.extractor = F.get_extractor(name, extractor_weights)
            self.extractor_id = f"{name}-{self.extractor.weights_digest()}"
        feature_metrics = ("fid", "kid", "classifier_score")
        default = [m for m in PAIRED_METRICS if self.extractor is not None or m not in feature_metrics]
        names = default if metrics in ("default", None, "") else (
            [m for m in metrics.split(",") if m] if isinstance(metrics, str) else list(metrics))
        unknown = [m for m in names if m not in PAIRED_METRICS]
        if unknown or not names:
            raise ValueError(f"unknown metrics {unknown or names} for a paired model; valid: "
                             f"{', '.join(PAIRED_METRICS)}")
        if self.extractor is None and set(names) & set(feature_metrics):
            raise ValueError(f"{', '.join(sorted(set(names) & set(feature_metrics)))} need a "
                             f"feature extractor, and {dataset} has none here; valid without "
                             "one: l1, psnr, ssim")
        if "classifier_score" in names and not self._classifies():
            raise ValueError(f"classifier_score needs class labels the {name} classifier "
                             f"knows; {dataset} has none")
        self.metric_names = names
        self.cache_dir = cache_dir or default_cache_dir()
        self.reference_info = None
        self._reference = None

    def _classifies(self):
        return (self.extractor is not None and self.source.labels is not None
                and self.source.num_classes == self.extractor.num_classes)

    def cache_path(self):
        from ganzoo.data.paired import EMBEDDED_PAIRED

        key = self.dataset if self.dataset in EMBEDDED_PAIRED else (
            f"paired-{hashlib.sha1(os.path.abspath(self.dataset).encode()).hexdigest()[:8]}")
        return os.path.join(self.cache_dir, f"{key}__{self.direction}__{self.split}__"
                                            f"{self.extractor_id}__{self.num_samples}.npz")

    def reference(self):
        """{"sources", "targets"} of the held-out pairs, with the targets' "features", "probs"
        and "labels" where there is a classifier (features cached on disk)."""
        if self._reference is not None:
            return self._reference
        sources, targets = paired_arrays(self.source, self.num_samples)
        ref = {"sources": sources, "targets": targets}
        info = {"dataset": self.dataset, "split": self.split, "direction": self.direction,
                "extractor": self.extractor_id, "requested": self.num_samples,
                "count": int(len(targets)), "cache": None, "cache_hit": False}
        if self.extractor is not None:
            path = self.cache_path()
            info.update(cache=path, cache_hit=os.path.exists(path))
            if info["cache_hit"]:
                with np.load(path) as stored:
                    ref.update({k: stored[k] for k in stored.files})
            else:
                feats, probs = self.extractor(targets)
                ref.update(features=feats, probs=probs)
                atomic_savez(path, features=feats, probs=probs)
            if self._classifies():
                ref["labels"] = np.asarray(self.source.labels[:len(targets)], np.int64)
                info["classifier_score_of_targets"] = float(
                    np.mean(np.argmax(ref["probs"], 1) == ref["labels"]))
        self.reference_info, self._reference = info, ref
        return ref

    def score_model(self, model, seed=0, num_samples=None, use_ema=True):
        """Metrics of ``model.translate`` on the held-out sources (the first ``num_samples``)."""
        if not getattr(model, "paired", False):
            raise ValueError(f"{type(model).__name__} is not a paired model: score it with "
                             "ganzoo.evaluation.Evaluator")
        ref = self.reference()
        n = min(int(num_samples or self.num_samples), len(ref["sources"]))
        return self.score(model.translate(ref["sources"][:n], seed=seed, use_ema=use_ema))

    def score(self, translations):
        """Metrics of translations of the first ``len(translations)`` held-out sources."""
        start = time.perf_counter()
        ref = self.reference()
        translations = np.asarray(translations, np.float32)
        n = len(translations)
        if n > len(ref["targets"]) or translations.shape[1:] != ref["targets"].shape[1:]:
            raise ValueError(f"translations {translations.shape} do not match the held-out "
                             f"targets {ref['targets'].shape}")
        if not np.all(np.isfinite(translations)):
            raise ValueError("translations hold non-finite values")
        out = {}
        pixels = pixel_metrics(translations, ref["targets"][:n])
        out.update({k: v for k, v in pixels.items() if k in self.metric_names})
        if self.extractor is not None:
            feats, probs = self.extractor(translations)
            names = self.metric_names
            if "fid" in names:
                out["fid"] = M.frechet_distance(ref["features"][:n], feats)
            if "kid" in names:
                size = min(self.settings["kid_subset_size"], max(2, n // 2))
                out["kid"], out["kid_std"] = M.kernel_inception_distance(
                    ref["features"][:n], feats, self.settings["kid_subsets"], size, seed=self.seed)
            if "classifier_score" in names:
                out["classifier_score"] = float(np.mean(np.argmax(probs, 1) == ref["labels"][:n]))
        out["seconds"] = time.perf_counter() - start
        return out

    def describe(self):
        """Every choice behind the numbers, for metrics.json."""
        self.reference()
        return {"reference": self.reference_info, "metrics": self.metric_names,
                "settings": self.settings, "seed": self.seed}
