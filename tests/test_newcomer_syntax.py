"""Ordinary Python a newcomer writes: starred unpacking (``lower.starred``), ``for``/``while``
... ``else`` (``lower.tails``), the views of a dict built in the function (``lower.displays``),
and ``acc += v`` of a number that becomes an array in nested loops (``lower.writes``).

Each function is checked against central differences on every path: grad, value_and_grad,
jvp, hvp, hessian, grad(grad) for a number, explain; arrays are non-uniform, matrices square,
upstream directions random.  Then what stays refused, each at its line.
"""
import numpy as np
import pytest

import srcdiff
from conftest import import_text
from trust_helpers import (assert_explain_matches_grad, assert_jvp_and_hvp_match_differences, assert_user_error,
                           fd_grad)

RNG = np.random.default_rng(19)
X = np.array([0.4, -0.3, 0.8, 0.55])
A = np.array([[0.5, -0.2, 0.3], [0.1, 0.7, -0.4], [0.2, 0.3, 0.6]])
Z2 = np.array([[0.3, -0.1, 0.45], [0.2, 0.6, -0.35], [-0.25, 0.15, 0.5]])

FUNCTIONS = '''
import numpy as np

W = np.array([0.3, -0.2, 0.5])


def star_display(x, y):
    a, *rest = (x, y, x * y)
    first, *mid, last = [x, y, y * y, x + y]
    (p, q), *others = ((x, y * 2.0), x * x, y)
    return a * rest[0] + rest[1] ** 2 + first * sum(mid) + last * len(mid) + p * q + others[0] * others[-1]


def star_ends(x, y):
    *init, z = (x, y, x * y)
    a, *none, b = (x * 3.0, y)
    return sum(init) * z + a * b + len(none)


def star_array(x):
    first, *mid, last = x
    total = 0.0
    for m in mid:
        total = total + m * m
    return first * np.sum(np.array(mid) ** 2) + last * len(mid) + sum(mid) * mid[0] + total


def star_rows(A):
    top, *others = A
    s = np.sum(top * np.stack(others).sum(axis=0))
    for row in others:
        s = s + np.sum(np.tanh(row) * top)
    return s


def star_sequence(xs):
    a, *rest = xs
    *front, z = xs
    return a * sum(rest) + rest[-1] ** 2 + sum(front) * z


def helper(a, b, c):
    return a * b + np.sin(c)


def star_call(x):
    args = (x[0], x[1] * 2.0, x[2])
    first, *more = args
    return helper(*args) + helper(first, *more)


def for_else_break(x, c):
    p = x
    for i in range(4):
        if p > c:
            break
        p = p * x
    else:
        p = p + np.sin(x)
    return p * 2.0


def for_else_always(xs):
    s = 0.0
    for v in xs:
        s = s + v * v
    else:
        s = s * np.sum(xs)
    return s


def while_else(x, c):
    p = x
    k = 0
    while k < 5:
        if p > c:
            break
        p = p * 1.5 + x
        k = k + 1
    else:
        p = p * x
    return p


def nested_else(xs, c):
    total = 0.0
    for v in xs:
        for k in range(3):
            if v * k > c:
                break
            total = total + v * k
        else:
            total = total * 0.5
            break
    else:
        total = total + 10.0 * np.sum(xs)
    return total


def else_and_return(xs, c):
    s = 0.0
    for v in xs:
        if v > c:
            return s * v
        s = s + v * v
    else:
        s = s + 1.0
    return s * 3.0


def display_else(x, y, c):
    s = 0.0
    for w in (x, y, x * y):
        if w > c:
            break
        s = s + w * w
    else:
        s = s * 2.0
    return s


def dict_values(x, y):
    d = {"a": x, "b": y * x, "c": np.sin(y)}
    s = 0.0
    for v in d.values():
        s = s + v * v
    return s + sum(d.values()) * len(d)


def dict_items(x, y):
    d = dict(a=x, b=y * x)
    s = 0.0
    for k, v in d.items():
        s = s + v * d[k]
    for k in d.keys():
        s = s + d[k] * y
    for k in d:
        s = s + d[k]
    return s


def dict_arrays(A):
    d = {"w": A, "v": np.tanh(A)}
    s = np.sum(np.array(list(d.values())) ** 2)
    for name, value in d.items():
        s = s + np.sum(value @ value)
    return s


def acc_nested(zs, w):
    s = 0.0
    for i in range(len(zs)):
        acc = 1.45
        for j in range(3):
            acc += w * zs[i] * j
        s = s + acc * acc
    return np.sum(s)


def _drift(p, w):
    acc = 0.5
    for i in range(3):
        t = acc * 0.1 if w < 0.9 else -0.6
        acc += 0.1 * p * w + t
    return acc


def acc_helper(zs, w):
    s = 0.0
    for i in range(len(zs)):
        s = s + _drift(zs[i], w)
    return np.sum(s * s)


def acc_flat(zs, w):
    acc = 0.0
    for i in range(len(zs)):
        v = zs[i]
        acc += v * w
    return np.sum(acc * acc)
'''

