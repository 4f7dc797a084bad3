"""Explain mode: the lecture's forward values and gradients, through the API and the CLI."""
import math
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

import srcdiff
from conftest import ROOT, load_sample

LECTURE_POINT = {"x": -2.0, "y": 5.0, "z": -4.0}
NEURON_POINT = (2.0, -1.0, -3.0, -2.0, -3.0)  # w0, x0, w1, x1, w2
# The lecture's sigmoid-neuron figure, gate by gate: (value, gradient), forward order.
NEURON_FIGURE = [
    (2.0, -0.20), (-1.0, 0.39), (-3.0, -0.39), (-2.0, -0.59), (-3.0, 0.20),   # w0 x0 w1 x1 w2
    (-2.0, 0.20), (6.0, 0.20), (4.0, 0.20), (1.0, 0.20),                      # * * + +
    (-1.0, -0.20), (0.37, -0.53), (1.37, -0.53), (0.73, 1.00),                # *-1 exp +1 1/x
]


def _row_numbers(explanation):
    return [(row.name, row.value, row.gradient) for row in explanation.rows]


# ---------------------------------------------------------------- the API

def test_mul_add_forward_values_and_gradients():
    e = srcdiff.explain(load_sample("mul_add").f, -2.0, 5.0, -4.0)
    assert _row_numbers(e) == [("x", -2.0, -4.0), ("y", 5.0, -4.0), ("z", -4.0, 3.0),
                               ("q", 3.0, -4.0), ("f", -12.0, 1.0)]
    assert e["q"].operation == "x + y" and e["f"].operation == "q * z"
    assert e.value == -12.0 and e.gradients == (-4.0, -4.0, 3.0)


def test_mul_add_backward_steps_are_downstream_local_upstream():
    e = srcdiff.explain(load_sample("mul_add").f, **LECTURE_POINT)
    read = [(e.rows[s.source].name, e.rows[s.target].name, s.upstream, s.local, s.local_value, s.downstream)
            for s in e.steps]
    assert read == [
        ("f", "q", 1.0, "z", -4.0, -4.0),   # mul swaps: dq = z * upstream
        ("f", "z", 1.0, "q", 3.0, 3.0),
        ("q", "x", -4.0, "1", 1.0, -4.0),   # add distributes
        ("q", "y", -4.0, "1", 1.0, -4.0),
    ]


@pytest.mark.parametrize("sample", ["neuron", "neuron_gate"])
def test_neuron_matches_the_lecture_figure(sample):
    e = srcdiff.explain(load_sample(sample).neuron, *NEURON_POINT)
    assert len(e.rows) == len(NEURON_FIGURE)
    for row, (value, gradient) in zip(e.rows, NEURON_FIGURE):
        assert row.value == pytest.approx(value, abs=0.005), row.name
        assert row.gradient == pytest.approx(gradient, abs=0.005), row.name
    # the sigmoid's local gradient: (1 - 0.73) * 0.73 = 0.2
    assert e.gradients[4] == pytest.approx((1 - e.value) * e.value)


def test_norm2_follows_the_assignment_sequence():
    e = srcdiff.explain(load_sample("norm2").norm2, 3.0, 4.0)
    assert [r.name for r in e.rows] == ["x", "y", "u", "w", "r", "L"]
    assert [r.value for r in e.rows] == [3.0, 4.0, 9.0, 16.0, 25.0, 5.0]
    dl_dr = 1 / (2 * math.sqrt(25.0))
    assert e["r"].gradient == pytest.approx(dl_dr)
    assert e["u"].gradient == pytest.approx(dl_dr)           # dL/du = dL/dr
    assert e["x"].gradient == pytest.approx(dl_dr * 2 * 3.0)  # (dL/du) * 2x
    assert e["y"].gradient == pytest.approx(dl_dr * 2 * 4.0)


def test_gate_patterns_add_mul_max_copy():
    e = srcdiff.explain(load_sample("gates").gates, 3.0, -4.0, 2.0, -1.0)
    assert (e["a"].value, e["b"].value, e["c"].value) == (-12.0, 2.0, -10.0)
    assert e["a"].gradient == e["b"].gradient == 2.0       # add distributes
    assert (e["z"].gradient, e["w"].gradient) == (2.0, 0.0)  # max routes
    assert e["y"].gradient == 3.0 * 2.0                     # mul swaps
    forks = [s for s in e.steps if s.accumulates]
    assert [e.rows[s.target].name for s in forks] == ["x"]  # the copy gate adds
    assert forks[0].total == e["x"].gradient == -4.0 * 2.0 + 1.0


@pytest.mark.parametrize("sample,func,point", [
    ("mul_add", "f", (-2.0, 5.0, -4.0)), ("neuron", "neuron", NEURON_POINT),
    ("neuron_gate", "neuron", NEURON_POINT), ("gates", "gates", (3.0, -4.0, -5.0, -1.0)),
    ("chain", "chain", (0.7,)), ("exercise", "exercise", (0.5, 0.25)), ("norm2", "norm2", (3.0, 4.0)),
])
def test_agrees_with_running_the_function_and_its_gradient(sample, func, point):
    fn = getattr(load_sample(sample), func)
    e = srcdiff.explain(fn, *point)
    assert e.value == pytest.approx(fn(*point), rel=1e-12)
    expected = srcdiff.grad(fn)(*point)
    assert e.gradients == pytest.approx(expected if isinstance(expected, tuple) else (expected,), rel=1e-12)
    _check_steps_add_up(e)


