"""The command line, run as a user runs it: ``python cli.py ...`` in a subprocess.

It prints the generated code (the same text as the Python API), honours --wrt, --ssa,
--value and --comments, finds the only function of a file, never executes the file, and
reports every error as one line ``FILE:LINE:COL: error: MESSAGE`` on stderr with exit
status 2.
"""
import os
import re
import subprocess
import sys
import textwrap

import pytest

import srcdiff
from conftest import ROOT, SAMPLES, load_sample, run_cli

ERROR_LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): error: (?P<message>.+)$")


def assert_error(result, path, line, col, pattern):
    assert result.returncode == 2, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    match = ERROR_LINE.match(lines[0])
    assert match, lines[0]
    assert (match["file"], int(match["line"]), int(match["col"])) == (str(path), line, col), lines[0]
    assert re.search(pattern, match["message"]), lines[0]


def write(tmp_path, text, name="user_code.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


# ---------------------------------------------------------------- printing

@pytest.mark.parametrize("sample,func", [("mul_add", "f"), ("neuron_gate", "neuron"), ("chain", "chain")])
def test_prints_the_same_code_as_the_python_api(sample, func):
    result = run_cli(f"samples/{sample}.py:{func}")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout == srcdiff.grad(getattr(load_sample(sample), func)).source


def test_function_may_be_left_out_when_the_file_has_one():
    with_name = run_cli(SAMPLES / "norm2.py:norm2")
    without = run_cli(SAMPLES / "norm2.py")
    assert without.returncode == 0 and without.stdout == with_name.stdout
    assert without.stdout.startswith("def grad_norm2(")


def test_wrt_picks_parameters():
    both = run_cli("samples/mul_add.py:f", "--wrt", "x,z")
    assert both.returncode == 0
    assert "def grad_f(x, y, z):" in both.stdout and both.stdout.rstrip().endswith("return (grad_x, grad_z)")
    one = run_cli("samples/mul_add.py:f", "--wrt", "z")
    assert one.stdout.rstrip().endswith("return grad_z")
    assert one.stdout == srcdiff.grad(load_sample("mul_add").f, wrt="z").source


def test_ssa_prints_three_address_code():
    result = run_cli("samples/exercise.py:exercise", "--ssa")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "def exercise(x, y):" and lines[-1].startswith("    return ")
    for line in lines[1:-1]:  # one operation per line: name = operand op operand, or a call
        target, _, value = line.strip().partition(" = ")
        assert target.isidentifier() and value, line
        assert value.count("(") <= 1 and value.count(" + ") + value.count(" * ") + value.count(" / ") <= 1, line


def test_value_and_comments(tmp_path):
    value = run_cli("samples/mul_add.py:f", "--value")
    assert value.stdout.startswith("def value_and_grad_f(x, y, z):")
    assert value.stdout == srcdiff.value_and_grad(load_sample("mul_add").f).source
    path = write(tmp_path, """
        import math

        def f(x, y):
            a = x * y + x * math.sin(y)
            return a * a + y
    """)
    commented = run_cli(path, "--comments")
    assert commented.returncode == 0
    comments = [line.strip() for line in commented.stdout.splitlines() if line.strip().startswith("# grad of:")]
    assert comments == ["# grad of: return a * a + y", "# grad of: a = x * y + x * math.sin(y)"]


def test_sibling_module_and_constants_are_read_statically(tmp_path):
    write(tmp_path, """
        import math
        SCALE = 3.0

        def gate(t):
            return 1.0 / (1.0 + math.exp(-t)) * SCALE
    """, "gates_here.py")
    path = write(tmp_path, """
        import gates_here
        from gates_here import gate
        from math import exp as e
        OFFSET = 0.5

        def f(x, y):
            return gate(x) * gates_here.gate(y) + e(x) * OFFSET
    """)
    result = run_cli(path)
    assert result.returncode == 0, result.stderr
    assert "SCALE" in result.stdout and "OFFSET" in result.stdout


def test_encoding_declared_in_the_file(tmp_path):
    path = tmp_path / "latin.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\ndef f(x):\n    \"\"\"caf\xe9\"\"\"\n    return x * x\n")
    result = run_cli(path)
    assert result.returncode == 0, result.stderr
    assert "grad_x" in result.stdout


# ---------------------------------------------------------------- never executes the file

def test_file_is_never_executed(tmp_path):
    marker = tmp_path / "ran.txt"
    path = write(tmp_path, f"""
        import math
        open({str(marker)!r}, "w").write("executed")
        raise SystemExit("this file must not run")

        def f(x):
            return math.sin(x) * x
    """)
    result = run_cli(path)
    assert result.returncode == 0, result.stderr
    assert "def grad_f(x):" in result.stdout
    assert not marker.exists()
    ssa = run_cli(path, "--ssa")
    assert ssa.returncode == 0 and not marker.exists()


def test_imported_sibling_is_never_executed(tmp_path):
    marker = tmp_path / "ran.txt"
    write(tmp_path, f"""
        open({str(marker)!r}, "w").write("executed")

        def helper(t):
            return t * t
    """, "noisy.py")
    path = write(tmp_path, "from noisy import helper\n\ndef f(x):\n    return helper(x) + x\n")
    result = run_cli(path)
    assert result.returncode == 0, result.stderr
    assert not marker.exists()


# ---------------------------------------------------------------- errors: one line, exit 2

def test_unsupported_construct(tmp_path):
    path = write(tmp_path, "def f(x):\n    try:\n        y = x\n    finally:\n        pass\n    return y\n")
    assert_error(run_cli(path), path, 2, 5, "'try' statements are not supported")


