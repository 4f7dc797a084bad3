"""Functions with lambdas, nested defs, closures, functools.partial, *args/**kwargs and
keyword-only parameters, as people write them (issue 12).  Each ``CASES`` entry is
``(name, function, arguments)``; the tests differentiate the first argument (a square
matrix or a vector) and check every transform against finite differences.  Results are
weighted by a fixed random ``R`` so that a transposed gradient cannot hide.
"""
import functools

import numpy as np

R = np.random.default_rng(12).normal(size=(3, 3))
V = np.random.default_rng(13).normal(size=3)


def relu(z):
    return np.maximum(0.0, z)


softplus = lambda z: np.log1p(np.exp(z))  # noqa: E731 - a module-level lambda helper


def apply(fn, value):
    return fn(value)


def twice(fn, value):
    return fn(fn(value))


def make_scale(a):
    return lambda z: a * z


def sum_of(first, second, third=0.0, *, weight=1.0):
    return weight * (first + second + third)


def forward_all(*args, **kwargs):
    return sum_of(*args, **kwargs)


def mean_of(*terms):
    s = 0.0
    for t in terms:
        s = s + t
    return s / len(terms)


def scaled(x, k):
    return np.tanh(k * x)


half = functools.partial(scaled, k=0.5)


# ---------------------------------------------------------------- lambdas

def assigned_lambda(W, x):
    act = lambda z: np.tanh(z) * 2.0  # noqa: E731
    return np.sum(R * act(W @ W.T + x))


def module_lambda(W, x):
    return np.sum(R * softplus(W * x))


def lambda_called_at_once(W, x):
    return np.sum(R * (lambda z: z * np.sin(z))(W + x))


def lambda_with_default(W, x):
    k = 0.5
    act = lambda z, c=k: np.exp(c * z)  # noqa: E731 - c is 0.5: defaults are read at the lambda
    k = 4.0
    return np.sum(R * act(W) * k)


def lambda_passed_to_helper(W, x):
    return np.sum(R * apply(lambda z: z ** 3, W) + R * twice(np.sin, W * x))


def function_passed_to_helper(W, x):
    return np.sum(R * apply(relu, W - 0.1) * apply(softplus, x))


def lambda_from_factory(W, x):
    triple = make_scale(3.0)
    return np.sum(R * triple(W) * make_scale(x)(W))


# ---------------------------------------------------------------- nested defs and closures

def nested_def_late_binding(W, x):
    k = 1.5

    def layer(h, scale=k):
        return np.tanh(W @ h) * scale + k  # scale was 1.5 at the def; k is 3.0 when called

    k = 3.0
    return np.sum(R * layer(W.T))


def nested_defs_calling_each_other(W, x):
    def inner(z):
        return np.sin(z) * x

    def outer(z):
        return inner(z) + inner(2.0 * z)

    return np.sum(R * outer(W))


def closure_in_loop(W, x):
    s = np.zeros_like(W)
    for i in range(3):
        g = lambda z: z * (i + 1.0) + x  # noqa: E731 - reads this iteration's i
        s = s + g(W) * W
    return np.sum(R * s)


def closure_reads_loop_variable(W, x):
    acc = W

    def step(z):
        return np.tanh(z * acc)  # acc is read when step is called: the loop's current value

    for _ in range(2):
        acc = step(W) + acc
    return np.sum(R * acc)


def closure_in_branch(W, x):
    if x[0] > 0:
        act = lambda z: np.exp(0.3 * z)  # noqa: E731
        y = act(W)
    else:
        y = W * W
    return np.sum(R * y)


def keyword_only(W, x, *, scale=2.0, shift):
    return np.sum(R * np.tanh(W * scale + shift * x))


# ---------------------------------------------------------------- *args, **kwargs, partial

def star_helpers(W, x):
    return np.sum(R * forward_all(W, W * W, third=np.sin(W), weight=0.5))


def star_loop(W, x):
    return np.sum(R * mean_of(W, np.sin(W) * x, W @ W))


def star_display(W, x):
    pair = (W, x)
    return np.sum(R * sum_of(*pair, *(1.0,)))


def partial_inside(W, x):
    p = functools.partial(scaled, k=2.0)
    q = functools.partial(sum_of, W)
    r = functools.partial(q, weight=3.0)
    return np.sum(R * p(W) + R * r(np.cos(W)) + R * half(W * x))


def partial_of_lambda(W, x):
    scale = functools.partial(lambda z, k: z * k, k=1.5)
    return np.sum(R * scale(W) ** 2)


def one_line_lambdas():
    return (lambda W, x: np.sum(R * W ** 2 * x), lambda W, x: np.sum(R * np.sin(W) * x))


FIRST, SECOND = one_line_lambdas()


def _arguments():
    rng = np.random.default_rng(7)
    return rng.normal(size=(3, 3)), np.abs(rng.normal(size=3)) + 0.5


CASES = [(fn.__name__, fn) for fn in (
    assigned_lambda, module_lambda, lambda_called_at_once, lambda_with_default, lambda_passed_to_helper,
    function_passed_to_helper, lambda_from_factory, nested_def_late_binding, nested_defs_calling_each_other,
    closure_in_loop, closure_reads_loop_variable, closure_in_branch, star_helpers, star_loop, star_display, partial_inside,
    partial_of_lambda)] + [("first-of-two-lambdas", FIRST), ("second-of-two-lambdas", SECOND),
                           ("keyword-only", functools.partial(keyword_only, shift=0.3))]


def arguments():
    return _arguments()
