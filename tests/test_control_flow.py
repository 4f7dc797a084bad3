"""Control flow: every construct's sample against finite differences, on both sides of
every branch; errors for what is refused; the tape and the command line."""
import inspect
import re
import ast
import subprocess
import sys

import numpy as np
import pytest

import srcdiff
from conftest import ROOT, SAMPLES, central_difference, import_text, load_sample

# sample: (wrt, points); the points take each branch (and loop exit) at least once
CASES = {
    "branches": ((0, 1), [(0.5, 0.7), (0.5, -0.7), (-0.5, 0.3), (-2.0, 0.3)]),
    "conditions": ((0, 1), [(0.5, 0.7), (0.5, 2.5), (-1.5, 0.3), (2.0, -3.0), (1.5, 0.2), (-0.5, -1.5)]),
    "early_return": ((0, 1), [(-0.5, 0.7), (0.5, 0.7), (1.5, 2.5), (1.5, 1.0)]),
    "loop_range": ((0, 1), [(0.7, 1.5, 0), (0.7, 1.5, 1), (-1.3, 0.5, 5)]),
    "loop_while": ((0, 1), [(0.5, 0.3), (3.0, 0.3), (7.0, 0.2), (0.1, 0.1)]),
    "loop_break": ((0,), [(0.5, 10), (0.05, 10), (2.0, 3), (1.0, 0), (-0.3, 7)]),
    "loop_nested": ((0, 1), [(0.5, 0.7, 4), (1.2, -0.3, 3), (1.0, 1.0, 0)]),
    "loop_items": ((0, 1), [(0.5, 0.7), (-1.2, 0.3)]),
    "loop_return": ((0,), [(0.5, 5), (3.0, 5), (1.0, 2), (0.2, 0)]),
    "loop_reversed": ((0,), [(0.5, 4), (-1.3, 1), (0.7, 0)]),
    "loop_sequence": ((0,), [(0.5, [1.0, -2.0, 3.0]), (-1.5, []), (2.0, [0.5])]),
    "helpers_flow": ((0, 1), [(2.5, 0.7, 3), (0.5, 1.7, 3), (-1.0, 0.5, 2), (0.5, 0.3, 2)]),
    "recurrence": ((0, 1), [(0.5, 0.7, [0.3, -0.2, 0.9]), (1.2, -0.4, []), (0.8, 0.3, (2.0,))]),
    "list_append": ((0, 1), [(0.5, -0.2, [0.3, 1.5, -0.7]), (1.2, 0.4, [2.0]), (-0.8, 0.1, [0.2, -1.1]), (0.5, 0.5, [])]),
    "running_sums": ((0, 1), [(0.5, 0.8, [1.0, 2.0]), (0.5, -0.2, [0.3, 1.5, -0.7]), (-1.2, 0.4, [2.0, 0.5]), (0.8, -0.9, [0.2, -1.1, 3.0])]),
}
# samples with control flow whose gradients are checked with arrays, in their own test files
CHECKED_ELSEWHERE = {"checks_and_logging": "test_effects.py", "layers_mlp": "test_layer_pairs.py"}


def _cases():
    for sample, (wrt, points) in CASES.items():
        for point in points:
            yield sample, wrt, point


@pytest.mark.parametrize("sample,wrt,point", list(_cases()))
def test_gradient_matches_finite_differences(sample, wrt, point):
    fn = getattr(load_sample(sample), sample)
    value, got = srcdiff.value_and_grad(fn, wrt=wrt)(*point)
    assert value == pytest.approx(fn(*point), rel=1e-12)
    want = tuple(central_difference(fn, point, i) for i in wrt)
    assert got == pytest.approx(want, rel=1e-5, abs=1e-6)


def test_every_control_flow_sample_is_checked():
    flow = (ast.If, ast.For, ast.While, ast.IfExp, ast.BoolOp)
    flow_samples = {p.stem for p in SAMPLES.glob("*.py")
                    if any(isinstance(node, flow) for stmt in ast.parse(p.read_text()).body
                           if isinstance(stmt, ast.FunctionDef) for node in ast.walk(stmt))}
    assert flow_samples <= set(CASES) | set(CHECKED_ELSEWHERE)


