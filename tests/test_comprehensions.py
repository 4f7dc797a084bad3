"""Comprehensions, generator expressions and the builtins that consume them (``lower.sequences``):
``sum`` (with a start), ``math.fsum``, ``math.prod``, ``len``, ``min``/``max`` of one sequence,
lists given to NumPy, over displays (unrolled) and over sequences whose length is known only
at run time (loops).  Every function is checked against finite differences on every path:
grad, jvp, hvp (both modes where they apply), hessian, grad(grad) for a number, explain.
"""
import math
import subprocess
import sys

import numpy as np
import pytest

import srcdiff
from conftest import ROOT, import_text, load_sample
from trust_helpers import assert_explain_matches_grad, assert_jvp_and_hvp_match_differences, fd_directional, fd_grad

RNG = np.random.default_rng(3)
X = np.array([0.4, -0.3, 0.8])

MODULE = '''
import math
import numpy as np

W = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.3], [-0.6, 0.2, 0.1]])
ROWS = np.array([[0.2, -0.1, 0.4], [0.5, 0.3, -0.2], [0.1, 0.1, 0.3]])


def dot(x, ys):
    return sum(w * y for w, y in zip(x, ys)) ** 2


def start(x, n):
    return sum((x ** k for k in range(n)), 1.0)


def series(x):
    return sum(x ** k / math.factorial(k) for k in range(6))


def layers(x):
    return np.sum(np.array([np.tanh(W[i] @ x) for i in range(len(x))]) ** 2 * W[0])


def stacked(x):
    return np.sum(np.stack([np.sin(W[i] * x) for i in range(len(x))]) * W)


def unrolled(a, b):
    return np.sum(np.array([t * t for t in (a, b)])) + sum([a, b * a]) + max([a, b * 2.0]) + min((a * a, b))


def stack_axis1(a, b):
    return np.sum(np.stack([np.sin(t) * W[0] for t in (a, b)], axis=1) * W[:, :2])


def fsum_prod(x):
    return math.fsum(np.sin(v) for v in x) + math.prod(v + 1.0 for v in x) + math.prod((v for v in x), start=2.0)


def extremes(x):
    return max(v * v * v for v in x) + min(x) * 2.0 + max(abs(v) * v for v in x)


def filtered(x):
    return sum(v * 2.0 for v in x if v > 0) + sum(v ** 3 for v in x if v < 0.5 if v > -0.5)


def nested(x):
    return sum(a * b * b for a in x for b in x)


def triangle(x):
    n = len(x)
    return sum(x[i] * x[j] * W[i, j] for i in range(n) for j in range(i))


def enumerated(x):
    return sum(i * v ** 2 for i, v in enumerate(x)) + sum(v * k for k, v in enumerate(reversed(list(x))))


def backwards(x):
    return sum(v * W[0, 0] ** k for k, v in zip(range(3), reversed(x)))


def counted(x):
    return np.sum(x * W[1]) / len([v for v in x if v > 0]) + len((x, x))


def listed(x):
    ys = [np.exp(v) for v in x]
    return ys[0] * ys[-1] + sum(ys) + len(ys) + np.mean(ys) + np.dot([np.cos(v) for v in x], W[0])


def walked(x):
    ys = [v ** 2 for v in x]
    s = 0.0
    for y in ys:
        s = s + y * y
    for i, y in enumerate([v * v for v in x]):
        s = s + y * i
    return s


def helper(v):
    t = 0.0
    for k in range(3):
        t = t + v ** k
    return t


def with_helper(x):
    return sum(helper(v) for v in x)


def rows(x):
    return sum(np.dot(x, row) ** 2 for row in ROWS)


def matvec(x):
    return np.sum(np.array([sum(W[i, j] * x[j] for j in range(3)) for i in range(3)]) ** 2 * W[0])


def in_loop(x, n):
    s = 0.0
    for i in range(n):
        s = s + sum(v * i for v in x) * s + 0.1
    return s


def outer_name(x, c):
    v = c * 3.0
    total = sum((v - c) ** 2 for v in x)
    return total + v


def lists_of_arrays(x):
    parts = [W[i] * x[i] for i in range(3)]
    return np.sum(np.array(parts) * W) + np.sum(list(p * p for p in parts)[1])


def tuple_of_generator(x):
    return np.sum(np.array(tuple(v * v for v in x)) * W[2])
'''

