"""How many of HIPS autograd's own test cases srcdiff differentiates correctly.

    python benchmarks/autograd_corpus.py                 # one line per case, then the counts
    python benchmarks/autograd_corpus.py --quiet         # the counts only
    python benchmarks/autograd_corpus.py --json out.json --sdist autograd-1.9.1.tar.gz

autograd's source distribution is fetched at run time (``pip download``) into a cache
folder, never copied into this repository.  Its test files are extracted to a temporary
folder, their imports rewritten (``autograd_imports``: plain NumPy and SciPy, autograd's
test helpers answered by srcdiff in ``autograd_shim``), and each ``test_*`` function is
run.  Every ``check_grads`` / ``combo_check`` call is a case (``autograd_cases``): pass,
refused (a ``SrcdiffError``), wrong, crash, or skip (out of scope by design: complex
numbers, autograd's own machinery).  A test that calls ``grad`` itself and checks the
numbers with its own asserts adds one case for its body.  Exit status 1 when any case is
wrong or crashed.
"""
import argparse
import contextlib
import importlib.util
import itertools
import json
import os
import signal
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)

import srcdiff  # noqa: E402
import autograd_shim as shim  # noqa: E402
import autograd_wrap  # noqa: E402
from autograd_cases import SEVERITY, inside_srcdiff  # noqa: E402
from autograd_imports import rewrite  # noqa: E402

VERSION = "1.9.1"
FILES = ("test_numpy.py", "test_linalg.py", "test_scalar_ops.py", "test_binary_ops.py", "test_systematic.py",
         "test_builtins.py", "test_dict.py", "test_list.py", "test_tuple.py", "test_scipy.py")
HELPERS = ("numpy_utils.py",)
STATUSES = ("pass", "refused", "wrong", "crash", "skip")
# Tests of autograd's own behaviour, read and judged out of scope by hand: (file, test) -> why.
OUT_OF_SCOPE = {
    ("test_numpy.py", "test_scalar_array_box_attributes"):
        "autograd presents a Python float as a 0-d array (x.shape, x.dtype); a plain float has neither",
}


# ---------------------------------------------------------------- obtaining the tests

def sdist_path(given, cache):
    """The autograd sdist: ``given``, else the cached one, else downloaded by pip into ``cache``."""
    if given:
        return given
    path = os.path.join(cache, f"autograd-{VERSION}.tar.gz")
    if not os.path.exists(path):
        os.makedirs(cache, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", f"autograd=={VERSION}", "--no-deps",
                        "--no-binary", ":all:", "-d", cache], check=True)
    return path


def sdist_texts(sdist, names):
    """{file name: text} of the test files ``names`` and their helper module in ``sdist``."""
    with tarfile.open(sdist) as archive:
        members = {os.path.basename(m.name): m for m in archive.getmembers() if "/tests/" in m.name}
        return {name: archive.extractfile(members[name]).read().decode()
                for name in HELPERS + tuple(names) if name in members}


def folder_texts(folder, names):
    """{file name: text} of the test files ``names`` (and helper module) of a folder."""
    out = {}
    for name in HELPERS + tuple(names):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            with open(path) as handle:
                out[name] = handle.read()
    return out


def write_rewritten(texts, folder):
    """Write each text into ``folder`` with its imports rewritten; the paths of the tests."""
    written = []
    for name, text in texts.items():
        path = os.path.join(folder, name)
        with open(path, "w") as handle:
            handle.write(rewrite(text))
        if name not in HELPERS:
            written.append(path)
    return written


# ---------------------------------------------------------------- running one test function

class TimedOut(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds):
    """Raise ``TimedOut`` in the main thread after ``seconds`` (no limit when 0)."""
    def ring(*_):
        raise TimedOut(f"timed out after {seconds} s")
    old = signal.signal(signal.SIGALRM, ring) if seconds else None
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        if old is not None:
            signal.signal(signal.SIGALRM, old)


def parameter_sets(fn):
    """The keyword sets a test runs with: one per combination of its ``parametrize`` marks."""
    axes = []
    for mark in getattr(fn, "pytestmark", []):
        if mark.name == "parametrize":
            names, values = mark.args[0], mark.args[1]
            names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
            axes.append([dict(zip(names, v if len(names) > 1 else (v,))) for v in values])
    return [dict(kv for part in combo for kv in part.items()) for combo in itertools.product(*axes)]


