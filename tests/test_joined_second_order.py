"""Second derivatives through ``np.vstack``, ``np.hstack`` and ``np.concatenate``.

Their gradients give each part its piece of ``g`` (``rt.vstack_grad(g, i, (a, b))``...).
Read back for a second derivative, the tuple of parts was refused ("passing a tuple to
'rt.vstack_grad' is not supported"; found by the fuzzer, seed 540046), and the helpers had
no rules.  They are now linear in ``g`` (the parts give shapes), with ``rt.*_place`` (``G``
put back where the piece lay, zeros elsewhere) as their adjoints, and each the other's.
Checked against central differences of the gradient in both Hessian-vector product modes,
the Hessian and a gradient of a gradient, and the helpers' adjoint identities.
"""
import numpy as np
import pytest

import srcdiff
from srcdiff import runtime as rt
from trust_helpers import fd_directional

W = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [0.3, 0.2, 0.1]])
WEIGHTS = np.arange(1.0, 6.0)
GRID = np.arange(1.0, 13.0).reshape(2, 6)


def stacked_rows(x, B):
    m = np.vstack((np.tanh(x), B * x))
    return np.sum(np.sin(m) * W)


def stacked_sideways(x, y):
    m = np.hstack([x * x, np.exp(y)])
    return np.sum(m * m * WEIGHTS)


def joined(A, B):
    m = np.concatenate((A * A, np.tanh(B)), axis=1)
    return np.sum(np.cos(m) * GRID)


RNG = np.random.default_rng(5)
CASES = [(stacked_rows, (RNG.normal(size=3), RNG.normal(size=(2, 3)))),
         (stacked_sideways, (RNG.normal(size=2), RNG.normal(size=3))),
         (joined, (RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))))]


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("case,args", CASES, ids=[c.__name__ for c, _ in CASES])
def test_hessian_vector_products_match_differences_of_the_gradient(case, args, mode):
    for i, x in enumerate(args):
        v = np.cos(np.arange(x.size)).reshape(x.shape)
        want = fd_directional(srcdiff.grad(case, wrt=i), args, i, v)
        np.testing.assert_allclose(srcdiff.hvp(case, wrt=i, mode=mode)(*args, v), want, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("case,args", CASES, ids=[c.__name__ for c, _ in CASES])
def test_the_hessian_is_symmetric(case, args):
    x = args[0]
    hessian = np.reshape(srcdiff.hessian(case, wrt=0)(*args), (x.size, x.size))
    np.testing.assert_allclose(hessian, hessian.T, atol=1e-9)


gradient_in_B = srcdiff.grad(stacked_rows, wrt=1)


def penalty(x, B):
    return np.sum(gradient_in_B(x, B) * W[:2])


def test_a_gradient_of_a_gradient_and_a_third_derivative_match_differences():
    x, B = CASES[0][1]
    got = srcdiff.grad(penalty, wrt=0)(x, B)
    want = [fd_directional(penalty, (x, B), 0, e) for e in np.eye(3)]
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    v = np.array([0.3, -0.2, 0.9])  # the helpers' own rules close the family: rt.vstack_place's too
    want = fd_directional(srcdiff.grad(penalty, wrt=0), (x, B), 0, v)
    np.testing.assert_allclose(srcdiff.hvp(penalty, wrt=0)(x, B, v), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("taken,placed,parts,extra", [
    (rt.concatenate_grad, rt.concatenate_place, [np.ones((2, 3)), np.ones((2, 1))], (1,)),
    (rt.hstack_grad, rt.hstack_place, [np.ones(2), np.ones(3)], ()),
    (rt.vstack_grad, rt.vstack_place, [np.ones(3), np.ones((2, 3))], ()),
])
def test_taking_a_piece_and_placing_it_are_adjoint(taken, placed, parts, extra):
    whole = {rt.concatenate_grad: lambda p: np.concatenate(p, *extra), rt.hstack_grad: np.hstack,
             rt.vstack_grad: np.vstack}[taken](parts)
    rng = np.random.default_rng(9)
    g = rng.normal(size=whole.shape)
    for i, part in enumerate(parts):
        G = rng.normal(size=np.shape(part))
        assert np.sum(G * taken(g, i, parts, *extra)) == pytest.approx(np.sum(placed(G, i, parts, *extra) * g))
        np.testing.assert_array_equal(taken(placed(G, i, parts, *extra), i, parts, *extra), G)
