"""Lambdas, nested defs and closures, functools.partial, *args/**kwargs and keyword-only
parameters (issue 12), on every transform, against finite differences.

The corpus is ``closure_corpus``: each function of ``(W, x)`` with a square ``W`` and a
result weighted by a random ``R``.
"""
import functools
import linecache
import os

import numpy as np
import pytest

import closure_corpus as corpus
import srcdiff
from conftest import import_text
from gradcheck import numeric_grad
from trust_helpers import fd_directional

CASES = pytest.mark.parametrize("fn", [fn for _, fn in corpus.CASES], ids=[name for name, _ in corpus.CASES])


def _close(got, want, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float), rtol=rtol, atol=atol)


@CASES
def test_grad_and_value_and_grad(fn):
    W, x = corpus.arguments()
    gW, gx = srcdiff.grad(fn, wrt=(0, 1))(W, x)
    _close(gW, numeric_grad(fn, (W, x), 0))
    _close(gx, numeric_grad(fn, (W, x), 1))
    value, gradient = srcdiff.value_and_grad(fn, wrt=0)(W, x)
    _close(value, fn(W, x), rtol=1e-12)
    _close(gradient, gW, rtol=1e-12)


@CASES
def test_jvp(fn):
    W, x = corpus.arguments()
    dot = np.random.default_rng(3).normal(size=W.shape)
    _close(srcdiff.jvp(fn, wrt=0)(W, x, dot), fd_directional(fn, (W, x), 0, dot))


@CASES
def test_hvp_and_hessian(fn):
    W, x = corpus.arguments()
    v = np.random.default_rng(4).normal(size=W.shape)
    gradient = srcdiff.grad(fn, wrt=0)
    want = fd_directional(gradient, (W, x), 0, v)
    _close(srcdiff.hvp(fn, wrt=0)(W, x, v), want, rtol=1e-4, atol=1e-5)
    hessian = srcdiff.hessian(fn, wrt=1)(W, x)
    _close(hessian @ corpus.V, fd_directional(srcdiff.grad(fn, wrt=1), (W, x), 1, corpus.V), rtol=1e-4, atol=1e-5)


@CASES
def test_second_derivative_by_grad_of_grad(fn):
    W, x = corpus.arguments()
    if getattr(fn, "__name__", "") in ("closure_in_loop", "closure_reads_loop_variable"):
        pytest.skip("the gradient of a loop keeps a tape: grad of it is built from f, tested in test_higher")
    inner = srcdiff.grad(fn, wrt=1)
    penalty = lambda W, x: np.sum(inner(W, x) * corpus.V)  # noqa: E731 - a lambda calling a gradient
    _close(srcdiff.grad(penalty, wrt=0)(W, x), numeric_grad(penalty, (W, x), 0), rtol=1e-4, atol=1e-5)


@CASES
def test_explain_gives_the_gradient(fn):
    W, x = corpus.arguments()
    explanation = srcdiff.explain(fn, W, x)
    _close(explanation.value, fn(W, x), rtol=1e-12)
    _close(explanation.gradients[0], srcdiff.grad(fn, wrt=0)(W, x), rtol=1e-10)


def test_jacobian_through_a_closure():
    def f(W, x):
        act = lambda z: np.tanh(z) * x  # noqa: E731
        return act(W @ x)

    W, x = corpus.arguments()
    jac = srcdiff.jacobian(f, wrt=0)(W, x)
    for k, unit in enumerate(np.eye(3)):
        _close(np.tensordot(unit, jac, axes=1), numeric_grad(lambda W, x: f(W, x)[k], (W, x), 0))


# ---------------------------------------------------------------- lambdas differentiated directly

def test_a_lambda_gets_a_name_and_its_line():
    square = lambda x: x ** 2  # noqa: E731
    gradient = srcdiff.grad(square)
    assert gradient(3.0) == 6.0
    line = square.__code__.co_firstlineno
    assert gradient.source.startswith("def grad_lambda(x):")
    assert f"Gradient of the lambda on line {line} with respect to x" in gradient.source
    assert srcdiff.grad(gradient)(3.0) == 2.0
    assert srcdiff.hessian(square)(1.0) == 2.0
    assert srcdiff.hessian(square).__name__ == "hessian_lambda"
    assert "def jvp_lambda" in srcdiff.jvp(square).source


