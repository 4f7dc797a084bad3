"""Forward mode through loops over sequences (``for w in ws``, ``zip``, ``enumerate``,
``reversed``, the rows of an array): each item's tangent is walked beside it
(``for w, dot_w in zip(ws, dot_ws)``).  Refused before (the Tangent-style corpus: ``jvp``,
``hvp`` and ``hessian`` of ``for v in x: total += v * v`` and of micrograd's neuron written as a
loop); the Hessian of such a function is reverse over forward, which reads that text back.

Also: a value a loop carries (``ws = ws * 1.5`` in a loop, a list a comprehension builds) walked
item by item after its loop was refused as "used in another way"; and refusals raised while
reading generated text back named that text instead of the user's file.
"""
import types

import numpy as np
import pytest

import srcdiff
from tangent_corpus_checks import along, assert_close, fd_gradient, random_like
from trust_helpers import assert_user_error

RNG = np.random.default_rng(23)


def over_list(ws, c):
    t = 0.0
    for w in ws:
        t = t + w * w * c
    return t


def over_rows(A, x):
    t = 0.0
    for row in A:
        t = t + np.tanh(np.dot(row, x)) * 1.5
    return t


def backwards(ws):
    t = 0.0
    for w in reversed(ws):
        t = t * 0.5 + w ** 3
    return t


def counted(ws):
    t = 0.0
    for i, w in enumerate(ws):
        t = t + w * w * (i + 0.5)
    return t


def zipped(ws, xs, bias):
    act = bias
    for w, x in zip(ws, xs):
        act = act + w * x
    return np.tanh(act) + act * act


def nested(W, xs):
    t = 0.0
    for row in W:
        s = 0.0
        for w, x in zip(row, xs):
            s = s + w * x
        t = t + s * s
    return t


def stops_early(ws, limit):
    t = 0.0
    for w in ws:
        t = t + w * w
        if t > limit:
            break
    return t * t


def carried_then_walked(x):
    ws = x
    for i in range(3):
        ws = ws * 1.5 + 0.1
    total = 0.0
    for w in ws:
        total = total + w * w * w
    return total


def built_then_walked(x):
    ys = [v * v for v in x]
    total = 0.0
    for y in ys:
        total = total + y * y
    for i, y in enumerate([np.sin(v) for v in x]):
        total = total + y * i
    return total


def walked_inside_its_own_loop(x):
    ws = x
    t = 0.0
    for i in range(2):
        for w in ws:
            t = t + w * w
        ws = ws * 2.0 + 0.1
    return t


def list_walked_inside_its_own_loop(xs):
    ws = xs
    t = 0.0
    for i in range(2):
        for w in ws:
            t = t + w * w * w
        ws = [v * 0.5 + 0.1 for v in ws]
    return t


def list_rebuilt_then_counted(xs):
    ws = xs
    for i in range(2):
        ws = [v * v for v in ws]
    t = 0.0
    for k, w in enumerate(ws):
        t = t + w * (k + 1)
    return t


CASES = [
    (over_list, ([0.3, -0.8, 1.1], 0.7)), (over_list, ((0.3, -0.8, 1.1), 0.7)), (over_list, (np.array([0.3, -0.8]), 1.3)),
    (over_rows, (RNG.standard_normal((3, 3)), RNG.standard_normal(3))),
    (backwards, ([0.3, -0.8, 1.1],)), (backwards, (np.array([0.3, -0.8, 1.1]),)),
    (counted, ([0.3, -0.8, 1.1],)), (counted, (np.array([0.3, -0.8, 1.1]),)),
    (zipped, ([0.5, -0.3, 0.8], [1.0, 2.0, -0.5], 0.1)),
    (nested, ([[0.5, -0.3], [0.8, 0.2], [-0.4, 0.9]], [1.5, -0.5])), (nested, (RNG.standard_normal((3, 3)), [1.5, -0.5, 0.2])),
    (stops_early, ([0.3, -0.8, 1.1, 0.4], 0.5)), (stops_early, ([0.3, -0.8, 1.1, 0.4], 5.0)),
    (carried_then_walked, (np.array([0.3, -0.7, 1.2]),)), (built_then_walked, (np.array([0.3, -0.7, 1.2]),)),
    (built_then_walked, ([0.3, -0.7, 1.2],)), (walked_inside_its_own_loop, (np.array([0.3, -0.7, 1.2]),)),
    (list_walked_inside_its_own_loop, ([0.3, -0.7, 1.2],)), (list_rebuilt_then_counted, ([0.3, -0.7, 1.2],)),
]
IDS = [f"{f.__name__}-{type(args[0]).__name__}-{k}" for k, (f, args) in enumerate(CASES)]


