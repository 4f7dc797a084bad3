"""How much ordinary scientific Python srcdiff differentiates correctly.

    python benchmarks/corpus_run.py            # one line per function, then the counts
    python benchmarks/corpus_run.py --quiet    # the counts only

Each function of ``benchmarks/corpus/`` (written the way people write them, not for
srcdiff) is differentiated with ``srcdiff.grad`` with respect to its float and array
parameters (a dict of arrays whole; a model's attributes for a bound method) and
compared entry by entry with central finite differences.  A function ends as one of:
``pass`` (right), ``refused`` (a ``SrcdiffError``: the message says why), ``wrong``
(a number disagrees) or ``crash`` (any other exception).  ``wrong`` and ``crash`` are
bugs; ``refused`` is what srcdiff does not support yet.
"""
import argparse
import os
import sys
import traceback

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import srcdiff  # noqa: E402
from corpus import losses, science  # noqa: E402

RNG = np.random.default_rng(7)


def _m(*shape):
    return RNG.standard_normal(shape)


def _spd(n):
    a = RNG.standard_normal((n, n))
    return a @ a.T + n * np.eye(n)


MODEL = losses.LinearModel(_m(3, 2), _m(2))

# (name, function, arguments, positions of the arguments to differentiate)
CASES = [
    ("logistic_regression_loss", losses.logistic_regression_loss,
     (_m(4), 0.3, _m(6, 4), (RNG.random(6) > 0.5).astype(float)), (0, 1)),
    ("softmax_cross_entropy", losses.softmax_cross_entropy, (_m(4, 3), _m(5, 4), np.array([0, 2, 1, 1, 0])), (0,)),
    ("huber", losses.huber, (_m(6) * 2,), (0,)),
    ("ridge_objective", losses.ridge_objective, (_m(3), _m(5, 3), _m(5), 0.1), (0,)),
    ("lasso_objective", losses.lasso_objective, (_m(3), _m(5, 3), _m(5), 0.1), (0,)),
    ("svm_hinge", losses.svm_hinge, (_m(4, 3), _m(5, 4), np.array([0, 2, 1, 1, 0]), 0.1), (0,)),
    ("kl_divergence", losses.kl_divergence, (_m(4), np.array([0.1, 0.2, 0.3, 0.4])), (0,)),
    ("cosine_similarity", losses.cosine_similarity, (_m(5), _m(5)), (0, 1)),
    ("triplet_loss", losses.triplet_loss, (_m(3), _m(3), _m(3) * 3), (0, 1, 2)),
    ("poisson_nll", losses.poisson_nll, (_m(5) * 0.3, np.array([1.0, 0.0, 3.0, 2.0, 1.0])), (0,)),
    ("smooth_l1", losses.smooth_l1, (_m(5) * 2, _m(5)), (0,)),
    ("two_layer_mlp (dict of parameters)", losses.two_layer_mlp,
     ({"W1": _m(3, 4), "b1": _m(4), "W2": _m(4, 2), "b2": _m(2)}, _m(5, 3), _m(5, 2)), (0,)),
    ("layer_norm", losses.layer_norm, (_m(3, 4), _m(4), _m(4)), (0, 1, 2)),
    ("attention_score", losses.attention_score, (_m(3, 4), _m(5, 4), _m(5, 2)), (0, 1, 2)),
    ("einsum_bilinear", losses.einsum_bilinear, (_m(3), _m(3, 3), _m(3)), (0, 1, 2)),
    ("weighted_sum_generator", losses.weighted_sum_generator, ([0.5, -1.0, 2.0], [1.5, 0.3, -0.7]), (0, 1)),
    ("polynomial (generator, enumerate)", losses.polynomial, ([1.0, -2.0, 0.5], 0.7), (1,)),
    ("gaussian_loglik", losses.gaussian_loglik, (_m(3), _m(3), _spd(3)), (0, 1, 2)),
    ("LinearModel.loss (a model as a class)", MODEL.loss, (_m(4, 3), _m(4, 2)), ()),
    ("rosenbrock", science.rosenbrock, (_m(5),), (0,)),
    ("rastrigin", science.rastrigin, (_m(4),), (0,)),
    ("ackley", science.ackley, (_m(4),), (0,)),
    ("himmelblau", science.himmelblau, (1.2, -0.7), (0, 1)),
    ("beale", science.beale, (1.2, 0.4), (0, 1)),
    ("pendulum_energy", science.pendulum_energy, (0.4, 1.3), (0, 1)),
    ("euler_projectile (loop)", science.euler_projectile, (10.0, 0.7, 50), (0, 1)),
    ("lennard_jones (nested loops)", science.lennard_jones, (np.array([[0.0, 0.0], [1.1, 0.2], [0.3, 1.2]]),), (0,)),
    ("horner (loop over a list)", science.horner, ([1.0, -2.0, 0.5, 3.0], 0.7), (1,)),
    ("black_scholes_call", science.black_scholes_call, (100.0, 95.0, 0.5, 0.02, 0.25), (0, 1, 2, 3, 4)),
    ("portfolio_variance", science.portfolio_variance, (RNG.random(4) + 0.5, _spd(4)), (0, 1)),
    ("trapezoid_area", science.trapezoid_area, (_m(6), 0.1), (0, 1)),
    ("spring_chain (np.diff)", science.spring_chain, (np.cumsum(RNG.random(5) + 0.5), 2.0), (0, 1)),
    ("log_sum_exp", science.log_sum_exp, (_m(5),), (0,)),
    ("rbf_kernel_sum", science.rbf_kernel_sum, (_m(4, 2), 0.5), (0, 1)),
    ("newton_sqrt (loop)", science.newton_sqrt, (2.0, 6), (0,)),
    ("logistic_map (loop)", science.logistic_map, (3.2, 0.3, 10), (0, 1)),
    ("piecewise_tax (elif)", science.piecewise_tax, (27.0,), (0,)),
    ("softplus_sum", science.softplus_sum, (_m(5),), (0,)),
    ("gru_cell", science.gru_cell, (_m(3), _m(2), _m(3, 5), _m(3, 5), _m(3, 5)), (0, 1, 2, 3, 4)),
]


