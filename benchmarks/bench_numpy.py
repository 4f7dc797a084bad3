"""Array code: srcdiff's gradient of the 2-layer ReLU network with a softmax loss
(samples/two_layer_net.py) against hand-written NumPy backprop, HIPS autograd and PyTorch
eager on the CPU (the last two when installed: ``pip install '.[bench]'``).

    python benchmarks/bench_numpy.py            # N = D = H = 256, C = 10
    python benchmarks/bench_numpy.py --quick    # a smoke test

Every contender computes the loss's forward pass and the gradients of W1, b1, W2, b2 in
float64 from the same data; the script checks that they agree before timing.  Timing as in
bench_scalar.py: interleaved rounds, ratios are medians of per-round ratios, times are
min (median) per call.  Target: srcdiff within 1.2x of the hand-written backprop (aim 1.05x).
Every contender runs on one thread (``one_thread``, imported before NumPy; printed).
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import one_thread  # noqa: E402  (before NumPy and PyTorch load)

import argparse  # noqa: E402
import importlib.util  # noqa: E402

import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import srcdiff  # noqa: E402
from bench_scalar import cell, paired_ratio, per_call_times  # noqa: E402


def load_sample():
    spec = importlib.util.spec_from_file_location("two_layer_net", ROOT / "samples" / "two_layer_net.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.two_layer_net


def by_hand(W1, b1, W2, b2, X, y, reg):
    """The lecture's backprop of the same network, written by hand (loss and gradients)."""
    n = X.shape[0]
    hidden = np.maximum(0.0, X @ W1 + b1)
    scores = hidden @ W2 + b2
    scores -= scores.max(axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(n), y])) + 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    dscores = probs
    dscores[np.arange(n), y] -= 1.0
    dscores /= n
    dhidden = dscores @ W2.T
    dhidden[hidden <= 0] = 0.0
    return loss, (X.T @ dhidden + reg * W1, dhidden.sum(axis=0), hidden.T @ dscores + reg * W2, dscores.sum(axis=0))


def autograd_contender():
    try:
        import autograd
        import autograd.numpy as anp
    except ImportError:
        return None

    def loss(W1, b1, W2, b2, X, y, reg):
        hidden = anp.maximum(0.0, anp.dot(X, W1) + b1)
        scores = anp.dot(hidden, W2) + b2
        scores = scores - anp.max(scores, axis=1, keepdims=True)
        exp_scores = anp.exp(scores)
        probs = exp_scores / anp.sum(exp_scores, axis=1, keepdims=True)
        data_loss = -anp.mean(anp.log(probs[anp.arange(X.shape[0]), y]))
        return data_loss + 0.5 * reg * (anp.sum(W1 * W1) + anp.sum(W2 * W2))

    return autograd.value_and_grad(loss, argnum=(0, 1, 2, 3))


def torch_contender():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)

    def loss_and_grads(W1, b1, W2, b2, X, y, reg):
        params = [torch.from_numpy(a).requires_grad_() for a in (W1, b1, W2, b2)]
        w1, c1, w2, c2 = params
        hidden = torch.relu(torch.from_numpy(X) @ w1 + c1)
        scores = hidden @ w2 + c2
        data_loss = torch.nn.functional.cross_entropy(scores, torch.from_numpy(y))
        loss = data_loss + 0.5 * reg * ((w1 * w1).sum() + (w2 * w2).sum())
        grads = torch.autograd.grad(loss, params)
        return loss.item(), tuple(g.numpy() for g in grads)

    return loss_and_grads, torch.__version__, torch.get_num_threads()


def make_data(n, d, h, c, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(d, h)) / np.sqrt(d), np.zeros(h), rng.normal(size=(h, c)) / np.sqrt(h), np.zeros(c),
            rng.normal(size=(n, d)), rng.integers(0, c, size=n), 1e-3)


def check_agree(name, got, want):
    for g, w in zip(got, want):
        if not np.allclose(g, w, rtol=1e-7, atol=1e-10):
            raise SystemExit(f"{name} disagrees with the hand-written gradients: max difference {np.max(np.abs(g - w))}")


def run(sizes, rounds):
    n, d, h, c = sizes
    args = make_data(n, d, h, c)
    srcdiff_grad = srcdiff.value_and_grad(load_sample(), wrt=(0, 1, 2, 3))
    contenders = {"srcdiff": srcdiff_grad, "hand-written": by_hand}
    reference_loss, reference = by_hand(*args)
    check_agree("srcdiff", srcdiff_grad(*args)[1], reference)
    notes = []
    autograd_fn = autograd_contender()
    if autograd_fn is None:
        notes.append("HIPS autograd: not installed")
    else:
        check_agree("autograd", autograd_fn(*args)[1], reference)
        contenders["HIPS autograd"] = autograd_fn
    torch_fn = torch_contender()
    if torch_fn is None:
        notes.append("PyTorch: not installed")
    else:
        torch_fn, version, threads = torch_fn
        check_agree("PyTorch", torch_fn(*args)[1], reference)
        contenders[f"PyTorch {version} eager"] = torch_fn
        notes.append(f"PyTorch {version}, {threads} threads")

    names = list(contenders)
    times = per_call_times([contenders[k] for k in names], args, rounds, budget=0.05)
    by_name = dict(zip(names, times))
    print(f"2-layer net, N={n} D={d} H={h} C={c}, float64: loss and gradients of W1, b1, W2, b2")
    print(f"{rounds} interleaved rounds; time per call: min (median); ratio: median of per-round ratios")
    print(f"{one_thread.HEADER}\n")
    print("| contender | time per call | over hand-written |")
    print("| --- | --- | --- |")
    for name in names:
        ratio = paired_ratio(by_name[name], by_name["hand-written"])
        print(f"| {name} | {cell(by_name[name])} | {ratio:.2f}x |")
    for note in notes:
        print(f"\n{note}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes and two rounds: a smoke test")
    options = parser.parse_args(argv)
    if options.quick:
        run((8, 6, 5, 3), 2)
    else:
        run((256, 256, 256, 10), 30)


if __name__ == "__main__":
    main()
