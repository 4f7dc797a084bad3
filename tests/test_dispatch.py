"""The dispatcher a specialized gradient hands out (``pipeline.dispatch``): a test written
out per signature passes exactly for the calls of that signature's key, calls alternating
between signatures each run the code built for their own, calls by keyword or leaving
defaults out bind as the generic code binds them, and the text is deterministic and names
no object twice nor a parameter's name."""
import os
import re

import numpy as np
import pytest
from gradcheck import numeric_grad

import srcdiff
from srcdiff.analysis import call_key
from srcdiff.pipeline.dispatch import WRITTEN_OUT, Dispatcher, Names, guard_parts

pytestmark = pytest.mark.skipif(os.environ.get("SRCDIFF_GENERIC") == "1",
                                reason="pytest --generic: gradients run their generic code, nothing is dispatched")


class Row(np.ndarray):
    """A subclass of ndarray: no kind, its own key."""


NAMED_FLOAT = type("float", (), {})  # a class named like the builtin the dispatcher's text names


class Proxy:
    """An object whose ``__class__`` is not a class (as proxies may have)."""
    __class__ = property(lambda self: 7)


def _values():
    metadata = np.ones(2).astype(np.dtype(np.float64, metadata={"unit": "m"}))
    return [1.5, 3, True, False, np.float64(1.5), np.float32(1.5), np.int64(3), None, "s", {"a": 1.0}, NAMED_FLOAT(),
            [1.0, 2.0], [1, 2], [True], [], [np.ones(2)], (1.0,), (2,), (), ((1.0,),),
            [1.0, np.ones(2)], [1.0, np.ones(2), 2.0], [1.0, np.float64(2.0), 3.0], (1.0, "s", 2.0),
            np.ones(3), np.ones((2, 2)), np.ones((2, 2, 2)), np.ones(3, np.float32), np.ones((2, 2), np.float32),
            np.array(2.0), np.ones(3, int), np.ones(3, bool), np.ones(3, ">f8"), metadata, np.ones(3).view(Row),
            Proxy(), [Proxy()]]


VALUES = _values()


def _passes(key, value):
    """Whether the test written for ``key`` (of one argument) passes for ``value``."""
    namespace = {}
    (test,) = guard_parts(key, ["a"], Names(namespace))
    return bool(eval(test, namespace, {"a": value}))


def _same_objects(u, v):
    """Whether the keys of ``u`` and ``v`` hold the same objects (an ndarray's dtype by identity)."""
    return not isinstance(u, np.ndarray) or type(u) is not np.ndarray or u.dtype is getattr(v, "dtype", None)


@pytest.mark.parametrize("u", VALUES, ids=lambda value: re.sub(" at 0x[0-9a-f]+", "", repr(value)))  # ids the same in every process
def test_a_written_out_test_passes_exactly_for_its_key(u):
    key = call_key((u,))
    for v in VALUES:
        equal = call_key((v,)) == key
        assert _passes(key, v) == (equal and _same_objects(u, v)), (u, v)


def test_a_test_weakened_by_one_look_is_caught():
    """The check above fails for a test that leaves out the dtype, the ndim or the look at the items."""
    for weaken in (" and a.dtype is np_float64", " and a.ndim == 1", " and numbers_alone(a)"):
        def weak(key, value, weaken=weaken):
            namespace = {}
            (test,) = guard_parts(key, ["a"], Names(namespace))
            return bool(eval(test.replace(weaken, ""), namespace, {"a": value}))
        wrong = [(u, v) for u in VALUES for v in VALUES
                 if weak(call_key((u,)), v) and call_key((v,)) != call_key((u,))]
        assert wrong, weaken


def test_names_never_bind_two_objects_nor_a_parameter():
    namespace = {"x": None}
    names = Names(namespace)
    assert names.of(float, "float") == "float"
    assert names.of(NAMED_FLOAT, NAMED_FLOAT.__name__) == "float_2" and names.of(float, "float") == "float"
    assert names.of(1, "x") == "x_2" and names.of(2, "class") == "c_class" and names.of(3, "a b") == "a_b"


