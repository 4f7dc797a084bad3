"""The parsed files kept from one build to the next (``frontend.source``): a large file's tree
is kept while its build runs (each helper inlined from it found without parsing again) and let
go when the build ends; small files' trees stay for the next build; a file changed since is
parsed again; and the gradients are right whichever way the tree came."""
import math

import pytest

import srcdiff
from srcdiff.frontend import source
from srcdiff.pipeline import collector_paused
from fuzzing.common import load_module


def helper_text(count):
    """``count`` helpers and a function calling each once (padding makes the file large)."""
    helpers = "".join(f"def h{i}(v):\n    return math.sin(v) * {i + 1}.0\n\n\n" for i in range(count))
    calls = " + ".join(f"h{i}(x)" for i in range(count))
    return f"import math\n\n\n{helpers}def f(x):\n    return {calls}\n"


def expected(x, count):
    return sum(math.cos(x) * (i + 1) for i in range(count))


@pytest.fixture
def parses(monkeypatch):
    """The names of the files ``ast.parse`` was asked to read through ``parse_file``."""
    seen = []
    real = source.ast.parse

    def counted(text, filename="<unknown>", *args, **kwargs):
        seen.append(filename)
        return real(text, filename, *args, **kwargs)

    monkeypatch.setattr(source.ast, "parse", counted)
    return seen


def test_a_large_file_is_parsed_once_per_build_and_let_go_after(tmp_path, parses, monkeypatch):
    monkeypatch.setattr(source, "KEPT_TEXT", 2_000)
    module = load_module(helper_text(40), tmp_path, "large")
    assert len(open(module.__file__).read()) > source.KEPT_TEXT
    g = srcdiff.grad(module.f)
    assert g(0.3) == pytest.approx(expected(0.3, 40), rel=1e-12)
    assert parses.count(module.__file__) == 1  # forty helpers, one parse
    assert module.__file__ not in source._PARSED
    # built again (another transform): parsed again, and right
    assert srcdiff.value_and_grad(module.f)(0.7)[1] == pytest.approx(expected(0.7, 40), rel=1e-12)
    assert parses.count(module.__file__) == 2


def test_small_files_stay_parsed_for_the_next_build(tmp_path, parses):
    module = load_module(helper_text(3), tmp_path, "small")
    srcdiff.grad(module.f)(0.2)
    assert module.__file__ in source._PARSED
    assert srcdiff.value_and_grad(module.f)(0.2)[1] == pytest.approx(expected(0.2, 3), rel=1e-12)
    assert parses.count(module.__file__) == 1


def test_the_budget_lets_go_of_the_files_used_longest_ago(tmp_path, monkeypatch):
    small = [load_module(helper_text(2), tmp_path, f"s{i}") for i in range(3)]
    size = len(open(small[0].__file__).read())
    monkeypatch.setattr(source, "KEPT_TEXT", 2 * size + size // 2)
    for module in small:
        srcdiff.grad(module.f)(0.1)
    assert [m.__file__ in source._PARSED for m in small] == [False, True, True]


def test_a_budget_cut_inside_a_build_waits_for_the_outermost(tmp_path, monkeypatch):
    """A build run inside another leaves the outer build's trees alone: only the outermost
    build's end cuts the budget."""
    monkeypatch.setattr(source, "KEPT_TEXT", 0)
    module = load_module(helper_text(2), tmp_path, "nested")

    def inner():
        srcdiff.grad(module.h0)
        return module.__file__ in source._PARSED

    kept_inside = collector_paused(lambda: collector_paused(inner) and module.__file__ in source._PARSED)
    assert kept_inside
    assert module.__file__ not in source._PARSED


def test_a_function_calling_a_gradient_from_a_large_file(tmp_path, monkeypatch):
    monkeypatch.setattr(source, "KEPT_TEXT", 0)
    text = "import srcdiff\n" + helper_text(2) + "\n\ngf = srcdiff.grad(f)\n\n\ndef outer(x):\n    return gf(x) * h0(x) + h1(x)\n"
    module = load_module(text, tmp_path, "calls_gradient")
    for x in (0.4, -1.3):
        numeric = (module.outer(x + 1e-6) - module.outer(x - 1e-6)) / 2e-6
        assert srcdiff.grad(module.outer)(x) == pytest.approx(numeric, rel=1e-6)
        numeric2 = (srcdiff.grad(module.outer)(x + 1e-5) - srcdiff.grad(module.outer)(x - 1e-5)) / 2e-5
        assert srcdiff.hessian(module.outer)(x) == pytest.approx(numeric2, rel=1e-5)
    assert module.__file__ not in source._PARSED
