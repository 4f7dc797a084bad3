"""np.einsum in every subscript form, np.tensordot, np.kron, np.cross, np.trace, np.diag,
np.diagonal, np.triu, np.tril (issue 12): gradients against central differences and HIPS
autograd, tangents (jvp), Hessian-vector products in both modes, with non-uniform weights."""
import types

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import srcdiff
from conftest import import_text
from trust_helpers import assert_user_error, fd_directional, fd_grad

RNG = np.random.default_rng(21)
pytestmark = pytest.mark.filterwarnings("ignore:Arrays of 2-dimensional vectors are deprecated:DeprecationWarning")


def arrays(*shapes):
    return tuple(RNG.standard_normal(s) for s in shapes)


# subscripts -> operand shapes: explicit and implicit outputs, diagonals and traces (a
# repeated label), sums (a label read once), ellipses in front and in the middle, a label
# broadcast from size 1, transposes, three operands, a number (0-d operand)
EINSUMS = {
    "ij,jk->ik": [(3, 4), (4, 2)], "ij,jk": [(3, 4), (4, 2)], "ij,kj->ik": [(3, 4), (2, 4)], "ji": [(3, 4)],
    "ii": [(3, 3)], "ii->": [(3, 3)], "ii->i": [(3, 3)], "iij->ji": [(3, 3, 2)], "ij->": [(3, 4)], "ij->j": [(3, 4)],
    "i,i": [(3,), (3,)], "i,i->i": [(3,), (3,)], "i,j->ij": [(3,), (4,)], "i,jk->ij": [(3,), (4, 2)],
    "...ij,...jk->...ik": [(2, 3, 4), (4, 2)], "...ij,...jk": [(2, 3, 4), (2, 4, 2)], "i...j,j->i...": [(3, 2, 4), (4,)],
    "...i,...i->...": [(2, 3), (3,)], "ij,ij->ij": [(1, 3), (2, 3)], "bij,bjk,bkl->bil": [(2, 3, 2), (2, 2, 4), (2, 4, 3)],
    "ij,jk,ki": [(2, 3), (3, 4), (4, 2)], ",ij->ij": [(), (3, 2)], "ab,cd->abcd": [(2, 3), (2, 2)],
    "Ab,bC->AC": [(2, 3), (3, 2)], "i j , j k -> i k": [(3, 4), (4, 2)],
}


def _einsum_module(tmp_path):
    lines = ["import numpy as np", ""]
    for k, (subscripts, shapes) in enumerate(EINSUMS.items()):
        names = [f"a{i}" for i in range(len(shapes))]
        lines += [f"def e{k}({', '.join(names)}, W):",
                  f"    return np.sum(W * np.einsum({subscripts!r}, {', '.join(names)}) ** 2)", ""]
    return import_text(tmp_path, "\n".join(lines))


@pytest.fixture(scope="module")
def einsums(tmp_path_factory):
    module = _einsum_module(tmp_path_factory.mktemp("einsum"))
    cases = {}
    for k, (subscripts, shapes) in enumerate(EINSUMS.items()):
        operands = arrays(*shapes)
        weights = RNG.standard_normal(np.shape(np.einsum(subscripts, *operands)))
        cases[subscripts] = (getattr(module, f"e{k}"), operands + (weights,))
    return cases


def assert_close(got, expected, message=""):
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6 * max(1.0, np.max(np.abs(expected))), err_msg=message)


@pytest.mark.parametrize("subscripts", list(EINSUMS))
def test_einsum_gradient_tangent_and_hvp(einsums, subscripts):
    fn, args = einsums[subscripts]
    for i in range(len(args) - 1):
        assert_close(srcdiff.grad(fn, wrt=i)(*args), fd_grad(fn, args, i), f"grad {i}")
        v = RNG.standard_normal(np.shape(args[i]))
        assert_close(srcdiff.jvp(fn, wrt=i)(*args, v), fd_directional(fn, args, i, v), f"jvp {i}")
        expected = fd_directional(srcdiff.grad(fn, wrt=i), args, i, v, eps=1e-5)
        for mode in ("forward", "reverse"):
            assert_close(srcdiff.hvp(fn, wrt=i, mode=mode)(*args, v), expected, f"hvp {mode} {i}")


def sublists(A, B):
    return np.sum(W34 * np.einsum(A, [0, 1], B, [1, 2], [0, 2]) ** 2) + np.sum(np.einsum(A, [0, 1]) * W34)


def optimized(A, B, C):
    return np.sum(W34 * np.einsum("ij,jk,kl->il", A, B, C, optimize=True) ** 2)


W34 = RNG.standard_normal((3, 4))


def tensordots(T, B, a, b):
    return (np.sum(W34[:2, :2] * np.tensordot(T, B, axes=([1, 2], [1, 0])) ** 2) + np.sum(np.tensordot(T, B, 1) ** 2)
            + np.tensordot(a, b, 1) ** 2 + np.sum(W34[:3, :3] * np.tensordot(a, b, 0)) + np.tensordot(B, B, 2))


def krons(A, B, a):
    return np.sum(KW * np.kron(A, B) ** 2) + np.sum(np.kron(a, B) ** 3) + np.sum(np.kron(a, a) * a[0])


KW = RNG.standard_normal((4, 12))