def _fresh(fn):
    return types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)


@pytest.mark.parametrize("generic", [False, True], ids=["specialized", "generic"])
@pytest.mark.parametrize("k", range(len(CASES)), ids=IDS)
def test_forward_mode_and_second_derivatives_through_loops_over_items(k, generic, monkeypatch):
    f, args = CASES[k]
    if generic:
        monkeypatch.setenv("SRCDIFF_GENERIC", "1")
    f = _fresh(f)
    rng = np.random.default_rng(k)
    for p in range(len(args)):
        d = random_like(args[p], rng)
        assert_close(srcdiff.jvp(f, wrt=p)(*args, d), along(f, args, p, d), rtol=1e-5, atol=1e-7)
        assert_close(srcdiff.grad(f, wrt=p)(*args), fd_gradient(f, args, p), rtol=1e-5, atol=1e-7)
        second = along(lambda *xs: fd_gradient(f, xs, p), args, p, d, eps=1e-4)
        assert_close(srcdiff.hvp(f, wrt=p)(*args, d), second, rtol=1e-4, atol=1e-5)
        if isinstance(args[p], float):
            assert srcdiff.grad(srcdiff.grad(f, wrt=p), wrt=p)(*args) == pytest.approx(
                float(along(lambda *xs: fd_gradient(f, xs, p), args, p, 1.0, eps=1e-4)), rel=1e-4, abs=1e-5)


def test_the_hessian_of_a_loop_over_an_arrays_items():
    x = np.array([0.3, -0.8, 1.1])
    assert_close(srcdiff.hessian(over_list)(x, 0.7), np.diag(np.full(3, 2 * 0.7)), rtol=1e-12, atol=1e-12)


def test_item_tangents_read_well():
    assert "    for w, dot_w in zip(ws, dot_ws):\n" in srcdiff.jvp(over_list, wrt=0).source
    assert "for w, x, dot_w, dot_x in zip(ws, xs, dot_ws, dot_xs):" in srcdiff.jvp(zipped).source
    assert "for w, dot_w in zip(reversed(ws), reversed(dot_ws)):" in srcdiff.jvp(backwards).source
    assert "    for i, w in enumerate(ws):\n        dot_w = dot_ws[i]\n" in srcdiff.jvp(counted).source
    assert "for w, x, dot_x in zip(ws, xs, dot_xs):" in srcdiff.jvp(zipped, wrt=1).source  # ws has no tangent


def pairs_unpacked(pairs):
    t = 0.0
    for a, b in pairs:
        t = t + a * b
    return t


def test_a_loop_unpacking_items_with_tangents_pairs_them_item_by_item():
    assert srcdiff.jvp(pairs_unpacked)([(1.0, 2.0)], [(0.5, 0.25)]) == pytest.approx(0.5 * 2.0 + 1.0 * 0.25)
    assert srcdiff.grad(pairs_unpacked)([(1.0, 2.0), (3.0, -1.0)]) == [(2.0, 1.0), (-1.0, 3.0)]


def cumulative(x):
    return np.sum(np.cumprod(x) ** 2)


def test_a_rule_missing_in_generated_text_read_back_is_refused_at_the_users_line():
    with pytest.raises(srcdiff.SrcdiffError, match="no gradient rule") as info:
        srcdiff.grad(srcdiff.grad(srcdiff.grad(cumulative)))
    assert_user_error(info.value, cumulative, "np.cumprod")