def test_lambdas_on_one_line_are_told_apart():
    pair = (lambda x: x ** 2, lambda x: x ** 3, lambda x: (lambda y: y * x)(x))
    assert [srcdiff.grad(f)(2.0) for f in pair] == [4.0, 12.0, 4.0]
    same = [lambda x: x * 3.0, lambda x: x * 3.0]
    assert [srcdiff.grad(f)(1.0) for f in same] == [3.0, 3.0]


def test_lambdas_alike_in_code_but_written_differently_are_refused(monkeypatch):
    # Python 3.10 has no instruction positions: lambdas are told apart by their code alone
    from srcdiff.frontend import callables
    monkeypatch.setattr(callables, "_by_position", lambda candidates, code: candidates)
    pair = (lambda x: 2 * 3 * x, lambda x: 6 * x)
    with pytest.raises(srcdiff.SrcdiffError, match="cannot tell which of the 2 lambdas") as err:
        srcdiff.grad(pair[1])
    assert err.value.lineno == pair[1].__code__.co_firstlineno and "lambda" in err.value.line_text


def test_lambdas_told_apart_by_code_without_positions(monkeypatch):
    from srcdiff.frontend import callables
    monkeypatch.setattr(callables, "_by_position", lambda candidates, code: candidates)
    pair = (lambda x: x ** 2, lambda x: x ** 3)
    assert [srcdiff.grad(f)(2.0) for f in pair] == [4.0, 12.0]


def test_a_lambda_with_a_closure_from_a_factory():
    assert srcdiff.grad(corpus.make_scale(2.5))(1.0) == 2.5
    assert srcdiff.grad(corpus.softplus)(0.0) == pytest.approx(0.5)


# ---------------------------------------------------------------- functools.partial

def loss(W, X, y, lam=0.1):
    return np.sum((X @ W - y) ** 2) + lam * np.sum(W * W)


def test_partial_differentiates_the_parameters_it_leaves():
    rng = np.random.default_rng(1)
    X, y, W = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=3)
    p = functools.partial(loss, X=X, y=y)
    gradient = srcdiff.grad(p)
    gW, glam = gradient(W)
    _close(gW, numeric_grad(lambda W: p(W), (W,), 0))
    _close(glam, np.sum(W * W))
    assert gradient.source.startswith("def grad_loss(W, *, X=X, y=y, lam=0.1):")
    assert "with respect to W, lam;" in gradient.source
    _close(srcdiff.grad(p, wrt="X")(W), numeric_grad(lambda X: loss(W, X, y), (X,), 0))
    _close(srcdiff.grad(p, wrt=0)(W, X=2 * X), numeric_grad(lambda W: loss(W, 2 * X, y), (W,), 0))
    by_position = functools.partial(loss, W)
    _close(srcdiff.grad(by_position, wrt=0)(X, y), numeric_grad(lambda X: loss(W, X, y), (X,), 0))
    assert srcdiff.grad(by_position).source.startswith("def grad_loss(X, y, lam=0.1):")
    v = rng.normal(size=3)
    _close(srcdiff.hvp(p, wrt=0)(W, v), fd_directional(srcdiff.grad(p, wrt=0), (W,), 0, v), rtol=1e-4)
    _close(srcdiff.hessian(p)(W) @ v, srcdiff.hvp(p)(W, v))
    _close(srcdiff.jvp(p, wrt="W")(W, v), fd_directional(p, (W,), 0, v))
    _close(srcdiff.explain(p, W).gradients[0], gW)


def quadratic(w, X, c=1.0):
    return np.sum((X * w) ** 2) * c + w ** 3


def test_second_derivatives_of_a_partial_binding_an_array_by_keyword():
    X = np.random.default_rng(2).normal(size=(3, 3))
    p = functools.partial(quadratic, X=X)
    first = srcdiff.grad(p, wrt=0)
    assert first.source.startswith("def grad_quadratic(w, *, X=X, c=1.0):")
    second = srcdiff.grad(first, wrt=0)
    assert second(0.7) == pytest.approx(2 * np.sum(X * X) + 6 * 0.7, rel=1e-10)
    assert second(0.7, X=2 * X) == pytest.approx(8 * np.sum(X * X) + 6 * 0.7, rel=1e-10)
    assert srcdiff.hessian(p)(0.7) == pytest.approx(second(0.7), rel=1e-10)


def test_partial_of_partial():
    p = functools.partial(functools.partial(corpus.sum_of, 2.0), weight=3.0)
    assert srcdiff.grad(p)(5.0, 7.0) == (3.0, 3.0)
    assert srcdiff.grad(p, wrt="third")(5.0, 7.0) == 3.0


