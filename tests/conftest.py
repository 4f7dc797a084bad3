"""Shared test helpers: sample loading, golden files, finite differences."""
import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import pytest
from hypothesis import settings

# CI runs the property tests on a fixed seed sequence, so a run is reproducible: a red CI
# is a real bug that the same command shows again.  Elsewhere every run explores new
# programs (and `pytest --hypothesis-seed=N` repeats one).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = pathlib.Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLDEN = pathlib.Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden files of generated code instead of comparing")
    parser.addoption("--generic", action="store_true", default=False,
                     help="run every gradient through its generic code, not the code specialized to its "
                          "arguments' kinds (which runs by default, so the suite checks it)")


def pytest_configure(config):
    if config.getoption("--generic"):
        os.environ["SRCDIFF_GENERIC"] = "1"


@pytest.fixture
def update_golden(request):
    return request.config.getoption("--update-golden")


def load_sample(name):
    """Import samples/<name>.py as a module (samples are not a package)."""
    path = SAMPLES / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"samples_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_golden(name, text, update):
    """Compare ``text`` with tests/golden/<name>.txt; rewrite it only when asked to."""
    path = GOLDEN / f"{name}.txt"
    if update:
        path.write_text(text)
        return
    assert path.exists(), f"no golden file {path}; run pytest --update-golden once and review it"
    assert text == path.read_text(), f"generated code for {name} changed; review and run pytest --update-golden"


def central_difference(f, args, index, eps=1e-6):
    """d f / d args[index] by central differences, for float arguments."""
    plus = list(args)
    minus = list(args)
    plus[index] = args[index] + eps
    minus[index] = args[index] - eps
    return (f(*plus) - f(*minus)) / (2 * eps)


os.environ.setdefault("HYPOTHESIS_PROFILE", "ci")


_imported = 0


def import_text(folder, text, name=None):
    """Write ``text`` to ``folder/<name>.py`` and import it as a fresh module.

    srcdiff reads a function's source from its file, so functions under test that are
    made up by a test (random programs, name collisions) live in real files.
    """
    global _imported
    _imported += 1
    name = name or f"srcdiff_test_module_{_imported}"
    path = pathlib.Path(folder) / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


STANDALONE = re.compile(r"# srcdiff export \S+ -o \S+\.py( --\S+( \S+)?)*  writes this as a module that runs without srcdiff")


def printed_gradient(tmp_path, source, function, *options):
    """What ``python cli.py FILE:function *options`` prints for a file of ``source`` written in
    ``tmp_path``, once the command has succeeded."""
    path = tmp_path / "printed.py"
    path.write_text(source)
    result = run_cli(f"{path}:{function}", *options)
    assert result.returncode == 0, result.stderr
    return result.stdout


def run_cli(*args, cwd=None, timeout=120):
    """``python cli.py ARGS`` in a subprocess.  Printed code starts with a comment saying how
    to export it (checked here): it is set apart as ``result.standalone``, so that
    ``result.stdout`` is the code itself, as the Python API's ``source``."""
    result = subprocess.run([sys.executable, str(ROOT / "cli.py"), *map(str, args)], cwd=cwd or ROOT,
                            capture_output=True, text=True, timeout=timeout)
    result.standalone = None
    if result.returncode == 0 and result.stdout.startswith("# srcdiff export "):
        first, _, rest = result.stdout.partition("\n")
        assert STANDALONE.fullmatch(first), first
        result.standalone, result.stdout = first, rest
    return result