CASES = [
    ("star_display", (0.6, -0.9)), ("star_ends", (0.6, -0.9)), ("star_array", (X,)), ("star_rows", (A,)),
    ("star_sequence", (X,)), ("star_call", (X,)),
    ("for_else_break", (1.3, 2.0)), ("for_else_break", (1.1, 5.0)), ("for_else_always", (X,)),
    ("while_else", (0.7, 3.0)), ("while_else", (0.1, 30.0)), ("nested_else", (X, 0.9)), ("nested_else", (X, 5.0)),
    ("else_and_return", (X, 0.6)), ("else_and_return", (X, 5.0)),
    ("display_else", (0.6, 0.9, 0.7)), ("display_else", (0.6, 0.9, 5.0)),
    ("dict_values", (0.6, -0.9)), ("dict_items", (0.6, -0.9)), ("dict_arrays", (A,)),
    ("acc_nested", (X, 0.7)), ("acc_nested", (Z2, 0.7)), ("acc_helper", (X, 0.7)), ("acc_helper", (Z2, 0.7)),
    ("acc_flat", (X, 0.7)), ("acc_flat", (Z2, 0.7)),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]


@pytest.fixture(scope="module")
def m(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("newcomer"), FUNCTIONS, "srcdiff_test_newcomer_syntax_module")


def _direction(x):
    return RNG.normal(size=np.shape(x)) if np.ndim(x) else 0.7


@pytest.mark.parametrize("name,args", CASES, ids=IDS)
def test_gradient_and_value(m, name, args):
    f = getattr(m, name)
    for wrt in range(len(args)):
        if isinstance(args[wrt], float):
            grad = srcdiff.grad(f, wrt=wrt)(*args)
            np.testing.assert_allclose(grad, fd_grad(f, args, wrt), rtol=1e-5, atol=1e-7)
    grad = srcdiff.grad(f, wrt=0)(*args)
    np.testing.assert_allclose(grad, fd_grad(f, args, 0), rtol=1e-5, atol=1e-7)
    value, again = srcdiff.value_and_grad(f, wrt=0)(*args)
    assert value == pytest.approx(f(*args), rel=1e-12)
    np.testing.assert_allclose(again, grad, rtol=1e-12)


@pytest.mark.parametrize("name,args", CASES, ids=IDS)
def test_forward_mode_and_second_derivatives(m, name, args):
    f = getattr(m, name)
    v = _direction(args[0])
    _, hvp = assert_jvp_and_hvp_match_differences(f, args, v)
    hessian = np.reshape(srcdiff.hessian(f, wrt=0)(*args), (np.size(args[0]), -1))
    np.testing.assert_allclose(hessian @ np.ravel(v), np.ravel(hvp), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name,args", [c for c in CASES if isinstance(c[1][0], float)],
                         ids=[i for i, c in zip(IDS, CASES) if isinstance(c[1][0], float)])