def test_syntax_error(tmp_path):
    path = write(tmp_path, "def f(x):\n    return x *\n")
    assert_error(run_cli(path), path, 2, 15, "cannot parse")


def test_missing_file(tmp_path):
    path = tmp_path / "absent.py"
    assert_error(run_cli(path), path, 1, 1, "cannot read")


def test_unknown_function_name():
    assert_error(run_cli("samples/mul_add.py:nope"), "samples/mul_add.py", 1, 1, "defines no function 'nope'")


def test_several_functions_need_a_name(tmp_path):
    path = write(tmp_path, "def f(x):\n    return x\n\ndef g(x):\n    return x\n")
    assert_error(run_cli(path), path, 1, 1, "defines 2 functions")


def test_bad_wrt():
    assert_error(run_cli("samples/mul_add.py:f", "--wrt", "x,w"), "samples/mul_add.py", 4, 1, "no parameter named 'w'")


def test_unknown_call_needing_a_gradient(tmp_path):
    path = write(tmp_path, "import math\n\ndef f(x):\n    y = x * 2.0\n    return math.nextafter(y, 0.0)\n")
    assert_error(run_cli(path), path, 5, 12, "no gradient rule for 'math.nextafter'")


def test_module_srcdiff_cannot_read(tmp_path):
    path = write(tmp_path, "import random\n\ndef f(x):\n    return random.gauss(x, 1.0)\n")
    assert_error(run_cli(path), path, 4, 12, "imported from module 'random'")


def test_undecodable_file(tmp_path):
    path = tmp_path / "bad_bytes.py"
    path.write_bytes(b"def f(x):\n    \"\"\"caf\xe9\"\"\"\n    return x\n")
    assert_error(run_cli(path), path, 1, 1, "cannot decode")


def test_error_in_a_sibling_module_names_that_file(tmp_path):
    sibling = write(tmp_path, "def helper(t):\n    return {t}\n", "sib.py")
    path = write(tmp_path, "from sib import helper\n\ndef f(x):\n    return helper(x)\n")
    result = run_cli(path)
    assert result.returncode == 2
    match = ERROR_LINE.match(result.stderr.strip())
    assert match and match["file"].endswith("sib.py") and int(match["line"]) == 2, (result.stderr, sibling)


def test_output_does_not_depend_on_hash_seeds(tmp_path):
    path = write(tmp_path, """
        import math
        from math import exp
        K = 0.5

        def helper(t, u=2.0):
            v = t * u
            return exp(-v) + max(t, u, K)

        def f(a, b, c):
            s0 = helper(a) * helper(b, u=c)
            grad_a = s0 + abs(a - b) * math.hypot(b, c)
            rt = grad_a * s0 + min(a, c) ** 2
            rt += c % 1.5 + (a > b) * c
            return rt * K + math.atan2(a, c)
    """)
    outputs = set()
    for seed in ("0", "1", "12345"):
        for flags in ((), ("--value",), ("--ssa",)):
            result = subprocess.run([sys.executable, str(ROOT / "cli.py"), f"{path}:f", *flags], cwd=ROOT,
                                    capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONHASHSEED": seed})
            assert result.returncode == 0, result.stderr
            outputs.add((flags, result.stdout))
    assert len(outputs) == 3


def test_module_level_constants_the_text_cannot_pin(tmp_path):
    path = write(tmp_path, """
        A, B = 1.5, 0.5
        K = 1.0
        K *= 3.0
        if A > 1.0:
            M = 2.0
        else:
            M = 4.0
        G = 1.0

        def setup():
            global G
            G = 3.0

        def f(x):
            return A * x + B

        def g(x):
            return K * x

        def h(x):
            return M * x

        def k(x):
            return G * x
    """)
    assert run_cli(f"{path}:f").returncode == 0
    explained = run_cli(f"{path}:f", "--at", "x=2")
    assert explained.returncode == 0 and "f(x=2) = 3.5" in explained.stdout
    # K and M have values only running the file would give: refused, never a wrong number
    assert_error(run_cli(f"{path}:g", "--at", "x=2"), path, 18, 1, "'K' is not a literal")
    assert_error(run_cli(f"{path}:h", "--at", "x=2"), path, 21, 1, "'M' is not a literal")
    assert_error(run_cli(f"{path}:k", "--at", "x=2"), path, 24, 1, "'G' is not a literal")
    assert run_cli(f"{path}:g").returncode == 0  # printing the code needs no value


def test_star_import_of_math(tmp_path):
    path = write(tmp_path, "from math import *\n\ndef f(x):\n    return sin(x) * pi + exp(x)\n", "star_user.py")
    result = run_cli(path)
    assert result.returncode == 0, result.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        import star_user
    finally:
        sys.path.remove(str(tmp_path))
    # the same code, up to how the constant is spelled: math.pi (read from the text) or pi (the live value)
    assert result.stdout.replace("math.pi", "pi") == srcdiff.grad(star_user.f).source.replace("math.pi", "pi")


def test_names_bound_to_other_names(tmp_path):
    path = write(tmp_path, """
        import math
        def sq(t):
            return t * t
        square = sq
        m = math
        def f(x):
            return square(x) + m.sin(x)
    """, "aliases_user.py")
    result = run_cli(f"{path}:f")
    assert result.returncode == 0, result.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        import aliases_user
    finally:
        sys.path.remove(str(tmp_path))
    assert result.stdout == srcdiff.grad(aliases_user.f).source
