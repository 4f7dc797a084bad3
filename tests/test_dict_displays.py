"""A dict built inside the function with constant string keys (``{"a": a}``, ``dict(a=a)``),
read at constant keys or handed to a helper (Tangent's own tests build ``dict(a=a, b=b, c=c)``
for a helper): known when compiling, as a helper's ``**kwargs`` is, so each entry is its value.
Anything else done with such a dict is refused at the user's line (it was refused as a dict
display before, and a dict reaching an ``if``, a loop or a print crashed inside srcdiff)."""
import numpy as np
import pytest

import srcdiff
from tangent_corpus_checks import along, assert_close, fd_gradient
from trust_helpers import assert_user_error


def fma(q):
    return q["a"] * q["b"] + q["c"]


def display_for_a_helper(a, b, c):
    return fma({"a": a, "b": b * b, "c": np.sin(c)})


def call_for_a_helper(a, b, c):
    return fma(dict(a=a, b=b, c=c * a))


def nested(a, b):
    d = {"w": {"v": a * b}, "s": b}
    return d["w"]["v"] * 3.0 + d["s"] ** 2


def spread_into_a_call(x, a):
    return np.sum(np.sum(x * a, **{"axis": 0}) ** 2)


def as_keywords(a, b):
    return scaled(**{"u": a, "v": b})


def scaled(u, v):
    return u * v + u


def in_a_loop(a, n):
    settings = {"rate": 0.5, "bias": a}
    for i in range(n):
        a = a * settings["rate"] + settings["bias"]
    return a


CASES = [(display_for_a_helper, (0.63, -1.37, 1.91)), (call_for_a_helper, (0.63, -1.37, 1.91)), (nested, (0.7, -0.4)),
         (spread_into_a_call, (np.array([[0.5, 1.5], [-1.0, 2.0]]), 0.8)), (as_keywords, (0.5, 2.0)),
         (in_a_loop, (0.7, 3))]


@pytest.mark.parametrize("k", range(len(CASES)))
def test_a_dict_built_inside_is_read_entry_by_entry(k):
    f, args = CASES[k]
    for p, x in enumerate(args):
        if isinstance(x, int):
            continue
        assert_close(srcdiff.grad(f, wrt=p)(*args), fd_gradient(f, args, p), rtol=1e-6, atol=1e-8)
        d = np.full(np.shape(x), 0.7) if isinstance(x, np.ndarray) else 0.7
        assert_close(srcdiff.jvp(f, wrt=p)(*args, d), along(f, args, p, d), rtol=1e-6, atol=1e-8)
        second = along(lambda *xs: fd_gradient(f, xs, p), args, p, d, eps=1e-4)
        assert_close(srcdiff.hvp(f, wrt=p)(*args, d), second, rtol=1e-4, atol=1e-5)


def returned(a):
    d = {"a": a}
    return d


def walked(a):
    d = {"a": a, "b": 2.0}
    t = 0.0
    for k in d:
        t = t + a
    return t


def checked_as_a_flag(a):
    d = {"a": a}
    if d:
        return a * 2.0
    return a


def printed(a):
    d = {"a": a}
    print(d)
    return a * 2.0


def missing(a):
    d = {"a": a}
    return d["z"]


def summed(a):
    d = {"a": a}
    return np.sum(d)


def int_keys(a):
    d = {1: a}
    return d[1]


def written(a):
    d = {"a": a}
    d["a"] = a * 5.0
    return d["a"]


def reassigned_in_a_loop(a, n):
    d = {"a": a}
    for i in range(n):
        d = {"a": d["a"] * 2.0}
    return d["a"]


def by_method(a):
    d = {"a": a}
    return d.get("a")


REFUSED = [(returned, "the result is a dict"),
           (checked_as_a_flag, "cannot be used as a value here"), (printed, "cannot be used as a value here"),
           (missing, "is not an entry of the dict"), (summed, "cannot be used as a value in 'np.sum(d)'"),
           (int_keys, "keys are not all constant strings"),
           (reassigned_in_a_loop, "the dict 'd' is reassigned in a loop"), (by_method, "'.get()' of a dict built here is not supported")]


def test_a_dict_written_at_a_constant_key():  # refused before; tests/test_dict_writes.py has the rest
    assert srcdiff.grad(written, wrt=0)(0.5) == pytest.approx(5.0)


def test_a_dict_walked_by_its_keys_is_unrolled():
    assert srcdiff.grad(walked, wrt=0)(0.5) == pytest.approx(fd_gradient(walked, (0.5,), 0))  # tests/test_newcomer_syntax.py


@pytest.mark.parametrize("fn,words", REFUSED, ids=[f.__name__ for f, _ in REFUSED])
def test_anything_else_done_with_such_a_dict_is_refused_at_the_users_line(fn, words):
    args = (0.5, 2) if fn is reassigned_in_a_loop else (0.5,)
    with pytest.raises(srcdiff.SrcdiffError, match=words.replace("(", r"\(").replace(")", r"\)")) as info:
        srcdiff.grad(fn, wrt=0)(*args)
    assert_user_error(info.value, fn)