def test_sample_gradient_with_respect_to_a_list():
    fn = load_sample("loop_sequence").loop_sequence
    point = (0.5, [1.0, -2.0, 3.0])
    _, got = srcdiff.grad(fn)(*point)
    want = []
    for j in range(3):
        plus, minus = list(point[1]), list(point[1])
        plus[j] += 1e-6
        minus[j] -= 1e-6
        want.append((fn(0.5, plus) - fn(0.5, minus)) / 2e-6)
    assert isinstance(got, list) and got == pytest.approx(want, rel=1e-6)


def test_integer_parameters_get_a_zero_gradient():
    fn = load_sample("loop_range").loop_range
    grads = srcdiff.grad(fn)(0.5, 2.0, 3)
    assert grads[2] == 0.0 and grads[0] == pytest.approx(central_difference(fn, (0.5, 2.0, 3), 0))


# ---------------------------------------------------------------- generated code

def test_loops_stay_loops_and_tape_only_what_they_overwrite():
    source = srcdiff.grad(load_sample("loop_range").loop_range).source
    assert "for i in range(n):" in source
    assert "for i in reversed(range(n)):" in source  # no break: every index runs, backwards
    assert "iterations" not in source  # ... so no counter is kept
    assert source.count("tape.append(p)") == 1 and source.count("p = tape.pop()") == 1
    assert "tape.append(x)" not in source  # x never changes inside the loop


def test_a_loop_that_may_break_counts_its_iterations():
    source = srcdiff.grad(load_sample("loop_break").loop_break, wrt=0).source
    assert "iterations += 1" in source and "for _ in range(iterations):" in source


def test_the_tape_is_empty_after_the_backward_sweep():
    fn = load_sample("loop_nested").loop_nested
    grad = srcdiff.grad(fn)
    namespace = inspect.unwrap(grad).__globals__  # the generic code's, which grad dispatches from
    source = grad.source.replace("    return (", "    assert tape == []\n    return (")
    exec(compile(source, "<check>", "exec"), namespace)
    namespace["grad_loop_nested"](0.5, 0.7, 4)


def test_tape_grows_with_iterations_not_with_program_size():
    fn = load_sample("loop_range").loop_range
    source = srcdiff.grad(fn).source
    assert source.count("tape.append") == 1 and source.count("tape.pop") == 1


def test_branch_decisions_inside_loops_are_taped():
    source = srcdiff.grad(load_sample("loop_return").loop_return, wrt=0).source
    taped = re.search(r"tape\.append\(\(p, (s\d+), (s\d+)\)\)", source)
    assert taped, source
    assert f"if {taped.group(2)}:" in source.split("# backward")[1]  # the branch taken, replayed


def test_ssa_shows_blocks_indented():
    out = _cli("samples/loop_break.py", "--ssa")
    assert out.returncode == 0
    assert "    for i in range(n):\n" in out.stdout and "        if s3:\n" in out.stdout
    assert "term = loop(1.0, term_1)" in out.stdout and "phi(" in out.stdout


# ---------------------------------------------------------------- higher order

def test_second_derivative_through_branches():
    fn = load_sample("branches").branches
    second = srcdiff.grad(srcdiff.grad(fn, wrt=0), wrt=0)
    for x, y in [(0.5, 0.7), (0.5, -0.7), (-0.5, 0.3), (-2.0, 0.3)]:
        first = srcdiff.grad(fn, wrt=0)
        assert second(x, y) == pytest.approx(central_difference(first, (x, y), 0), rel=1e-5, abs=1e-6)


def test_second_derivative_through_a_loop():
    # the gradient's tape is not differentiated: the second derivative is built from the
    # function itself, the gradient of its derivative along x (reverse over forward)
    fn = load_sample("loop_range").loop_range
    first = srcdiff.grad(fn, wrt=0)
    second = srcdiff.grad(first, wrt=0)
    assert "reverse over forward" in second.source
    for x, c, n in [(0.7, 1.5, 3), (-1.2, 0.5, 4), (0.3, 2.0, 0)]:
        assert second(x, c, n) == pytest.approx(c * n * (n - 1) * x ** (n - 2) if n >= 2 else 0.0, rel=1e-12)
        assert second(x, c, n) == pytest.approx(central_difference(first, (x, c, n), 0), rel=1e-5, abs=1e-6)


