"""Imports at the top of a function's own body (``import numpy as np`` inside ``f``): read as
what they bind, on every path (``frontend.local_imports``); elsewhere, refused at the import."""
import math
import subprocess
import sys

import numpy as np
import pytest

import srcdiff
from conftest import ROOT, import_text, load_sample, run_cli
from trust_helpers import assert_explain_matches_grad, assert_jvp_and_hvp_match_differences, fd_grad

SCALARS = '''
def plain(x, y):
    import math
    return math.sin(x) * y + math.exp(x * y)


def named_from(x, y):
    from math import sin, exp as e
    return sin(x) * y + e(x * y)


def module_aliased(x, y):
    import math as m
    return m.sin(x) * y + m.exp(x * y)


def printed(x, y):
    import math
    import logging
    logging.debug("x=%s", x)
    print(math.pi)
    return math.sin(x) * y + math.exp(x * y)
'''

ARRAYS = '''
def aliased(x):
    import numpy as np
    return np.sum(np.tanh(x) * x) + np.linalg.norm(x)


def dotted(x):
    import numpy.linalg
    return numpy.sum(numpy.tanh(x) * x) + numpy.linalg.norm(x)


def submodule_as(x):
    import numpy as np
    import numpy.linalg as la
    return np.sum(np.tanh(x) * x) + la.norm(x)


def from_package(x):
    from numpy import linalg, sum, tanh
    return sum(tanh(x) * x) + linalg.norm(x)


def in_a_closure(x):
    import numpy as np
    act = lambda t: np.tanh(t) * t
    return np.sum(act(x)) + np.linalg.norm(x)
'''


def _scalar(x, y):
    return math.sin(x) * y + math.exp(x * y)


def _array(x):
    return np.sum(np.tanh(x) * x) + np.linalg.norm(x)


@pytest.fixture(scope="module")
def scalars(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("local_imports"), SCALARS)


@pytest.fixture(scope="module")
def arrays(tmp_path_factory):
    return import_text(tmp_path_factory.mktemp("local_imports"), ARRAYS)


@pytest.mark.parametrize("name", ["plain", "named_from", "module_aliased", "printed"])
def test_scalar_imports_give_every_path(scalars, name, capsys):
    f, args = getattr(scalars, name), (0.3, -1.2)
    reference = srcdiff.grad(_scalar)(*args)
    got = srcdiff.grad(f)(*args)
    assert got == pytest.approx(reference, rel=1e-14)
    assert got[0] == pytest.approx(fd_grad(f, args, 0), rel=1e-7)
    assert got[1] == pytest.approx(fd_grad(f, args, 1), rel=1e-7)
    value, gradient = srcdiff.value_and_grad(f)(*args)
    assert value == pytest.approx(_scalar(*args)) and gradient == pytest.approx(reference, rel=1e-14)
    np.testing.assert_allclose(srcdiff.hessian(f)(*args), srcdiff.hessian(_scalar)(*args), rtol=1e-12)
    np.testing.assert_allclose(srcdiff.grad(srcdiff.grad(f, wrt=0))(*args), srcdiff.grad(srcdiff.grad(_scalar, wrt=0))(*args),
                               rtol=1e-12)
    assert_jvp_and_hvp_match_differences(f, args, 0.7)
    assert_explain_matches_grad(f, args)
    if name == "printed":  # the print stays in the generated code, with the module the function imported
        assert "3.14159" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["aliased", "dotted", "submodule_as", "from_package", "in_a_closure"])
def test_array_imports_give_every_path(arrays, name):
    f = getattr(arrays, name)
    x = np.array([[0.3, -1.1, 0.4], [0.9, 0.2, -0.5], [1.4, -0.7, 0.05]])
    reference = srcdiff.grad(_array)(x)
    gradient = srcdiff.grad(f)(x)
    np.testing.assert_allclose(gradient, reference, rtol=1e-13)
    np.testing.assert_allclose(gradient, fd_grad(f, (x,), 0), rtol=1e-6, atol=1e-8)
    v = np.linspace(-0.9, 1.3, x.size).reshape(x.shape)  # non-uniform: a transposed term would show
    assert_jvp_and_hvp_match_differences(f, (x,), v)
    np.testing.assert_allclose(srcdiff.hessian(f)(x), srcdiff.hessian(_array)(x), rtol=1e-10, atol=1e-12)
    assert_explain_matches_grad(f, (x,))
    assert "import" not in srcdiff.grad(f).source  # the generated code reads its own np


def test_the_generated_code_matches_a_module_level_import(scalars):
    """A function importing math itself gets the gradient text of one importing it at module level."""
    body = srcdiff.grad(scalars.plain).source.split("\n", 2)[2]  # after the def line and the docstring
    assert body == srcdiff.grad(_scalar).source.split("\n", 2)[2]


def test_a_helper_with_its_own_import_is_inlined(tmp_path):
    module = import_text(tmp_path, '''
def helper(t):
    import math
    return math.tanh(t) * t


def f(x):
    return helper(x) + helper(2.0 * x)
''')
    x = 0.4
    assert srcdiff.grad(module.f)(x) == pytest.approx(fd_grad(module.f, (x,), 0), rel=1e-7)


