"""Long functions with control flow build, and their gradients are right (issue 13, "building
fast and linear").

The copies a structured backward sweep leaves (``grad_s3 = grad_s``) are propagated in one
pass (``transforms.propagation``); rewriting the rest of the block for each copy made a
chain of a few thousand operations after an ``if`` take seconds to build.  These build
chains of a few hundred operations next to branches and loops and check the gradients
against central differences on both sides of each branch.  No timings here: the build's
speed is measured by benchmarks/bench_codegen.py.
"""
import pytest

import srcdiff
from conftest import import_text
from gradcheck import check_grad

STEPS = 100  # three operations a step: 300 operations
CHAIN = "s = math.sin(s) * a + b"


def _module(tmp_path, body):
    lines = ["import math", "", "", "def chain(x, a, b):", "    s = x"] + [f"    {line}" for line in body]
    return import_text(tmp_path, "\n".join(lines + ["    return s", ""]))


LAYOUTS = {
    "after an if": ["if x > 0:", "    s = s * 2.0"] + [CHAIN] * STEPS,
    "inside an if": ["if x > 0:"] + [f"    {CHAIN}"] * STEPS + ["else:", "    s = s * b"],
    "before and after an if": [CHAIN] * (STEPS // 2) + ["if s > 0.5:", "    s = s * a"] + [CHAIN] * (STEPS // 2),
    "in a loop's body": ["for _ in range(3):"] + [f"    {CHAIN}"] * (STEPS // 2) + [CHAIN] * (STEPS // 2),
    "ifs between": [line for _ in range(STEPS // 4) for line in
                    (CHAIN, "if s > 0.2:", "    s = s + a", "else:", "    s = s * a")],
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("x", [0.7, -0.4])
def test_long_chain_with_branches_matches_finite_differences(tmp_path, layout, x):
    chain = _module(tmp_path, LAYOUTS[layout]).chain
    check_grad(chain, x, 0.9, 0.3, rtol=1e-5, atol=1e-7)


def test_long_chain_after_an_if_has_no_copies_left(tmp_path):
    """Each step's adjoint copies are gone: four lines a step (``grad_b``, ``grad_a``, the
    product's adjoint and the next ``grad_s``); the parameter's own adjoint alone is a copy."""
    source = srcdiff.grad(_module(tmp_path, LAYOUTS["after an if"]).chain).source
    backward = source.split("# backward")[1].split("return")[0].splitlines()[1:]
    copies = [line.strip() for line in backward if " = grad_" in line and line.split(" = ")[1].isidentifier()]
    assert copies == ["grad_x = grad_s"]
    assert sum("math.cos(" in line for line in backward) == STEPS
    assert len(backward) <= 4 * STEPS + 5
