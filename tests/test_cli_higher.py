"""The command line's second-order and forward-mode code (--hvp, --jvp), through a subprocess."""
import subprocess
import sys

import pytest

from conftest import ROOT, check_golden

CASES = {
    "exercise.hvp_forward": ["samples/exercise.py:exercise", "--hvp", "--wrt", "x"],
    "exercise.hvp_reverse": ["samples/exercise.py:exercise", "--hvp", "--mode", "reverse"],
    "neuron.jvp": ["samples/neuron.py", "--jvp", "--wrt", "w0,x0"],
    "loop_range.hvp": ["samples/loop_range.py", "--hvp"],
    "loop_range.jvp": ["samples/loop_range.py", "--jvp", "--wrt", "x"],
    "branches.hvp": ["samples/branches.py", "--hvp"],
}


def run_cli(*args):
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize("name", sorted(CASES))
def test_printed_code_is_golden_and_runs(name, update_golden):
    out = run_cli(*CASES[name])
    assert out.returncode == 0, out.stderr
    check_golden(f"cli.{name}", out.stdout, update_golden)
    compile(out.stdout, name, "exec")


def test_hvp_with_two_parameters_is_one_line_error():
    out = run_cli("samples/exercise.py:exercise", "--hvp", "--wrt", "x,y")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1
    assert "error: hvp takes one parameter" in out.stderr


def test_printed_hvp_matches_the_api():
    import math
    import srcdiff
    from conftest import load_sample
    namespace = {"math": math}
    exec(run_cli("samples/exercise.py:exercise", "--hvp", "--wrt", "y").stdout, namespace)
    exercise = load_sample("exercise").exercise
    for mode in ("forward", "reverse"):
        expected = srcdiff.hvp(exercise, wrt="y", mode=mode)(0.3, -0.7, 1.5)
        assert namespace["hvp_exercise"](0.3, -0.7, 1.5) == pytest.approx(expected, rel=1e-12)
