"""The rewrites that make the text a gradient of numbers alone runs as tight as hand-written code.

``emit.runs.shared_adjoint_names`` (versions of one name share an adjoint name), ``emit.fusion``
across lines (the user's names made by operations that never raise), ``emit.folding``
(``grad_x = a; grad_x += b`` as one statement, parameters' adjoints written into the return).
Each is tested on the records it rewrites, where it must refuse, and on random straight-line
programs whose text that runs must give what the generic text gives, for every kind of number.
"""
import ast
import importlib.util
import math
import os
import random

import numpy as np
import pytest
from conftest import load_sample
from gradcheck import numeric_grad

import srcdiff
from srcdiff.emit.folding import merged_accumulations, never_raises, reciprocals_reused, returned_in_place
from srcdiff.emit.fusion import MOST_FUSED
from srcdiff.emit.runs import adjoint_reads, shared_adjoint_names
from srcdiff.frontend import generic_of
from srcdiff.ir import Assign, Const, Var
from srcdiff.transforms import Accumulate
from srcdiff.transforms.records import Tokens

pytestmark = pytest.mark.skipif(os.environ.get("SRCDIFF_GENERIC") == "1", reason="the generic code runs")


def records_of(tokens, *writes):
    """Accumulate records from ``(var, text, first)``: ``text`` reads adjoints as ``g(v)``."""
    made = []
    for var, text, first in writes:
        for name, other in VARS.items():
            text = text.replace(f"g({name})", tokens.adjoint(other)).replace(f"v({name})", tokens.value(other))
        made.append(Accumulate(var, ast.parse(text, mode="eval").body, first))
    return made


def shared(records, tokens, copied, ends):
    return shared_adjoint_names(records, adjoint_reads(records, tokens, copied), copied, NAMES, ends)


def in_return(records, tokens, wrt, names):
    return returned_in_place(records, adjoint_reads(records, tokens, {}), {}, wrt, names)


S, S1, S2, X, X1, T = Var("s", True), Var("s", True), Var("s", True), Var("x", True), Var("x", True), Var("t")
VARS = {"s1": S1, "s2": S2, "s": S, "x1": X1, "x": X, "t": T}  # longer names first: g(s1) before g(s)
NAMES = {S: "grad_s", S1: "grad_s_1", S2: "grad_s_2", X: "grad_x", X1: "grad_x_1", T: "grad_t"}


def test_versions_whose_lives_do_not_overlap_share_the_shortest_name():
    tokens = Tokens()
    records = records_of(tokens, (S2, "1.0", True), (S1, "g(s2) * 2.0", True), (S, "g(s1) * 3.0", True),
                         (X, "g(s) * 0.5", True))
    assert shared(records, tokens, {}, {X}) == {S2: "grad_s", S1: "grad_s", S: "grad_s"}


def test_a_version_still_read_keeps_its_name():
    tokens = Tokens()
    records = records_of(tokens, (S2, "1.0", True), (S1, "g(s2) * 2.0", True), (S, "g(s1) * 3.0", True),
                         (X, "g(s) * g(s2)", True))  # s_2's adjoint is read after s_1's and s's are made
    assert shared(records, tokens, {}, {X}) == {S1: "grad_s", S: "grad_s"}
    # a copy's reader reads what it copied: reading t reads s_2
    records = records_of(tokens, (S2, "1.0", True), (S1, "g(s2) * 2.0", True), (X, "g(t) + g(s1)", True))
    assert shared(records, tokens, {T: S2}, {X}) == {}
    # the return reads a parameter's gradient that copies x_1's adjoint: x_1's is alive to the end
    records = records_of(tokens, (X1, "1.0", True), (X, "g(x1) * 2.0", True))
    assert shared(records, tokens, {T: X1}, {X, T}) == {}
    assert shared(records, tokens, {}, {X}) == {X1: "grad_x", X: "grad_x"}


def test_other_names_and_adjoints_made_by_adding_share_nothing():
    tokens = Tokens()
    records = records_of(tokens, (S1, "1.0", True), (T, "g(s1) * 2.0", True), (S, "g(t) * 3.0", False),
                         (X, "g(s) * 0.5", True))
    assert shared(records, tokens, {}, {X}) == {}  # t is another name; s added to
    records = records_of(tokens, (X, "1.0", True), (X1, "g(x) * 2.0", True), (S, "g(x1) * 3.0", True))
    assert shared(records, tokens, {}, {X}) == {}  # x is returned: alive to the end


