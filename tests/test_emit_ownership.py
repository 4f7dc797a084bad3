"""``+=`` on an adjoint only where it owns its array: along every path, through branches and loops.

An adjoint first written as another adjoint's name (``grad_a = grad_s`` for ``s = a + b``)
shares that array; adding in place would change both.  The printer rebinds it once
(``grad_a = grad_a + e``) and adds in place after that, on every path: after a branch
only if both sides own it, in a loop only what every iteration's start owns.
"""
import numpy as np
import pytest

import srcdiff
from gradcheck import check_grad


def shared_then_loop(a, b, n):
    s = a + b
    t = s
    for i in range(n):
        t = t * a + b
    return np.sum(s * t)


def shared_in_branch(a, b, c):
    s = a + b
    if c > 0:
        t = s * a
    else:
        t = s * b
    u = t + a
    return np.sum(u * s)


def shared_each_iteration(a, b, n):
    total = a * 0.0
    for i in range(n):
        s = a + b
        total = total + s * s + a
    return np.sum(total * b)


def alias_in_loop_then_accumulate(w, x, n):
    h = x
    for i in range(n):
        z = h + w
        h = np.tanh(z) + z
    return np.sum(h * h)


@pytest.mark.parametrize("fn,args", [
    (shared_then_loop, (np.array([0.3, -0.2, 0.5]), np.array([0.1, 0.4, -0.3]), 3)),
    (shared_in_branch, (np.array([[0.3, -0.2], [0.5, 0.1]]), np.array([[0.1, 0.4], [-0.3, 0.2]]), 1.0)),
    (shared_in_branch, (np.array([[0.3, -0.2], [0.5, 0.1]]), np.array([[0.1, 0.4], [-0.3, 0.2]]), -1.0)),
    (shared_each_iteration, (np.array([0.3, -0.2, 0.5]), np.array([0.1, 0.4, -0.3]), 4)),
    (alias_in_loop_then_accumulate, (np.array([0.3, -0.2, 0.5]), np.array([0.1, 0.4, -0.3]), 3)),
])
def test_gradients_with_shared_adjoints_are_right(fn, args):
    before = [np.copy(a) for a in args]
    check_grad(fn, *args, wrt=(0, 1))
    for old, new in zip(before, args):
        np.testing.assert_array_equal(old, new)  # the inputs are untouched


def test_an_adjoint_shared_before_a_loop_is_rebound_once_then_added_in_place():
    text = srcdiff.grad(shared_then_loop, wrt=(0, 1)).source
    backward = text.split("# backward")[1]
    for line in backward.splitlines():
        name, _, rest = line.strip().partition(" = ")
        if rest.startswith(name + " + "):  # a rebinding: no += of that name may come before it
            assert f"{name} +=" not in backward.split(line)[0]
