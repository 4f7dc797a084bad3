"""``hvp`` and ``jvp`` of a function with positional defaults, called leaving them out: the
directions come last (API.md: ``h(*args, v)``), so the defaults are filled in before them, as
the function itself fills them (``directions.directions_last``).  Before, ``h(x, v)`` of
``f(x, c=2.0)`` raised Python's TypeError (``v`` missing), the generated signature having no
defaults."""
import numpy as np
import pytest

import srcdiff
from conftest import import_text

SOURCE = '''
import numpy as np


def scaled(x, c=2.0):
    return c * x * x * x


def powered(x, w, c=2.0, p=3):
    return np.sum(c * np.sin(x * w) ** p)


class Model:
    def __init__(self, k):
        self.k = k

    def loss(self, x, c=2.0):
        return self.k * c * x ** 3
'''

X = np.array([0.3, 0.7, -0.4])
V = np.array([0.5, -1.0, 2.0])


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("directions_last"), SOURCE)


def test_hvp_fills_the_defaults(module):
    h = srcdiff.hvp(module.scaled)
    assert h(1.5, 1.0) == h(1.5, 2.0, 1.0) == pytest.approx(6 * 2.0 * 1.5)
    assert h(1.5, 3.0, 1.0) == pytest.approx(6 * 3.0 * 1.5)  # c given: as before


@pytest.mark.parametrize("given", [(), (2.0,), (2.0, 3)], ids=["none", "c", "c and p"])
def test_hvp_of_arrays_with_some_defaults_given(module, given):
    expected = srcdiff.hvp(module.powered)(X, 0.5, 2.0, 3, V)
    np.testing.assert_allclose(srcdiff.hvp(module.powered)(X, 0.5, *given, V), expected, rtol=1e-14)
    np.testing.assert_allclose(srcdiff.hessian(module.powered)(X, 0.5) @ V, expected, rtol=1e-12)


def test_jvp_fills_the_defaults_before_the_tangents(module):
    j = srcdiff.jvp(module.powered, wrt=(0, 1))
    assert j(X, 0.5, V, 1.0) == pytest.approx(j(X, 0.5, 2.0, 3, V, 1.0), rel=1e-14)
    step = 1e-6
    expected = (module.powered(X + step * V, 0.5 + step) - module.powered(X - step * V, 0.5 - step)) / (2 * step)
    assert j(X, 0.5, V, 1.0) == pytest.approx(expected, rel=1e-6)


def test_a_tangent_for_a_defaulted_parameter_is_still_asked_for(module):
    """With every parameter differentiated, ``c`` has a tangent of its own: leaving it out is
    Python's TypeError, as before (two arguments short, one default to fill)."""
    with pytest.raises(TypeError, match="missing"):
        srcdiff.jvp(module.scaled)(1.5, 1.0)


def test_a_bound_method(module):
    model = module.Model(2.0)
    assert srcdiff.hvp(model.loss, wrt="x")(1.0, 1.0) == pytest.approx(6 * 2.0 * 2.0)
    assert srcdiff.jvp(model.loss, wrt="x")(1.0, 1.0) == pytest.approx(3 * 2.0 * 2.0)