def test_a_gradient_text_with_a_tape_is_refused_clearly(tmp_path):
    # the command line reads 'grad_p = srcdiff.grad(p)' without running it: no function to go back to
    path = tmp_path / "taped.py"
    path.write_text("import srcdiff\n\n\ndef p(x, n):\n    s = x\n    for i in range(n):\n        s = s * x\n"
                    "    return s\n\n\ngrad_p = srcdiff.grad(p, wrt=0)\n\n\ndef q(x, n):\n    return grad_p(x, n) * x\n")
    out = subprocess.run([sys.executable, str(ROOT / "cli.py"), f"{path}:q"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2 and "second derivative through a loop" in out.stderr


# ---------------------------------------------------------------- errors

def _write(tmp_path, text):
    import importlib.util
    path = tmp_path / "user.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("user_mod", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("body,message,line", [
    ("    for i in range(3):\n        x = x * 2\n    else:\n        x = x * x\n    return x\n", "", 0),  # no break: else runs
    ("    for j in reversed((1, 2), 1):\n        x = x * 2\n    return x\n", "in a for loop is not supported", 2),
    ("    if x > 0:\n        return x\n", "can end without returning", 2),
    ("    for a, b in [(1, 2)]:\n        x = x * a\n    return x\n", "", 0),
    ("    match x:\n        case 1:\n            return x\n    return x\n", "'match' statements", 2),
])
def test_refused_constructs_name_file_line_and_construct(tmp_path, body, message, line):
    module = _write(tmp_path, "def f(x):\n" + body)
    if not message:
        assert srcdiff.grad(module.f)(1.5) == pytest.approx(central_difference(module.f, (1.5,), 0))
        return
    with pytest.raises(srcdiff.SrcdiffError) as info:
        srcdiff.grad(module.f)
    assert message in info.value.message and info.value.lineno == line
    assert info.value.filename.endswith("user.py")


def test_recursion_inside_control_flow_is_refused(tmp_path):
    module = _write(tmp_path, "def f(x, n):\n    if n > 0:\n        return x * f(x, n - 1)\n    return 1.0\n")
    with pytest.raises(srcdiff.SrcdiffError, match="recursive call to 'f'") as info:
        srcdiff.grad(module.f)
    assert info.value.lineno == 3


ITEMS = """import numpy as np


def horner(x, ws):
    s = 0.0
    for w in ws:
        s = s * x + w * w
    return s


def pairs(x, ws, vs):
    s = 0.0
    for k, w in enumerate(ws):
        s = s + w * x * k
    for a, b in zip(ws, vs):
        if a > b:
            s = s + a * b
    for w in reversed(vs):
        s = s * 0.5 + w
    return s


def rows(x):
    s = 1.0
    for row in x:
        s = s + np.sum(row * row) * s
    return s


def twice(x, ws):
    s = np.sum(ws)
    for w in ws:
        s = s + w * x
    return s
"""


def _item_fd(fn, args, position, index, eps=1e-6):
    plus, minus = [list(a) if isinstance(a, (list, tuple)) else a for a in args], [list(a) if isinstance(a, (list, tuple)) else a for a in args]
    plus[position][index] += eps
    minus[position][index] -= eps
    return (fn(*plus) - fn(*minus)) / (2 * eps)


def test_gradient_with_respect_to_the_items_of_looped_sequences(tmp_path):
    module = _write(tmp_path, ITEMS)
    grad = srcdiff.grad(module.horner)
    gx, gws = grad(0.5, [1.0, 2.0, 3.0])
    assert isinstance(gws, list) and gws == pytest.approx([_item_fd(module.horner, (0.5, [1.0, 2.0, 3.0]), 1, j) for j in range(3)])
    assert isinstance(grad(0.5, (1.0, 2.0))[1], tuple)  # a tuple's gradient is a tuple
    assert "grad_ws[k] += grad_w" in grad.source and "for k in reversed(range(iterations)):" in grad.source
    point = (0.5, [1.0, -2.0, 3.0], [0.5, 1.0, 4.0])  # zip takes both branches, reversed walks backwards
    _, gws, gvs = srcdiff.grad(module.pairs)(*point)
    assert gws == pytest.approx([_item_fd(module.pairs, point, 1, j) for j in range(3)], rel=1e-6)
    assert gvs == pytest.approx([_item_fd(module.pairs, point, 2, j) for j in range(3)], rel=1e-6)


def test_gradient_with_respect_to_the_rows_of_an_array(tmp_path):
    import numpy as np
    module = _write(tmp_path, ITEMS)
    x = np.arange(6.0).reshape(3, 2) * 0.1
    got = srcdiff.grad(module.rows)(x)
    want = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[k] += 1e-6
        minus[k] -= 1e-6
        want[k] = (module.rows(plus) - module.rows(minus)) / 2e-6
    assert got.shape == x.shape and np.allclose(got, want, rtol=1e-6)