def body_outcome(err):
    """``(status, detail)`` of a test body that raised ``err`` (None: it returned)."""
    if err is None:
        return "pass", ""
    if isinstance(err, shim.AutogradOnly):
        return "skip", str(err)
    if isinstance(err, srcdiff.SrcdiffError):
        return "refused", err.one_line().split("error: ", 1)[-1][:200]
    if isinstance(err, TimedOut):
        return "crash", str(err)
    if isinstance(err, AssertionError) and shim.DIRECT[0]:
        return "wrong", f"the test's own assert fails: {err}"[:200]
    if shim.DIRECT[0] and inside_srcdiff(err):
        return "crash", f"{type(err).__name__}: {err}"[:200]
    return "skip", f"the test fails under plain NumPy: {type(err).__name__}: {err}"[:200]


def run_test(fn, params, timeout):
    """The cases of one test function: those its ``check_grads`` calls recorded, and one
    for its body when it called srcdiff itself or failed."""
    shim.RECORD.clear()
    shim.DIRECT[0] = 0
    error = None
    try:
        with time_limit(timeout):
            fn(**params)
    except Exception as err:  # noqa: BLE001  (classified below)
        error = err
    cases = list(shim.RECORD)
    if error is not None or shim.DIRECT[0]:
        cases.append(("(the test's own asserts)",) + body_outcome(error) + (1,))
    return cases


def load(path):
    """Import a rewritten test file as a module of its own name."""
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def run_file(path, timeout):
    """``[(test, case, status, detail, order)]`` for every test function of one rewritten file."""
    rows = []
    module = load(path)
    for name, fn in list(vars(module).items()):
        if not (name.startswith("test_") and callable(fn)):
            continue
        why = OUT_OF_SCOPE.get((os.path.basename(path), name))
        if why is not None:
            rows.append((name, "(the whole test)", "skip", why, 1))
            continue
        for params in parameter_sets(fn) or [{}]:
            test = name + (f"[{','.join(map(str, params.values()))}]" if params else "")
            rows += [(test,) + case for case in run_test(fn, params, timeout)]
    return rows


# ---------------------------------------------------------------- the report

def counts(rows, order=1):
    """{status: how many rows of derivative ``order`` have it}, every status present."""
    out = dict.fromkeys(STATUSES, 0)
    for row in rows:
        if row[4] == order:
            out[row[2]] += 1
    return out


def summary(name, tally):
    judged = tally["pass"] + tally["refused"] + tally["wrong"] + tally["crash"]
    share = f" ({100 * tally['pass'] / judged:.0f}% of {judged} in scope right)" if judged else ""
    return f"{name:22} " + ", ".join(f"{k} {tally[k]}" for k in STATUSES) + share


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quiet", action="store_true", help="print the counts only")
    parser.add_argument("--json", metavar="PATH", help="write every case as JSON to PATH")
    parser.add_argument("--sdist", help="autograd's source distribution (default: download into --cache)")
    parser.add_argument("--cache", default=os.path.expanduser("~/.cache/srcdiff-corpus"))
    parser.add_argument("--files", nargs="*", default=FILES, help="which of autograd's test files")
    parser.add_argument("--tests-dir", help="a folder of test files written against autograd to run instead")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per test function")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="srcdiff-agcorpus-") as folder:
        autograd_wrap.DIRECTORY[0] = folder
        sys.path.insert(0, folder)
        if options.tests_dir:
            texts = folder_texts(options.tests_dir, options.files)
        else:
            texts = sdist_texts(sdist_path(options.sdist, options.cache), options.files)
        paths = write_rewritten(texts, folder)
        report = {}
        for path in paths:
            rows = run_file(path, options.timeout)
            report[os.path.basename(path)] = rows
            for test, case, status, detail, _ in rows if not options.quiet else ():
                print(f"{status:8} {os.path.basename(path)}::{test} {case}" + (f"  -- {detail}" if detail else ""),
                      flush=True)
    every = [row for rows in report.values() for row in rows]
    print("first derivatives (srcdiff.grad or a vector-Jacobian product, and srcdiff.jvp), one case per call:")
    for name, rows in report.items():
        print(summary(name, counts(rows)))
    print(summary("total", counts(every)))
    print(summary("second order (hvp)", counts(every, 2)))
    if options.json:
        with open(options.json, "w") as handle:
            json.dump({"files": {name: [dict(zip(("test", "case", "status", "detail", "order"), r)) for r in rows]
                                 for name, rows in report.items()},
                       "counts": {name: counts(rows) for name, rows in report.items()},
                       "total": counts(every), "second_order": counts(every, 2)}, handle, indent=1)
    return 1 if any(row[2] in ("wrong", "crash") for row in every) else 0


assert set(SEVERITY) == set(STATUSES)

if __name__ == "__main__":
    sys.exit(main())
