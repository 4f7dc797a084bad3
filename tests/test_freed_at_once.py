"""A dropped derivative is freed by its count of references, at once, with its text's
line registration: no reference cycle through it waits for the garbage collector.

Before, every generated function sat in its own globals, and a specialized gradient's
dispatching function and its dispatcher held each other, so each gradient lived until the
collector's next full run; in a long session (a large oldest generation, rarely collected)
hundreds of dropped gradients piled up, and the tables of what they register grew with them.
"""
import gc
import linecache
import weakref

import numpy as np
import pytest

import srcdiff
from conftest import import_text

SOURCE = """
import numpy as np

def make(c):
    def scalar(x, n):
        for i in range(n):
            x = x * c + 1.0
        return x * x
    return scalar

def make_arrays():
    def arrays(w, x):
        return np.sum(np.tanh(w * x) ** 2)
    return arrays

def make_straight():
    def straight(x, y):
        return x * y + x / y
    return straight
"""

SCALAR_ARGS = (1.5, 2)
ARRAY_ARGS = (np.linspace(0.1, 0.9, 4), np.linspace(-1.0, 1.0, 4))

DERIVATIVES = {
    "grad": lambda f, args: srcdiff.grad(f, wrt=0)(*args),
    "value_and_grad": lambda f, args: srcdiff.value_and_grad(f, wrt=0)(*args),
    "grad of grad": lambda f, args: srcdiff.grad(srcdiff.grad(f, wrt=0), wrt=0)(*args),
    "jvp": lambda f, args: srcdiff.jvp(f, wrt=0)(*args, args[0]),
    "hvp": lambda f, args: srcdiff.hvp(f, wrt=0)(*args, args[0]),
    "jacobian": lambda f, args: srcdiff.jacobian(f, wrt=0)(*args),
    "hessian": lambda f, args: srcdiff.hessian(f, wrt=0)(*args),
}
# the gradient along an array is an array: grad of grad differentiates numbers alone
CASES = [(d, which) for d in sorted(DERIVATIVES) for which in ("scalar", "arrays", "straight")
         if (d, which) != ("grad of grad", "arrays")]


@pytest.fixture
def collector_off():
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def generated_files():
    return {name for name in linecache.cache if name.startswith("<srcdiff")}


def probe(tmp_path, which):
    """A fresh function (``which``: made by a factory, so that only the test holds it) and
    the arguments to call its derivatives with."""
    module = import_text(tmp_path, SOURCE, f"freed_{which}")
    if which == "scalar":
        return module.make(0.5), SCALAR_ARGS
    if which == "arrays":
        return module.make_arrays(), ARRAY_ARGS
    return module.make_straight(), (1.5, 0.5)


@pytest.mark.parametrize("derivative,which", CASES)
def test_a_dropped_derivative_goes_with_its_text_without_the_collector(tmp_path, collector_off, which, derivative):
    f, args = probe(tmp_path, which)
    before = generated_files()
    made = DERIVATIVES[derivative]
    made(f, args)
    if which == "arrays":  # a second signature: the dispatcher writes out a test for each
        made(f, tuple(a.astype(np.float32) for a in args))
    assert generated_files() > before, "the derivative registered no text (nothing was checked)"
    held = weakref.ref(f)
    del f
    assert held() is None
    assert generated_files() == before


def test_a_dropped_gradient_kept_by_the_user_then_let_go(tmp_path, collector_off):
    f, args = probe(tmp_path, "arrays")
    before = generated_files()
    g = srcdiff.grad(f)
    g(*args)
    g(*(a[:2] for a in args))
    g(*(a.reshape(2, 2) for a in args))  # another rank: another signature
    held = weakref.ref(g)
    del f, g
    assert held() is None
    assert generated_files() == before