def test_a_sequence_looped_over_and_used_otherwise_gathers_both(tmp_path):
    """It was refused ("looped over item by item here and also used"): its gradient is now one
    array of its shape the items and the whole add into, given back in the sequence's type."""
    module = _write(tmp_path, ITEMS)
    assert srcdiff.grad(module.twice, wrt=0)(2.0, [1.0, 2.0]) == 3.0
    gx, gws = srcdiff.grad(module.twice)(2.0, [1.0, 2.0])
    assert gx == 3.0 and type(gws) is list and gws == [3.0, 3.0]
    gx, gws = srcdiff.grad(module.twice)(2.0, (1.0, 2.0))
    assert type(gws) is tuple and gws == (3.0, 3.0)
    gws = srcdiff.grad(module.twice, wrt=1)(0.5, np.array([1.0, 2.0, 4.0], dtype=np.float32))
    assert gws.dtype == np.float32 and np.allclose(gws, 1.5)
    e = srcdiff.explain(module.twice, 2.0, [1.0, 2.0])
    assert list(e["ws"].gradient) == pytest.approx([3.0, 3.0])


def test_explain_shows_items_and_their_gradients(tmp_path):
    module = _write(tmp_path, ITEMS)
    e = srcdiff.explain(module.horner, 0.5, [1.0, 2.0, 3.0])
    assert [r.operation for r in e.rows if r.name == "w"] == ["ws[0]", "ws[1]", "ws[2]"]
    _, gws = srcdiff.grad(module.horner)(0.5, [1.0, 2.0, 3.0])
    assert list(e["ws"].gradient) == pytest.approx(gws)
    e = srcdiff.explain(module.pairs, 0.5, [1.0, -2.0, 3.0], [0.5, 1.0, 4.0])
    assert [r.operation for r in e.rows if r.operation.startswith("vs[-")] == ["vs[-1]", "vs[-2]", "vs[-3]"]
    gradients = srcdiff.grad(module.pairs)(0.5, [1.0, -2.0, 3.0], [0.5, 1.0, 4.0])
    assert e.gradients[0] == pytest.approx(gradients[0])
    for got, want in zip(e.gradients[1:], gradients[1:]):
        assert list(got) == pytest.approx(want)


# ---------------------------------------------------------------- command line

def _cli(*args):
    return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_cli_prints_a_loop_gradient_that_runs():
    out = _cli("samples/loop_while.py")
    assert out.returncode == 0, out.stderr
    assert "while True:" in out.stdout and "for _ in range(iterations):" in out.stdout
    namespace = {}
    import math
    exec(out.stdout, {"math": math, "rt": srcdiff.runtime, **namespace}, namespace)
    fn = load_sample("loop_while").loop_while
    got = namespace["grad_loop_while"](3.0, 0.3)
    assert got == pytest.approx(tuple(central_difference(fn, (3.0, 0.3), i) for i in range(2)), rel=1e-6)


def test_cli_error_in_a_loop_is_one_line_with_exit_status_2(tmp_path):
    path = tmp_path / "bad.py"
    path.write_text("def f(x):\n    for i in range(3):\n        x = x * 2\n        for a, *b in x:\n            x = a\n    return x\n")
    out = _cli(str(path))
    assert out.returncode == 2
    assert out.stderr.strip() == f"{path}:4:16: error: the loop target '*b' is not supported"


# ---------------------------------------------------------------- explain mode: the path taken

@pytest.mark.parametrize("sample,wrt,point", list(_cases()))
def test_explain_follows_the_path_taken(sample, wrt, point):
    from test_explain import _check_steps_add_up
    fn = getattr(load_sample(sample), sample)
    e = srcdiff.explain(fn, *point)
    assert e.value == pytest.approx(fn(*point), rel=1e-12)
    gradients = srcdiff.grad(fn)(*point)
    gradients = gradients if isinstance(gradients, tuple) else (gradients,)
    for got, want in zip(e.gradients, gradients):  # a list parameter's gradient: a list (an array in the table)
        assert list(np.atleast_1d(got)) == pytest.approx(list(np.atleast_1d(want)), rel=1e-9, abs=1e-12)
    _check_steps_add_up(e)


