"""Bad input gets a SrcdiffError naming the construct, with file, line, column, the line
itself, a caret under the offending code and a hint; never a traceback from deep inside,
never a silently wrong number.

Each case is a function body written to a module file; ``@`` marks where the caret must
point (the marker is removed before the file is written).
"""
import math
import re

import pytest

import srcdiff
from conftest import import_text
from srcdiff.errors import (NameResolutionError, NoGradientRuleError, ResultError, SourceNotFoundError,
                            UnsupportedSyntaxError)

HEADER = "import colorsys\nimport math\nimport random\nimport statistics\nfrom fractions import Fraction\n\nK = 2.0\n\n\n"

# (id, source of a function f with an @ before the offending code, message pattern, error class)
UNSUPPORTED = [
    ("generator", "def f(x):\n    @yield x\n", r"'yield'", UnsupportedSyntaxError),
    ("yield-from", "def f(x):\n    @yield from (x, x)\n", r"'yield from'", UnsupportedSyntaxError),
    ("max-default", "def f(x):\n    return @max(x, 2.0 * x, default=1.0)\n",
     r"max\(\) is supported with one sequence and key, default=",
     UnsupportedSyntaxError),
    ("comprehension-of-pairs", "def f(x):\n    return sum([@(t, t) for t in (x,)])\n", r"a sequence of tuples",
     UnsupportedSyntaxError),
    ("list-result", "def f(x):\n    @return [t for t in (x,)]\n", r"the result is a tuple", ResultError),
    ("tuple-arithmetic", "def f(x):\n    return sum(@(x, x) + (x,))\n", r"a tuple or list is not supported here",
     UnsupportedSyntaxError),
    ("try", "def f(x):\n    @try:\n        y = x\n    except ValueError:\n        y = 0.0\n    return y\n", r"'try'", UnsupportedSyntaxError),
    ("with", "def f(x):\n    @with open('a') as h:\n        pass\n    return x\n", r"'with'", UnsupportedSyntaxError),
    ("class", "def f(x):\n    @class A:\n        pass\n    return x\n", r"class definitions", UnsupportedSyntaxError),
    ("nested-def-recursion", "def f(x):\n    def h(t):\n        return @h(t) + t\n    return h(x)\n", r"recursive call to 'h'", UnsupportedSyntaxError),
    ("closure-read-before-assigned", "def f(x):\n    g = lambda t: t * k\n    y = @g(x)\n    k = 2.0\n    return y\n", r"'g' reads 'k' of 'f', which has no value yet", UnsupportedSyntaxError),
    ("lambda-differs-by-path", "def f(x):\n    if x > 0:\n        act = lambda t: t\n    else:\n        act = lambda t: -t\n    return @act(x)\n", r"not the same function on every path", UnsupportedSyntaxError),
    ("lambda-defined-in-loop", "def f(x):\n    for i in range(2):\n        g = lambda t: t * i\n    return @g(x)\n", r"defined inside the loop", UnsupportedSyntaxError),
    ("lambda-as-number", "def f(x):\n    g = lambda t: t\n    return @g * x\n", r"a function cannot be used as a value", UnsupportedSyntaxError),
    ("function-result", "def f(x):\n    @return lambda t: t * x\n", r"the result is a function", ResultError),
    ("global", "def f(x):\n    @global K\n    return x * K\n", r"'global'", UnsupportedSyntaxError),
    ("star-parameter", "def f(x, *@rest):\n    return x\n", r"star-arguments", UnsupportedSyntaxError),
    ("kwargs-parameter", "def f(x, **@options):\n    return x\n", r"star-arguments", UnsupportedSyntaxError),
    ("star-call", "def f(x):\n    return max(@*x)\n", r"star-argument '\*x' is not a tuple", UnsupportedSyntaxError),
    ("star-kwargs-call", "def h(t):\n    return t\n\n\ndef f(x):\n    return h(**@x)\n", r"'\*\*x' is not a helper's \*\*kwargs", UnsupportedSyntaxError),
    ("helper-twice", "def h(t):\n    return t\n\n\ndef f(x):\n    return h(x, @t=x)\n", r"'h' got multiple values for argument 't'", UnsupportedSyntaxError),
    ("helper-positional-only", "def h(t, /):\n    return t\n\n\ndef f(x):\n    return h(@t=x)\n", r"unexpected keyword argument 't'", UnsupportedSyntaxError),
    ("walrus", "def f(x):\n    return sum([(@y := v) for v in x])\n", r"walrus operator ':=' inside a comprehension",
     UnsupportedSyntaxError),
    ("delete", "def f(x):\n    y = x\n    @del y\n    return x\n", r"'del'", UnsupportedSyntaxError),
    ("bare-raise", "def f(x):\n    if x > 0:\n        @raise\n    return x\n", r"bare 'raise'", UnsupportedSyntaxError),
    ("assert-walrus", "def f(x):\n    assert (@y := x) > 0\n    return x\n", r"walrus", UnsupportedSyntaxError),
    ("always-raises", "def f(x):\n    if x > 0:\n        raise ValueError(x)\n    @raise ValueError(-x)\n    return x\n",
     r"every path through 'f' raises", ResultError),
    ("import-in-a-block", "def f(x):\n    if x > 0:\n        @import math\n    return x\n", r"an import inside a block",
     UnsupportedSyntaxError),
    ("set", "def f(x):\n    return @{x}\n", r"set displays", UnsupportedSyntaxError),
    ("non-ascii-line", "def f(été):\n    return été * @{été}\n", r"set displays", UnsupportedSyntaxError),
    ("dict", "def f(x):\n    @return {'a': x}\n", r"the result is a dict", ResultError),
    ("dict-keys", "def f(x):\n    return @{1: x}[1]\n", r"keys are not all constant strings", UnsupportedSyntaxError),
    ("f-string", "def f(x):\n    y = f'{x}'\n    return x * @len(y)\n", r"a string built here cannot be used", UnsupportedSyntaxError),
    ("string", "def f(x):\n    return @'a' * 2 + x\n", r"not a number", UnsupportedSyntaxError),
    ("matmul-like", "def f(x):\n    return @x << 1\n", r"operator", UnsupportedSyntaxError),
    ("unused-call", "def f(x):\n    @math.sin(x)\n    return x\n", r"value is unused", UnsupportedSyntaxError),
    ("print-shadowed", "def f(x, print):\n    @print(x)\n    return x\n", r"value is unused", UnsupportedSyntaxError),
    ("print-undefined-name", "def f(x):\n    print(x, @UNDEFINED)\n    return x\n", r"name 'UNDEFINED' is not defined",
     NameResolutionError),
    ("with-other", "def f(x):\n    @with open('a'):\n        y = x\n    return y\n", r"'with' statements", UnsupportedSyntaxError),
    ("no-return", "@def f(x):\n    y = x\n", r"no return", UnsupportedSyntaxError),
    ("may-fall-off", "def f(x):\n    @if x > 0:\n        return x\n", r"can end without returning a value", ResultError),
    ("tuple-result", "def f(x):\n    @return x, x\n", r"tuple", ResultError),
    ("recursion", "def f(x):\n    return @f(x) + x\n", r"recursive call to 'f'", UnsupportedSyntaxError),
    ("undefined-name", "def f(x):\n    return x * @UNDEFINED\n", r"name 'UNDEFINED' is not defined", NameResolutionError),
    ("async", "@async def f(x):\n    return x\n", r"async", UnsupportedSyntaxError),
    ("subscript-assignment", "def f(x):\n    y = x\n    @y[0] = x\n    return y\n", r"writing into a parameter", UnsupportedSyntaxError),
    ("module-as-value", "def f(x):\n    return @math * x\n", r"'math' is a module", UnsupportedSyntaxError),
    ("function-as-value", "def f(x):\n    return @math.sin * x\n", r"'math.sin' cannot be used as a value", UnsupportedSyntaxError),
    ("helper-too-many", "def h(t):\n    return t\n\n\ndef f(x):\n    return @h(x, x)\n", r"too many arguments", UnsupportedSyntaxError),
    ("helper-bad-keyword", "def h(t):\n    return t\n\n\ndef f(x):\n    return h(x, @u=x)\n", r"unexpected keyword argument 'u'", UnsupportedSyntaxError),
    ("helper-missing", "def h(t, u):\n    return t\n\n\ndef f(x):\n    return @h(x)\n", r"missing argument 'u'", UnsupportedSyntaxError),
    ("unpack-count", "def f(x):\n    @a, b = x, x, x\n    return a\n", r"cannot unpack 3 values into 2", UnsupportedSyntaxError),
    # unknown functions with a gradient needed: named, never a silent zero
    ("no-rule-in-nested-expression", "def f(x):\n    return math.sin(x) * (1.0 + @math.nextafter(x * 2.0, 1.0))\n",
     r"no gradient rule for 'math.nextafter'", NoGradientRuleError),
    ("no-rule-builtin", "def f(x):\n    z = @zip(x, x)\n    return sum(a * b for a, b in z)\n", r"no gradient rule for 'zip'",
     NoGradientRuleError),
    ("no-rule-nextafter", "def f(x):\n    return @math.nextafter(x, 1.0) * 2.0\n", r"no gradient rule for 'math.nextafter'", NoGradientRuleError),
    ("stdlib-function", "def f(x):\n    return @colorsys.rgb_to_hsv(x, x, 0.5)[0]\n", r"'colorsys.rgb_to_hsv' is a function of the standard library", NameResolutionError),
    ("no-rule-statistics", "def f(x):\n    return @statistics.geometric_mean(x) * 2.0\n", r"no gradient rule for 'statistics.geometric_mean'",
     NoGradientRuleError),
    ("random", "def f(x):\n    return @random.random() * x\n", r"'random.random' is a function srcdiff has no gradient rule for", NameResolutionError),
    ("class-call", "def f(x):\n    return @Fraction(x) * x\n", r"'Fraction' is a class", NameResolutionError),
    # control flow: the constructs still refused (the rest works: tests/test_control_flow.py)
    ("starred-loop-target", "def f(x):\n    for a, @*b in x:\n        x = a\n    return x\n", r"the loop target '\*b'", UnsupportedSyntaxError),
    ("dict-method", "def f(x):\n    d = {'a': x}\n    return @d.get('a') * x\n", r"'\.get\(\)' of a dict built here", UnsupportedSyntaxError),
    ("reversed-two-arguments", "def f(x):\n    for v in @reversed((x, x), 1):\n        x = x * v\n    return x\n", r"'reversed\(\(x, x\), 1\)' in a for loop", UnsupportedSyntaxError),
    ("match", "def f(x):\n    @match x:\n        case 1:\n            return x\n    return x\n", r"'match'", UnsupportedSyntaxError),
    ("recursion-in-branch", "def f(x):\n    if x > 1:\n        return @f(x / 2) * 2\n    return x\n", r"recursive call to 'f'", UnsupportedSyntaxError),
    # builtins the generated code calls by name, hidden by a parameter: the gradient would call its value
    ("parameter-float", "def f(x, @float):\n    return x * float\n", r"named 'float' hides Python's float\(\)",
     UnsupportedSyntaxError),
    ("parameter-reversed", "def f(x, @reversed):\n    s = 0.0\n    for i in range(3):\n        s = s * x + reversed\n    return s\n",
     r"named 'reversed' hides", UnsupportedSyntaxError),
    ("parameter-tuple", "def f(xs, @tuple):\n    return xs[0] * tuple\n", r"named 'tuple' hides", UnsupportedSyntaxError),
]


