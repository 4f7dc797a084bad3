"""``np.split`` and ``np.array_split``: a list of parts, read item by item.

The adjoint of the list of parts is one array shaped like the array that was split (the
parts joined again): the gradient of ``parts[i]`` is ``rt.part_grad(g, parts, i, axis)``,
zero but where part ``i`` came from, and the split's own gradient is that array itself.
So the list may be read only by an item (``parts[0]``, ``a, b = parts``, ``parts[i]``),
never passed on whole, looped over or returned; ``split_parts`` finds the splits read so,
and any other is refused when it needs a gradient (the error says how to read it).  The
tangent of a split is the split of the tangent (``LINEAR``).
"""
from ..ir import Assign, Const, If, Slice, assigns, reads, walk
from .params import Refusal, at_most, constant, first, keywords

SPLITS = ("np.split", "np.array_split")
# operations that read a list of parts without needing its items' gradients one by one
_ITEM_READERS = ("[]", "rt.unpacked")
_SHAPE_READERS = ("rt.part_grad", "rt.part_of")  # read the list (position 1) for its parts' shapes


def split_parts(function):
    """``{parts Var: its split statement}`` for every split (or ``rt.unpacked`` of one) whose
    list is only read by an item, and whose axis is a constant."""
    origin = {}
    for stmt in assigns(function.body):
        if stmt.op in SPLITS and isinstance(_axis_operand(stmt), Const):
            origin[stmt.target] = stmt
        elif stmt.op == "rt.unpacked" and stmt.args and stmt.args[0] in origin:
            origin[stmt.target] = origin[stmt.args[0]]
    spoiled = {origin[function.result]} if function.result in origin else set()
    for stmt in walk(function.body):
        merged = [v for m in stmt.merges for v in (m.then, m.orelse)] if isinstance(stmt, If) else []
        for position, value in enumerate(reads(stmt) + merged):
            if value in origin and not _item_read(stmt, position, value):
                spoiled.add(origin[value])
    return {var: stmt for var, stmt in origin.items() if stmt not in spoiled}


def _axis_operand(stmt):
    kwargs = dict(stmt.kwargs)
    return kwargs.get("axis", stmt.args[2] if len(stmt.args) > 2 else Const(0))


def _item_read(stmt, position, value):
    if not isinstance(stmt, Assign):
        return False
    if stmt.op in _SHAPE_READERS:
        return position == 1 and stmt.args[0] is not value
    if stmt.op not in _ITEM_READERS or position != 0 or value in stmt.args[1:]:
        return False
    if stmt.op == "rt.unpacked":
        return True
    index = stmt.args[1:]
    return len(index) == 1 and not (isinstance(index[0], Const) and isinstance(index[0].value, (Slice, tuple)))


def split_rule(stmt, names, parts):
    """The rule of ``np.split(x, n, axis)``: the adjoint of its list is already shaped like ``x``."""
    keywords(stmt, {"indices_or_sections", "axis"})
    at_most(stmt, 3)
    if stmt.target not in parts:
        raise Refusal(f"the list '{stmt.op}' returns is used whole (passed on, looped over or returned), or its "
                      "axis is computed: srcdiff differentiates it only read part by part, along a constant axis",
                      "unpack it (a, b = np.split(x, 2)) or read one part (parts[0]), with axis= a number")
    return first("g", names)


def item_rule(stmt, names, parts):
    """The rule of ``parts[i]``: ``rt.part_grad(g, parts, i, axis)``."""
    axis = constant(parts[stmt.args[0]], 2, "axis", 0)
    index = names[1] if not isinstance(stmt.args[1], Const) else repr(stmt.args[1].value)
    return (f"rt.part_grad(g, {names[0]}, {index}, {axis!r})", None)


def _piece(taken, placed):
    """The rules of ``taken`` (a piece of a joined gradient) and ``placed`` (its adjoint), each
    the other's adjoint, with or without an axis (``x3``)."""
    def rule(helper):
        return lambda stmt, names: first(f"{helper}(g, x1, x2{', x3' if len(names) == 4 else ''})", names)
    return {taken: rule(placed), placed: rule(taken)}


BUILDERS = {
    "rt.part_grad": lambda stmt, names: first("rt.part_of(g, x1, x2, x3)", names),
    "rt.part_of": lambda stmt, names: first("rt.part_grad(g, x1, x2, x3)", names),
    **_piece("rt.concatenate_grad", "rt.concatenate_place"), **_piece("rt.hstack_grad", "rt.hstack_place"),
    **_piece("rt.vstack_grad", "rt.vstack_place"),
}
LINEAR = {"np.split": ((0,), (1,)), "np.array_split": ((0,), (1,)),
          "rt.part_grad": ((0,), (1, 2, 3)), "rt.part_of": ((0,), (1, 2, 3)),
          **{helper: ((0,), (1, 2, 3)) for helper in ("rt.concatenate_grad", "rt.concatenate_place")},
          **{helper: ((0,), (1, 2)) for helper in ("rt.hstack_grad", "rt.hstack_place", "rt.vstack_grad",
                                                   "rt.vstack_place")}}
