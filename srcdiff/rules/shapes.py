"""Gradient rules of NumPy's shape functions: rolls, flips, axes, repeats, tiles, pads, appends, diffs, casts.

Every function here is linear in its array argument, so its gradient is its adjoint:
the inverse move for the permutations (``np.roll(g, -shift)``, ``np.flip(g)``,
``np.moveaxis(g, destination, source)``), a sum of the copies for the copying functions
(``rt.repeat_grad``, ``rt.tile_grad``, ``rt.pad_grad``), the pieces of ``g`` for
``np.append``, the adjoint difference for ``np.diff`` and ``np.gradient`` (along one axis),
``np.rot90`` turned back.  The tangent is the function
applied to the tangent (a pad's fill value is a constant: zero in the tangent).  The
runtime helpers' own rules (the forward function again) close the family under
differentiation.  ``x.astype(d)`` and ``np.float64(x)`` pass the gradient for a float
dtype; an integer or boolean cast (``np.int64(x)``) has none.

| table | what |
| --- | --- |
| ``BUILDERS`` | the reverse rule of each call (one template per positional argument) |
| ``ELEMENTWISE`` | the same, for element-wise calls (summed down to each operand's shape by ``arrays``) |
| ``TANGENTS`` | the tangent rule of each call: ``g`` stands for the tangent of the argument |
| ``LINEAR`` | the runtime helpers that are linear in their first argument: ``(linear, shape-only)`` positions |
| ``KEYWORDS`` | the keyword arguments each call may have |
"""
import numpy as np

from ..runtime.shapes import PAD_MODES
from .params import Refusal, along, at_most, constant, first, keywords, operand, text
from .scalar import ZERO

FLOAT_TYPES = ("np.float64", "np.float32", "np.float16", "np.double", "np.single", "np.half", "np.longdouble")
INTEGER_TYPES = ("np.int64", "np.int32", "np.int16", "np.int8", "np.uint64", "np.uint32", "np.uint16", "np.uint8",
                 "np.intp", "np.uintp", "np.int_", "np.intc", "np.uintc", "np.bool_", "np.bool", "np.byte",
                 "np.ubyte", "np.short", "np.ushort", "np.longlong", "np.ulonglong")


def _negated(shift):
    return tuple(-s for s in shift) if isinstance(shift, tuple) else -shift


def _roll(stmt, names):
    keywords(stmt, {"shift", "axis"})
    at_most(stmt, 3)
    shift = operand(stmt, 1, "shift")
    back = repr(_negated(shift.value)) if hasattr(shift, "value") else f"np.negative({text(stmt, names, 1, 'shift')})"
    return first(f"np.roll(g, {back}, {text(stmt, names, 2, 'axis', 'None')})", names)


def _repeat(stmt, names):
    keywords(stmt, {"repeats", "axis"})
    at_most(stmt, 3)
    repeats, axis = text(stmt, names, 1, "repeats"), text(stmt, names, 2, "axis", "None")
    return first(f"rt.repeat_grad(g, {names[0]}, {repeats}, {axis})", names)


def _tile(stmt, names):
    keywords(stmt, {"reps"})
    at_most(stmt, 2)
    return first(f"rt.tile_grad(g, {names[0]}, {text(stmt, names, 1, 'reps')})", names)


def _pad_parts(stmt, names):
    """The pad width and mode text of ``np.pad``; Refusal for a mode that does not copy entries."""
    keywords(stmt, {"pad_width", "mode", "constant_values", "reflect_type"})
    at_most(stmt, 3)
    mode = constant(stmt, 2, "mode", "constant")
    if mode not in PAD_MODES:
        raise Refusal(f"np.pad with mode={mode!r} has no gradient rule",
                      "use one of the modes that copy entries: " + ", ".join(repr(m) for m in PAD_MODES))
    if constant(stmt, None, "reflect_type", "even") != "even":
        raise Refusal("np.pad with reflect_type='odd' has no gradient rule", "leave reflect_type out")
    constant(stmt, None, "constant_values")  # a fill computed at run time would need a gradient of its own
    return text(stmt, names, 1, "pad_width"), repr(mode)


