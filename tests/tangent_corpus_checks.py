"""The references of ``test_trust_tangent_corpus.py``: values of any structure (numbers,
arrays, tuples, lists, dicts of them) taken apart into float64 leaves, central differences
over them, and comparisons that also check each gradient's type and shape."""
import numpy as np

import srcdiff
from trust_helpers import assert_user_error

EPS = 1e-6


def leaves(value):
    """The numbers and arrays of ``value``, depth first (dict keys in sorted order)."""
    if isinstance(value, dict):
        return [leaf for key in sorted(value) for leaf in leaves(value[key])]
    if isinstance(value, (tuple, list)):
        return [leaf for item in value for leaf in leaves(item)]
    return [value]


def rebuilt(like, new_leaves):
    """``like`` with its leaves replaced, in ``leaves`` order, by ``new_leaves`` (consumed)."""
    if isinstance(like, dict):
        return {key: rebuilt(like[key], new_leaves) for key in sorted(like)}
    if isinstance(like, (tuple, list)):
        return type(like)(rebuilt(item, new_leaves) for item in like)
    return new_leaves.pop(0)


def moved(value, direction, step):
    """``value + step * direction`` leaf by leaf, keeping numbers numbers."""
    out = []
    for x, d in zip(leaves(value), leaves(direction)):
        out.append(float(x + step * d) if not isinstance(x, np.ndarray) else x + step * d)
    return rebuilt(value, out)


def random_like(value, rng):
    """A direction of the structure of ``value``, entries drawn from N(0, 1) + 0.3."""
    out = []
    for x in leaves(value):
        out.append(np.asarray(rng.standard_normal(np.shape(x)) + 0.3, dtype=np.float64)
                   if isinstance(x, np.ndarray) else float(rng.standard_normal() + 0.3))
    return rebuilt(value, out)


def unit_directions(value):
    """One direction per scalar entry of ``value``, each one at that entry and 0 elsewhere."""
    flat = [np.atleast_1d(np.asarray(x, dtype=np.float64)) for x in leaves(value)]
    total = sum(part.size for part in flat)
    for k in range(total):
        parts, offset = [], 0
        for x, part in zip(leaves(value), flat):
            entry = np.zeros(part.size)
            if offset <= k < offset + part.size:
                entry[k - offset] = 1.0
            offset += part.size
            parts.append(entry.reshape(np.shape(x)) if isinstance(x, np.ndarray) else float(entry[0]))
        yield rebuilt(value, parts)


def with_arg(args, index, value):
    return args[:index] + (value,) + args[index + 1:]


def along(f, args, index, direction, eps=EPS):
    """d/ds f(args with args[index] + s * direction) at s = 0, by central differences; the
    result has the structure of f's result (a tuple of results too)."""
    plus = f(*with_arg(args, index, moved(args[index], direction, eps)))
    minus = f(*with_arg(args, index, moved(args[index], direction, -eps)))
    return rebuilt(plus, [(np.asarray(p, dtype=np.float64) - np.asarray(m, dtype=np.float64)) / (2 * eps)
                          for p, m in zip(leaves(plus), leaves(minus))])


def fd_gradient(f, args, index, eps=EPS):
    """d f / d args[index] of a scalar f, with the structure of args[index]."""
    entries = [float(along(f, args, index, e, eps)) for e in unit_directions(args[index])]
    out = []
    for x in leaves(args[index]):
        size = int(np.size(x))
        block, entries = entries[:size], entries[size:]
        out.append(np.array(block).reshape(np.shape(x)) if isinstance(x, np.ndarray) else block[0])
    return rebuilt(args[index], out)


def assert_close(got, expected, rtol=1e-5, atol=1e-7, what=""):
    """``got`` equals ``expected`` in value, structure, and for each leaf in kind: a number for
    a number, an array of the expected shape for an array."""
    if isinstance(expected, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(expected), f"{what}: {got!r} is not {expected!r}"
        for key in expected:
            assert_close(got[key], expected[key], rtol, atol, f"{what}[{key!r}]")
        return
    if isinstance(expected, (tuple, list)):
        assert type(got) is type(expected) and len(got) == len(expected), f"{what}: {got!r} is not {expected!r}"
        for k, (g, e) in enumerate(zip(got, expected)):
            assert_close(g, e, rtol, atol, f"{what}[{k}]")
        return
    if isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray) and got.shape == expected.shape, f"{what}: {got!r} for {expected!r}"
    else:
        assert np.ndim(got) == 0 and not isinstance(got, np.ndarray), f"{what}: {got!r} is not a number"
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), expected, rtol=rtol, atol=atol, err_msg=what)


def right_or_refused(fn, thunk, check):
    """Run ``thunk``; a SrcdiffError must point into ``fn``, anything else returned is ``check``ed."""
    try:
        got = thunk()
    except srcdiff.SrcdiffError as err:
        assert_user_error(err, fn)
        return "refused"
    check(got)
    return "right"
