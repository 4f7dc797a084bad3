"""Random programs (from test_properties) differentiated twice: closure under the transform.

For each program: the second derivative ``grad(grad(f, wrt=i), wrt=j)`` builds (the
generated gradient is inside the accepted subset), and the Hessian-vector products of
both modes agree with each other and with central differences of the gradient.
"""
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import srcdiff
from conftest import import_text
from srcdiff.higher import hvp
from test_properties import COORDINATE, FOLDER, interpret, programs, render


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(programs(), st.tuples(COORDINATE, COORDINATE, COORDINATE), st.integers(0, 2), st.integers(0, 2),
       st.floats(-1.5, 1.5))
def test_random_program_second_derivatives(program, point, i, j, v):
    statements, result = program
    assume(interpret(statements, result, point) is not None)
    f = import_text(FOLDER, render(statements, result)).f
    g = srcdiff.grad(f, wrt=i)
    eps = 1e-5
    plus, minus = list(point), list(point)
    plus[i] += eps * v
    minus[i] -= eps * v
    assume(all(interpret(statements, result, p) is not None for p in (plus, minus)))  # no kink in reach
    expected = (g(*plus) - g(*minus)) / (2 * eps)
    forward, reverse = hvp(f, wrt=i, mode="forward")(*point, v), hvp(f, wrt=i, mode="reverse")(*point, v)
    source = hvp(f, wrt=i, mode="forward").source
    assert forward == pytest.approx(reverse, rel=1e-9, abs=1e-9), source
    assert forward == pytest.approx(expected, rel=1e-4, abs=1e-4), source
    mixed = srcdiff.grad(g, wrt=j)(*point)
    assert isinstance(mixed, float) and mixed == mixed
