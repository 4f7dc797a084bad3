"""Runtime helpers of tensor products and diagonals: what the gradients of ``np.einsum``,
``np.tensordot``, ``np.kron``, ``np.cross``, ``np.trace``, ``np.diagonal`` and ``np.diag`` call.

``einsum_to(subscripts, like, *operands)`` is an einsum that may write any output a
gradient needs: its output term may repeat a label (the gradient of a diagonal read
``'ii->i'`` puts values back on the diagonal), hold a label no input has (the gradient
of a sum ``'ij->i'`` spreads along ``j``), and the result is summed down to ``like``'s
shape where the operand was broadcast (an ellipsis or a label of size 1).  It is linear
in each operand; ``like`` only gives the shape.  ``parse_subscripts`` reads a subscript
string (the implicit output made explicit, as NumPy does: the labels used once, in
alphabetical order, after ``...``) for the rules too.  Each ``*_grad`` helper takes the
upstream gradient ``g`` first and returns a value shaped like the operand it is named for.
"""
import string

import numpy as np

from .namespaces import namespace_of as namespace

__all__ = ["einsum_to", "tensordot_grad_left", "tensordot_grad_right", "kron_grad_left", "kron_grad_right",
           "cross_grad_left", "cross_grad_right", "diagonal_grad", "trace_grad", "diag_grad"]
LETTERS = string.ascii_letters


def parse_subscripts(subscripts, count):
    """``(terms, output)`` of an einsum subscript string for ``count`` operands, spaces
    removed, ``...`` kept; raises ValueError when the string does not fit."""
    text = subscripts.replace(" ", "")
    inputs, arrow, output = text.partition("->")
    terms = inputs.split(",")
    if len(terms) != count or not all(set(t.replace("...", "")) <= set(LETTERS) for t in terms + [output]):
        raise ValueError(f"the subscripts {subscripts!r} do not fit {count} operand(s)")
    if not arrow:
        labels = "".join(terms).replace("...", "")
        once = sorted(c for c in set(labels) if labels.count(c) == 1)
        output = ("..." if any("..." in t for t in terms) else "") + "".join(once)
    return terms, output


def sublist_subscripts(lists, count):
    """The subscript string of einsum's sublist form ``np.einsum(a, [0, 1], b, [1, 2], [0, 2])``
    given its lists (``count`` operands' and maybe the output's), integer labels as letters (0 is ``a``)."""
    term = lambda labels: "".join(LETTERS[i] for i in labels)
    inputs = ",".join(term(t) for t in lists[:count])
    return inputs + ("->" + term(lists[count]) if len(lists) > count else "")


def einsum_to(subscripts, like, *operands):
    """``np.einsum(subscripts, *operands)`` written into an array of ``like``'s shape (see
    the module docstring): repeated output labels are diagonals, new ones broadcast."""
    terms, output = parse_subscripts(subscripts, len(operands))
    shape, out = np.shape(like), output.replace("...", ".")  # '.' stands for the ellipsis
    sizes, ellipsis_shape = _output_sizes(out, shape)
    used = set("".join(terms).replace("...", ""))
    broadcast_in = any("..." in t for t in terms)
    kept = list(dict.fromkeys(t for t in out if t in used))  # each label the inputs have, once
    core = np.einsum(",".join(terms) + "->" + ("..." if broadcast_in else "") + "".join(kept), *operands,
                     optimize=len(operands) > 2)
    keeps_ellipsis = "." in out and broadcast_in  # else NumPy's ellipsis axes are summed here
    core = _sum_to(core, (ellipsis_shape if keeps_ellipsis else ()) + tuple(sizes[t] for t in kept))
    core_out = ("..." if keeps_ellipsis else "") + "".join(kept)
    final, extra_terms, extra = _written(out, used, sizes, ellipsis_shape if not broadcast_in else None)
    if extra or core_out != final:
        core = np.einsum(",".join([core_out] + extra_terms) + "->" + final, core, *extra)
    return core if np.shape(core) == shape else np.broadcast_to(core, shape).copy()


def _output_sizes(out, shape):
    """The size of each label of the output term ``out`` (``.`` the ellipsis) in ``shape``, and the ellipsis' shape."""
    ellipsis = len(shape) - len(out.replace(".", ""))
    sizes, at, ellipsis_shape = {}, 0, ()
    for token in out:
        if token == ".":
            ellipsis_shape, at = shape[at:at + ellipsis], at + ellipsis
        else:
            sizes.setdefault(token, shape[at])
            at += 1
    return sizes, ellipsis_shape