CASES = [
    ("dot", (X, [0.3, 0.25, 2.0])), ("start", (1.5, 3)), ("series", (0.7,)), ("layers", (X,)), ("stacked", (X,)),
    ("unrolled", (0.6, -0.9)), ("stack_axis1", (0.3, -0.7)), ("fsum_prod", (X,)), ("extremes", (X,)),
    ("filtered", (X,)), ("nested", (X,)), ("triangle", (X,)), ("enumerated", (X,)), ("backwards", (X,)),
    ("counted", (X,)), ("listed", (X,)), ("walked", (X,)), ("with_helper", (X,)), ("rows", (X,)), ("matvec", (X,)),
    ("in_loop", (X, 3)), ("outer_name", (X, 0.2)), ("lists_of_arrays", (X,)), ("tuple_of_generator", (X,)),
]


@pytest.fixture(scope="module")
def m(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("comprehensions"), MODULE, "srcdiff_test_comprehensions_module")


def _direction(x):
    return RNG.normal(size=np.shape(x)) if np.ndim(x) else 0.7


@pytest.mark.parametrize("name,args", CASES, ids=[c[0] for c in CASES])
def test_gradient(m, name, args):
    f = getattr(m, name)
    grad = srcdiff.grad(f, wrt=0)
    np.testing.assert_allclose(grad(*args), fd_grad(f, args, 0), rtol=1e-5, atol=1e-7)
    value, _ = srcdiff.value_and_grad(f, wrt=0)(*args)
    assert value == f(*args)  # the same arithmetic, in the same order


@pytest.mark.parametrize("name,args", CASES, ids=[c[0] for c in CASES])
def test_forward_mode_and_second_derivatives(m, name, args):
    f = getattr(m, name)
    v = _direction(args[0])
    grad, _ = assert_jvp_and_hvp_match_differences(f, args, v)
    hessian = srcdiff.hessian(f, wrt=0)(*args)
    directions = np.eye(np.size(args[0])) if np.ndim(args[0]) else [1.0]
    columns = [fd_directional(lambda *a: np.asarray(grad(*a)), args, 0, e) for e in directions]
    size = np.size(args[0])
    np.testing.assert_allclose(np.reshape(hessian, (size, -1)), np.reshape(np.array(columns).T, (size, -1)),
                               rtol=1e-4, atol=1e-6)
    if np.ndim(args[0]) == 0:
        assert srcdiff.grad(grad, wrt=0)(*args) == pytest.approx(fd_grad(grad, args, 0), rel=1e-5)


@pytest.mark.parametrize("name,args", [c for c in CASES if c[0] in ("dot", "start", "filtered", "unrolled", "listed")],
                         ids=["dot", "start", "unrolled", "filtered", "listed"])
def test_explain_agrees_with_grad(m, name, args):
    assert_explain_matches_grad(getattr(m, name), args)


def test_gradient_of_a_list_parameter_is_a_list(m):
    grads = srcdiff.grad(m.dot, wrt=(0, 1))([0.4, -0.3, 0.8], [0.3, 0.25, 2.0])
    assert all(isinstance(g, list) for g in grads)
    s = 0.4 * 0.3 - 0.3 * 0.25 + 0.8 * 2.0
    np.testing.assert_allclose(grads[0], 2 * s * np.array([0.3, 0.25, 2.0]))


