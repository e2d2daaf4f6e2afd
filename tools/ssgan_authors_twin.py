"""The authors' semi-supervised MNIST recipe, transcribed to PyTorch: how many test errors their
own code has after N steps, beside ganzoo's ``ssgan`` at the same budget.

Salimans et al. 2016 trained ``mnist_svhn_cifar10/train_mnist_feature_matching.py`` (Theano and
Lasagne, github.com/openai/improved-gan) for 300 epochs of 600 steps. Neither library installs on
today's Python, so this script re-states that file's computation, read line by line:

- data: the 60,000 training digits as [0, 1] pixels, permuted by ``--seed_data``; the first 10 of
  each class after the permutation are the labelled ones, and the first 500 feed the init. Each
  epoch tiles the 100 labelled digits 600 times in fresh orders and reshuffles two copies of the
  whole set (one for D's unlabelled batch, one for G's feature matching).
- G: z ~ U(0, 1)^100 -> dense 500 -> batch norm with a shift and no scale (batch statistics,
  1e-6 under the root) -> softplus, twice -> dense 784 whose columns are scaled to a trained
  length (initially 1) -> sigmoid. Glorot-uniform weights, no data-dependent init.
- D: Gaussian noise 0.3 on the pixels, then 1000-500-250-250-250 ReLU units, each layer
  preceded by noise 0.5 and weight-normalised (directions N(0, 0.1^2); lengths fixed, except the
  10 logits', after the init on 500 digits with the noise on), 10 logits.
- losses: D minimises the labelled cross-entropy + 0.5 [-lse(l_unl) + softplus(lse(l_unl)) +
  softplus(lse(l_fake))]; G the mean squared gap between the batch means of D's last hidden
  layer on its samples and on unlabelled digits (D's noise on).
- Adam(0.003, beta_1 0.5, beta_2 0.999) on both, with the authors' 1e-8 under the square root;
  D's weights averaged at rate 1e-4 from zero; the test error is that average's (noise off).

Every ``--every`` steps it prints the test errors of D as trained, of the authors' average and
of that average divided by its start-up bias (1 - 0.9999^t), which is what ganzoo's ``ssgan``
classifies with. Needs torch (``pip install -e '.[fid]'``). ``tools/ssgan_authors_twin_jax.py``
states the same computation in JAX, many label draws at once, for the paper's whole budget on
a GPU (its docstring has the figures measured).

    python tools/ssgan_authors_twin.py --mnist_dir ../shared/data/mnist --steps 6000
"""

import argparse
import math
import os
import sys
import time

import numpy as np

HIDDEN = (1000, 500, 250, 250, 250)
NOISE = (0.3, 0.5, 0.5, 0.5, 0.5, 0.5)  # before each of D's six dense layers


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist_dir", required=True, help="the MNIST IDX files (60,000 + 10,000)")
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--every", type=int, default=1000, help="test every this many steps")
    parser.add_argument("--seed", type=int, default=1, help="weights, noise, batch orders")
    parser.add_argument("--seed_data", type=int, default=1, help="which digits are labelled")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    if args.steps <= 0 or args.every <= 0:
        parser.error("--steps and --every must be positive")
    return args


def load(mnist_dir):
    from ganzoo.data import idx

    out = []
    for split in ("train", "test"):
        images, labels = idx.load_idx_split(mnist_dir, split)
        out += [images.reshape(len(images), -1).astype(np.float32) / 255.0,
                labels.ravel().astype(np.int64)]
    if len(out[0]) != 60_000 or len(out[2]) != 10_000:
        raise SystemExit(f"{mnist_dir}: expected MNIST's 60,000 / 10,000 digits")
    return out


class Twin:
    def __init__(self, torch):
        self.t = torch
        fans = [(100, 500), (500, 500), (500, 784)]
        self.g = {}
        for i, (a, b) in enumerate(fans):
            limit = math.sqrt(6.0 / (a + b))
            self.g[f"w{i}"] = torch.empty(a, b).uniform_(-limit, limit)
            self.g[f"b{i}"] = torch.zeros(b)
        self.g["len2"] = torch.ones(784)
        sizes = (784, *HIDDEN, 10)
        self.d, self.fixed_len = {}, []
        for i in range(6):
            self.d[f"v{i}"] = torch.randn(sizes[i], sizes[i + 1]) * 0.1
            self.d[f"b{i}"] = torch.zeros(sizes[i + 1])
            self.fixed_len.append(torch.ones(sizes[i + 1]))
        self.d["len5"] = self.fixed_len.pop()  # the logits' lengths are trained
        for p in list(self.g.values()) + list(self.d.values()):
            p.requires_grad_(True)

    def generate(self, n):
        t, g = self.t, self.g
        h = t.rand(n, 100)
        for i in range(2):
            a = h @ g[f"w{i}"]
            a = a - a.mean(0)
            h = t.nn.functional.softplus(a / t.sqrt(1e-6 + (a * a).mean(0)) + g[f"b{i}"])
        w = g["w2"] * (g["len2"] / t.sqrt(1e-6 + (g["w2"] ** 2).sum(0)))
        return t.sigmoid(h @ w + g["b2"])

    def discriminate(self, x, params=None, noise=True, init=False):
        """(logits, last hidden layer); ``init``: the data-dependent initialisation."""
        t, p = self.t, params or self.d
        h = features = x
        for i in range(6):
            if noise:
                h = h + NOISE[i] * t.randn_like(h)
            length = p["len5"] if i == 5 else self.fixed_len[i]
            a = h @ (p[f"v{i}"] * (length / t.sqrt((p[f"v{i}"] ** 2).sum(0))))
            if init:
                mean = a.mean(0)
                a = a - mean
                std = t.sqrt((a * a).mean(0))
                a = a / std
                with t.no_grad():
                    length.div_(std)
                    p[f"b{i}"].copy_(-mean / std)
            else:
                a = a + p[f"b{i}"]
            h = t.relu(a) if i < 5 else a
            if i == 4:
                features = h
        return h, features


