"""A value from the arguments that the code iterates, read by position.

srcdiff lowers iterating a value known only at run time (a comprehension, ``sum(xs)``,
``max(xs)``, ``list(xs)``, ``sorted(xs)``, ``a, b = xs``, ``zip``, ``enumerate``, ``reversed``)
to reads by position, ``xs[0]``, ``xs[1]``...  For a dict those are values where Python's
iteration gives keys: ``sum(k * x for k in d)`` of ``{0: 4.0, 1: 2.0}`` was 18 with gradient 6
(Python: 3 and 1), silently.  A set or an iterator crashed with a raw TypeError.  Each is now
refused at the line that iterates it (``lower.positions``, ``rt.check_sequence``), on every
path; lists, tuples and arrays give what they gave, and a ``for`` statement over a dict's keys
(which runs as Python's own loop) works.
"""
import os

import numpy as np
import pytest

import srcdiff
from tangent_corpus_checks import assert_close, fd_gradient


def summed(d, x):
    return sum(d) * x


def keys_weighted(d, x):
    return sum(k * x for k in d)


def values_read_back(d, x):
    return sum(d[k] * x for k in d)


def listed(d, x):
    ks = list(d)
    return ks[1] * x


def tupled(d, x):
    ks = tuple(d)
    return ks[0] * x + ks[1]


def largest(d, x):
    return max(d) * x


def enumerated(d, x):
    return sum(i * k * x for i, k in enumerate(d))


def zipped(d, x):
    return sum(k * x * w for k, w in zip(d, [1.0, 2.0]))


def backwards(d, x):
    return sum(k * x ** 2 for k in reversed(d))


def listed_comprehension(d, x):
    ys = [k * x for k in d]
    return ys[1]


def unpacked(d, x):
    a, b = d
    return a * x + b


def in_order(d, x):
    return sorted(d)[0] * x + sorted(d)[1]


def any_big(d, x):
    return x * 2.0 if any(k > 3 for k in d) else x


def row_sums(rows, x):
    total = 0.0
    for row in rows:
        total = total + sum(v * x for v in row)
    return total


def part_summed(p, x):
    return sum(v * x for v in p["a"])


def second_of_pairs(pairs, x):
    total = 0.0
    for a, b in pairs:
        total = total + sum(v * x for v in b)
    return total


FAMILY = [summed, keys_weighted, listed, tupled, largest, enumerated, zipped, backwards,
          listed_comprehension, unpacked, in_order, any_big]
INT_KEYS = {0: 4.0, 1: 2.0}  # keys read as positions would find the values


def _first_line(error):
    return str(error).splitlines()[0]


@pytest.mark.parametrize("f", FAMILY, ids=lambda f: f.__name__)
def test_a_dict_iterated_is_refused_at_its_line(f):
    with pytest.raises(srcdiff.SrcdiffError) as caught:
        srcdiff.value_and_grad(f, wrt=1)(INT_KEYS, 3.0)
    line = f.__code__.co_firstlineno + 1
    assert f"test_positional_iteration.py:{line}:" in _first_line(caught.value)
    assert "the argument for parameter 'd' is a dict" in _first_line(caught.value)
    assert "its keys" in _first_line(caught.value)


@pytest.mark.parametrize("f", FAMILY, ids=lambda f: f.__name__)
def test_every_path_refuses_a_dict_iterated(f):
    paths = [lambda: srcdiff.grad(f, wrt=1)(INT_KEYS, 3.0),
             lambda: srcdiff.grad(f, wrt=0)(INT_KEYS, 3.0),
             lambda: srcdiff.jvp(f, wrt=1)(INT_KEYS, 3.0, 1.0),
             lambda: srcdiff.hvp(f, wrt=1)(INT_KEYS, 3.0, 1.0),
             lambda: srcdiff.hessian(f, wrt=1)(INT_KEYS, 3.0),
             lambda: srcdiff.grad(srcdiff.grad(f, wrt=1), wrt=1)(INT_KEYS, 3.0),
             lambda: srcdiff.explain(f, INT_KEYS, 3.0)]
    for path in paths:
        with pytest.raises(srcdiff.SrcdiffError, match="is a dict"):
            path()


