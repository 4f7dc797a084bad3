"""The straight sweep's ``activity`` counts what its docstring says (issue 13 made it cheaper).

For each Var that gets a contribution, the number of active statements that give it one:
``x * x`` once, an argument at a position without a template (``math.copysign(x, x)``'s
second) not at all, and no entry for an active Var that gets none (the result, a parameter
no statement reads).
"""
import collections
import math  # noqa: F401  (the functions below read it)

import pytest

from srcdiff.frontend import load_function
from srcdiff.ir import Var
from srcdiff.lower import lower
from srcdiff.rules import ZERO, scalar_rule
from srcdiff.transforms.reverse import activity


def square_twice(x, y):
    s = x * x
    return s * y + s


def copysign_of_itself(x, unused):
    return math.copysign(x, x) * x


def constant_result(x):
    return 2.0


def _uses_by_definition(function, active):
    """Per Var, the active statements with a rule that have it at a position with a template."""
    uses = collections.Counter()
    for stmt in function.body:
        rule = scalar_rule(stmt)
        if stmt.target in active and rule is not None and rule is not ZERO:
            uses.update({a for i, a in enumerate(stmt.args) if isinstance(a, Var) and rule[i] is not None
                         and a in active})
    return dict(uses)


@pytest.mark.parametrize("fn", [square_twice, copysign_of_itself, constant_result])
def test_activity_counts_each_receiving_statement_once(fn):
    function = lower(load_function(fn))
    active, uses = activity(function, function.params)
    assert uses == _uses_by_definition(function, active)
    assert all(count > 0 for count in uses.values())