def crosses(a, B, C):
    return np.sum(W34[:2, :3] * np.cross(a, B) ** 2) + np.sum(W34[:3, :2] * np.cross(B.T, C, axis=0))


def planar_crosses(p, q, c):
    return np.sum(W34[:2, 0] * np.cross(p, q) ** 2) + np.sum(W34[:2, :3] * np.cross(p, c) ** 2)


def diagonals(A, T, v):
    return (np.trace(A @ A) + np.trace(A, 1) * 2.0 + np.sum(W34[0, :2] * np.trace(T, -1, 0, 2) ** 2)
            + np.sum(W34[:3, :3] * np.diag(v ** 2, 0)) + np.sum(np.diag(v, -1) * KW[:, :4]) + np.sum(W34[0, :3] * np.diag(A))
            + np.sum(np.diag(A, 1) ** 2) + np.sum(W34[:3, :2] * np.diagonal(T, 1, 1, 0) ** 2) + A.trace() * A.diagonal().sum())


def triangles(A, T):
    return np.sum(W34 * np.triu(A) ** 2) + np.sum(W34[::-1] * np.tril(A, -1)) + np.sum(np.triu(T, k=1) * T)


CASES = {
    "sublists": (sublists, arrays((3, 4), (4, 4))), "optimized": (optimized, arrays((3, 2), (2, 5), (5, 4))),
    "tensordots": (tensordots, arrays((2, 3, 4), (4, 3), (3,), (3,))), "krons": (krons, arrays((2, 3), (2, 4), (3,))),
    "crosses": (crosses, arrays((3,), (2, 3), (3, 2))), "planar_crosses": (planar_crosses, arrays((2, 2), (2,), (2, 3))), "diagonals": (diagonals, arrays((3, 3), (4, 2, 3), (3,))),
    "triangles": (triangles, arrays((3, 4), (2, 3, 3))),
}
AUTOGRAD = ["optimized", "tensordots", "krons", "triangles"]  # autograd's cross does not sum a broadcast operand


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_tangent_and_hvp(name):
    fn, args = CASES[name]
    for i in range(len(args)):
        assert_close(srcdiff.grad(fn, wrt=i)(*args), fd_grad(fn, args, i), f"grad {name}[{i}]")
        v = RNG.standard_normal(np.shape(args[i]))
        assert_close(srcdiff.jvp(fn, wrt=i)(*args, v), fd_directional(fn, args, i, v), f"jvp {name}[{i}]")
        expected = fd_directional(srcdiff.grad(fn, wrt=i), args, i, v, eps=1e-5)
        for mode in ("forward", "reverse"):
            assert_close(srcdiff.hvp(fn, wrt=i, mode=mode)(*args, v), expected, f"hvp {mode} {name}[{i}]")


@pytest.mark.parametrize("name", AUTOGRAD)
def test_gradient_matches_autograd(name):
    fn, args = CASES[name]
    twin = types.FunctionType(fn.__code__, {**fn.__globals__, "np": anp})
    for i in range(len(args)):
        np.testing.assert_allclose(srcdiff.grad(fn, wrt=i)(*args), autograd.grad(twin, i)(*args), rtol=1e-9, atol=1e-9)


def test_einsum_matches_autograd(einsums):
    for subscripts in ("ij,jk->ik", "ij,jk", "ji", "ij->j", "...ij,...jk->...ik", "bij,bjk,bkl->bil", "ij,jk,ki"):
        fn, args = einsums[subscripts]
        twin = types.FunctionType(fn.__code__, {**fn.__globals__, "np": anp})
        for i in range(len(args) - 1):
            np.testing.assert_allclose(srcdiff.grad(fn, wrt=i)(*args), autograd.grad(twin, i)(*args), rtol=1e-9,
                                       atol=1e-9, err_msg=subscripts)


def matrices_out(A, B):
    return np.einsum("ij,jk->ki", A, B) + np.kron(A, B[:1, :1]) + np.diag(np.einsum("ii->i", A))


def test_jacobian_of_tensor_products():
    args = arrays((3, 3), (3, 3))
    for wrt in (0, 1):
        jacobian = srcdiff.jacobian(matrices_out, wrt=wrt)(*args)
        for position in np.ndindex(3, 3):
            e = np.zeros((3, 3))
            e[position] = 1.0
            assert_close(jacobian[(...,) + position], fd_directional(matrices_out, args, wrt, e))


def runtime_subscripts(A, B, subscripts):
    return np.sum(np.einsum(subscripts, A, B))


def test_run_time_subscripts_are_refused_by_name():
    with pytest.raises(srcdiff.SrcdiffError, match="subscripts of 'np.einsum' must be a constant string") as info:
        srcdiff.grad(runtime_subscripts, wrt=0)(*arrays((2, 2), (2, 2)), "ij,jk")
    assert_user_error(info.value, runtime_subscripts, "np.einsum(subscripts")


SUBSCRIPTS = "ij,jk->ik"


def module_subscripts(A, B):
    return np.sum(W34[:3, :3] * np.einsum(SUBSCRIPTS, A, B) ** 2)


def test_subscripts_from_a_module_constant_are_read_when_the_gradient_is_built():
    args = arrays((3, 4), (4, 3))
    assert_close(srcdiff.grad(module_subscripts, wrt=1)(*args), fd_grad(module_subscripts, args, 1))
    assert "np.einsum('ij,jk->ik', A, B)" in srcdiff.grad(module_subscripts).source