class AuthorsAdam:
    """Adam as the authors' nn.adam_updates: bias-corrected moments, 1e-8 under the root."""

    def __init__(self, torch, params, lr=0.003, beta1=0.5, beta2=0.999):
        self.t, self.params, self.lr, self.b1, self.b2, self.k = torch, params, lr, beta1, beta2, 1
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]

    def step(self, grads):
        with self.t.no_grad():
            for p, g, m, v in zip(self.params, grads, self.m, self.v):
                m.mul_(self.b1).add_((1 - self.b1) * g)
                v.mul_(self.b2).add_((1 - self.b2) * g * g)
                m_hat, v_hat = m / (1 - self.b1 ** self.k), v / (1 - self.b2 ** self.k)
                p.sub_(self.lr * m_hat / self.t.sqrt(v_hat + 1e-8))
        self.k += 1


def main(argv=None):
    args = parse_args(argv)
    try:
        import torch
    except ImportError:
        raise SystemExit("ssgan_authors_twin: needs torch (pip install -e '.[fid]')") from None
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.RandomState(args.seed)
    x_train, y_train, x_test, y_test = load(args.mnist_dir)
    order = np.random.RandomState(args.seed_data).permutation(len(x_train))
    x_perm, y_perm = x_train[order], y_train[order]
    x_lab = np.concatenate([x_perm[y_perm == c][:10] for c in range(10)])
    y_lab = np.concatenate([y_perm[y_perm == c][:10] for c in range(10)])
    x_test, y_test = torch.from_numpy(x_test), torch.from_numpy(y_test)

    twin = Twin(torch)
    with torch.no_grad():
        twin.discriminate(torch.from_numpy(x_perm[:500]), init=True)
    d_keys, g_keys = sorted(twin.d), sorted(twin.g)
    d_opt = AuthorsAdam(torch, [twin.d[k] for k in d_keys])
    g_opt = AuthorsAdam(torch, [twin.g[k] for k in g_keys])
    average = {k: torch.zeros_like(twin.d[k]) for k in d_keys}
    softplus, lse = torch.nn.functional.softplus, lambda a: torch.logsumexp(a, 1)

    def test_errors(params):
        with torch.no_grad():
            logits, _ = twin.discriminate(x_test, params, noise=False)
        return int((logits.argmax(1) != y_test).sum())

    print("step,seconds,loss_lab,loss_unl,loss_gen,errors_raw,errors_authors_average,"
          "errors_debiased_average", flush=True)
    unl, unl2 = x_train.copy(), x_train.copy()
    step, start = 0, time.time()
    while step < args.steps:
        tiles = [rng.permutation(len(x_lab)) for _ in range(len(x_train) // len(x_lab))]
        lab_x, lab_y = np.concatenate([x_lab[i] for i in tiles]), np.concatenate([y_lab[i] for i in tiles])
        unl, unl2 = unl[rng.permutation(len(unl))], unl2[rng.permutation(len(unl2))]
        for b in range(len(x_train) // 100):
            rows = slice(100 * b, 100 * (b + 1))
            with torch.no_grad():
                fake = twin.generate(100)
            out_lab, _ = twin.discriminate(torch.from_numpy(lab_x[rows]))
            out_unl, _ = twin.discriminate(torch.from_numpy(unl[rows]))
            out_fake, _ = twin.discriminate(fake)
            labels = torch.from_numpy(lab_y[rows])
            loss_lab = -out_lab.gather(1, labels[:, None]).mean() + lse(out_lab).mean()
            z_unl = lse(out_unl)
            loss_unl = 0.5 * (-z_unl.mean() + softplus(z_unl).mean() + softplus(lse(out_fake)).mean())
            d_opt.step(torch.autograd.grad(loss_lab + loss_unl, [twin.d[k] for k in d_keys]))
            with torch.no_grad():
                for k in d_keys:
                    average[k].add_(1e-4 * (twin.d[k] - average[k]))
            _, fake_features = twin.discriminate(twin.generate(100))
            with torch.no_grad():
                _, real_features = twin.discriminate(torch.from_numpy(unl2[rows]))
            loss_gen = ((fake_features.mean(0) - real_features.mean(0)) ** 2).mean()
            g_opt.step(torch.autograd.grad(loss_gen, [twin.g[k] for k in g_keys]))
            step += 1
            if step % args.every == 0 or step == args.steps:
                debias = 1.0 - (1.0 - 1e-4) ** step
                debiased = {k: v / debias for k, v in average.items()}
                print(f"{step},{time.time() - start:.0f},{loss_lab.item():.4f},{loss_unl.item():.4f},"
                      f"{loss_gen.item():.4f},{test_errors(twin.d)},{test_errors(average)},"
                      f"{test_errors(debiased)}", flush=True)
            if step == args.steps:
                break


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    main()