def test_explain_unrolls_the_iterations_that_ran():
    e = srcdiff.explain(load_sample("loop_range").loop_range, 0.5, 2.0, 3)
    assert [r.name for r in e.rows if r.operation == "p * x"] == ["p_1"] * 3
    assert [r.value for r in e.rows if r.name == "i"] == [0, 1, 2]
    assert all(r.gradient is None for r in e.rows if r.name == "i")  # loop counters carry no gradient


def test_cli_explains_a_loop():
    out = _cli("samples/loop_range.py", "--at", "x=0.5", "c=2", "n=3")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("loop_range(x=0.5, c=2, n=3) = 0.75\n")
    assert out.stdout.count("p_1 = p * x") == 3


# ---------------------------------------------------------------- regressions

EDGES = '''import math


def result_is_a_loop_value(x, n):
    s = x
    while n > 0:
        n = n - 1
        if s > 10:
            continue
        s = s * s
    return s


def swap_in_a_loop(x, y):
    a, b = x, y
    for i in range(3):
        a, b = b, a * x
    return a + b


def value_from_the_last_round(x):
    v = x
    for k in range(4):
        w = v * 0.5
        v = w + math.sin(v)
    return w


def parameter_or_constant(x, y):
    if x > 0:
        return x
    return 1.0
'''


@pytest.mark.parametrize("name,point", [
    ("result_is_a_loop_value", (1.5, 3)), ("result_is_a_loop_value", (4.0, 3)),
    ("swap_in_a_loop", (0.7, 1.3)), ("value_from_the_last_round", (0.3,)),
    ("parameter_or_constant", (0.5, 1.0)), ("parameter_or_constant", (-0.5, 1.0)),
])
def test_edge_cases_value_and_gradient(tmp_path, name, point):
    fn = getattr(_write(tmp_path, EDGES), name)
    wrt = tuple(i for i, v in enumerate(point) if isinstance(v, float))
    value, got = srcdiff.value_and_grad(fn, wrt=wrt)(*point)
    assert value == fn(*point)  # the backward sweep's pops must not clobber the value returned
    assert got == pytest.approx(tuple(central_difference(fn, point, i) for i in wrt), rel=1e-5, abs=1e-6)


def test_third_derivative_through_branches():
    fn = load_sample("branches").branches
    third = srcdiff.grad(srcdiff.grad(srcdiff.grad(fn, wrt=0), wrt=0), wrt=0)
    assert third(0.5, 0.7) == pytest.approx(6 * 0.7)  # x**3 y + x**2 y**2 on this path
    assert third(-0.5, 0.3) == 0.0  # (x y + 1)(x + y) on this path: quadratic in x


def test_an_elif_chain_reads_as_one(tmp_path):
    module = _write(tmp_path, "def f(x):\n    if x > 1:\n        y = x * x\n    elif x > 0:\n        y = x * 3.0\n"
                              "    elif x > -1:\n        y = x + 1.0\n    else:\n        y = 0.0 * x\n    return y\n")
    grad = srcdiff.grad(module.f)
    assert "    elif s1:\n        grad_x = 3.0\n    elif s2:\n        grad_x = 1.0\n    else:\n" in grad.source
    for x in (1.5, 0.5, -0.5, -1.5):
        assert grad(x) == pytest.approx(central_difference(module.f, (x,), 0), abs=1e-6)


def test_while_true_left_only_by_return(tmp_path):
    module = _write(tmp_path, "def newton(a):\n    x = a\n    while True:\n        fx = x * x - a\n"
                              "        if abs(fx) < 1e-12:\n            return x * 2.0\n        x = x - fx / (2 * x)\n")
    value, grad = srcdiff.value_and_grad(module.newton)(2.0)
    assert value == module.newton(2.0) and grad == pytest.approx(1 / 2 ** 0.5, rel=1e-9)
    assert re.search(r"while True:\n        s\d+ = x \* x", srcdiff.grad(module.newton).source)  # no test of a constant


def test_indexing_a_list_in_a_loop_gives_a_list_gradient(tmp_path):
    module = _write(tmp_path, "def f(xs, c):\n    s = 0.0\n    for i in range(len(xs)):\n        if xs[i] > 0:\n"
                              "            s = s + xs[i] * c\n    return s\n")
    grads = srcdiff.grad(module.f)([1.0, -2.0, 3.0], 2.0)
    assert grads == ([2.0, 0.0, 2.0], 4.0)


FUNCTION_IN_A_LOOP = '''import srcdiff


class Multiply(srcdiff.Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, grad_z):
        x, y = ctx.saved_tensors
        return y * grad_z, x * grad_z


def f(x, y, n):
    s = x
    for i in range(n):
        if s > 0:
            s = Multiply.apply(s, y) + x
        else:
            s = s - y
    return s
'''


