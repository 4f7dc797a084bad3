"""Exported modules (``srcdiff.export``, ``srcdiff export``) run without srcdiff and agree with it.

Each module is imported in a subprocess where ``import srcdiff`` fails, called on the
same arguments as srcdiff's own function, and the results compared; it compiles, and
ruff (default rules) has nothing to say about it.
"""
import os
import pickle
import shutil
import subprocess
import sys

import numpy as np
import pytest

import srcdiff
from conftest import ROOT, import_text, load_sample, run_cli

RUNNER = """
import importlib.util, pickle, sys
sys.modules["srcdiff"] = None  # srcdiff is not importable here
path, name, args_file, out_file = sys.argv[1:]
spec = importlib.util.spec_from_file_location("exported", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
with open(args_file, "rb") as handle:
    args = pickle.load(handle)
assert module.__all__ == [name]
with open(out_file, "wb") as handle:
    pickle.dump(getattr(module, name)(*args), handle)
"""

RNG = np.random.default_rng(3)
X, W = RNG.standard_normal((4, 3)), RNG.standard_normal((3, 3))

# (sample, function, kind, wrt, arguments)
CASES = [
    ("neuron", "neuron", "grad", None, (2.0, -1.0, -3.0, -2.0, -3.0)),
    ("exercise", "exercise", "value_and_grad", None, (0.3, -0.7)),
    ("loop_range", "loop_range", "grad", (0, 1), (0.5, 2.0, 3)),
    ("loop_items", "loop_items", "grad", None, (0.7, -0.4)),
    ("branches", "branches", "grad", None, (0.3, -0.7)),
    ("two_layer_net", "two_layer_net", "grad", None, None),
    ("rosenbrock_nd", "rosenbrock_nd", "hvp", 0, (RNG.standard_normal(5), RNG.standard_normal(5))),
    ("rosenbrock", "rosenbrock", "jvp", None, (0.3, 0.8, 1.0, -0.5)),
    ("matmul", "matmul", "grad", (0, 1), None),
    ("layers_mlp", "loss", "grad", 0, None),  # (ItemAdjoints copied with the helpers that make it)
]


def _arguments(sample, func):
    """Arguments for samples whose parameters are arrays of given shapes."""
    if sample == "two_layer_net":
        return (RNG.standard_normal((4, 5)), RNG.standard_normal(5), RNG.standard_normal((5, 3)),
                RNG.standard_normal(3), RNG.standard_normal((6, 4)), np.array([0, 2, 1, 1, 0, 2]), 0.1)
    if sample == "matmul":
        return (np.array([[1.0, -2.0, 3.0], [0.5, 1.0, -1.0]]), np.array([[2.0, 0.0], [-1.0, 3.0], [1.5, 1.0]]),
                RNG.standard_normal((2, 2)))
    if sample == "layers_mlp":
        sizes = (3, 5, 2)
        return ([(RNG.standard_normal((a, b)), RNG.standard_normal(b)) for a, b in zip(sizes, sizes[1:])],
                RNG.standard_normal((4, 3)), RNG.standard_normal((4, 2)))
    raise KeyError(sample)


def _srcdiff_result(fn, kind, wrt, args):
    if kind == "grad":
        return srcdiff.grad(fn, wrt=wrt)(*args)
    if kind == "value_and_grad":
        return srcdiff.value_and_grad(fn, wrt=wrt)(*args)
    if kind == "hvp":
        return srcdiff.hvp(fn, wrt=wrt)(*args)
    return srcdiff.jvp(fn, wrt=wrt)(*args)