def _pad(stmt, names):
    width, mode = _pad_parts(stmt, names)
    return first(f"rt.pad_grad(g, {names[0]}, {width}, {mode})", names)


def _pad_tangent(stmt, names):
    width, mode = _pad_parts(stmt, names)
    return first(f"np.pad(g, {width}, {mode})", names)


def _flip(stmt, names):
    keywords(stmt, {"axis"})
    at_most(stmt, 2)
    return first(f"np.flip(g, {text(stmt, names, 1, 'axis', 'None')})", names)


def _flip_one(function):
    def build(stmt, names):
        keywords(stmt, ())
        at_most(stmt, 1)
        return (f"{function}(g)",)
    return build


def _moveaxis(stmt, names):
    keywords(stmt, {"source", "destination"})
    source, destination = text(stmt, names, 1, "source"), text(stmt, names, 2, "destination")
    return first(f"np.moveaxis(g, {destination}, {source})", names)


def _swapaxes(stmt, names):
    keywords(stmt, {"axis1", "axis2"})
    return first(f"np.swapaxes(g, {text(stmt, names, 1, 'axis1')}, {text(stmt, names, 2, 'axis2')})", names)


def _rollaxis(stmt, names):
    keywords(stmt, {"axis", "start"})
    at_most(stmt, 3)
    return first(f"rt.rollaxis_grad(g, {text(stmt, names, 1, 'axis')}, {text(stmt, names, 2, 'start', '0')})", names)


def _append(stmt, names):
    """``np.append(a, v)``: the flattened ``a`` then ``v``; with an axis, ``a`` then ``v`` along it."""
    keywords(stmt, {"axis"})
    if len(names) not in (2, 3):
        raise Refusal("np.append needs the array and the values by position", "write np.append(a, v, axis=...)")
    axis = constant(stmt, 2, "axis")
    a, v = names[:2]
    if axis is None:
        pieces = (f"np.reshape(g[:np.size({a})], np.shape({a}))", f"np.reshape(g[np.size({a}):], np.shape({v}))")
    else:
        pieces = (f"g[{along(axis, f':np.shape({a})[{axis}]')}]", f"g[{along(axis, f'np.shape({a})[{axis}]:')}]")
    return pieces + (None,) * (len(names) - 2)


def _append_tangent(stmt, names):
    _append(stmt, names)
    axis = constant(stmt, 2, "axis")
    a, v = names[:2]
    return (f"np.append(g, np.zeros_like({v}), {axis!r})", f"np.append(np.zeros_like({a}), g, {axis!r})")[:len(names)] \
        + (None,) * (len(names) - 2)


def _diff_parts(stmt, names):
    keywords(stmt, {"n", "axis"})
    at_most(stmt, 3)
    return text(stmt, names, 1, "n", "1"), text(stmt, names, 2, "axis", "-1")


def _diff(stmt, names):
    return first("rt.diff_grad(g, {}, {})".format(*_diff_parts(stmt, names)), names)


def _diff_tangent(stmt, names):
    return first("np.diff(g, {}, {})".format(*_diff_parts(stmt, names)), names)


def _rot90(template):
    """``np.rot90(x, k, axes)``: its gradient turns back (``np.rot90(g, -(k), axes)``), its tangent turns."""
    def build(stmt, names):
        keywords(stmt, {"k", "axes"})
        at_most(stmt, 3)
        return first(template.format(text(stmt, names, 1, "k", "1"), text(stmt, names, 2, "axes", "(0, 1)")), names)
    return build