@pytest.mark.parametrize("point", [(0.5, 1.3, 3), (-0.5, 0.7, 3), (0.5, -2.0, 4)])
def test_a_function_called_in_a_branch_in_a_loop(tmp_path, point):
    module = _write(tmp_path, FUNCTION_IN_A_LOOP)
    grad = srcdiff.grad(module.f, wrt=(0, 1))
    assert "ctx = tape.pop()" in grad.source and "Multiply.backward(ctx, " in grad.source
    assert grad(*point) == pytest.approx(tuple(central_difference(module.f, point, i) for i in range(2)), rel=1e-6)
    assert srcdiff.explain(module.f, *point).gradients[:2] == pytest.approx(grad(*point))


def test_loop_over_pairs_of_data(tmp_path):
    module = _write(tmp_path, "def fit(w, b, data):\n    loss = 0.0\n    for x, y in data:\n"
                              "        err = w * x + b - y\n        loss = loss + err * err\n    return loss\n")
    data = [(1.0, 2.0), (2.0, 3.5), (3.0, 7.0)]
    grad = srcdiff.grad(module.fit, wrt=(0, 1))
    assert "for x, y in data:" in grad.source and "grad_loss_1" not in grad.source  # no round-trip copies
    assert grad(0.5, 0.1, data) == pytest.approx(
        tuple(central_difference(lambda w, b: module.fit(w, b, data), (0.5, 0.1), i) for i in range(2)))
    # the data's own gradient: the loop is written over the items, each unpacked (unpacked_items)
    errors = [0.5 * x + 0.1 - y for x, y in data]
    assert srcdiff.grad(module.fit, wrt=2)(0.5, 0.1, data) == [
        (pytest.approx(2 * e * 0.5), pytest.approx(-2 * e)) for e in errors]


def test_an_empty_inner_loop_over_items_in_an_outer_loop(tmp_path):
    module = _write(tmp_path, "def f(x, n, ws):\n    a = x\n    for k in range(n):\n        for j, w in enumerate(ws):\n"
                              "            a = a + w * 0.5\n            if a < 1.5:\n                return a * x\n    return a\n")
    assert srcdiff.grad(module.f)(0.0, 1, []) == (1.0, 0.0, [])  # the inner counter never set: not taped by the outer
    grad_x, grad_n, grad_ws = srcdiff.grad(module.f)(0.3, 2, [1.0, 2.0, 5.0])
    assert (grad_x, grad_n) == pytest.approx((1.1, 0.0)) and grad_ws == pytest.approx([0.15, 0.0, 0.0])


NESTED_ONE_SIDED = '''
def f(x, y):
    b = y
    if x < y:
        if x * x < 4.0:
            t = y > x - x
            if t:
                b = x
    return b * x * 0.5
'''


@pytest.mark.parametrize("point", [(0.5, 1.0), (0.5, -1.0), (3.0, 4.0), (1.5, 0.2)])
def test_second_derivative_when_a_branch_value_exists_on_one_path_only(tmp_path, point):
    """An inner branch's condition (t) exists only where the outer branch ran; its second-order
    code still gives it a value on every path an outer merge passes it along."""
    f = import_text(tmp_path, NESTED_ONE_SIDED, "one_sided").f
    g = srcdiff.grad(f, wrt=0)
    h = srcdiff.grad(g, wrt=0)
    x, y = point
    eps = 1e-6
    assert h(x, y) == pytest.approx((g(x + eps, y) - g(x - eps, y)) / (2 * eps), rel=1e-5, abs=1e-6)


def test_items_of_nested_loops_each_use_their_own_position(tmp_path):
    module = _write(tmp_path, "def f(x, ws):\n    s = x\n    for a in ws:\n        s = s + a * s\n"
                              "        for b in ws:\n            s = s * 0.5 + b * x\n    return s\n")
    point = (0.7, [1.0, -0.5, 0.25])
    gx, gws = srcdiff.grad(module.f)(*point)
    assert gx == pytest.approx(central_difference(lambda x: module.f(x, point[1]), (0.7,), 0), rel=1e-6)
    for j in range(3):
        def along(t, j=j):
            ws = list(point[1])
            ws[j] = t
            return module.f(0.7, ws)
        assert gws[j] == pytest.approx(central_difference(along, (point[1][j],), 0), rel=1e-6)