def _run_exported(path, name, args, tmp_path):
    args_file, out_file, runner = tmp_path / "args.pickle", tmp_path / "out.pickle", tmp_path / "runner.py"
    args_file.write_bytes(pickle.dumps(args))
    runner.write_text(RUNNER)
    done = subprocess.run([sys.executable, str(runner), str(path), name, str(args_file), str(out_file)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return pickle.loads(out_file.read_bytes())


def _assert_same(got, expected):
    if isinstance(expected, (tuple, list)):
        assert type(got) is type(expected) and len(got) == len(expected)
        for g, e in zip(got, expected):
            _assert_same(g, e)
        return
    assert type(got) is type(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("sample,func,kind,wrt,args", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_exported_module_runs_without_srcdiff_and_agrees(sample, func, kind, wrt, args, tmp_path):
    fn = getattr(load_sample(sample), func)
    args = args if args is not None else _arguments(sample, func)
    path = tmp_path / f"exported_{func}.py"
    assert srcdiff.export(fn, path, wrt=wrt, kind=kind) == path
    text = path.read_text()
    name = {"grad": "grad_", "value_and_grad": "value_and_grad_", "hvp": "hvp_", "jvp": "jvp_"}[kind] + func
    assert f"__all__ = [{name!r}]" in text
    assert not [line for line in text.splitlines() if line.startswith(("import srcdiff", "from srcdiff"))]
    compile(text, str(path), "exec")
    _assert_same(_run_exported(path, name, args, tmp_path), _srcdiff_result(fn, kind, wrt, args))


def test_the_header_says_what_the_module_was_made_from(tmp_path):
    path = srcdiff.export(load_sample("neuron").neuron, tmp_path / "g.py")
    header = path.read_text().split('"""')[1]
    assert "neuron.py, function neuron" in header and f"srcdiff {srcdiff.__version__}" in header
    assert "source sha256 " in header and "srcdiff.export(" in header


def test_code_of_numbers_imports_what_the_users_code_imports(tmp_path):
    text = srcdiff.export(load_sample("neuron").neuron, tmp_path / "g.py").read_text()
    imports = [line for line in text.splitlines() if line.startswith(("import ", "from "))]
    assert imports == ["import math"]  # the neuron's file imports math only


def test_constants_are_written_out_exactly(tmp_path):
    text = srcdiff.export(load_sample("loop_items").loop_items, tmp_path / "g.py").read_text()
    module = load_sample("loop_items")
    namespace = {}
    exec(compile(text, "g", "exec"), namespace)
    assert namespace["COEFFS"] == module.COEFFS and namespace["WEIGHTS"] == module.WEIGHTS


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")
def test_exported_modules_pass_ruff(tmp_path):
    for sample, func, kind, wrt, _ in CASES:
        srcdiff.export(getattr(load_sample(sample), func), tmp_path / f"{sample}_{kind}.py", wrt=wrt, kind=kind)
    # ruff's default rules, whatever configuration this machine has
    done = subprocess.run(["ruff", "check", "--isolated", "--select", "E4,E7,E9,F", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_the_command_line_exports_and_says_how_in_printed_code(tmp_path):
    printed = run_cli("samples/two_layer_net.py")
    assert printed.standalone.startswith("# srcdiff export samples/two_layer_net.py -o grad_two_layer_net.py")
    out = tmp_path / "grad_two_layer_net.py"
    done = run_cli("export", "samples/two_layer_net.py", "-o", out)
    assert done.returncode == 0, done.stderr
    args = _arguments("two_layer_net", "two_layer_net")
    expected = srcdiff.grad(load_sample("two_layer_net").two_layer_net)(*args)
    _assert_same(_run_exported(out, "grad_two_layer_net", args, tmp_path), expected)


@pytest.mark.parametrize("flags,name", [(["--hvp", "--wrt", "x"], "hvp_rosenbrock"),
                                        (["--jvp"], "jvp_rosenbrock"), (["--value"], "value_and_grad_rosenbrock")])
def test_the_command_line_exports_every_kind(tmp_path, flags, name):
    out = tmp_path / "g.py"
    done = run_cli("export", "samples/rosenbrock.py", "-o", out, *flags)
    assert done.returncode == 0 and done.stdout == f"wrote {out}\n", done.stderr
    assert f"def {name}(" in out.read_text()


@pytest.mark.skipif(os.environ.get("SRCDIFF_GENERIC") == "1", reason="pytest --generic: no specialized code")
@pytest.mark.parametrize("sig,args", [("w=float,u=float,xs=list", (0.8, 0.6, [0.1, -0.2, 0.3])),
                                      ("w=float,u=float,xs=f64[1]", (0.8, 0.6, np.array([0.1, -0.2, 0.3])))])
def test_the_command_line_exports_the_code_specialized_to_a_signature(tmp_path, sig, args):
    out = tmp_path / "grad_recurrence.py"
    done = run_cli("export", "samples/recurrence.py", "-o", out, "--sig", sig)
    assert done.returncode == 0, done.stderr
    sample = load_sample("recurrence")  # kept alive: a gradient holds its function weakly
    g = srcdiff.grad(sample.recurrence)
    text = out.read_text()
    assert "rt.index_grad" not in g.source_for(*args) and "index_grad" not in text  # the specialized code
    _assert_same(_run_exported(out, "grad_recurrence", args, tmp_path), g(*args))


def test_export_sig_does_not_apply_to_other_kinds(tmp_path):
    done = run_cli("export", "samples/rosenbrock.py", "-o", tmp_path / "g.py", "--hvp", "--sig", "x=float")
    assert done.returncode != 0 and "--sig" in done.stderr


def test_a_srcdiff_function_cannot_be_exported(tmp_path):
    module = load_sample("multiply_function")
    with pytest.raises(srcdiff.SrcdiffError, match="cannot export"):
        srcdiff.export(module.f, tmp_path / "g.py")


def test_export_errors_are_one_line(tmp_path):
    done = run_cli("export", "samples/multiply_function.py:f", "-o", tmp_path / "g.py")
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1 and "cannot export" in done.stderr
    missing = run_cli("export", "samples/neuron.py")
    assert missing.returncode == 2 and "-o" in missing.stderr


def test_unknown_kind_is_refused(tmp_path):
    with pytest.raises(srcdiff.SrcdiffError, match="cannot export kind='hessian'"):
        srcdiff.export(load_sample("neuron").neuron, tmp_path / "g.py", kind="hessian")


def test_root_is_the_repository():
    assert (ROOT / "cli.py").exists()


def test_helpers_of_numbers_and_of_arrays_keep_their_own_constants(tmp_path):
    """``rt.sign`` takes a fast path for the classes of Python numbers; ``rt.unbroadcast`` asks
    the namespace of arrays, which has a longer list of classes under the same private name.
    The copy gave both one list: the exported gradient ran ``sign``'s number path on an array
    and raised a TypeError."""
    module = import_text(tmp_path, "import numpy as np\n\nW = np.array([0.5, -1.5, 2.0])\n\n\n"
                                   "def f(x):\n    return np.sum(np.abs(x) * W) + np.sum(np.sign(x) * x)\n")
    x = np.array([0.3, -0.7, 1.2])
    path = srcdiff.export(module.f, tmp_path / "exported_f.py")
    np.testing.assert_array_equal(_run_exported(path, "grad_f", (x,), tmp_path), srcdiff.grad(module.f)(x))


@pytest.mark.parametrize("args", [({"a": 1.5}, 0.7), ({"a": 1.5, "b": -0.5}, 0.7), ([0.3], 0.7), ([0.3, 1.2], 0.7)],
                         ids=["dict without", "dict with", "list without", "list with"])
def test_an_item_read_only_where_it_is_there_exports(tmp_path, args):
    """``rt.item_or_absent`` reads ``ABSENT = _Absent()``: the copy wrote the constant before the
    class it makes, and the exported module raised a NameError on import."""
    module = import_text(tmp_path, "def f(p, x):\n    s = x * x\n    if 'b' in p:\n        s = s + p['b'] * x\n"
                                   "    return s\n\n\ndef g(p, x):\n    s = x * x\n    if len(p) > 1:\n"
                                   "        s = s + p[1] * x\n    return s\n")
    fn = module.f if isinstance(args[0], dict) else module.g
    path = srcdiff.export(fn, tmp_path / "exported.py")
    assert "rt.item_or_absent" in path.read_text()
    assert _run_exported(path, f"grad_{fn.__name__}", args, tmp_path) == srcdiff.grad(fn)(*args)
