"""NumPy calls given lists and tuples where NumPy takes array_like arguments (a parameter that is
a list, a display of constants, a module-level tuple): the gradient is the one of the same call
given arrays, returned in the argument's own type.

The written-out forms (``lower.numpy_forms``, ``numpy_signals``, ``numpy_gathers``) index and
compute with their arguments; they read them as NumPy does (``numpy_signals.array_like``).
Elementwise rules compute with the operand in their backward code (``np.arctan``'s ``g / (1 + x
* x)``): code specialized to a list or tuple parameter reads it through one ``np.asarray``
(``transforms.sequence_arguments``), which serves grad, value_and_grad, jvp, hvp and hessian,
and the vjp ``jacobian`` runs (``pipeline.specialize_sequences``).  Before, a list reached
Python's own indexing and arithmetic and the call raised a raw TypeError.  A derivative of a
gradient at a list differentiates the code the gradient runs for it (its specialized text read
back: ``pipeline.generated.specialized_gradient_read_back``).  The generic code (``pytest
--generic``) still computes with the list itself."""
import os

import numpy as np
import pytest

import srcdiff
from conftest import import_text, printed_gradient
from trust_helpers import fd_grad

SOURCE = '''
import numpy as np

W3 = np.array([0.3, -1.2, 0.8])
W5 = np.array([0.3, -1.2, 0.8, 1.5, -0.4])


def convolve(a, b):
    return np.sum(np.convolve(a, b) * W5)


def correlate(a, b):
    return np.sum(np.correlate(a, b, mode="same") * W3)


def convolve_display(a):
    return np.sum(np.convolve([1.0, -2.0, 0.5], a, mode="same") * W3)


def trapezoid(a, b):
    return np.trapezoid(a, b) + np.trapezoid(a, dx=0.5)


def polyval(a, b):
    return np.sum(np.polyval(a, b) * W3)


def interp(a, b):
    return np.sum(np.interp(W3, np.sort(a), b) * W3)


def lstsq(m, b):
    return np.sum(np.linalg.lstsq(m, b, rcond=None)[0] * W3[:2])


def partition(a):
    return np.sum(np.partition(a, 1) * W3)


def running_max(a):
    return np.sum(np.maximum.accumulate(a) * W3)


def outer(a, b):
    return np.sum(np.multiply.outer(a, b) * W3)


def average(a, b):
    return np.average(a, weights=b)


def arctan(a):
    return np.sum(np.arctan(a) * W3)


def arctan_of_running_sums(a):
    return np.sum(np.arctan(np.cumsum(a) * a) * W3)


def clip(a):
    return np.sum(np.clip(a, 0.6, 2.5) * W3)


def norm(a):
    return np.linalg.norm(a)


def power(a, b):
    return np.sum(np.power(a, b) * W3)


def broadcast_against_a_matrix(a, m):
    return np.sum(W3[:, None] * (a - np.cos(m.T)).T)


def arctan_vector(a, b):
    return np.arctan(a) * b + np.roll(np.power(a, 2.0), 1)


def clip_vector(a, b):
    return np.clip(a, 0.6, 2.5) * np.cumsum(b)
'''

A, B, M = np.array([3.0, 0.7, 2.0]), np.array([0.9, -1.3, 1.1]), np.array([[2.0, 1.0], [0.5, 3.0], [1.0, -1.0]])
ARGUMENTS = {"a": A, "b": B, "m": M}
FORMS = ["convolve", "correlate", "convolve_display", "trapezoid", "polyval", "interp", "lstsq", "partition",
         "running_max", "outer", "average"]
ELEMENTWISE = ["arctan", "clip", "norm", "power"]  # their backward code computes with the operand itself


# code specialized to a list parameter reads it as an array; ``pytest --generic`` runs the generic code
SPECIALIZED = pytest.mark.skipif(os.environ.get("SRCDIFF_GENERIC") == "1", reason="pytest --generic: no specialized code")


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("sequence_arguments"), SOURCE)