def _write(tmp_path, body):
    """Import HEADER + ``body`` (``@`` removed); return (module, path, line, col) of the marker."""
    text = HEADER + body
    before = text[:text.index("@")]
    lineno = before.count("\n") + 1
    col = len(before) - (before.rfind("\n") + 1)
    module = import_text(tmp_path, text.replace("@", "", 1))
    return module, module.__file__, lineno, col


def _assert_report(err, path, lineno, col, pattern):
    assert re.search(pattern, err.message), err.message
    assert (err.filename, err.lineno, err.col) == (path, lineno, col), str(err)
    lines = str(err).split("\n")
    assert lines[0] == f"{path}:{lineno}:{col + 1}: error: {err.message}"
    source_line = open(path, encoding="utf-8").read().split("\n")[lineno - 1]
    assert err.line_text.rstrip("\n") == source_line
    assert lines[1] == "    " + source_line.strip()
    indent = len(source_line) - len(source_line.lstrip())
    assert lines[2] == "    " + " " * (col - indent) + "^", str(err)
    assert err.hint and lines[3] == err.hint


@pytest.mark.parametrize("name,body,pattern,cls", UNSUPPORTED, ids=[c[0] for c in UNSUPPORTED])
def test_refused_with_location_caret_and_hint(tmp_path, name, body, pattern, cls):
    module, path, lineno, col = _write(tmp_path, body)
    with pytest.raises(cls) as err:
        srcdiff.grad(module.f)
    assert isinstance(err.value, srcdiff.SrcdiffError)
    _assert_report(err.value, path, lineno, col, pattern)