# ---------------------------------------------------------------- a dispatcher with tagged code

def _tagged(keys, parameters=("a", "b"), defaults=None):
    """A dispatcher whose code for each key returns that key's tag, and whose slow path says so."""
    dispatcher = Dispatcher(parameters, defaults, 0, lambda args: ("slow", args))
    for tag, key in enumerate(keys):
        dispatcher.add(key, lambda *args, tag=tag: tag, f"signature {tag}")
    return dispatcher


def test_calls_alternating_between_signatures_run_their_own_code():
    signatures = [(np.ones(2), 1.5), (np.ones(2, np.float32), 1.5), (np.ones((2, 2)), 1.5), ([1.0], 1.5),
                  ((1.0,), 1.5), (np.ones(2), 2)]
    keys = [call_key(args) for args in signatures]
    dispatch = _tagged(keys).new_function()
    for u in VALUES:
        for v in (1.5, 2, True, [1.0], np.ones(2)):
            key = call_key((u, v))
            written = key in keys[:WRITTEN_OUT] and _same_objects(signatures[keys.index(key)][0], u)
            got = dispatch(u, v)
            assert got == keys.index(key) if written else got[0] == "slow", (u, v, got)


def test_a_call_by_keyword_or_leaving_defaults_out_binds_as_the_generic_code():
    default = np.ones(2, np.float32)
    keys = [call_key((np.ones(2), 1.5, default)), call_key((np.ones(2), 2, 3))]
    dispatcher = _tagged(keys, ("x", "k", "b"), defaults=(1.5, default))
    dispatch = dispatcher.new_function()
    assert dispatch(np.ones(2)) == 0 and dispatch(x=np.ones(2)) == 0 and dispatch(np.ones(2), b=default) == 0
    assert dispatch(b=3, k=2, x=np.ones(2)) == 1 and dispatch(np.ones(2), 2, b=3) == 1
    assert dispatch(np.ones(2), 2)[0] == "slow" and dispatch(np.ones(2), 2)[1][2] is default
    assert "def dispatch(x, k=default_k, b=default_b):" in dispatcher.text
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'x'"):
        dispatch()
    with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
        dispatch(np.ones(2), z=1)
    positional_only = Dispatcher(("x", "k"), (1.5,), 1, lambda args: ("slow", args))
    assert positional_only.text.startswith("def dispatch(x, /, k=default_k):")
    with pytest.raises(TypeError, match="positional-only arguments passed as keyword arguments: 'x'"):
        positional_only.new_function()(x=np.ones(2))


def test_the_text_is_deterministic_and_reads_as_written():
    keys = [call_key((np.ones(2), [1.0])), call_key((np.ones((2, 2), np.float32), ()))]
    assert _tagged(keys).text == _tagged(keys).text == (
        "def dispatch(a, b):\n"
        "    # signature 0\n"
        "    if (a.__class__ is ndarray and a.ndim == 1 and a.dtype is np_float64\n"
        "            and b.__class__ is list and numbers_alone(b)):\n"
        "        return compiled(a, b)\n"
        "    # signature 1\n"
        "    if (a.__class__ is ndarray and a.ndim == 2 and a.dtype is np_float32\n"
        "            and b.__class__ is tuple and numbers_alone(b)):\n"
        "        return compiled_2(a, b)\n"
        "    return slow((a, b))\n")


def test_written_out_signatures_are_capped():
    keys = [call_key((np.ones((2,) * ndim), 1.5)) for ndim in range(1, WRITTEN_OUT + 3)]
    dispatcher = _tagged(keys)
    assert dispatcher.text.count("return compiled") == WRITTEN_OUT
    assert dispatcher.new_function()(np.ones((2,) * (WRITTEN_OUT + 1)), 1.5)[0] == "slow"


# ---------------------------------------------------------------- gradients