def _gradient(helper):
    """``np.gradient(f[, spacing], axis=, edge_order=)`` along one axis: ``helper(g, spacing, axis, edge_order)``."""
    def build(stmt, names):
        keywords(stmt, {"axis", "edge_order"})
        at_most(stmt, 2)
        settings = (text(stmt, names, 1, "spacing", "1.0"), text(stmt, names, None, "axis", "None"),
                    text(stmt, names, None, "edge_order", "1"))
        return first(f"{helper}(g, {', '.join(settings)})", names)
    return build


def _column_stack(stmt, names):
    """``np.column_stack``: a vector becomes a column, a matrix keeps its columns; part ``i``
    gets its columns of ``g`` (``np.size(p) // np.shape(p)[0]`` of them)."""
    keywords(stmt, ())
    widths = [f"np.size({p}) // np.shape({p})[0]" for p in names]
    starts = ["0"] + [" + ".join(widths[:i + 1]) for i in range(len(names))]
    return tuple(f"np.reshape(g[:, {start}:{end}], np.shape({p}))" for p, start, end in zip(names, starts, starts[1:]))


def _at_least(stmt, names):
    keywords(stmt, ())
    if len(names) != 1:
        raise Refusal(f"'{stmt.op}' of several arrays returns a list, which has no gradient rule",
                      f"call {stmt.op} once per array")
    return (f"np.reshape(g, np.shape({names[0]}))",)


def _dtype_kind(stmt):
    keywords(stmt, {"dtype", "copy"})
    at_most(stmt, 2)
    dtype = constant(stmt, 1, "dtype")
    kind = _kind(dtype)
    if kind not in "fiub":
        raise Refusal(f"'{stmt.op}' to {dtype!r} has no gradient rule", "cast to a float dtype (or an integer one)")
    return dtype, kind


def _kind(dtype):
    try:
        return np.dtype(dtype).kind
    except TypeError:
        return "?"


def _astype(stmt, names):
    dtype, kind = _dtype_kind(stmt)
    return ZERO if kind != "f" else first("g", names)


def _astype_tangent(stmt, names):
    dtype, kind = _dtype_kind(stmt)
    return ZERO if kind != "f" else first(f"g.astype({dtype!r})", names)


def _cast(stmt, names):
    keywords(stmt, ())
    at_most(stmt, 1)
    return ZERO if stmt.op in INTEGER_TYPES else ("g",)


def _nan_to_num(stmt, names):
    """``np.nan_to_num(x)``: ``x`` where it is finite, a constant elsewhere."""
    keywords(stmt, {"copy", "nan", "posinf", "neginf"})
    at_most(stmt, 1)
    for name in ("nan", "posinf", "neginf"):
        constant(stmt, None, name)
    return (f"g * np.isfinite({names[0]})",)


def _items(function):
    """``rt.concatenate_items(xs, axis)`` / ``rt.stack_items(xs, axis)``: a sequence given as one
    value; its gradient is its items' gradients stacked."""
    def build(stmt, names):
        keywords(stmt, {"axis"})
        axis = text(stmt, names, 1, "axis", "0")
        return first(f"rt.split_items(g, {names[0]}, {axis})" if function == "concatenate"
                     else f"np.moveaxis(g, {axis}, 0)", names)
    return build


def _joined_items(stmt, names):
    """``rt.joined_items(xs, kind)`` (``np.vstack(xs)``...): the pieces of ``g`` back to the items."""
    keywords(stmt, ())
    at_most(stmt, 2)
    return first(f"rt.joined_items_grad(g, {names[0]}, {text(stmt, names, 1, 'kind')})", names)


def _applied(function, check, *arguments):
    """The tangent rule of a linear call: ``function`` applied to the tangent, with the call's
    other arguments (``(name, default)`` by position from 1), once ``check`` accepts the call."""
    def build(stmt, names):
        check(stmt, names)
        texts = [text(stmt, names, i, name, *(() if default is None else (default,)))
                 for i, (name, default) in enumerate(arguments, start=1)]
        return first(f"{function}(" + ", ".join(["g"] + texts) + ")", names)
    return build


