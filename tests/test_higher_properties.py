"""Random programs (from test_properties and test_control_flow_properties) differentiated
twice: closure under the transform.

For each program: the second derivative ``grad(grad(f, wrt=i), wrt=j)`` builds (the
generated gradient is inside the accepted subset), and the Hessian-vector products of
both modes agree with each other and with central differences of the gradient.
"""
import math
import tempfile

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import srcdiff
from conftest import import_text
from srcdiff import hvp
from test_control_flow_properties import programs as flow_programs
from test_properties import COORDINATE, FOLDER, interpret, programs, render

FLOW_FOLDER = tempfile.mkdtemp(prefix="srcdiff_higher_flow_")


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


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(flow_programs(), st.floats(-2, 2), st.floats(-2, 2), st.integers(0, 3), st.integers(0, 1))
def test_random_programs_with_control_flow_second_order(program, x, y, n, i):
    """Branches, loops, breaks and early returns: jvp against the gradient, hvp (forward over
    reverse, or reverse over forward through loops) and grad of grad against differences."""
    text, probe_text = program
    probe = import_text(FLOW_FOLDER, probe_text)
    value = probe.f(x, y, n)
    assume(math.isfinite(value) and abs(value) < 1e4)
    eps = 1e-5
    point = [x, y, n]
    plus, minus = list(point), list(point)
    plus[i] += eps
    minus[i] -= eps
    for p in (plus, minus):  # no branch boundary within reach of the differences
        probe.GAPS.clear()
        probe.f(*p)
    probe.GAPS.clear()
    probe.f(x, y, n)
    assume(min(probe.GAPS, default=1.0) > 1e-2)
    f = import_text(FLOW_FOLDER, text).f
    g = srcdiff.grad(f, wrt=i)
    assert srcdiff.jvp(f, wrt=i)(x, y, n, 1.0) == pytest.approx(g(x, y, n), rel=1e-9, abs=1e-9), text
    expected = (g(*plus) - g(*minus)) / (2 * eps)
    assume(abs(expected) < 1e4)
    assert srcdiff.hvp(f, wrt=i)(x, y, n, 1.0) == pytest.approx(expected, rel=1e-4, abs=1e-4), text
    assert srcdiff.grad(g, wrt=i)(x, y, n) == pytest.approx(expected, rel=1e-4, abs=1e-4), text