def items(a, xs):
    return np.sum(a * xs[0] * xs[1] + xs[-1] ** 2)


def scaled(x, k=2.0, b=1.0):
    return np.sum(x * x) * k + b


def clash(ndarray, dispatch, compiled, slow, MISSING=1.0):  # parameters named like the text's globals
    return np.sum(ndarray * dispatch) * compiled + slow[0] * MISSING


ALTERNATING = [(0.5, [1.0, 2.0, 3.0]), (0.5, np.array([1.0, -2.0, 3.0])), (0.5, np.array([1.0, -2.0, 3.0], np.float32)),
               (0.5, np.arange(6.0).reshape(3, 2) / 5), (0.5, (1.0, 2.0)), (2, [1.0, 2.0]), (0.5, [1, 2]),
               (np.float64(0.5), [1.0, 2.0]), (0.5, np.arange(6.0, dtype=np.float32).reshape(3, 2) / 5),
               (True, [1.0, 2.0]), (0.5, np.array([1, -2, 3])), (0.5, np.array([1.0, -2.0, 3.0], ">f8"))]


def test_gradients_called_with_alternating_signatures_agree_with_the_generic_code_and_differences():
    g = srcdiff.grad(items)
    for _ in range(2):
        for args in ALTERNATING:
            got, generic = g(*args), g.__srcdiff_generic__(*args)
            assert got[0] == pytest.approx(generic[0]) and type(got[1]) is type(generic[1])
            assert getattr(got[1], "dtype", None) == getattr(generic[1], "dtype", None)
            np.testing.assert_allclose(np.asarray(got[1], np.float64), np.asarray(generic[1], np.float64), rtol=1e-5)
            if isinstance(args[0], (np.floating, float)):
                tol = 1e-3 if getattr(args[1], "dtype", None) == np.float32 else 1e-6
                as_floats = [np.float64(args[0]), np.asarray(args[1], np.float64)]
                assert got[0] == pytest.approx(numeric_grad(items, as_floats, 0), rel=tol, abs=tol)
    assert g.__srcdiff_dispatcher__.text.count("return compiled") == WRITTEN_OUT


def test_a_call_by_keyword_or_leaving_defaults_out_runs_what_the_call_by_position_runs():
    g = srcdiff.grad(scaled)
    x = np.array([0.5, -1.0, 2.0])
    for keywords in ({"x": x}, {"k": 2.0, "x": x}, {"b": 1.0, "x": x}, {"b": 1.0, "k": 2.0, "x": x}):
        got, want = g(**keywords), g(x, 2.0, 1.0)
        assert all(np.array_equal(a, b) for a, b in zip(got, want))
    assert all(np.array_equal(a, b) for a, b in zip(g(x), g.__srcdiff_table__[call_key((x, 2.0, 1.0))](x, 2.0, 1.0)))
    assert g.source_for(x) == g.source_for(x, 2.0, 1.0)
    for a, b in zip(g(x, b=0.5), (2.0 * 2.0 * x, np.sum(x * x), 1.0)):
        np.testing.assert_allclose(a, b)
    with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
        g(x, z=1.0)
    with pytest.raises(TypeError, match="from 1 to 3 positional arguments but 4 were given"):
        g(x, 1.0, 2.0, 3.0)


def test_parameters_named_like_the_texts_globals():
    g = srcdiff.grad(clash)
    for args in ((np.ones(3), 2.0, 0.5, [1.0]), (np.ones(3, np.float32), np.ones(3), 0.5, (2.0,), 3.0)):
        got, generic = g(*args), g.__srcdiff_generic__(*args)
        for a, b in zip(got, generic):
            np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64), rtol=1e-6)
    text = g.__srcdiff_dispatcher__.text
    assert "ndarray.__class__ is ndarray_2" in text and "compiled_2(ndarray, dispatch, compiled, slow" in text
    assert "slow_2((ndarray, dispatch, compiled, slow, MISSING))" in text and "MISSING=default_MISSING" in text