def _helper(template):
    """The rule of a runtime helper linear in its first argument ``g``: its adjoint, ``template``."""
    return lambda stmt, names: first(template, names)


BUILDERS = {
    "np.roll": _roll, "np.repeat": _repeat, "np.tile": _tile, "np.pad": _pad, "np.flip": _flip,
    "np.fliplr": _flip_one("np.fliplr"), "np.flipud": _flip_one("np.flipud"), "np.moveaxis": _moveaxis,
    "np.swapaxes": _swapaxes, "np.rollaxis": _rollaxis, "np.append": _append, "np.diff": _diff,
    "np.gradient": _gradient("rt.gradient_grad"), "np.rot90": _rot90("np.rot90(g, -({}), {})"),
    "np.column_stack": _column_stack, "np.atleast_1d": _at_least, "np.atleast_2d": _at_least,
    "np.atleast_3d": _at_least, ".astype()": _astype, **dict.fromkeys(FLOAT_TYPES + INTEGER_TYPES, _cast),
    "rt.concatenate_items": _items("concatenate"), "rt.stack_items": _items("stack"), "rt.joined_items": _joined_items,
    "rt.joined_items_grad": _helper("rt.joined_items(g, x2)"),
    # ---- the runtime helpers: each one's adjoint
    "rt.repeat_grad": _helper("np.repeat(g, x2, x3)"), "rt.tile_grad": _helper("np.tile(g, x2)"),
    "rt.pad_grad": _helper("np.pad(g, x2, x3)"), "rt.rollaxis_grad": _helper("np.rollaxis(g, x1, x2)"),
    "rt.diff_grad": _helper("np.diff(g, x1, x2)"), "rt.split_items": _helper("rt.concatenate_items(g, x2)"),
    "rt.gradient_grad": _helper("rt.gradient_along(g, x1, x2, x3)"),
    "rt.gradient_along": _helper("rt.gradient_grad(g, x1, x2, x3)"),
}
ELEMENTWISE = {"np.nan_to_num": _nan_to_num}
TANGENTS = {
    "np.roll": _applied("np.roll", _roll, ("shift", None), ("axis", "None")),
    "np.repeat": _applied("np.repeat", _repeat, ("repeats", None), ("axis", "None")),
    "np.tile": _applied("np.tile", _tile, ("reps", None)), "np.pad": _pad_tangent,
    "np.flip": _flip, "np.fliplr": BUILDERS["np.fliplr"], "np.flipud": BUILDERS["np.flipud"],
    "np.rollaxis": _applied("np.rollaxis", _rollaxis, ("axis", None), ("start", "0")),
    **{op: _applied(op, _at_least) for op in ("np.atleast_1d", "np.atleast_2d", "np.atleast_3d")}, "np.append": _append_tangent, "np.diff": _diff_tangent,
    "np.gradient": _gradient("rt.gradient_along"), "np.rot90": _rot90("np.rot90(g, {}, {})"),
    ".astype()": _astype_tangent, **dict.fromkeys(FLOAT_TYPES + INTEGER_TYPES, _cast), "np.nan_to_num": _nan_to_num,
}
LINEAR = {
    "rt.repeat_grad": ((0,), (1, 2, 3)), "rt.tile_grad": ((0,), (1, 2)), "rt.pad_grad": ((0,), (1, 2, 3)),
    "rt.rollaxis_grad": ((0,), (1, 2)), "rt.diff_grad": ((0,), (1, 2)), "rt.split_items": ((0,), (1, 2)),
    "rt.concatenate_items": ((0,), (1,)), "rt.stack_items": ((0,), (1,)),
    "rt.gradient_grad": ((0,), (1, 2, 3)), "rt.gradient_along": ((0,), (1, 2, 3)),
    "rt.joined_items": ((0,), (1,)), "rt.joined_items_grad": ((0,), (1, 2)),
}