def test_an_addition_that_never_raises_is_merged_into_the_first_write():
    tokens = Tokens()
    records = records_of(tokens, (X, "g(s) * 2.0", True), (X, "-g(t)", False), (S1, "g(x) + 1.0", True))
    merged = merged_accumulations(records, tokens, {})
    assert len(merged) == 2 and ast.unparse(merged[0].expr) == f"{tokens.adjoint(S)} * 2.0 - {tokens.adjoint(T)}"
    for kept in ((X, "g(s) / g(t)", False), (X, "g(x) * 2.0", False), (X, "math.cos(g(t))", False)):
        records = records_of(tokens, (X, "g(s) * 2.0", True), kept)  # raises, reads itself, calls
        assert merged_accumulations(records, tokens, {}) is records
    records = records_of(tokens, (X, "g(s) * 2.0", True), (S1, "1.0", True), (X, "g(t)", False))
    assert merged_accumulations(records, tokens, {}) is records  # not next to each other
    records = records_of(tokens, (X, "1.0", True), *[(X, f"{i}.0 * g(s)", False) for i in range(100)])
    merged = merged_accumulations(records, tokens, {})  # a sum of 100 terms: in parts, no deep expression
    assert len(merged) == len(records) - MOST_FUSED // 2  # "+ i.0 * g(s)": two operations a term
    assert all(sum(isinstance(n, ast.BinOp) for n in ast.walk(r.expr)) <= MOST_FUSED for r in merged)


def test_the_return_takes_a_parameters_adjoint_only_where_nothing_it_reads_is_written_after():
    tokens = Tokens()
    records = records_of(tokens, (S1, "1.0", True), (X, "g(s1) * 2.0", True), (S, "g(s1) * 3.0", True))
    kept, returned = in_return(records, tokens, {X}, NAMES)
    assert kept == [records[0], records[2]] and list(returned) == [X]
    renamed = {**NAMES, S: "grad_s", S1: "grad_s"}  # s_1 and s share a name, rebound after x's write
    kept, returned = in_return(records, tokens, {X}, renamed)
    assert kept == records and returned == {}
    for write in ((X, "g(s1) / 2.0", True), (X, "g(s1) * g(s1) * g(s1) * g(s1) * g(s1) * g(s1) * g(s1) * 2.0", True)):
        records = records_of(tokens, (S1, "1.0", True), write)  # may raise; too long for a return
        assert in_return(records, tokens, {X}, NAMES)[1] == {}
    records = records_of(tokens, (X, "g(s1) * 2.0", True), (X, "g(s1)", False))
    assert in_return(records, tokens, {X}, NAMES)[1] == {}  # written twice


def test_a_division_by_a_value_whose_reciprocal_has_a_name_multiplies_by_it():
    tokens = Tokens()
    records = records_of(tokens, (X, "g(s) / v(t)", True), (T, "1.0 / v(t)", True), (S1, "-v(s) / v(t) * 2.0", True))
    rewritten = reciprocals_reused(records, [], tokens, set())
    assert rewritten[:2] == records[:2]  # before the reciprocal is written: still a division
    assert ast.unparse(rewritten[2].expr) == f"-{tokens.value(S)} * {tokens.adjoint(T)} * 2.0"
    records = records + records_of(tokens, (T, "g(s)", False))  # written twice: it is not 1.0 / t after all
    assert reciprocals_reused(records, [], tokens, set()) is records


def test_a_division_by_a_forward_reciprocal_multiplies_by_it_and_nothing_else_is_rewritten():
    tokens, u, r = Tokens(), Var("u", True), Var("r", True)
    reciprocal = tokens.value(r)  # r = 1.0 / u, a value with a name
    body = [Assign(r, "/", (Const(1.0), u), ())]
    records = [Accumulate(X, ast.parse(f"{tokens.adjoint(S)} / {tokens.value(u)}", mode="eval").body, True),
               Accumulate(S, ast.parse(f"{tokens.adjoint(S)} / {tokens.value(X)}", mode="eval").body, True)]
    rewritten = reciprocals_reused(records, body, tokens, {r})
    assert ast.unparse(rewritten[0].expr) == f"{tokens.adjoint(S)} * {reciprocal}"
    assert rewritten[1] is records[1]
    assert reciprocals_reused(records, body, tokens, set()) is records  # r not computed: no name to read
    assert reciprocals_reused(records, [], tokens, {r}) is records  # no reciprocal anywhere


def test_what_never_raises():
    assert never_raises(ast.parse("-a * 2.0 + b - 3", mode="eval").body)
    for text in ("a / b", "a ** 2", "math.exp(a)", "a[0]", "a * 'x'", "a @ b", "a * True"):
        assert not never_raises(ast.parse(text, mode="eval").body)


def chain(x, a, b):
    s = math.sin(x) * a + b
    s = math.sin(s) * a + b
    s = math.sin(s) * a + b
    return s


