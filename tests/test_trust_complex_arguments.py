"""Complex values among the arguments of a derivative, for a parameter not differentiated.

srcdiff's rules are those of real arithmetic (the derivative of ``abs`` is a sign, a product's
needs no conjugate).  A complex parameter that is differentiated was refused already, by grad
and hvp, but not by jvp (``jvp(f)(z, v)`` of a complex ``z`` gave a complex tangent); and a
complex argument for another parameter (``np.abs(c * x)`` with ``c`` complex, ``x`` real) was
not looked at: grad, jvp, hvp, jacobian and value_and_grad each returned a wrong number (the
jacobian cast a complex gradient to its real part, with NumPy's warning).  Each is refused now,
naming the parameter, at the user's call: in the code specialized to the arguments and in the
generic code alike (``pytest --generic``).  A module constant, class constant or closure cell
holding complex numbers (whose jvp was wrong too, and whose grad was refused naming no cause) is
refused when the derivative is built, at the line reading it.
"""
import inspect

import numpy as np
import pytest

import srcdiff

X = np.array([[1.0, 2.0], [-0.5, 1.5]])
V = np.array([[0.3, -1.0], [2.0, 0.5]])
C = np.array([[1 + 1j, 2 - 1j], [0.5j, 3.0 + 0j]])
W = np.array([[1.0, -2.0], [0.5, 3.0]])


def modulus(x, c):
    return np.sum(W * np.abs(c * x))


def real_part(x, c):
    return np.sum(W * (c * x).real)


def product_of_parts(x, c):
    return np.sum(W * x * x) + np.sum(np.abs(c)) * np.sum(x)


def list_of_weights(x, cs):
    return np.sum(W * np.abs(cs[0] * x)) + np.sum(W * np.abs(cs[1] * x))


FUNCTIONS = [modulus, real_part, product_of_parts]
COMPLEX = {"array": C, "number": 1.0 + 2.0j, "NumPy scalar": np.complex128(0.5 - 1j)}


def _located_at_this_file(err):
    assert err.filename == __file__, f"error points at {err.filename!r}:\n{err}"


def _calls(f, c):
    return {
        "grad": lambda: srcdiff.grad(f, wrt=0)(X, c),
        "value_and_grad": lambda: srcdiff.value_and_grad(f, wrt=0)(X, c),
        "jvp": lambda: srcdiff.jvp(f, wrt=0)(X, c, V),
        "hvp": lambda: srcdiff.hvp(f, wrt=0)(X, c, V),
        "hessian": lambda: srcdiff.hessian(f, wrt=0)(X, c),
        "jacobian": lambda: srcdiff.jacobian(f, wrt=0)(X, c),
    }


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("what", list(COMPLEX))
@pytest.mark.parametrize("path", list(_calls(modulus, C)))
def test_a_complex_argument_of_a_parameter_not_differentiated_is_refused(f, what, path):
    with pytest.raises(srcdiff.SrcdiffError, match="parameter 'c' is .*complex.*not a real number") as caught:
        _calls(f, COMPLEX[what])[path]()
    _located_at_this_file(caught.value)


@pytest.mark.parametrize("path", ["grad", "jvp", "hvp"])
def test_a_list_holding_a_complex_array_is_refused(path):
    cs = [C, np.ones((2, 2))]
    calls = {"grad": lambda: srcdiff.grad(list_of_weights, wrt=0)(X, cs),
             "jvp": lambda: srcdiff.jvp(list_of_weights, wrt=0)(X, cs, V),
             "hvp": lambda: srcdiff.hvp(list_of_weights, wrt=0)(X, cs, V)}
    with pytest.raises(srcdiff.SrcdiffError, match="parameter 'cs' is a list holding an array of dtype complex128"):
        calls[path]()


@pytest.mark.parametrize("what", list(COMPLEX))
def test_a_complex_parameter_is_refused_by_jvp_too(what):
    z = COMPLEX[what]
    direction = np.ones_like(X) if isinstance(z, np.ndarray) else 1.0
    with pytest.raises(srcdiff.SrcdiffError, match="not a real number"):
        srcdiff.jvp(modulus, wrt=1)(X, z, direction)


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_the_same_functions_of_real_arguments_are_right(f):
    # the refusal looks at complex values only: a real array for c keeps every path working
    c = np.array([[1.0, 2.0], [-3.0, 0.5]])
    eps = 1e-6
    expected = np.zeros_like(X)
    for index in np.ndindex(X.shape):
        step = np.zeros_like(X)
        step[index] = eps
        expected[index] = (f(X + step, c) - f(X - step, c)) / (2 * eps)
    np.testing.assert_allclose(srcdiff.grad(f, wrt=0)(X, c), expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(srcdiff.jvp(f, wrt=0)(X, c, V), np.sum(expected * V), rtol=1e-6, atol=1e-8)
    assert srcdiff.hvp(f, wrt=0)(X, c, V).shape == X.shape
    assert srcdiff.jacobian(f, wrt=0)(X, c).shape == X.shape


def test_the_refusal_names_the_line_of_the_call():
    with pytest.raises(srcdiff.SrcdiffError) as caught:
        srcdiff.grad(modulus, wrt=0)(X, C)  # this line
    err = caught.value
    _located_at_this_file(err)
    lines, start = inspect.getsourcelines(test_the_refusal_names_the_line_of_the_call)
    assert "# this line" in lines[err.lineno - start]


COMPLEX_WEIGHTS = np.array([[1 + 1j, 2 - 1j], [0.5j, 3.0 + 0j]])
COMPLEX_NUMBER = 1 + 2j


class Weights:
    C = np.array([1 + 1j, 2.0])


def module_constant(x):
    return np.sum(W * np.abs(COMPLEX_WEIGHTS * x))


def module_number(t):
    return abs(COMPLEX_NUMBER * t) ** 2


def class_constant(x):
    return np.sum(np.abs(Weights.C * x))


def _closure_over(c):
    def closed(x):
        return np.sum(np.abs(c * x))
    return closed


@pytest.mark.parametrize("f, arg, line", [
    (module_constant, X, "COMPLEX_WEIGHTS * x"), (module_number, 0.7, "COMPLEX_NUMBER * t"),
    (class_constant, X[0], "Weights.C * x"), (_closure_over(C[0]), X[0], "c * x")], ids=["module", "number", "class", "closure"])
@pytest.mark.parametrize("path", ["grad", "jvp", "hvp"])
def test_a_complex_constant_is_refused_at_the_line_reading_it(f, arg, line, path):
    with pytest.raises(srcdiff.SrcdiffError, match="holds complex numbers") as caught:
        if path == "grad":
            srcdiff.grad(f)(arg)
        elif path == "jvp":
            srcdiff.jvp(f)(arg, arg)
        else:
            srcdiff.hvp(f)(arg, arg)
    err = caught.value
    _located_at_this_file(err)
    assert line in err.line_text
