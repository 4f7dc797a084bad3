"""The Python API (API.md): wrt forms, value_and_grad, caching, the generated function
itself (compiled from its ``source``, deterministic), and user code that stresses naming:
collisions with generated names, integer-valued intermediates, constants, defaults."""
import inspect
import linecache
import math
import math as m
import textwrap

import numpy as np
import pytest

import srcdiff
from srcdiff.frontend import generic_of
from conftest import central_difference, import_text
from srcdiff.pipeline import build_gradient as build

K = 2.0
C = 10.0


def f3(x, y, z):
    return (x + y) * z * x


def one(x):
    return math.sin(x) * x


def no_params():
    return 1.0


POINT = (0.5, -1.5, 2.0)


def numeric(f, args):
    return tuple(central_difference(f, args, i) for i in range(len(args)))


# ---------------------------------------------------------------- wrt forms

def test_wrt_none_gives_every_parameter():
    assert srcdiff.grad(f3)(*POINT) == pytest.approx(numeric(f3, POINT), rel=1e-7)


def test_wrt_none_with_one_parameter_is_bare():
    g = srcdiff.grad(one)(0.3)
    assert isinstance(g, float)
    assert g == pytest.approx(math.cos(0.3) * 0.3 + math.sin(0.3))


@pytest.mark.parametrize("wrt,picked", [
    (0, 0), (2, 2), (-1, 2), ("y", 1), ("z", 2),
])
def test_single_wrt_is_bare(wrt, picked):
    g = srcdiff.grad(f3, wrt=wrt)(*POINT)
    assert isinstance(g, float)
    assert g == pytest.approx(numeric(f3, POINT)[picked], rel=1e-7)


@pytest.mark.parametrize("wrt,picked", [
    ((0,), (0,)), (["z"], (2,)), ((np.int64(2), np.int32(0)), (2, 0)), ((2, 0), (2, 0)), (["y", 0], (1, 0)), ((0, "y", -1), (0, 1, 2)),
])
def test_sequence_wrt_is_a_tuple_in_that_order(wrt, picked):
    g = srcdiff.grad(f3, wrt=wrt)(*POINT)
    assert isinstance(g, tuple) and len(g) == len(picked)
    full = numeric(f3, POINT)
    assert g == pytest.approx(tuple(full[i] for i in picked), rel=1e-7)


def test_decorator_forms():
    @srcdiff.grad
    def plain(x, y):
        return x * y

    @srcdiff.grad(wrt="y")
    def with_wrt(x, y):
        return x * y

    assert plain(2.0, 3.0) == (3.0, 2.0)
    assert with_wrt(2.0, 3.0) == 2.0


def test_nested_function_reads_its_closure_constant():
    scale = 3.0

    def scaled(x):
        return x * scale

    assert srcdiff.grad(scaled)(1.0) == 3.0


@pytest.mark.parametrize("wrt,message", [
    (3, "out of range"), (-4, "out of range"), ("w", "no parameter named 'w'"), ((0, "x"), "twice"),
    (1.0, "positions or names"), (True, "positions or names"), ((None,), "positions or names"),
    ([[0]], "positions or names"), (np.array([0, 1]), "positions or names"), ({0, 1}, "positions or names"),
])
def test_bad_wrt_is_a_srcdiff_error(wrt, message):
    with pytest.raises(srcdiff.SrcdiffError, match=message) as err:
        srcdiff.grad(f3, wrt=wrt)
    assert err.value.filename == __file__
    assert err.value.lineno == f3.__code__.co_firstlineno


def test_no_parameters_is_a_srcdiff_error():
    with pytest.raises(srcdiff.SrcdiffError, match="no parameters"):
        srcdiff.grad(no_params)


# ---------------------------------------------------------------- value_and_grad

@pytest.mark.parametrize("wrt", [None, 1, "z", (0, 2)])
def test_value_and_grad_matches_grad(wrt):
    value, grads = srcdiff.value_and_grad(f3, wrt=wrt)(*POINT)
    assert value == f3(*POINT)
    assert grads == srcdiff.grad(f3, wrt=wrt)(*POINT)


def test_value_and_grad_decorator_and_constant_result():
    @srcdiff.value_and_grad(wrt=0)
    def const_result(x):
        return K

    assert const_result(5.0) == (2.0, 0.0)


# ---------------------------------------------------------------- caching

def test_gradients_are_cached_per_function_and_wrt():
    assert srcdiff.grad(f3) is srcdiff.grad(f3)
    assert srcdiff.grad(f3, wrt=[0, 1]) is srcdiff.grad(f3, wrt=(0, 1))
    assert srcdiff.grad(f3, wrt=0) is not srcdiff.grad(f3, wrt=(0,))
    assert srcdiff.grad(f3) is not srcdiff.value_and_grad(f3)