neuron = load_sample("neuron").neuron


def divided(x, y):
    a = x * y
    b = a / y  # divides: written on its own line, where a zero raises
    c = b + x
    return math.exp(c)


def test_the_tight_texts_read_as_a_person_writes_them():
    runs = srcdiff.grad(chain).source_for(0.5, 0.9, 0.1)
    assert "grad_s = grad_s * a * math.cos(s)" in runs and "grad_s_1" not in runs
    runs = srcdiff.grad(neuron).source_for(2.0, -1.0, -3.0, -2.0, -3.0)
    assert "math.exp(-(w0 * x0 + w1 * x1 + w2))" in runs and "s0 =" not in runs
    assert "return (grad_s3 * x0, grad_s3 * w0, grad_s3 * x1, grad_s3 * w1, grad_s3)" in runs
    runs = srcdiff.grad(divided).source_for(1.0, 2.0)
    assert "b = x * y / y" in runs and "math.exp(b + x)" in runs
    with pytest.raises(ZeroDivisionError):
        srcdiff.grad(divided)(1.0, 0.0)


# ---------------------------------------------------------------- random straight-line programs

FORMS = ["{a} * {b}", "{a} + {b}", "{a} - {b}", "-{a}", "math.sin({a}) * {b}", "math.cos({a} + {b})",
         "{a} * {b} + {a}", "math.sqrt({a} * {a} + 1.0)", "{a} / (1.5 + {b} * {b})", "2 * {a} - {b}",
         "math.tanh({a}) * 3", "{a} * {a}", "{a} ** 2 - {b}", "1.0 / (1.0 + math.exp(-{a}))",
         "1 / (2.0 + {a} * {b}) + {a}", "{a} / {b}"]


def random_program(rng, index):
    """A function of x, y, z rebinding a few names (the parameters too), each line one form."""
    defined, lines = ["x", "y", "z"], []
    for _ in range(rng.randint(3, 12)):
        target = rng.choice(["s", "t", "u", "x", "y"])
        lines.append(f"    {target} = " + rng.choice(FORMS).format(a=rng.choice(defined), b=rng.choice(defined)))
        defined.append(target)
    ending = rng.choice(["{a} * {b}", "{a} + {b}", "math.exp({a} * 0.1) * {b}", "math.tanh({a} + {b})",
                         "{a} / {b}", "{a} / (1.0 + {b} * {b})"])
    lines.append("    return " + ending.format(a=defined[-1], b=rng.choice(defined)))
    return f"def program{index}(x, y, z):\n" + "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def programs(tmp_path_factory):
    rng = random.Random(13)
    path = tmp_path_factory.mktemp("runs") / "programs.py"
    path.write_text("import math\n\n\n" + "\n\n".join(random_program(rng, i) for i in range(300)))
    spec = importlib.util.spec_from_file_location("runs_programs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [getattr(module, f"program{i}") for i in range(300)]


def test_random_programs_run_what_the_generic_code_gives(programs):
    tightened = 0
    for fn in programs:
        g = srcdiff.grad(fn)
        generic = generic_of(g)
        tightened += g.source_for(0.3, -0.7, 1.1) != g.source
        for args in ((0.3, -0.7, 1.1), (1, 2, -1), (True, False, True), tuple(np.float32(a) for a in (0.3, -0.7, 1.1)),
                     tuple(np.float64(a) for a in (0.3, -0.7, 1.1)), (0.0, 0.0, 0.0)):
            try:
                want = generic(*args)
            except (ValueError, ZeroDivisionError, OverflowError, srcdiff.SrcdiffError) as err:
                with pytest.raises(type(err)):
                    g(*args)
                continue
            got = g(*args)
            # the same kind of number, but for a float where the generic code's int literals made an int
            assert all(type(a) is type(b) or (type(a), type(b)) == (float, int) for a, b in zip(got, want)), \
                (fn.__name__, args, got, want)
            # e * (1.0 / u) for e / u: a rounding apart, which a difference of near terms may show as 1e-16 for 0.0
            rounding = 1e-5 if type(args[0]) is np.float32 else 1e-12
            assert np.allclose(got, want, rtol=rounding, atol=rounding, equal_nan=True), (fn.__name__, args, got, want)
        try:
            got = g(0.3, -0.7, 1.1)
            wants = [numeric_grad(fn, [0.3, -0.7, 1.1], i) for i in range(3)]
        except (ValueError, ZeroDivisionError, OverflowError):  # a point where it is not defined
            continue
        assert got == pytest.approx(wants, rel=1e-5, abs=1e-6), fn.__name__
    assert tightened > 0.9 * len(programs)  # a few have nothing to make tight