def test_empty_sequences_behave_as_in_python(m):
    empty = np.zeros(0)
    assert srcdiff.value_and_grad(m.filtered)(empty) == (0, pytest.approx(empty))
    with pytest.raises(ValueError, match="empty"):
        srcdiff.grad(m.extremes)(empty)


def test_fsum_is_exact(tmp_path):
    f = import_text(tmp_path, "import math\n\ndef f(x):\n    return math.fsum(v for v in (1e16 * x, 1.0, -1e16 * x))\n").f
    assert srcdiff.value_and_grad(f)(1.0) == (1.0, 0.0)


def test_comprehension_names_are_its_own(m):
    assert srcdiff.grad(m.outer_name, wrt=1)(X, 0.2) == pytest.approx(fd_grad(m.outer_name, (X, 0.2), 1))
    text = srcdiff.grad(m.outer_name, wrt=0).source
    assert "total = 0" in text  # the accumulator takes its target's name


def test_generated_code_reads_like_the_loop(m):
    text = srcdiff.grad(m.layers).source
    assert "for i in range(s0):" in text and "s5 = rt.grown(s1, s4)" in text and "np.array(s1)" in text
    assert "grad_s1 = rt.but_last(grad_s5)" in text and "grad_s4 = grad_s5[-1]" in text


def test_sample_and_command_line():
    sample = load_sample("comprehensions")
    W = RNG.normal(size=(3, 3))
    xs = RNG.normal(size=(4, 3))
    ws = [0.5, -1.0, 2.0, 0.25]
    grads = srcdiff.grad(sample.comprehensions)(W, xs, ws)
    for i, g in enumerate(grads[:2]):
        np.testing.assert_allclose(g, fd_grad(sample.comprehensions, (W, xs, ws), i), rtol=1e-5, atol=1e-7)
    ws_array = np.array(ws)
    np.testing.assert_allclose(grads[2], fd_grad(sample.comprehensions, (W, xs, ws_array), 2), rtol=1e-5, atol=1e-7)
    result = subprocess.run([sys.executable, str(ROOT / "cli.py"), "samples/comprehensions.py"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    hint, _, printed = result.stdout.partition("\n")
    assert hint.startswith("# srcdiff export samples/comprehensions.py")
    assert printed == srcdiff.grad(sample.comprehensions).source


@pytest.mark.parametrize("body,pattern", [
    ("return np.sum(np.concatenate([x * v for v in x]))", r"np.concatenate of a comprehension whose length"),
    ("return sum((v, v) for v in x)", r"a sequence of tuples"),
    ("return max((v for v in x), x[0], default=0.0)", r"max\(\) is supported with one sequence"),
    ("return sum({v for v in x})", r"set comprehensions"),
    ("g = (v * v for v in x)\n    return sum(g) + sum(g)", r"a generator expression is supported as the argument of sum"),
    ("return np.sum(np.array(v * v for v in x))", r"a generator expression is supported as the argument of sum"),
    ("return len(v for v in x) * x[0]", r"a generator expression is supported as the argument of sum"),
])
def test_refused_by_name(tmp_path, body, pattern):
    f = import_text(tmp_path, f"import numpy as np\n\ndef f(x):\n    {body}\n").f
    with pytest.raises(srcdiff.SrcdiffError, match=pattern) as err:
        srcdiff.grad(f)(X)
    assert err.value.lineno == 4


def test_math_functions_of_sequences_keep_their_values(tmp_path):
    f = import_text(tmp_path, "import math\n\ndef f(a, b):\n    return math.prod([a, b, a]) + math.fsum((a, b)) + sum((a,), b)\n").f
    assert srcdiff.value_and_grad(f, wrt=(0, 1))(1.5, -2.0) == (f(1.5, -2.0), (2 * 1.5 * -2.0 + 2.0, 1.5 ** 2 + 2.0))
    assert math.isclose(srcdiff.hessian(f, wrt=0)(1.5, -2.0), -4.0)