def test_unknown_call_without_a_gradient_needed_is_fine(tmp_path):
    module = import_text(tmp_path, HEADER + "def f(x):\n    n = math.gcd(6, 4)\n    return x * n\n")
    assert srcdiff.grad(module.f)(3.0) == 2.0


def test_error_in_a_helper_points_into_the_helper(tmp_path):
    module, path, lineno, col = _write(tmp_path, "def h(t):\n    return @{t}\n\n\ndef f(x):\n    return h(x)\n")
    with pytest.raises(UnsupportedSyntaxError) as err:
        srcdiff.grad(module.f)
    _assert_report(err.value, path, lineno, col, "set displays")


def test_python_syntax_error_in_the_file_is_reported(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("def f(x):\n    return x * x\n")
    module = import_text(tmp_path, "def f(x):\n    return x * x\n", "broken")
    path.write_text("def f(x):\n    return x *\n")  # edited after import: the file no longer parses
    with pytest.raises(srcdiff.SrcdiffError) as err:
        srcdiff.grad(module.f)
    assert err.value.filename == str(path) and err.value.lineno == 2


# ---------------------------------------------------------------- source not found

def test_function_built_by_exec_has_no_source():
    namespace = {}
    exec("def made(x):\n    return x * x\n", namespace)
    with pytest.raises(SourceNotFoundError, match="cannot find the source of function 'made'") as err:
        srcdiff.grad(namespace["made"])
    assert "exec" in err.value.hint


@pytest.mark.parametrize("fn", [math.sin, abs, print], ids=["math.sin", "abs", "print"])
def test_builtin_functions_have_no_source(fn):
    with pytest.raises(SourceNotFoundError, match="not a Python function"):
        srcdiff.grad(fn)


def test_nonlocal_is_refused(tmp_path):
    module = import_text(tmp_path, "def outer():\n    k = 2.0\n\n    def f(x):\n        nonlocal k\n"
                                   "        return x * k\n    return f\n")
    with pytest.raises(UnsupportedSyntaxError, match="'nonlocal'") as err:
        srcdiff.grad(module.outer())
    assert (err.value.lineno, err.value.col) == (5, 8)


def test_errors_are_raised_when_grad_is_called(tmp_path):
    module = import_text(tmp_path, HEADER + "def f(x):\n    return {x}\n")
    with pytest.raises(srcdiff.SrcdiffError):
        srcdiff.grad(module.f)
    with pytest.raises(srcdiff.SrcdiffError):
        srcdiff.value_and_grad(module.f, wrt=0)