@pytest.mark.parametrize("f", FAMILY, ids=lambda f: f.__name__)
def test_string_keys_are_refused_too(f):
    """Where Python itself would fail (``sum`` of strings) or give a key, positions read values."""
    with pytest.raises(srcdiff.SrcdiffError, match="is a dict"):
        srcdiff.grad(f, wrt=1)({"a": 4.0, "b": 2.0}, 3.0)


@pytest.mark.parametrize("f", [keys_weighted, listed_comprehension, backwards, unpacked],
                         ids=lambda f: f.__name__)
def test_a_set_and_an_iterator_are_refused_not_crashed(f):
    with pytest.raises(srcdiff.SrcdiffError, match="is a set"):
        srcdiff.grad(f, wrt=1)({4.0, 2.0}, 3.0)
    if f is not unpacked:  # (unpacking an iterator is Python's own error, as before)
        with pytest.raises(srcdiff.SrcdiffError, match="has none"):
            srcdiff.grad(f, wrt=1)(iter([4.0, 2.0]), 3.0)


def test_an_item_or_a_part_of_an_argument_is_checked():
    with pytest.raises(srcdiff.SrcdiffError, match="a value is a dict"):
        srcdiff.grad(row_sums, wrt=1)([INT_KEYS], 3.0)
    with pytest.raises(srcdiff.SrcdiffError, match="a value is a dict"):
        srcdiff.grad(part_summed, wrt=1)({"a": INT_KEYS}, 3.0)
    with pytest.raises(srcdiff.SrcdiffError, match="a value is a dict"):  # the second name a loop unpacks too
        srcdiff.grad(second_of_pairs, wrt=1)([([1.0], INT_KEYS)], 3.0)
    assert_close(srcdiff.grad(row_sums, wrt=1)([[4.0, 2.0], (1.0,)], 3.0), 7.0)
    assert_close(srcdiff.grad(second_of_pairs, wrt=1)([([1.0], [4.0, 2.0])], 3.0), 6.0)
    assert_close(srcdiff.grad(part_summed, wrt=1)({"a": [4.0, 2.0]}, 3.0), 6.0)


SEQUENCES = [[4.0, 2.0], (4.0, 2.0), np.array([4.0, 2.0]), [2.0, 4.0]]


@pytest.mark.parametrize("f", FAMILY, ids=lambda f: f.__name__)
@pytest.mark.parametrize("k", range(len(SEQUENCES)))
def test_sequences_keep_their_values_and_gradients(f, k):
    xs, x = SEQUENCES[k], 3.0
    value, gradient = srcdiff.value_and_grad(f, wrt=(0, 1))(xs, x)
    assert value == pytest.approx(f(xs, x))
    assert_close(gradient[1], fd_gradient(f, (xs, x), 1), rtol=1e-6, atol=1e-7)
    assert_close(gradient[0], fd_gradient(f, (xs, x), 0), rtol=1e-6, atol=1e-7)
    assert srcdiff.jvp(f, wrt=1)(xs, x, 1.0) == pytest.approx(float(fd_gradient(f, (xs, x), 1)), rel=1e-6)


def keys_loop(d, x):
    total = 0.0
    for k in d:
        total = total + k * x + d[k] * x * x
    return total


def pairs_loop(pairs, x):
    total = 0.0
    for a, b in pairs:
        total = total + a * x + b
    return total


@pytest.mark.parametrize("d", [INT_KEYS, {1: 0.5, 5: -2.0, 2: 3.0}])
def test_a_for_statement_over_a_dict_walks_its_keys_as_python_does(d):
    value, gradient = srcdiff.value_and_grad(keys_loop, wrt=1)(d, 1.5)
    assert value == pytest.approx(keys_loop(d, 1.5))
    assert gradient == pytest.approx(float(fd_gradient(keys_loop, (d, 1.5), 1)), rel=1e-6)
    value, gradient = srcdiff.value_and_grad(pairs_loop, wrt=1)([d], 1.5) if len(d) == 2 else (None, None)
    if value is not None:
        assert value == pytest.approx(pairs_loop([d], 1.5))
        assert gradient == pytest.approx(float(fd_gradient(pairs_loop, ([d], 1.5), 1)), rel=1e-6)