def test_an_edited_file_is_read_again(tmp_path):
    first = import_text(tmp_path, "def f(x):\n    return x * x\n", "edited")
    assert srcdiff.grad(first.f)(3.0) == 6.0
    second = import_text(tmp_path, "def f(x):\n    return x * x * x\n", "edited")
    assert srcdiff.grad(second.f)(3.0) == 27.0


# ---------------------------------------------------------------- the generated function

def test_source_is_what_was_compiled():
    g = srcdiff.grad(f3)
    assert isinstance(g.source, str) and g.source.startswith("def grad_f3(x, y, z):")
    # g runs a tight text of its own (f3 computes with numbers alone); derivatives of it read its generic code
    generic = generic_of(g)
    assert "".join(linecache.getlines(generic.__code__.co_filename)) == g.source
    assert inspect.getsource(generic) == g.source and inspect.getsource(g) == g.source_for(*POINT)
    namespace = {"math": math, "rt": srcdiff.runtime}
    exec(compile(g.source, "<test>", "exec"), namespace)
    assert namespace["grad_f3"](*POINT) == g(*POINT)


def test_same_text_gives_the_same_code(tmp_path):
    text = "import math\n\ndef f(a, b):\n    c = math.exp(a) * b\n    c = c + a / b\n    return c * c\n"
    one_module = import_text(tmp_path, text, "first_copy")
    other = import_text(tmp_path, text, "second_copy")
    assert build(one_module.f, "grad", None).source == build(other.f, "grad", None).source
    assert build(one_module.f, "grad", None).source == srcdiff.grad(one_module.f).source


# ---------------------------------------------------------------- names the user chose

def _check_against_differences(f, args, **kw):
    g = srcdiff.grad(f, **kw)(*args)
    g = g if isinstance(g, tuple) else (g,)
    assert g == pytest.approx(numeric(f, args), rel=1e-6, abs=1e-9), srcdiff.grad(f, **kw).source


def test_user_names_like_generated_ones(tmp_path):
    module = import_text(tmp_path, textwrap.dedent("""
        import math as m

        def f(x, grad_x, s0, rt, np):
            s1 = x * grad_x
            grad_s1 = s1 * s0
            math = m.sin(grad_s1) + rt * np
            return math * abs(x) + m.pi * rt
    """))
    _check_against_differences(module.f, (0.5, 1.5, -0.7, 2.0, 3.0))
    source = srcdiff.grad(module.f).source
    assert "def grad_f(x, grad_x, s0, rt, np):" in source
    assert "math_1.sin" in source and "rt_1.sign" in source


def test_module_level_constants_named_like_runtime_aliases(tmp_path):
    module = import_text(tmp_path, textwrap.dedent("""
        import math
        rt = 3.0
        np = 0.5

        def f(x):
            return math.exp(x * rt) * np + abs(x)
    """))
    _check_against_differences(module.f, (0.25,))
    _check_against_differences(module.f, (-0.25,))


def test_imported_function_names(tmp_path):
    module = import_text(tmp_path, textwrap.dedent("""
        from math import exp, sin as sine
        import math as mm

        def f(x, y):
            return exp(x) * sine(y) + mm.log(y) * mm.tau
    """))
    _check_against_differences(module.f, (0.3, 1.7))


def helper_reads_c(a):
    return a * C


def caller_with_parameter_c(x, C):
    return helper_reads_c(x) + C * x


def caller_with_local_c(x):
    C = x * 3.0
    return helper_reads_c(C) + C


def test_constant_of_a_helper_is_not_shadowed_by_a_callers_name():
    _check_against_differences(caller_with_parameter_c, (2.0, 1.0))
    _check_against_differences(caller_with_local_c, (2.0,))


def local_shadows_constant(x):
    K = x * x
    return K * m.pi + x


def test_local_shadowing_a_constant():
    _check_against_differences(local_shadows_constant, (1.5,))


# ---------------------------------------------------------------- integer-valued values

def int_of(x):
    n = int(x)
    return n * x


def compare_times(x):
    b = x > 1.0
    return b * x


def round_feeds(x, y):
    r = round(x)
    k = r * 2 + (y < x)
    return k * y + x


def bool_and_floor(x):
    return bool(x) * math.floor(x) * x


def max_with_an_int(x, w):
    y = max(x, 1)
    return y * w


def only_piecewise(x):
    return x // 2.0 + math.ceil(x) + int(x) + (x > 0)


@pytest.mark.parametrize("f,args", [
    (int_of, (2.5,)), (compare_times, (2.0,)), (compare_times, (0.5,)), (round_feeds, (2.4, 1.5)),
    (bool_and_floor, (3.5,)), (only_piecewise, (2.5,)), (max_with_an_int, (0.5, 1.5)), (max_with_an_int, (2.5, 1.5)),
])
def test_integer_valued_intermediates_give_float_gradients(f, args):
    g = srcdiff.grad(f)(*args)
    for item in g if isinstance(g, tuple) else (g,):
        assert type(item) is float, srcdiff.grad(f).source
    _check_against_differences(f, args)