def _written(out, used, sizes, spread_ellipsis):
    """How ``einsum_to`` writes its output: the final term (a repeated label replaced by a
    fresh one) and the extra operands, an identity tying each fresh label to its label,
    ones along a label no input has and along ``spread_ellipsis`` (an ellipsis shape no
    input has, or None)."""
    fresh = (c for c in LETTERS if c not in used and c not in out)
    final, extra_terms, extra = [], [], []
    for token in out:
        if token == ".":
            final.append("...")
        elif token in final:
            final.append(next(fresh))
            extra_terms.append(token + final[-1])
            extra.append(np.eye(sizes[token]))
        else:
            final.append(token)
            if token not in used:
                extra_terms.append(token)
                extra.append(np.ones(sizes[token]))
    if "." in out and spread_ellipsis is not None:
        extra_terms.append("...")
        extra.append(np.ones(spread_ellipsis))
    return "".join(final), extra_terms, extra


def _sum_to(values, shape):
    """``values`` summed over its leading extra axes and over the axes where ``shape`` has 1
    (it may stay smaller than ``shape``: ``einsum_to`` broadcasts it at the end)."""
    if np.ndim(values) < len(shape):
        values = np.reshape(values, (1,) * (len(shape) - np.ndim(values)) + np.shape(values))
    lead = np.ndim(values) - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and np.shape(values)[lead + i] != 1)
    return np.sum(values, axis=axes, keepdims=True)[(0,) * lead] if axes else values


# ---------------------------------------------------------------- tensordot and kron

def _tensordot_axes(axes, a_dims, b_dims):
    """The summed axes of ``a`` and of ``b`` in ``np.tensordot(a, b, axes)``, each a list in range."""
    if isinstance(axes, int):
        return list(range(a_dims - axes, a_dims)), list(range(axes))
    first, second = ([x] if isinstance(x, int) else list(x) for x in axes)
    return [i % a_dims for i in first], [i % b_dims for i in second]


def tensordot_grad_left(g, a, b, axes=2):
    """The gradient of ``a`` in ``np.tensordot(a, b, axes)``: ``g`` contracted with ``b``
    over ``b``'s free axes, its axes put back in ``a``'s order."""
    xp = namespace(g, a, b)
    summed_a, summed_b = _tensordot_axes(axes, xp.ndim(a), xp.ndim(b))
    free_a = [i for i in range(xp.ndim(a)) if i not in summed_a]
    free_b = [i for i in range(xp.ndim(b)) if i not in summed_b]
    out = xp.tensordot(g, b, axes=(list(range(len(free_a), xp.ndim(g))), free_b))
    order = free_a + [summed_a[i] for i in _argsort(summed_b)]  # out's axes: a's free ones, then b's summed ones
    return xp.transpose(out, _argsort(order))


def tensordot_grad_right(g, a, b, axes=2):
    """The gradient of ``b`` in ``np.tensordot(a, b, axes)``."""
    xp = namespace(g, a, b)
    summed_a, summed_b = _tensordot_axes(axes, xp.ndim(a), xp.ndim(b))
    free_a = [i for i in range(xp.ndim(a)) if i not in summed_a]
    free_b = [i for i in range(xp.ndim(b)) if i not in summed_b]
    out = xp.tensordot(a, g, axes=(free_a, list(range(len(free_a)))))
    order = [summed_b[i] for i in _argsort(summed_a)] + free_b
    return xp.transpose(out, _argsort(order))


def _argsort(values):
    """The positions of a list of distinct axes in their ascending order (``np.argsort`` of a short list)."""
    return sorted(range(len(values)), key=values.__getitem__)


def _kron_blocks(g, a, b):
    """``g`` of ``np.kron(a, b)`` as an array of shape ``a.shape + b.shape`` (both padded
    with leading 1s to one rank), with ``a`` and ``b`` so padded."""
    rank = max(np.ndim(a), np.ndim(b))
    a_shape = (1,) * (rank - np.ndim(a)) + np.shape(a)
    b_shape = (1,) * (rank - np.ndim(b)) + np.shape(b)
    interleaved = np.reshape(g, [n for pair in zip(a_shape, b_shape) for n in pair])
    blocks = np.transpose(interleaved, list(range(0, 2 * rank, 2)) + list(range(1, 2 * rank, 2)))
    return blocks, np.reshape(a, a_shape), np.reshape(b, b_shape), rank


def kron_grad_left(g, a, b):
    """The gradient of ``a`` in ``np.kron(a, b)``: each block of ``g`` against ``b``."""
    blocks, _, b, rank = _kron_blocks(g, a, b)
    return np.reshape(np.tensordot(blocks, b, axes=rank), np.shape(a))


def kron_grad_right(g, a, b):
    """The gradient of ``b`` in ``np.kron(a, b)``: the blocks of ``g`` weighted by ``a``."""
    blocks, a, _, rank = _kron_blocks(g, a, b)
    return np.reshape(np.tensordot(a, blocks, axes=rank), np.shape(b))