@pytest.mark.skipif(os.environ.get("SRCDIFF_GENERIC") == "1", reason="pytest --generic: no specialized code")
def test_the_generic_code_checks_and_the_specialized_code_does_not():
    g = srcdiff.grad(keys_weighted, wrt=1)
    assert "rt.check_sequence(d)" in g.source
    assert "if d.__class__ is not list:" in g.source
    for xs in ([4.0, 2.0], (4.0, 2.0), np.array([4.0, 2.0])):
        assert "check_sequence" not in g.source_for(xs, 3.0)
    assert "check_sequence" in g.source_for([np.ones(2), 2.0], 3.0)  # a list of arrays: no kind


def test_a_value_the_function_made_is_not_checked():
    def made(xs, x):
        ys = [v * x for v in xs]
        return sum(y * y for y in ys) + max(ys)

    source = srcdiff.grad(made, wrt=1).source
    assert source.count("rt.check_sequence") == 1  # xs only


@pytest.mark.parametrize("d", [INT_KEYS, {"a": 4.0, "b": 2.0}, {3: 1.0, 5: -2.0}])
def test_a_comprehension_reading_a_dict_at_its_own_keys_walks_its_keys(d):
    """``sum(d[k] * x for k in d)``: the keys index the dict itself, so the comprehension walks them
    (``rt.keys_of``) and reads each value at its key, as Python does (refused by the check above
    before the walk at its keys was known; before that, silently wrong for int keys)."""
    value, (grad_d, grad_x) = srcdiff.value_and_grad(values_read_back)(d, 3.0)
    assert value == pytest.approx(values_read_back(d, 3.0))
    assert grad_x == pytest.approx(sum(d.values()))
    assert_close(grad_d, {k: 3.0 for k in d})
    assert srcdiff.jvp(values_read_back, wrt=0)(d, 3.0, {k: 1.0 for k in d}) == pytest.approx(3.0 * len(d))
    assert_close(srcdiff.hvp(values_read_back, wrt=0)(d, 3.0, {k: 1.0 for k in d}), {k: 0.0 for k in d})


def keys_as_numbers(d, x):
    total = 0.0
    for k in d:
        total = total + k * x
    return total


def keys_and_values(d, x):
    total = 0.0
    for k in d:
        total = total + d[k] * x * k
    return total


def test_a_for_statement_computing_with_a_dicts_keys_is_refused_only_where_they_would_get_derivatives():
    """Keys walked by a ``for`` and used as numbers: differentiated with respect to ``x`` they are
    plain numbers (right); with respect to the dict they would be taken for its values (its items),
    which Python's loop does not walk: refused at the loop (reverse) or at the call (forward)."""
    assert srcdiff.value_and_grad(keys_as_numbers, wrt=1)(INT_KEYS, 3.0) == (3.0, 1.0)
    with pytest.raises(srcdiff.SrcdiffError, match="this loop walks a dict") as caught:
        srcdiff.grad(keys_as_numbers, wrt=0)(INT_KEYS, 3.0)
    assert f"test_positional_iteration.py:{keys_as_numbers.__code__.co_firstlineno + 2}:" in str(caught.value)
    for path in (srcdiff.jvp, srcdiff.hvp):
        with pytest.raises(srcdiff.SrcdiffError, match="walks this dict argument"):
            path(keys_as_numbers, wrt=0)(INT_KEYS, 3.0, {0: 1.0, 1: 1.0})
    with pytest.raises(srcdiff.SrcdiffError, match="this loop walks a dict"):
        srcdiff.grad(keys_as_numbers, wrt=0)({1.0, 2.0}, 3.0)


@pytest.mark.parametrize("d", [{3: 1.0, 5: 2.0}, INT_KEYS])
def test_keys_read_at_and_used_as_numbers_have_no_derivative(d):
    value, (grad_d, grad_x) = srcdiff.value_and_grad(keys_and_values)(d, 1.5)
    assert value == pytest.approx(keys_and_values(d, 1.5))
    assert_close(grad_d, {k: 1.5 * k for k in d})
    assert grad_x == pytest.approx(sum(v * k for k, v in d.items()))
    v = {k: 1.0 for k in d}
    assert_close(srcdiff.hvp(keys_and_values, wrt=0)(d, 1.5, v), {k: 0.0 for k in d})
    assert srcdiff.jvp(keys_and_values, wrt=0)(d, 1.5, v) == pytest.approx(1.5 * sum(d))
