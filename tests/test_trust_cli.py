"""Issue 11, the command line (item 12 and the command-line items), check_grad's types, and
the README's printed outputs.

The command line runs as a user runs it, ``python cli.py ...`` in a subprocess; every error
is one line ``FILE:LINE:COL: error: MESSAGE`` on stderr with exit status 2, never a
traceback, and conflicting options are refused instead of one silently winning.

Each reported case comes with its family: a name rebound after its def, aliases and
gradients made of an earlier def; every conflicting pair of options; whole numbers for
loop counts and indices; every picture format; constants handed on by loops and branches.
"""
import importlib.util
import re
import shutil
import textwrap

import numpy as np
import pytest

import srcdiff
from conftest import ROOT, SAMPLES, load_sample, run_cli
from srcdiff.testing import check_grad

ERROR_LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): error: (?P<message>.+)$")


def assert_one_error_line(result):
    assert result.returncode == 2, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and ERROR_LINE.match(lines[0]), result.stderr
    assert "Traceback" not in result.stderr
    return ERROR_LINE.match(lines[0])


def write(tmp_path, text, name="user_code.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def load(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- item 12: the last definition wins

def test_two_definitions_of_the_target(tmp_path):
    path = write(tmp_path, """
        def f(x):
            return 2.0 * x

        def f(x):
            return 3.0 * x * x
    """)
    result = run_cli(f"{path}:f")
    assert result.returncode == 0, result.stderr
    assert result.stdout == srcdiff.grad(load(path).f).source  # Python's f is the last one


def test_two_definitions_of_the_only_function_name(tmp_path):
    path = write(tmp_path, """
        def f(x):
            return 2.0 * x

        def f(x):
            return 3.0 * x * x
    """)
    result = run_cli(path)  # today: "defines 2 functions; name one"
    assert result.returncode == 0, result.stderr
    assert result.stdout == srcdiff.grad(load(path).f).source


def test_two_definitions_of_a_helper(tmp_path):
    path = write(tmp_path, """
        def helper(x):
            return 2.0 * x

        def helper(x):
            return 3.0 * x * x

        def f(x):
            return helper(x)
    """)
    result = run_cli(f"{path}:f")
    assert result.returncode == 0, result.stderr
    assert result.stdout == srcdiff.grad(load(path).f).source


def test_a_name_rebound_after_its_def_is_no_function(tmp_path):
    path = write(tmp_path, """
        def f(x):
            return 2.0 * x

        f = 3.0

        def g(x):
            return x * x
    """)
    match = assert_one_error_line(run_cli(f"{path}:f"))
    assert int(match["line"]) == 2 and "rebound" in match["message"]
    only = run_cli(path)  # g is the file's one function now
    assert only.returncode == 0, only.stderr
    assert only.stdout == srcdiff.grad(load(path).g).source


def test_a_helper_rebound_to_a_number_is_not_inlined(tmp_path):
    path = write(tmp_path, """
        def helper(x):
            return 2.0 * x

        helper = 3.0

        def f(x):
            return helper(x)
    """)
    assert_one_error_line(run_cli(f"{path}:f"))  # Python: 'float' object is not callable


def test_an_alias_keeps_the_def_it_was_bound_to(tmp_path):
    path = write(tmp_path, """
        def f(x):
            return 2.0 * x * x

        g = f

        def f(x):
            return 3.0 * x * x * x
    """)
    module = load(path)
    for name in ("f", "g"):
        result = run_cli(f"{path}:{name}")
        assert result.returncode == 0, result.stderr
        assert result.stdout == srcdiff.grad(getattr(module, name)).source
    only = run_cli(path)  # one function defined by def: the last f (g is the first under another name)
    assert only.returncode == 0 and only.stdout == srcdiff.grad(module.f).source


def test_a_gradient_made_before_a_redefinition_keeps_the_earlier_def(tmp_path):
    path = write(tmp_path, """
        import srcdiff

        def loss(w):
            return w * w

        grad_loss = srcdiff.grad(loss)

        def loss(w):
            return w * w * w

        def penalty(w):
            return grad_loss(w) * grad_loss(w)
    """)
    result = run_cli(f"{path}:penalty")
    assert result.returncode == 0, result.stderr
    assert result.stdout == srcdiff.grad(load(path).penalty).source


def test_several_definitions_are_listed_once(tmp_path):
    path = write(tmp_path, """
        def f(x):
            return x

        def g(x):
            return x

        def f(x):
            return 2.0 * x
    """)
    match = assert_one_error_line(run_cli(path))
    assert "defines 2 functions: g, f;" in match["message"], match["message"]


# ---------------------------------------------------------------- --at

LOOP = """
    def f(x, n):
        for i in range(n):
            x = x * 0.5
        return x
"""


def test_at_with_a_float_loop_count(tmp_path):
    path = write(tmp_path, LOOP)
    match = assert_one_error_line(run_cli(f"{path}:f", "--at", "x=0.7", "n=2.5"))
    assert "n" in match["message"]


def test_at_before_the_target(tmp_path):
    path = write(tmp_path, LOOP)
    before = run_cli("--at", "x=1", "n=2", f"{path}:f")
    after = run_cli(f"{path}:f", "--at", "x=1", "n=2")
    assert after.returncode == 0, after.stderr
    assert before.returncode == 0, before.stderr
    assert before.stdout == after.stdout


INDEXING = """
    import numpy as np

    def f(x, i):
        return np.sum(x[i])
"""


@pytest.mark.parametrize("options", [
    pytest.param(["--jvp", "--ssa"], id="--jvp --ssa"),
    pytest.param(["--hvp", "--jvp"], id="--hvp --jvp"),
    pytest.param(["--mode", "reverse"], id="--mode without --hvp"),
    pytest.param(["--wrt", "x", "--at", "x=1", "n=2"], id="--wrt with --at"),
    pytest.param(["--at", "x=1", "x=2", "n=2"], id="a repeated --at name"),
    pytest.param(["--value", "--hvp"], id="--value --hvp"),
])
def test_conflicting_options_are_refused(tmp_path, options):
    path = write(tmp_path, LOOP)
    assert_one_error_line(run_cli(f"{path}:f", *options))


def test_a_float_list_for_an_index_is_refused(tmp_path):
    path = write(tmp_path, INDEXING)
    result = run_cli(f"{path}:f", "--at", "x=[1.0,2.0]", "i=[0.5,1.5]")  # today: truncated to [0, 1]
    assert_one_error_line(result)


def test_an_int_list_for_an_index_is_accepted(tmp_path):
    path = write(tmp_path, INDEXING)
    result = run_cli(f"{path}:f", "--at", "x=[1.0,2.0]", "i=[1,1]")
    assert result.returncode == 0, result.stderr


def test_graph_to_a_pdf_is_a_pdf_or_refused(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    path = write(tmp_path, LOOP)
    picture = tmp_path / "f.pdf"
    result = run_cli(f"{path}:f", "--at", "x=1", "n=2", "--graph", picture)
    if result.returncode == 0:
        assert picture.read_bytes().startswith(b"%PDF")
    else:
        assert result.returncode == 2 and "Traceback" not in result.stderr and not picture.exists()


def test_graph_of_a_loop_with_a_constant_start(tmp_path):
    path = write(tmp_path, """
        def f(x, n):
            s = 0.0
            for i in range(n):
                s = s + x * x
            return s
    """)
    result = run_cli(f"{path}:f", "--at", "x=1.5", "n=2", "--graph", tmp_path / "f.dot")
    assert result.returncode == 0, result.stderr
    assert "digraph" in (tmp_path / "f.dot").read_text()


def test_defines_several_functions_lists_them(tmp_path):
    path = write(tmp_path, "".join(f"def g{i}(x):\n    return x * {i}.0\n\n" for i in range(15)))
    match = assert_one_error_line(run_cli(path))
    assert "15 functions" in match["message"]
    assert all(f"g{i}" in match["message"] for i in range(15)), match["message"]


# ---------------------------------------------------------------- the same families, further

@pytest.mark.parametrize("value", ["2.5", "nan", "inf", "-1.5", "[1,2]"])
def test_a_loop_count_that_is_not_a_whole_number_is_refused_at_the_loop(tmp_path, value):
    path = write(tmp_path, LOOP)
    match = assert_one_error_line(run_cli(f"{path}:f", "--at", "x=0.7", f"n={value}"))
    assert int(match["line"]) == 3, match["message"]  # for i in range(n):


def test_a_whole_float_loop_count_is_a_count(tmp_path):
    path = write(tmp_path, LOOP)
    as_float = run_cli(f"{path}:f", "--at", "x=0.7", "n=2.0")
    assert as_float.returncode == 0, as_float.stderr
    assert as_float.stdout == run_cli(f"{path}:f", "--at", "x=0.7", "n=2").stdout
    assert as_float.stdout == str(srcdiff.explain(load(path).f, 0.7, 2))


def test_a_loop_count_computed_from_a_float_is_refused_at_the_loop(tmp_path):
    path = write(tmp_path, """
        def f(x, n):
            m = n / 2
            for i in range(m):
                x = x * 0.5
            return x
    """)
    match = assert_one_error_line(run_cli(f"{path}:f", "--at", "x=0.7", "n=5"))  # range(2.5)
    assert int(match["line"]) == 4 and "TypeError" in match["message"], match["message"]


def test_an_int_for_an_index_is_an_int(tmp_path):
    path = write(tmp_path, INDEXING)
    result = run_cli(f"{path}:f", "--at", "x=[1.0,2.0]", "i=1")
    assert result.returncode == 0, result.stderr
    assert result.stdout == str(srcdiff.explain(load(path).f, np.array([1.0, 2.0]), 1))
    assert_one_error_line(run_cli(f"{path}:f", "--at", "x=[1.0,2.0]", "i=1.5"))


@pytest.mark.parametrize("options", [
    ["--ssa", "--value"], ["--value", "--jvp"], ["--ssa", "--hvp"], ["--ssa", "--at", "x=1", "n=2"],
    ["--jvp", "--graph", "f.dot"], ["--wrt", "x", "--ssa"], ["--wrt", "x", "--graph", "f.dot"],
    ["--comments", "--hvp"], ["--comments", "--jvp"], ["--comments", "--ssa"], ["--comments", "--at", "x=1", "n=2"],
    ["--wrt", "x", "--wrt", "n"], ["--hvp", "--mode", "forward", "--mode", "reverse"],
    ["--at", "x=1", "n=2", "--graph", "a.dot", "--graph", "b.dot"], ["--at", "x=1", "n=2", "--at", "x=2"],
    ["--graph", "f.xyz", "--at", "x=1", "n=2"], ["--graph", "f.txt", "--at", "x=1", "n=2"], ["--no-such-option"],
], ids=" ".join)
def test_more_conflicting_or_ignored_options_are_refused(tmp_path, options):
    path = write(tmp_path, LOOP)
    match = assert_one_error_line(run_cli(f"{path}:f", *options, cwd=tmp_path))
    assert match["file"] == str(path)
    assert not any(p.suffix != ".py" for p in tmp_path.iterdir()), "a refused command wrote a file"


@pytest.mark.parametrize("options", [
    ["--value", "--comments"], ["--value", "--wrt", "x"], ["--hvp", "--mode", "reverse", "--wrt", "x"],
    ["--jvp", "--wrt", "x"], ["--at", "x=1", "--at", "n=2"], ["--at", "x=1", "n=2", "--graph", "f.dot"],
], ids=" ".join)
def test_options_that_go_together_are_accepted(tmp_path, options):
    path = write(tmp_path, LOOP)
    result = run_cli(f"{path}:f", *options, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_no_target_is_one_error_line(tmp_path):
    assert_one_error_line(run_cli("--at", "x=1", "n=2"))
    assert_one_error_line(run_cli())


@pytest.mark.parametrize("suffix,magic", [(".svg", b"<?xml"), ("", b"<?xml"), (".PDF", b"%PDF"), (".png", b"\x89PNG"), (".pdf", b"%PDF"),
                                          (".eps", b"%!PS"), (".gif", b"GIF8"), (".jpg", b"\xff\xd8")])
def test_graph_writes_the_format_its_suffix_names(tmp_path, suffix, magic):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    path = write(tmp_path, LOOP)
    picture = tmp_path / f"f{suffix}"
    result = run_cli(f"{path}:f", "--at", "x=1", "n=2", "--graph", picture)
    assert result.returncode == 0, result.stderr
    assert picture.read_bytes().startswith(magic)


CONSTANT_MERGE = """
    def f(x, c):
        if c > 0:
            y = 0.0
        else:
            y = x
        return y * x + x
"""


@pytest.mark.parametrize("text,args", [
    (CONSTANT_MERGE, (1.5, 1.0)), (CONSTANT_MERGE, (1.5, -1.0)),
    ("def f(x, n):\n    s = 0.0\n    for i in range(n):\n        s = s + x * x\n    return s\n", (1.5, 0)),
    ("def f(x, n):\n    s = 0.0\n    for i in range(n):\n        s = s + x * x\n    return s\n", (1.5, 3)),
], ids=["branch sets a constant", "other branch", "no iteration: the result is the constant", "three iterations"])
def test_pictures_of_constants_handed_on(tmp_path, text, args):
    f = load(write(tmp_path, text)).f
    dot = srcdiff.graph(f, *args)
    assert dot.startswith('digraph "f"')
    explanation = srcdiff.explain(f, *args)
    assert explanation.value == f(*args)


# ---------------------------------------------------------------- check_grad agrees with grad on types

def sum_of_squares(x):
    return np.sum(x * x)


@pytest.mark.parametrize("x", [np.array([1, 2, 3]), np.array(2)], ids=["int array", "0-d int array"])
def test_check_grad_of_int_arrays(x):
    g = srcdiff.grad(sum_of_squares)(x)
    assert g.dtype == np.float64 and g == pytest.approx(2.0 * x)  # grad is right
    check_grad(sum_of_squares, x)


def test_check_grad_of_a_float32_scalar():
    x = np.float32(1.5)
    assert srcdiff.grad(sum_of_squares)(x) == pytest.approx(3.0)  # grad is right
    check_grad(sum_of_squares, x)


def test_check_grad_of_float_arrays_and_0d_float_arrays():
    check_grad(sum_of_squares, np.array([1.5, -2.0]))
    check_grad(sum_of_squares, np.array(1.5))
    check_grad(sum_of_squares, np.array([1.5], dtype=np.float32))


@pytest.mark.parametrize("x", [np.float64(1.5), np.float16(1.5), np.array(1.5, dtype=np.float32),
                               np.array([[1, 2], [3, 4]], dtype=np.int32), np.array([True, False])],
                         ids=["float64 scalar", "float16 scalar", "0-d float32 array", "int32 matrix", "bool array"])
def test_check_grad_of_other_numpy_types(x):
    check_grad(sum_of_squares, x)


@pytest.mark.parametrize("x", [3, np.int64(3)], ids=["int", "np.int64"])
def test_check_grad_of_an_int_named_in_wrt(x):
    check_grad(sum_of_squares, x, wrt=0)


class _Tripled(srcdiff.Function):
    """x * x with a wrong backward (3x instead of 2x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3.0 * x * grad


def wrong_square_sum(x):
    return np.sum(_Tripled.apply(x))


@pytest.mark.parametrize("x", [np.array([1, 2, 3]), np.array(2), np.float32(1.5), np.array([1.5, 2.0], dtype=np.float32)],
                         ids=["int array", "0-d int array", "float32 scalar", "float32 array"])
def test_check_grad_still_catches_a_wrong_gradient_of_these_types(x):
    with pytest.raises(AssertionError, match="along a random direction"):
        check_grad(wrong_square_sum, x)


# ---------------------------------------------------------------- the README's printed outputs

def _readme_block(first_line):
    text = (ROOT / "README.md").read_text()
    for block in re.findall(r"```python\n(.*?)```", text, re.S):
        lines = block.splitlines()
        start = [i for i, line in enumerate(lines) if line.startswith(first_line)]
        if start:
            return "\n".join(lines[start[0]:]) + "\n"
    raise AssertionError(f"README has no code block with {first_line!r}")


def test_readme_top_example():
    @srcdiff.grad
    def f(x, y, z):
        q = x + y
        return q * z
    assert f(-2.0, 5.0, -4.0) == (-4.0, -4.0, 3.0)
    assert _readme_block("def grad_f(x, y, z):") == f.source


def test_readme_loop_range():
    result = run_cli(SAMPLES / "loop_range.py")
    assert result.returncode == 0, result.stderr
    assert _readme_block("def grad_loop_range(") == result.stdout


def test_readme_grad2_cost():
    cost = load_sample("newton").cost
    assert _readme_block("def grad2_cost(") == srcdiff.grad(srcdiff.grad(cost)).source