def _check_steps_add_up(e):
    """Every step is local x upstream, and a value's gradient is the sum of its steps."""
    received = {}
    for step in e.steps:
        if step.local_value is not None:
            assert step.downstream == pytest.approx(step.local_value * step.upstream, rel=1e-12)
        received[step.target] = received.get(step.target, 0.0) + step.downstream
        assert step.total == pytest.approx(received[step.target], rel=1e-12)
    for index, total in received.items():
        assert e.rows[index].gradient == pytest.approx(total, rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.floats(-3, 3), st.floats(-3, 3))
def test_exercise_table_agrees_with_grad_everywhere(x, y):
    exercise = load_sample("exercise").exercise
    e = srcdiff.explain(exercise, x, y)
    assert e.gradients == pytest.approx(srcdiff.grad(exercise)(x, y), rel=1e-9, abs=1e-12)
    _check_steps_add_up(e)


def test_str_shows_the_table_and_the_steps():
    text = str(srcdiff.explain(load_sample("mul_add").f, **LECTURE_POINT))
    assert text.startswith("f(x=-2, y=5, z=-4) = -12\n")
    assert re.search(r"^\s+q\s+x \+ y\s+3\s+-4$", text, re.M)
    assert re.search(r"^\s+f = q \* z\s+grad_q = -4\s+z = -4\s+grad_f = 1$", text, re.M)
    assert "downstream = local × upstream" in text


def test_arithmetic_error_points_at_the_line(tmp_path):
    path = tmp_path / "bad.py"
    path.write_text("import math\n\ndef f(x):\n    y = math.log(x)\n    return y\n")
    with pytest.raises(srcdiff.SrcdiffError) as info:
        srcdiff.explain(_load(path).f, -1.0)
    assert info.value.lineno == 4 and "math domain error" in info.value.message


def _load(path):
    import importlib.util
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- the command line

def run_cli(*args, **kwargs):
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, **kwargs)


def forward_table(stdout):
    """``{name: (operation, value, gradient)}`` from the printed forward table."""
    lines = stdout.split("\n\n")[1].splitlines()[2:]
    cells = [re.split(r"\s{2,}", line.strip()) for line in lines]
    return {c[0]: tuple(c[1:]) for c in cells}


def test_cli_prints_the_lecture_numbers():
    done = run_cli("samples/mul_add.py:f", "--at", "x=-2", "y=5", "z=-4")
    assert done.returncode == 0, done.stderr
    table = forward_table(done.stdout)
    assert table == {"x": ("input", "-2", "-4"), "y": ("input", "5", "-4"), "z": ("input", "-4", "3"),
                     "q": ("x + y", "3", "-4"), "f": ("q * z", "-12", "1")}
    assert "grad_z = 3" in done.stdout and "grad_x = -4" in done.stdout


def test_cli_neuron():
    done = run_cli("samples/neuron_gate.py:neuron", "--at", "w0=2", "x0=-1", "w1=-3", "x1=-2", "w2=-3")
    assert done.returncode == 0, done.stderr
    table = forward_table(done.stdout)
    assert [float(table[n][2]) for n in ("w0", "x0", "w1", "x1", "w2")] == pytest.approx(
        [-0.20, 0.39, -0.39, -0.59, 0.20], abs=0.005)
    assert float(table["L"][1]) == pytest.approx(0.73, abs=0.005)


def test_cli_never_runs_the_file(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "side_effect.py"
    path.write_text(f"open({str(marker)!r}, 'w').close()\nSCALE = 3.0\n\n"
                    "def f(x):\n    return SCALE * x * x\n")
    done = run_cli(f"{path}:f", "--at", "x=2")
    assert done.returncode == 0, done.stderr
    assert forward_table(done.stdout)["x"] == ("input", "2", "12")
    assert not marker.exists()


def test_cli_defaults_and_lists(tmp_path):
    path = tmp_path / "scaled.py"
    path.write_text("import numpy as np\n\ndef f(x, k=3):\n    return np.tanh(k * x)\n")
    table = forward_table(run_cli(f"{path}:f", "--at", "x=0").stdout)
    assert table["k"] == ("input", "3", "0") and table["x"] == ("input", "0", "3")
    done = run_cli(f"{path}:f", "--at", "x=[0, 1, 2, 3, 4, 5, 6]", "k=0.5")
    assert done.returncode == 0, done.stderr
    assert forward_table(done.stdout)["x"][1] == "array 7 float64: min 0, mean 3, max 6"


@pytest.mark.parametrize("at,message", [
    (["x=-2", "y=5"], "no value for z"),
    (["x=-2", "y=5", "z=abc"], "'abc' is not a number"),
    (["x=-2", "y=5", "z=1", "v=3"], "f has no parameter 'v' (its parameters: x, y, z)"),
    (["x=-2", "y=5", "z"], "expected NAME=VALUE"),
])
def test_cli_bad_values_are_one_line_errors(at, message):
    done = run_cli("samples/mul_add.py:f", "--at", *at)
    assert done.returncode == 2
    assert done.stdout == "" and len(done.stderr.strip().splitlines()) == 1
    assert message in done.stderr and "error:" in done.stderr


def test_cli_non_literal_constant_is_refused(tmp_path):
    path = tmp_path / "computed.py"
    path.write_text("import math\nK = math.sqrt(2.0)\n\ndef f(x):\n    return K * x\n")
    done = run_cli(f"{path}:f", "--at", "x=1")
    assert done.returncode == 2 and "'K' is not a literal" in done.stderr