# ---------------------------------------------------------------- cross products

def _vectors3(v, axis):
    """The vectors of ``v`` along ``axis``, moved last, 2-vectors given a zero third entry (as np.cross reads them)."""
    v = np.moveaxis(np.asarray(v), axis, -1)
    return np.concatenate([v, np.zeros(v.shape[:-1] + (1,), v.dtype)], axis=-1) if v.shape[-1] == 2 else v


def _cross_grad(g, a, b, axis, of_a):
    """The gradient of ``a`` (``of_a``) or ``b`` in ``np.cross(a, b, axis=axis)``: ``b x g`` or ``g x a``."""
    a3, b3 = _vectors3(a, axis), _vectors3(b, axis)
    planar = np.shape(a)[axis] == 2 and np.shape(b)[axis] == 2  # NumPy returns the z entry alone
    g3 = np.stack([np.zeros(np.shape(g)), np.zeros(np.shape(g)), g], axis=-1) if planar else np.moveaxis(g, axis, -1)
    grad = np.cross(b3, g3) if of_a else np.cross(g3, a3)
    own = a if of_a else b
    place = axis if axis < 0 else axis - np.ndim(own)  # counted from the end, where broadcasting aligns
    grad = np.moveaxis(grad[..., :np.shape(own)[axis]], -1, place)
    return grad if np.shape(grad) == np.shape(own) else np.reshape(_sum_to(grad, np.shape(own)), np.shape(own))


def _cross_grad_axes(g, a, b, of_a, axisa, axisb, axisc, axis):
    """``_cross_grad`` for ``np.cross(a, b, axisa, axisb, axisc, axis)``: the vectors of
    ``a``, ``b`` and the result moved last (``axis``, when given, is all three), then the
    gradient's vectors moved back to where its operand holds them."""
    if axis is not None:
        axisa = axisb = axisc = axis
    if axisa == axisb == axisc == -1:
        return _cross_grad(g, a, b, -1, of_a)
    a_last, b_last = np.moveaxis(np.asarray(a), axisa, -1), np.moveaxis(np.asarray(b), axisb, -1)
    planar = a_last.shape[-1] == 2 and b_last.shape[-1] == 2  # a result without a vector axis
    g_last = g if planar else np.moveaxis(np.asarray(g), axisc, -1)
    return np.moveaxis(_cross_grad(g_last, a_last, b_last, -1, of_a), -1, axisa if of_a else axisb)


def cross_grad_left(g, a, b, axis=None, axisa=-1, axisb=-1, axisc=-1):
    """The gradient of ``a`` in ``np.cross(a, b, axisa, axisb, axisc, axis)`` (3-vectors, or
    2-vectors read with a zero z)."""
    return _cross_grad_axes(g, a, b, True, axisa, axisb, axisc, axis)


def cross_grad_right(g, a, b, axis=None, axisa=-1, axisb=-1, axisc=-1):
    """The gradient of ``b`` in ``np.cross(a, b, axisa, axisb, axisc, axis)``."""
    return _cross_grad_axes(g, a, b, False, axisa, axisb, axisc, axis)


# ---------------------------------------------------------------- diagonals

def diagonal_grad(g, a, offset=0, axis1=0, axis2=1):
    """The gradient of ``np.diagonal(a, offset, axis1, axis2)``: zeros with ``g`` on that diagonal."""
    a = np.asarray(a)
    dtype = np.result_type(a.dtype if a.dtype.kind == "f" else np.float64, np.asarray(g).dtype)
    moved = np.zeros(np.shape(np.moveaxis(a, (axis1, axis2), (-2, -1))), dtype)
    steps = np.arange(np.shape(g)[-1])
    moved[..., steps + max(-offset, 0), steps + max(offset, 0)] = g  # NumPy puts the diagonal's axis last
    return np.moveaxis(moved, (-2, -1), (axis1, axis2))


def trace_grad(g, a, offset=0, axis1=0, axis2=1):
    """The gradient of ``np.trace(a, offset, axis1, axis2)``: ``g`` along that diagonal."""
    length = np.shape(np.diagonal(a, offset, axis1, axis2))[-1]
    return diagonal_grad(np.broadcast_to(np.expand_dims(g, -1), np.shape(g) + (length,)), a, offset, axis1, axis2)


def diag_grad(g, v, k=0):
    """The gradient of ``np.diag(v, k)``: the diagonal of ``g`` for a vector ``v``, and for
    a matrix ``v`` (whose diagonal ``np.diag`` reads) ``g`` put back on it."""
    return np.diag(g, k) if np.ndim(v) == 1 else diagonal_grad(g, v, k)