def power(x, n):
    return x ** n * 2


def test_int_arguments():
    gx, gn = srcdiff.grad(power)(3.0, 2)
    assert gx == 12.0
    assert gn == pytest.approx(2 * 9.0 * math.log(3.0))
    assert srcdiff.grad(one)(1) == pytest.approx(math.cos(1) + math.sin(1))
    assert srcdiff.grad(f3)(1, 2, 3) == pytest.approx(numeric(f3, (1.0, 2.0, 3.0)))


def unused_int(x, n):
    return x * 2.0


def test_unused_parameter_gradient_is_float_zero():
    assert srcdiff.grad(unused_int)(1.0, 3) == (2.0, 0.0)
    assert type(srcdiff.grad(unused_int)(1.0, 3)[1]) is float


# ---------------------------------------------------------------- defaults and helpers

def with_default(x, c=K, *, d=K * 2):
    return c * x * x + d


def scaled_sum(a, b=2.0, *, w=0.5):
    return a * b + w * a


def calls_helper_with_keywords(x, y):
    return scaled_sum(x) + scaled_sum(y, b=x) + scaled_sum(x, w=y) + scaled_sum(b=y, a=x)


def test_default_arguments_of_the_function_itself():
    g = srcdiff.grad(with_default)
    assert "c=K" in g.source
    assert g(3.0) == (12.0, 9.0, 1.0)
    assert g(3.0, 1.0, d=5.0) == (6.0, 9.0, 1.0)


def test_helpers_with_defaults_and_keywords():
    _check_against_differences(calls_helper_with_keywords, (0.7, -1.3))


# ---------------------------------------------------------------- builtins, keywords, methods

def calls_abs_and_max(t):
    return abs(t) + max(t, 0.5)


def locals_named_like_builtins(x):
    abs = x * 2.0
    max = x + 1.0
    float = int(x)
    s = 0.0
    for i in range(2):
        reversed = s * x
        tuple = reversed + float
        s = tuple * 0.5 + x
    return calls_abs_and_max(abs) * max + float * x + s


def pow_with_keywords(x, y):
    return pow(x, exp=3.0) + pow(base=y, exp=x)


def test_locals_named_like_builtins_the_generated_code_calls():
    _check_against_differences(locals_named_like_builtins, (1.5,))
    _check_against_differences(locals_named_like_builtins, (-2.5,))


def nested_parameters_named_like_builtins(x):
    scaled = lambda range: range * x  # noqa: E731 (inlined: its parameter becomes a renamed variable)

    def doubled(float):
        return float * 2.0
    return scaled(x) * x + doubled(x)


def test_nested_parameters_named_like_builtins_are_inlined_as_variables():
    _check_against_differences(nested_parameters_named_like_builtins, (1.5,))
    assert srcdiff.grad(nested_parameters_named_like_builtins)(1.5) == pytest.approx(3 * 1.5 ** 2 + 2.0)


def test_pow_with_keyword_arguments():
    _check_against_differences(pow_with_keywords, (1.5, 2.0))


class Model:
    def method(self, x):
        return x * x

    @staticmethod
    def static(x):
        return x * x * x


def test_methods():  # a bound method was refused; issue 12 differentiates it (tests/test_classes.py)
    model = Model()
    assert srcdiff.grad(model.method, wrt="x")(3.0) == 6.0 == srcdiff.grad(model.method, wrt=0)(3.0)
    assert type(srcdiff.grad(model.method)(3.0)) is Model  # with respect to self: an object of its class
    assert srcdiff.grad(Model.method, wrt=1)(Model(), 3.0) == 6.0
    assert srcdiff.grad(Model.static)(2.0) == 12.0


def test_rebinding_a_module_constant_builds_again(tmp_path):
    module = import_text(tmp_path, "RATE = 2.0\n\ndef f(x):\n    return RATE * x * x\n")
    first = srcdiff.grad(module.f)
    assert first(1.0) == 4.0
    assert srcdiff.grad(module.f) is first  # unchanged: cached
    module.RATE = 5.0
    again = srcdiff.grad(module.f)
    assert again is not first and again(1.0) == 10.0 == 2 * module.f(1.0)
    assert srcdiff.grad(module.f) is again


def test_arrays_passed_to_scalar_code_are_refused_not_misdifferentiated(tmp_path):
    """A function without NumPy syntax, given arrays, returns an array: grad refuses it."""
    module = import_text(tmp_path, "def double(x):\n    return x * 2.0\n", "scalar_given_arrays")
    gradient = srcdiff.grad(module.double)
    assert gradient(3.0) == 2.0
    with pytest.raises(srcdiff.SrcdiffError, match="returned an array"):
        gradient(np.array([1.0, 2.0]))