def test_a_user_module_imported_inside_the_function(tmp_path):
    """A module of the user's own, imported inside the function: its function is inlined, on the
    live path and read from the files on the command line."""
    (tmp_path / "local_helpers_mod.py").write_text("import math\n\n\ndef squash(t):\n    return math.tanh(t) * t\n")
    sys.path.insert(0, str(tmp_path))
    try:
        module = import_text(tmp_path, '''
def f(x):
    from local_helpers_mod import squash
    import local_helpers_mod as helpers
    return squash(x) + helpers.squash(x * x)
''', name="uses_local_helpers")
        x = 0.6
        assert srcdiff.grad(module.f)(x) == pytest.approx(fd_grad(module.f, (x,), 0), rel=1e-7)
    finally:
        sys.path.remove(str(tmp_path))
    result = run_cli(tmp_path / "uses_local_helpers.py:f", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "math.tanh" in result.stdout and "import" not in result.stdout


def test_the_command_line_reads_the_imports_of_a_function(tmp_path):
    path = tmp_path / "cli_local_imports.py"
    path.write_text(SCALARS + ARRAYS)
    for name in ("plain", "named_from", "module_aliased", "aliased", "dotted", "submodule_as", "from_package"):
        result = run_cli(f"{path}:{name}")
        assert result.returncode == 0, (name, result.stderr)
        namespace = {"math": math, "np": np, "rt": srcdiff.runtime}
        exec(result.stdout, namespace)
        module = import_text(tmp_path, SCALARS + ARRAYS)
        args = (0.3, -1.2) if name in ("plain", "named_from", "module_aliased") else (np.array([0.3, -1.1, 0.4]),)
        np.testing.assert_allclose(namespace[f"grad_{name}"](*args), srcdiff.grad(getattr(module, name))(*args),
                                   rtol=1e-13)


REFUSED = [
    ("in-a-branch", "def f(x):\n    if x > 0:\n        import math\n    return x\n", 3, "an import inside a block"),
    ("in-a-loop", "def f(x):\n    for i in range(2):\n        import math\n    return x\n", 3, "an import inside a block"),
    ("in-a-nested-def", "def f(x):\n    def g(t):\n        import math\n        return math.sin(t)\n    return g(x)\n", 3,
     "an import inside a block or a nested function"),
    ("relative", "def f(x):\n    from . import helpers\n    return x\n", 2, "a relative import"),
    ("read-before", "import math\n\n\ndef f(x):\n    y = math.sin(x)\n    import math\n    return y\n", 5,
     "'math' is read before the import"),
    ("rebound", "def f(x):\n    import math\n    math = 2.0\n    return x * math\n", 3, "'math' is imported at line 2"),
    ("parameter", "def f(x, np):\n    import numpy as np\n    return x\n", 1, "'np' is imported at line 2"),
    ("two-objects", "def f(x):\n    import math as m\n    import numpy as m\n    return m.sin(x)\n", 3,
     "'m' is imported twice"),
    ("missing-module", "def f(x):\n    import no_such_module_srcdiff\n    return x\n", 2, "cannot import no_such_module_srcdiff"),
]


@pytest.mark.parametrize("case", REFUSED, ids=[c[0] for c in REFUSED])
def test_imports_srcdiff_cannot_read_are_refused_at_their_line(tmp_path, case):
    _, text, line, message = case
    path = tmp_path / "refused_import.py"
    path.write_text(text)
    namespace = {"__name__": "refused_import"}
    exec(compile(text, str(path), "exec"), namespace)
    with pytest.raises(srcdiff.SrcdiffError, match=message) as caught:
        srcdiff.grad(namespace["f"])
    assert caught.value.filename == str(path) and caught.value.lineno == line


def test_a_gradient_module_exported_runs_without_srcdiff(tmp_path, scalars):
    """``srcdiff export`` of a function importing math itself: the module imports what it reads."""
    path = tmp_path / "export_local.py"
    path.write_text(SCALARS)
    out = tmp_path / "grad_export_local.py"
    result = run_cli("export", f"{path}:plain", "-o", out)
    assert result.returncode == 0, result.stderr
    run = subprocess.run([sys.executable, "-c", "import grad_export_local as g; print(repr(g.grad_plain(0.3, -1.2)))"],
                         cwd=tmp_path, capture_output=True, text=True, env={"PYTHONPATH": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    assert eval(run.stdout) == pytest.approx(srcdiff.grad(_scalar)(0.3, -1.2), rel=1e-14)
    assert ROOT.exists()


def test_the_sample_against_differences():
    """``samples/local_imports.py`` (its generated code is golden: ``test_golden``)."""
    sample = load_sample("local_imports")
    w, x = np.array([0.3, -0.8, 0.5]), np.array([1.2, 0.4, -0.9])
    grad_w, grad_x = srcdiff.grad(sample.softplus_penalty, wrt=(0, 1))(w, x)
    np.testing.assert_allclose(grad_w, fd_grad(sample.softplus_penalty, (w, x), 0), rtol=1e-7)
    np.testing.assert_allclose(grad_x, fd_grad(sample.softplus_penalty, (w, x), 1), rtol=1e-7)