# ---------------------------------------------------------------- finite differences over structures

def _leaves(value, path=()):
    """``(path, leaf)`` for every float or float array inside ``value``."""
    if isinstance(value, dict):
        for key in value:
            yield from _leaves(value[key], path + (key,))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _leaves(item, path + (i,))
    elif isinstance(value, np.ndarray) and value.dtype.kind == "f" or isinstance(value, float):
        yield path, value


def _get(value, path):
    for key in path:
        value = value[key]
    return value


def _replaced(value, path, new):
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replaced(value[head], rest, new)}
    items = list(value)
    items[head] = _replaced(items[head], rest, new)
    return type(value)(items)


def _numeric(call, value, path, eps=1e-6):
    leaf = _get(value, path)
    if isinstance(leaf, float):
        return (call(_replaced(value, path, leaf + eps)) - call(_replaced(value, path, leaf - eps))) / (2 * eps)
    out = np.zeros(leaf.shape)
    for index in np.ndindex(leaf.shape):
        plus, minus = leaf.copy(), leaf.copy()
        plus[index] += eps
        minus[index] -= eps
        out[index] = (call(_replaced(value, path, plus)) - call(_replaced(value, path, minus))) / (2 * eps)
    return out


def _close(got, expected):
    return np.allclose(np.asarray(got, dtype=float), expected, rtol=1e-4, atol=1e-6)


def check(fn, args, wrt):
    """``(status, detail)`` of one corpus function."""
    try:
        if wrt:  # a plain function: its gradient with respect to these positions
            gradient = srcdiff.grad(fn, wrt=tuple(wrt))(*args)
            pairs = [(args[p], g, lambda new, p=p: fn(*args[:p], new, *args[p + 1:])) for p, g in zip(wrt, gradient)]
        else:  # a bound method: its gradient is an object of the model's class holding the attributes' gradients
            result = srcdiff.grad(fn)(*args)
            model = fn.__self__
            attributes = {name: value for name, value in vars(model).items() if list(_leaves(value))}
            gradient = {name: getattr(result, name) for name in attributes}

            def call(new):
                clone = type(model).__new__(type(model))
                clone.__dict__.update(model.__dict__, **new)
                return getattr(clone, fn.__name__)(*args)
            pairs = [(attributes, gradient, call)]
    except srcdiff.SrcdiffError as err:
        return "refused", err.one_line().split("error: ", 1)[-1]
    except Exception as err:  # noqa: BLE001  (any other exception is a bug: count it)
        return "crash", f"{type(err).__name__}: {err}"
    for value, grad, call in pairs:
        for path, _ in _leaves(value):
            try:
                got = _get(grad, path)
            except (KeyError, IndexError, TypeError):
                return "wrong", f"no gradient at {path}"
            if not _close(got, _numeric(call, value, path)):
                return "wrong", f"gradient at {path or 'the argument'} disagrees with finite differences"
    return "pass", ""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quiet", action="store_true", help="print the counts only")
    args = parser.parse_args(argv)
    counts = {"pass": 0, "refused": 0, "wrong": 0, "crash": 0}
    for name, fn, arguments, wrt in CASES:
        status, detail = check(fn, arguments, wrt)
        counts[status] += 1
        if not args.quiet:
            print(f"{status:8} {name}" + (f"  -- {detail}" if detail else ""))
    total = len(CASES)
    print(f"corpus: {total} functions: " + ", ".join(f"{k} {v}" for k, v in counts.items())
          + f" ({100 * counts['pass'] / total:.0f}% differentiated correctly)")
    return 1 if counts["wrong"] or counts["crash"] else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:  # pragma: no cover - the runner itself failed
        traceback.print_exc()
        sys.exit(2)