def test_partial_keywords_changed_later_rebuild():
    p = functools.partial(corpus.scaled, k=2.0)
    assert srcdiff.grad(p)(0.0) == pytest.approx(2.0)
    p.keywords["k"] = 3.0
    assert srcdiff.grad(p)(0.0) == pytest.approx(3.0)


def test_partial_of_what_is_not_a_function_is_refused():
    with pytest.raises(srcdiff.SrcdiffError, match="functools.partial") as err:
        srcdiff.grad(functools.partial(np.sum, axis=0))
    assert err.value.filename == __file__


def test_partial_binding_by_position_what_is_no_number_is_refused():
    with pytest.raises(srcdiff.SrcdiffError, match="bind it by keyword"):
        srcdiff.grad(functools.partial(loss, [1.0, 2.0]))


# ---------------------------------------------------------------- keyword-only parameters

def test_keyword_only_parameters_on_every_transform():
    W, x = corpus.arguments()
    f = corpus.keyword_only
    gW, gshift = srcdiff.grad(f, wrt=(0, "shift"))(W, x, shift=0.3)
    _close(gW, numeric_grad(lambda W: f(W, x, shift=0.3), (W,), 0))
    _close(gshift, numeric_grad(lambda s: f(W, x, shift=s), (0.3,), 0))
    v = np.random.default_rng(5).normal(size=W.shape)
    _close(srcdiff.hvp(f, wrt=0)(W, x, v, shift=0.3),
           fd_directional(lambda W: srcdiff.grad(f, wrt=0)(W, x, shift=0.3), (W,), 0, v), rtol=1e-4)
    _close(srcdiff.jvp(f, wrt=0)(W, x, v, shift=0.3), fd_directional(lambda W: f(W, x, shift=0.3), (W,), 0, v))
    _close(srcdiff.explain(f, W, x, shift=0.3).gradients[0], gW)


# ---------------------------------------------------------------- notebooks and the REPL

def _cell(name, text, namespace):
    """Run ``text`` as IPython runs a cell: its source kept in linecache under ``name``."""
    linecache.cache[name] = (len(text), None, text.splitlines(keepends=True), name)
    exec(compile(text, name, "exec"), namespace)
    return namespace


@pytest.mark.parametrize("name", ["<ipython-input-3-0f1e2d3c4b5a>", "/tmp/ipykernel_4242/2718281828.py"])
def test_functions_typed_in_notebook_cells(name):
    namespace = {"__name__": "__main__"}
    _cell(name.replace("3", "2").replace("2718", "1414"), "import numpy as np\nact = lambda z: np.tanh(z)\n", namespace)
    _cell(name, "def f(W, x):\n    def layer(h):\n        return act(W @ h)\n    return np.sum(layer(x) * x)\n",
          namespace)
    W, x = corpus.arguments()
    f = namespace["f"]
    _close(srcdiff.grad(f, wrt=0)(W, x), numeric_grad(f, (W, x), 0))
    _close(srcdiff.grad(namespace["act"])(0.5), 1 - np.tanh(0.5) ** 2)
    _cell(name + "-again", "act = lambda z: np.sin(z)\n", namespace)  # a later cell redefines the helper
    _close(srcdiff.grad(f, wrt=0)(W, x), numeric_grad(f, (W, x), 0))


def test_a_plain_repl_says_where_source_is_kept():
    namespace = {}
    exec(compile("def typed(x):\n    return x * x\n", "<stdin>", "exec"), namespace)
    with pytest.raises(srcdiff.SrcdiffError, match="cannot find the source of function 'typed'") as err:
        srcdiff.grad(namespace["typed"])
    assert err.value.filename == "<stdin>" and err.value.lineno == 1
    assert "IPython" in err.value.hint and ".py file" in err.value.hint


def test_a_lambda_edited_since_its_module_was_imported_is_refused(tmp_path):
    module = import_text(tmp_path, "g = lambda x: x ** 2\n", "edited_lambda_module")
    path = tmp_path / "edited_lambda_module.py"
    path.write_text("g = lambda x: x ** 3\n")
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + 10))
    with pytest.raises(srcdiff.SrcdiffError, match="cannot find the lambda of line 1") as err:
        srcdiff.grad(module.g)
    assert "reload" in err.value.hint