def test_grad_of_grad(m, name, args):
    grad = srcdiff.grad(getattr(m, name), wrt=0)
    second = srcdiff.grad(grad, wrt=0)(*args)
    assert second == pytest.approx(fd_grad(grad, args, 0), rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("name,args", [CASES[0], CASES[2], CASES[6], CASES[11], CASES[18], CASES[21]],
                         ids=["star_display", "star_array", "for_else", "nested_else", "dict_items", "acc_nested_2d"])
def test_explain_agrees_with_grad(m, name, args):
    assert_explain_matches_grad(getattr(m, name), args)


def test_starred_names_of_a_list_argument(m):
    grad = srcdiff.grad(m.star_sequence)(list(X))
    assert isinstance(grad, list)
    np.testing.assert_allclose(grad, fd_grad(m.star_sequence, (X,), 0), rtol=1e-5)
    grad = srcdiff.grad(m.star_sequence)(tuple(X))
    assert isinstance(grad, tuple)


def test_float32_rows_keep_their_dtype(m):
    grad = srcdiff.grad(m.star_rows)(A.astype(np.float32))
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, srcdiff.grad(m.star_rows)(A), rtol=1e-5)


def test_a_star_in_an_unrolled_loop_target(tmp_path):
    text = "def f(x, w):\n    s = 0.0\n    for a, *b in [(x, w, w), (w, x)]:\n        s = s + a * sum(b)\n    return s\n"
    f = import_text(tmp_path, text).f
    assert srcdiff.grad(f, wrt=0)(0.5, 0.3) == pytest.approx(fd_grad(f, (0.5, 0.3), 0))


def test_too_few_items_raise_as_python_does(m):
    for short in (X[:1], [0.5]):
        with pytest.raises(ValueError, match="not enough values to unpack"):
            m.star_array(short)
        with pytest.raises(ValueError, match="not enough values to unpack"):
            srcdiff.grad(m.star_array)(short)


def test_generated_code_reads_as_written(m):
    text = srcdiff.grad(m.for_else_break, wrt=0).source
    assert "no_break = True" in text and "no_break_1 = False" in text and "if no_break:" in text
    text = srcdiff.grad(m.star_array).source
    assert "s0 = rt.unpacked_at_least(x, 2)" in text and "mid = s0[1:-1]" in text and "last = s0[-1]" in text


def test_for_else_without_break_runs_the_else_after_the_loop(m):
    text = srcdiff.grad(m.for_else_always).source
    assert "no_break" not in text


REFUSED = {
    "star_in_a_loop_target": ("def f(rows, w):\n    s = 0.0\n    for a, *b in rows:\n        s = s + a * w\n"
                              "    return s\n", "for a, *b in", "loop target"),
    "too_many_names": ("def f(x, w):\n    a, b, *c, d = (x, w)\n    return a\n", "a, b, *c, d = (x, w)",
                       "cannot unpack 2 values into 3 names and a starred one"),
    "rest_repeated": ("def f(x, w):\n    a, *rest = x\n    return np.array(rest * 2)[-1] * w\n", "rest * 2",
                      "this is a list here"),
    "rest_compared_in_a_helper": ("def pos(v):\n    return np.sum(v > 0.0)\n\ndef f(x, w):\n    a, *rest = x\n"
                                  "    r = rest\n    if w > 0.0:\n        r = rest\n    return a * w + pos(r)\n",
                                  "v > 0.0", "this is a list here"),
    "dict_get": ("def f(x, w):\n    d = {'a': x}\n    return d.get('a') * w\n", "d.get('a')",
                 "method '.get..' of a dict built here"),
    "dict_key_computed": ("def f(x, w):\n    d = {'a': x, 'b': w}\n    s = 0.0\n    for i in range(2):\n"
                          "        s = s + d[i]\n    return s\n", "d[i]", "not an entry of the dict"),
    "update_into_a_parameter_row": ("def f(zs, w):\n    acc = zs[0]\n    for i in range(1, len(zs)):\n"
                                    "        acc += zs[i] * w\n    return np.sum(acc)\n", "acc += zs[i] * w",
                                    "parameter|read again afterwards"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_at_the_line(tmp_path, case):
    text, line, message = REFUSED[case]
    module = import_text(tmp_path, "import numpy as np\n\n\n" + text)
    first = Z2 if case in ("update_into_a_parameter_row", "star_in_a_loop_target") else 0.5
    first = X if case.startswith("rest_") else first
    with pytest.raises(srcdiff.SrcdiffError, match=message) as err:
        srcdiff.grad(module.f, wrt=1)(first, 0.3)
    assert_user_error(err.value, module.pos if case == "rest_compared_in_a_helper" else module.f, line)
