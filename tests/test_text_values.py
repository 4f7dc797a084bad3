"""Strings a function builds for messages (``msg = f"x={x:.3f}"``, ``"...".format(x)``, ``str(x)``,
``repr(x)``): kept as code and read by the prints, log calls, warnings, asserts and raises that
read them, or dropped when nothing does (``lower.texts``, ``effects.KeptText``).  Before, each
was refused ("the constant '...' is not a number", "an f-string outside print...").  A string
read as a value anywhere else is refused at that line."""
import logging

import numpy as np
import pytest

import srcdiff
from conftest import import_text, printed_gradient
from trust_helpers import assert_first_parameter_paths

SOURCE = '''
import logging
import math

import numpy as np

log = logging.getLogger("srcdiff_text_values")


def unused_labels(x):
    label = "value: {:.2f}".format(x)
    name, shown = str(x), repr(x * 2)
    tag = f"x={x}"
    return math.sin(x) * x


def printed_later(x):
    msg = f"before: {x:.3f}"
    x = x * 2.0
    print(msg)
    print("after: {}".format(x))
    return x * x


def logged_in_a_loop(x, n):
    total = 0.0
    for i in range(n):
        note = "step {} of {}".format(i, n)
        log.info(note)
        total = total + math.cos(x * i)
    return total


def asserted(x):
    why = f"x must be positive, got {x}"
    assert x > 0, why
    return x ** 1.5


def chosen_by_a_branch(x, c):
    msg = "start"
    if c > 0:
        msg = f"positive, x={x:.1f}"
    elif c < -1:
        msg = "very negative: {}".format(c)
    print(msg)
    return x * x


def array_summary(x):
    text = f"mean={np.mean(x):.2f} shape={x.shape}"
    print(text)
    return np.sum(np.tanh(x) * x)
'''

CASES = {"unused_labels": (1.3,), "printed_later": (0.7,), "logged_in_a_loop": (0.4, 3), "asserted": (2.0,),
         "array_summary": (np.array([0.5, -1.0, 2.0]),)}


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("text_values"), SOURCE)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_path_along_the_first_parameter(module, name):
    assert_first_parameter_paths(getattr(module, name), CASES[name])


def test_a_message_shows_the_values_of_its_line(module, capsys):
    """``msg`` is built before ``x`` doubles: the print shows the value of its own line."""
    srcdiff.grad(module.printed_later)(0.7)
    assert capsys.readouterr().out == "before: 0.700\nafter: 1.4\n"


def test_a_log_message_built_in_a_loop(module, caplog):
    with caplog.at_level(logging.INFO, logger="srcdiff_text_values"):
        srcdiff.grad(module.logged_in_a_loop, wrt=0)(0.4, 3)
    assert [r.getMessage() for r in caplog.records] == ["step 0 of 3", "step 1 of 3", "step 2 of 3"]


@pytest.mark.parametrize("c, shown", [(1.0, "positive, x=1.5"), (-2.0, "very negative: -2.0"), (-0.5, "start")])
def test_a_message_chosen_by_a_branch(module, capsys, c, shown):
    """Set on every path (a literal among them): the print picks the one of the path taken."""
    assert srcdiff.grad(module.chosen_by_a_branch, wrt=0)(1.5, c) == 3.0
    assert capsys.readouterr().out == shown + "\n"


def test_a_message_set_on_one_path_only_is_refused(tmp_path):
    module = import_text(tmp_path, "\ndef f(x, c):\n    if c > 0:\n        msg = f'{x}'\n    print(msg)\n    return x\n")
    with pytest.raises(srcdiff.SrcdiffError, match="'msg' is not the same string on every path") as caught:
        srcdiff.grad(module.f, wrt=0)(1.0, 1.0)
    assert caught.value.lineno == 5


def test_an_assert_message_is_built_from_its_line(module):
    with pytest.raises(AssertionError, match="x must be positive, got -1.0"):
        srcdiff.grad(module.asserted)(-1.0)


def test_unused_strings_leave_no_line(module):
    assert "value:" not in srcdiff.grad(module.unused_labels).source and "repr" not in srcdiff.grad(module.unused_labels).source
    assert "print(f'before: {x:.3f}')" in srcdiff.grad(module.printed_later).source


def test_the_command_line(tmp_path):
    printed = printed_gradient(tmp_path, SOURCE, "printed_later")
    assert "print(f'before: {x:.3f}')" in printed


@pytest.mark.parametrize("body, line, message", [
    ("    msg = f'{x}'\n    return msg\n", 4, "the result is a string"),
    ("    msg = str(x)\n    y = msg + '!'\n    return x\n", 4, "a string built here cannot be used as a value"),
    ("    msg = repr(x)\n    return x * len(msg)\n", 4, "a string built here"),
    ("    msg = '{}'.format(x)\n    return x * msg\n", 4, "a string built here"),
])
def test_a_string_read_as_a_value_is_refused(tmp_path, body, line, message):
    module = import_text(tmp_path, "\ndef f(x):\n" + body)
    with pytest.raises(srcdiff.SrcdiffError, match=message) as caught:
        srcdiff.grad(module.f)(1.5)
    assert caught.value.lineno == line