def _as(kind, value):
    if kind is np.ndarray:
        return value
    return kind(_as(kind, row) for row in value) if value.ndim > 1 else kind(value.tolist())


def _check(module, name, kind):
    f = getattr(module, name)
    arrays = tuple(ARGUMENTS[p] for p in f.__code__.co_varnames[:f.__code__.co_argcount])
    args = tuple(_as(kind, v) for v in arrays)
    gradients = srcdiff.grad(f)(*args)
    gradients = gradients if len(args) > 1 else (gradients,)
    for index, (gradient, argument) in enumerate(zip(gradients, args)):
        assert type(gradient) is type(argument)
        np.testing.assert_allclose(np.asarray(gradient, dtype=float), fd_grad(f, arrays, index), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("kind", [list, tuple, np.ndarray], ids=["list", "tuple", "array"])
@pytest.mark.parametrize("name", FORMS)
def test_written_out_forms_read_sequences_as_arrays(module, name, kind):
    _check(module, name, kind)


@pytest.mark.parametrize("kind", [pytest.param(list, marks=SPECIALIZED), pytest.param(tuple, marks=SPECIALIZED), np.ndarray],
                         ids=["list", "tuple", "array"])
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_rules_read_sequences_as_arrays(module, name, kind):
    _check(module, name, kind)


@SPECIALIZED
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_second_order_of_a_list_parameter(module, name):
    """hvp and hessian run code specialized to the list too: against differences of the gradient."""
    f = getattr(module, name)
    if f.__code__.co_argcount != 1:
        pytest.skip("one parameter")
    v = np.array([0.4, -1.0, 0.7])
    hvp = srcdiff.hvp(f)(A.tolist(), v.tolist())
    gradient = srcdiff.grad(f)
    expected = (np.asarray(gradient(A + 1e-6 * v)) - np.asarray(gradient(A - 1e-6 * v))) / 2e-6
    np.testing.assert_allclose(np.asarray(hvp, dtype=float), expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(srcdiff.hessian(f)(A.tolist()) @ v, expected, rtol=1e-5, atol=1e-7)


@SPECIALIZED
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_jvp_of_a_list_parameter(module, name):
    """jvp dispatches on the kinds too (``pipeline.specialize_sequences``): along a list direction."""
    f = getattr(module, name)
    args = tuple(ARGUMENTS[p] for p in f.__code__.co_varnames[:f.__code__.co_argcount])
    v = np.array([0.4, -1.0, 0.7])
    got = srcdiff.jvp(f, wrt=0)(*(a.tolist() for a in args), v.tolist())
    expected = (f(args[0] + 1e-6 * v, *args[1:]) - f(args[0] - 1e-6 * v, *args[1:])) / 2e-6
    assert got == pytest.approx(expected, rel=1e-5)


VECTOR = ["arctan_vector", "clip_vector"]  # array results: a Jacobian with rows


@SPECIALIZED
@pytest.mark.parametrize("kind", [list, tuple], ids=["list", "tuple"])
@pytest.mark.parametrize("name", VECTOR + ELEMENTWISE)
def test_jacobian_at_a_list_parameter(module, name, kind):
    """``jacobian`` runs the vjp built for a list (``specialized_vjp``), one Jacobian per item
    of the list (the structure of a container parameter), as the array's columns; the
    non-uniform weights in the functions catch a transposed one."""
    f = getattr(module, name)
    arrays = tuple(ARGUMENTS[p] for p in f.__code__.co_varnames[:f.__code__.co_argcount])
    expected = srcdiff.jacobian(f, wrt=0)(*arrays)
    got = srcdiff.jacobian(f, wrt=0)(kind(arrays[0].tolist()), *arrays[1:])
    assert type(got) is kind and len(got) == len(arrays[0])
    np.testing.assert_allclose(np.stack([np.asarray(part) for part in got], axis=-1), expected, rtol=1e-12)
    step = 1e-6 * np.eye(len(arrays[0]))
    differences = [(np.asarray(f(arrays[0] + e, *arrays[1:])) - np.asarray(f(arrays[0] - e, *arrays[1:]))) / 2e-6
                   for e in step]
    np.testing.assert_allclose(expected, np.stack(differences, axis=-1), rtol=1e-5, atol=1e-8)


@SPECIALIZED
@pytest.mark.parametrize("kind", [list, tuple], ids=["list", "tuple"])
@pytest.mark.parametrize("name", ["arctan", "power", "arctan_of_running_sums"])
def test_derivatives_of_the_gradient_at_a_list(module, name, kind):
    """A derivative of a gradient at a list differentiates the code the gradient runs for a
    list (its specialized text, which reads the list as its array), not the generic text, whose
    backward code computes with the operand itself (``a * a`` of a list).  The Jacobian of the
    gradient is the Hessian; a list's comes per item of the list, a tuple's result per item of
    the result (each a row: the Hessian is symmetric, ``arctan_of_running_sums``'s not diagonal)."""
    f = getattr(module, name)
    args = tuple(ARGUMENTS[p] for p in f.__code__.co_varnames[:f.__code__.co_argcount])
    hessian = srcdiff.hessian(f, wrt=0)(*args)
    np.testing.assert_allclose(hessian, fd_jacobian(srcdiff.grad(f, wrt=0), args), rtol=1e-6, atol=1e-8)
    gradient = srcdiff.grad(f, wrt=0)
    jacobian = srcdiff.jacobian(gradient, wrt=0)(_as(kind, args[0]), *args[1:])
    assert isinstance(jacobian, kind) and len(jacobian) == len(args[0])
    np.testing.assert_allclose(np.asarray(jacobian), hessian, rtol=1e-12)
    direction = np.array([0.4, -1.1, 0.7])
    tangent = srcdiff.jvp(gradient, wrt=0)(_as(kind, args[0]), *args[1:], _as(kind, direction))
    assert isinstance(tangent, kind)
    np.testing.assert_allclose(np.asarray(tangent), hessian @ direction, rtol=1e-12)


@SPECIALIZED
def test_jacobians_of_gradients_of_several_parameters_and_values_at_lists(module):
    """The same for a gradient with respect to both parameters (a tuple of gradients: a Jacobian
    each) and for ``value_and_grad`` (the value's Jacobian is the gradient)."""
    lists = (A.tolist(), B.tolist())
    both = srcdiff.grad(module.power, wrt=(0, 1))
    for wrt in (0, 1):
        expected = srcdiff.jacobian(both, wrt=wrt)(A, B)
        got = srcdiff.jacobian(both, wrt=wrt)(*lists)
        for part, want in zip(got, expected):
            assert isinstance(part, list)
            np.testing.assert_allclose(np.asarray(part), want, rtol=1e-12)
    value, gradient = srcdiff.jacobian(srcdiff.value_and_grad(module.power, wrt=0), wrt=0)(*lists)
    assert isinstance(value, list)
    np.testing.assert_allclose(value, srcdiff.grad(module.power, wrt=0)(A, B), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(gradient), srcdiff.hessian(module.power, wrt=0)(A, B), rtol=1e-12)


def fd_jacobian(fn, args, h=1e-6):
    """The Jacobian of ``fn`` (an array result) along its first argument, by central differences."""
    columns = []
    for k in range(args[0].size):
        step = np.zeros_like(args[0])
        step[k] = h
        columns.append((fn(args[0] + step, *args[1:]) - fn(args[0] - step, *args[1:])) / (2 * h))
    return np.stack(columns, axis=-1)


@pytest.mark.parametrize("kind", [list, tuple], ids=["list", "tuple"])
def test_a_list_broadcast_against_a_matrix(module, kind):
    """``a - M`` of a list ``a`` and a matrix is NumPy's broadcast (Python's ``-`` has no list):
    its gradient is summed down to the list's length, where a gradient of the list's own depth
    that does not fit stays refused (``+`` may have joined it)."""
    f = module.broadcast_against_a_matrix
    m = np.array([[0.2, -0.4], [1.1, 0.5], [-0.3, 0.8]])
    gradients = srcdiff.grad(f, wrt=(0, 1))(kind(A.tolist()), m)
    assert type(gradients[0]) is kind
    np.testing.assert_allclose(gradients[0], fd_grad(f, (A, m), 0), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(gradients[1], fd_grad(f, (A, m), 1), rtol=1e-6, atol=1e-8)


@SPECIALIZED
def test_the_command_line_prints_what_runs_for_a_list(tmp_path):
    """``--sig a=list`` prints the code ``grad`` runs for a list, the array read once."""
    printed = printed_gradient(tmp_path, SOURCE, "arctan", "--sig", "a=list")
    module = import_text(tmp_path, SOURCE)
    expected = srcdiff.grad(module.arctan).source_for([1.0, 2.0, 3.0])
    assert printed.split("\n", 1)[1] == expected and "a_1 = np.asarray(a)" in expected


AXES = '''
import numpy as np


def expand(x, axis):
    return np.sum(np.expand_dims(x, axis) ** 2 * np.arctan(x))


def shaped(x, shape):
    return np.sum(np.reshape(x, shape) * np.ones(shape))
'''


def test_a_tuple_of_axes_or_a_shape_stays_a_tuple(tmp_path):
    """Only data is read as an array: every operand of a ufunc, the first argument of another call."""
    module = import_text(tmp_path, AXES)
    x = np.arange(1.0, 7.0).reshape(2, 3)
    np.testing.assert_allclose(srcdiff.grad(module.expand, wrt=0)(x, (0,)), fd_grad(module.expand, (x, (0,)), 0),
                               rtol=1e-6)
    np.testing.assert_allclose(srcdiff.grad(module.shaped, wrt=0)(x, (3, 2)), np.ones((2, 3)))


JOINED_ZEROS = '''
import numpy as np

W = np.array([[-1.195, -0.545, -0.860]])
V = np.array([-0.427, 0.241, -0.737])


def f(s, x, b):
    h = x
    for w in (x, x):
        if np.min(b) < 0.287:
            return np.sum(W * np.expand_dims(h, 0))
        h = 0.8 * h + 0.2 * np.sin(s)
    return (V * x).sum()
'''


@pytest.mark.parametrize("kind", [list, tuple], ids=["list", "tuple"])
def test_zero_adjoints_of_a_list_are_arrays(tmp_path, kind):
    """Found by the fuzzer (seed 762007, shrunk): after the first pass of the unrolled loop
    returns, the adjoint of ``h`` (the list ``x`` itself) is a zero, added to ``x``'s with
    ``+``.  ``rt.zeros_like`` made a list of zeros, ``+`` joined two lists into one of six, and
    the gradient call raised NumPy's broadcast error.  A zero adjoint of a list of numbers is
    an array now; a parameter's zero gradient (``rt.zero_gradient``) stays in its own type."""
    module = import_text(tmp_path, JOINED_ZEROS)
    x, b = np.array([0.3, -0.2, 0.5]), np.zeros(2)
    gradient = srcdiff.grad(module.f, wrt=1)(0.4, kind(x.tolist()), b)
    assert type(gradient) is kind
    np.testing.assert_allclose(gradient, fd_grad(module.f, (0.4, x, b), 1), rtol=1e-6, atol=1e-9)
    assert srcdiff.grad(module.f, wrt=0)(0.4, kind(x.tolist()), b) == 0.0
    zero = srcdiff.grad(module.f, wrt=(0, 1, 2))(0.4, kind(x.tolist()), kind([0.0, 0.0]))[2]
    assert type(zero) is kind and list(zero) == [0.0, 0.0]
