"""Issue 11: the direction of a ``jvp`` or an ``hvp`` with respect to a container of parameters
(a dict, a namedtuple, an object, a list of dicts; a method's ``self``) was not looked at: a
part of the wrong shape was broadcast into a wrong number, a part the parameter lacks was
ignored and a missing one ended in a KeyError.  Each is refused at the user's call; a
direction of the parameter's structure (its dict keys in another order, a list for a tuple)
still gives the derivative differences give."""
import collections

import numpy as np
import pytest

import srcdiff

W = np.array([[0.5, -0.3, 0.8], [0.2, 0.9, -0.4], [-0.7, 0.1, 0.6]])
X = np.array([0.3, -0.6, 0.9])
WEIGHTS = np.array([1.0, -2.0, 3.0])
Pair = collections.namedtuple("Pair", "W s")


def loss(p):
    return np.sum(np.tanh(p["W"] @ X) * WEIGHTS) * p["s"] ** 2


def pair_loss(p):
    return np.sum(np.tanh(p.W @ X) * WEIGHTS) * p.s ** 2


def layers_loss(layers):
    return np.sum(np.tanh(layers[0]["W"] @ X) * WEIGHTS) * layers[1]["s"] ** 2


class Model:
    def __init__(self, W, s):
        self.W = W
        self.s = s

    def loss(self, x):
        return np.sum(np.tanh(self.W @ x) * WEIGHTS) * self.s ** 2


P = {"W": W, "s": 1.5}
WRONG = [
    (loss, P, {"W": np.ones(3), "s": 1.0}, r"at \['W'\]|at .W a part of shape \(3,\) for one of shape \(3, 3\)"),
    (loss, P, {"W": np.ones((3, 3))}, "it has no part at .s"),
    (loss, P, {"W": np.ones((3, 3)), "s": 1.0, "z": 2.0}, "it has a part at .z, which the parameter has not"),
    (loss, P, np.ones(2), "a ndarray for a dict"),
    (pair_loss, Pair(W, 1.5), Pair(np.ones((3, 1)), 1.0), r"at \[0\] a part of shape \(3, 1\)"),
    (layers_loss, [{"W": W}, {"s": 1.5}], [{"W": np.ones(3)}, {"s": 1.0}], r"at \[0\].W a part of shape \(3,\)"),
]


@pytest.mark.parametrize("make", [srcdiff.jvp, srcdiff.hvp])
@pytest.mark.parametrize("f, p, v, message", WRONG)
def test_a_direction_of_another_structure_is_refused(make, f, p, v, message):
    with pytest.raises(srcdiff.SrcdiffError, match=message) as info:
        make(f, wrt=0)(p, v)
    assert info.value.filename == __file__


def test_a_method_refuses_a_direction_of_another_structure_for_self_and_for_x():
    model = Model(W, 1.5)
    with pytest.raises(srcdiff.SrcdiffError, match=r"at .W a part of shape \(3,\)"):
        srcdiff.jvp(model.loss)(X, Model(np.ones(3), 1.0))
    with pytest.raises(srcdiff.SrcdiffError, match="a Model for a ndarray"):
        srcdiff.hvp(model.loss, wrt="x")(X, Model(np.ones((3, 3)), 1.0))


def _differences(f, p, v, eps=1e-6):
    def moved(sign):
        return {k: p[k] + sign * eps * np.asarray(v[k]) for k in p}
    return (f(moved(1)) - f(moved(-1))) / (2 * eps)


def test_a_direction_of_the_same_structure_still_works():
    v = {"s": 0.5, "W": np.arange(9.0).reshape(3, 3) / 10}  # keys in another order
    assert srcdiff.jvp(loss, wrt=0)(P, v) == pytest.approx(_differences(loss, P, v), rel=1e-6)
    hv = srcdiff.hvp(loss, wrt=0)(P, v)
    grad = srcdiff.grad(loss)
    plus = grad({k: P[k] + 1e-6 * np.asarray(v[k]) for k in P})
    minus = grad({k: P[k] - 1e-6 * np.asarray(v[k]) for k in P})
    np.testing.assert_allclose(hv["W"], (plus["W"] - minus["W"]) / 2e-6, rtol=1e-5, atol=1e-8)
    assert hv["s"] == pytest.approx((plus["s"] - minus["s"]) / 2e-6, rel=1e-5)
    assert srcdiff.jvp(lambda t: t[0] * t[1] ** 2, wrt=0)((2.0, 3.0), [1.0, 0.5]) == pytest.approx(9.0 + 6.0)
