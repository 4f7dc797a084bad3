"""Helpers of the issue 11 regression tests (``test_trust_*.py``): finite differences and
the check that a SrcdiffError points into the user's own code."""
import inspect

import numpy as np
import pytest

import srcdiff

ISSUE = "issue 11: "


def xfail(family):
    """The mark of a test that shows a bug of issue 11 that srcdiff still has."""
    return pytest.mark.xfail(strict=True, reason=ISSUE + family)


def fd_grad(f, args, index, eps=1e-6):
    """d f / d args[index] by central differences, entry by entry, in float64."""
    x = args[index]
    if not isinstance(x, np.ndarray):
        plus, minus = list(args), list(args)
        plus[index], minus[index] = x + eps, x - eps
        return (float(f(*plus)) - float(f(*minus))) / (2 * eps)
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros(x.shape)
    for position in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[position] += eps
        minus[position] -= eps
        out[position] = (float(f(*args[:index], plus, *args[index + 1:]))
                         - float(f(*args[:index], minus, *args[index + 1:]))) / (2 * eps)
    return out


def fd_directional(f, args, index, v, eps=1e-6):
    """The derivative of f (any result shape) along v of argument ``index``, by central differences."""
    plus, minus = list(args), list(args)
    plus[index] = args[index] + eps * v
    minus[index] = args[index] - eps * v
    return (np.asarray(f(*plus), dtype=np.float64) - np.asarray(f(*minus), dtype=np.float64)) / (2 * eps)


def assert_user_error(err, fn, line=None):
    """``err`` names the file of ``fn`` and a line inside ``fn`` (``line``: that exact line,
    given as the text it holds), not srcdiff's generated code or ``<unknown>``."""
    code = fn.__code__
    assert err.filename == code.co_filename, f"error points at {err.filename!r}:\n{err}"
    lines, start = inspect.getsourcelines(fn)
    assert start <= err.lineno < start + len(lines), f"line {err.lineno} is outside {fn.__name__}:\n{err}"
    if line is not None:
        assert line in lines[err.lineno - start], f"line {err.lineno} is not the one holding {line!r}:\n{err}"


def refused_or_equal(thunk, fn, expected, line=None, **approx):
    """Either the right number, or a SrcdiffError pointing into ``fn`` (never a raw traceback)."""
    try:
        value = thunk()
    except srcdiff.SrcdiffError as err:
        assert_user_error(err, fn, line)
        return
    np.testing.assert_allclose(value, expected, **approx)


def assert_explain_matches_grad(f, args):
    """``srcdiff.explain(f, *args)``: its value is ``f``'s and its first parameter's row holds
    ``grad(f, wrt=0)``."""
    table = srcdiff.explain(f, *args)
    assert table.value == pytest.approx(f(*args))
    gradient = next(row.gradient for row in table.rows if row.name == f.__code__.co_varnames[0])
    np.testing.assert_allclose(gradient, srcdiff.grad(f, wrt=0)(*args), rtol=1e-12)


def assert_jvp_and_hvp_match_differences(f, args, v, jvp_rtol=1e-5, hvp_rtol=1e-4):
    """``jvp(f, wrt=0)`` along ``v`` against differences of ``f``, and ``hvp`` against differences of
    ``grad(f, wrt=0)`` (relative tolerances ``jvp_rtol``, ``hvp_rtol``); returns that gradient and the
    hvp, for the checks a test adds."""
    np.testing.assert_allclose(srcdiff.jvp(f, wrt=0)(*args, v), fd_directional(f, args, 0, v), rtol=jvp_rtol,
                               atol=1e-7)
    grad = srcdiff.grad(f, wrt=0)
    expected = fd_directional(lambda *a: np.asarray(grad(*a)), args, 0, v)
    hvp = srcdiff.hvp(f, wrt=0)(*args, v)
    np.testing.assert_allclose(hvp, expected, rtol=hvp_rtol, atol=1e-6)
    return grad, hvp


def assert_every_path_matches(f, x, gradient, jax, reference, hessian_atol):
    """``gradient``, srcdiff's of ``f`` at the array ``x``, against central differences and
    ``jax.grad`` of the JAX function ``reference``; ``hessian`` against ``jax.hessian`` (absolute
    tolerance ``hessian_atol``); jvp and hvp along a non-uniform direction against differences;
    explain's value and row against ``f`` and ``grad``."""
    np.testing.assert_allclose(gradient, fd_grad(f, (x,), 0), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(gradient, jax.grad(reference)(x), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(srcdiff.hessian(f, wrt=0)(x), jax.hessian(reference)(x), rtol=1e-8, atol=hessian_atol)
    v = np.linspace(-0.9, 1.3, x.size).reshape(x.shape)
    assert_jvp_and_hvp_match_differences(f, (x,), v, jvp_rtol=1e-6, hvp_rtol=1e-5)
    assert_explain_matches_grad(f, (x,))


def assert_first_parameter_paths(f, args):
    """Every path along ``f``'s first parameter at ``args`` (lists among them given as lists):
    ``grad`` against central differences, returned in the argument's own type (a float for a
    number); ``value_and_grad``'s value is ``f``'s own; explain's row is ``grad``'s; ``jvp``
    and ``hvp`` along a non-uniform direction against differences."""
    arrays = tuple(np.array(a) if isinstance(a, (list, tuple)) else a for a in args)
    gradient = srcdiff.grad(f, wrt=0)(*args)
    assert isinstance(gradient, float) if isinstance(args[0], float) else type(gradient) is type(args[0])
    np.testing.assert_allclose(np.asarray(gradient, dtype=float), fd_grad(f, arrays, 0), rtol=1e-6, atol=1e-8)
    value, _ = srcdiff.value_and_grad(f, wrt=0)(*args)
    assert value == f(*args)
    assert_explain_matches_grad(f, arrays)
    x = arrays[0]
    direction = np.linspace(-0.9, 1.3, np.size(x)).reshape(np.shape(x)) if np.ndim(x) else 0.6
    assert_jvp_and_hvp_match_differences(f, arrays, direction)
