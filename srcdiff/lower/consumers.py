"""The calls that consume sequences, lowered with ``sequences.SequenceLowering``'s folds.

``SPECIAL_CALLS`` maps a callee's canonical name to its lowering (``lw`` the lowerer, the
call node, the hint), which returns an operand, or None to leave the call to ``calls``.
See ``sequences`` for the table of what each becomes.
"""
import ast

from ..errors import SrcdiffError, UnsupportedSyntaxError
from ..ir import LIST_REDUCTIONS, Const, Slice
from . import effects
from .binding import KeywordValues
from .calls import TupleValue
from .dict_views import of_a_display, view_call
from .scopes import unused_name
from .sorting import call_dist, call_sorted, keys_of

COMPREHENSIONS = (ast.ListComp, ast.GeneratorExp)


def values(operand):
    """Whether ``operand`` is a tuple of operands not all constants (a list of values, read back)."""
    return isinstance(operand, tuple) and not all(isinstance(v, Const) for v in operand)


def single(lw, value, node):
    """``value``, one operand: a tuple of them is refused at ``node``."""
    if isinstance(value, tuple):
        raise lw.error(UnsupportedSyntaxError, node, "a sequence of tuples is not supported here",
                       "make each item one number or array (np.array((a, b)))")
    return value


def list_value(lw, items, node):
    """A tuple of operands known while lowering (a display, a helper's result) as one ``list``
    value, for where a sequence is read at run time; a tuple among them is refused at ``node``."""
    return lw.emit("list", tuple(single(lw, item, node) for item in items), node)


# ---------------------------------------------------------------- the consumers

def _one_sequence(lw, node, name, keywords=()):
    """The sequence argument of a call taking one (and the ``keywords`` it allows)."""
    given = {k.arg for k in node.keywords}
    if len(node.args) != 1 or not given <= set(keywords):
        raise lw.error(UnsupportedSyntaxError, node, f"{name}() is supported with one sequence"
                       + (f" and {', '.join(keywords)}=" if keywords else ""),
                       f"write {name}(xs)" + (f" or {name}(xs, {keywords[0]}=...)" if keywords else ""))
    return _mapped(lw, node.args[0])


TAKING_A_GENERATOR = "sum, min, max, math.fsum, math.prod, statistics.fmean (mean, variance, stdev...), list or tuple"


def _mapped(lw, node):
    """``node``; a call ``map(f, xs, ys)`` as the generator expression ``(f(a, b) for a, b in
    zip(xs, ys))`` it stands for, where ``f`` is a name, an attribute or a lambda (whose value
    is the same each time it is read); a view ``d.values()`` of a dict known at run time as
    ``(item for item in d.values())``, a loop over the dict itself (``dict_views``)."""
    if view_call(node) is not None and not of_a_display(lw, node):
        item = unused_name(lw.source, "item")
        made = ast.GeneratorExp(elt=ast.Name(id=item, ctx=ast.Load()), generators=[ast.comprehension(
            target=ast.Name(id=item, ctx=ast.Store()), iter=node, ifs=[], is_async=0)])
        return ast.fix_missing_locations(ast.copy_location(made, node))
    if not (isinstance(node, ast.Call) and _calls(lw, node, "map")):
        return node
    function, sequences = node.args[0] if node.args else None, node.args[1:]
    if not sequences or node.keywords or not isinstance(function, (ast.Name, ast.Attribute, ast.Lambda)):
        raise lw.error(UnsupportedSyntaxError, node, "map() is supported with a function (a name or a lambda) and "
                       "sequences", "write map(f, xs), or a generator expression (f(x) for x in xs)")
    names = (unused_name(lw.source, f"item{k}") for k in range(len(sequences)))  # a lambda's free names kept
    items = [ast.Name(id=name, ctx=ast.Load()) for name in names]
    stored = [ast.Name(id=item.id, ctx=ast.Store()) for item in items]
    target = stored[0] if len(stored) == 1 else ast.Tuple(elts=stored, ctx=ast.Store())
    walked = sequences[0] if len(sequences) == 1 else ast.Call(func=ast.Name(id="zip", ctx=ast.Load()),
                                                               args=list(sequences), keywords=[])
    made = ast.GeneratorExp(elt=ast.Call(func=function, args=items, keywords=[]),
                            generators=[ast.comprehension(target=target, iter=walked, ifs=[], is_async=0)])
    return ast.fix_missing_locations(ast.copy_location(made, node))


def _calls(lw, node, op):
    """Whether the call ``node`` calls the primitive ``op`` (a builtin not rebound by the user)."""
    if isinstance(node.func, ast.Name) and node.func.id in lw.env:
        return False
    try:
        ref = lw.resolve(node.func)
    except SrcdiffError:
        return False
    return getattr(ref, "op", None) == op


def call_map(lw, node, hint):
    """``map(...)`` other than the sequence of a consumer (``_mapped``): refused (an iterator, spent once)."""
    raise lw.error(UnsupportedSyntaxError, node, f"map() is supported as the argument of {TAKING_A_GENERATOR}",
                   "write a list comprehension [f(x) for x in xs]")


def call_sum(lw, node, hint):
    if len(node.args) == 2 and not node.keywords:  # sum(xs, start)
        return lw.fold(node.args[0], "sum", lw.expr(node.args[1]), hint)
    sequence = _one_sequence(lw, node, "sum", ("start",))
    start = next((lw.expr(k.value) for k in node.keywords), None)
    return lw.fold(sequence, "sum", start, hint)


def call_prod(lw, node, hint):
    sequence = _one_sequence(lw, node, "math.prod", ("start",))
    start = next((lw.expr(k.value) for k in node.keywords), None)
    return lw.fold(sequence, "prod", start, hint)


def _of_one_list(op):
    """The lowering of ``op`` (``math.fsum``, ``statistics.fmean``...) of its one sequence, a
    display, a comprehension or a generator expression among them, made a list value: its
    gradient is one per item."""
    def call(lw, node, hint):
        items = lw.as_list(_one_sequence(lw, node, op))
        if isinstance(items, tuple):
            items = list_value(lw, items, node)
        return lw.emit(op, (items,), node, hint)
    return call


def _extremum(op):
    def call(lw, node, hint):
        keywords = {k.arg: k.value for k in node.keywords}
        if len(node.args) > 1 and not keywords:
            return None  # max(a, b, ...): calls' pairwise chain
        if len(node.args) > 1 and list(keywords) == ["key"]:  # min(a, b, key=abs): of the display (a, b)
            return _extremum_by_key(lw, node, op, hint, ast.copy_location(ast.Tuple(node.args, ast.Load()), node))
        sequence = _one_sequence(lw, node, op, ("key", "default"))
        if "default" in keywords:
            return _extremum_or_default(lw, node, op, hint, sequence, keywords)
        if "key" in keywords:
            return _extremum_by_key(lw, node, op, hint, sequence)
        return _extremum_of(lw, node, op, hint, lw.as_list(sequence))
    return call


def _extremum_of(lw, node, op, hint, items):
    """``max`` of ``items``: a chain of ``max(a, b)`` where they are known when compiling, else
    ``i = rt.argmax_item(xs)`` (the first largest, as Python picks it) and ``xs[i]``."""
    if isinstance(items, tuple):
        if not items:
            raise lw.error(UnsupportedSyntaxError, node, f"{op}() of an empty sequence", "give it items")
        result = single(lw, items[0], node)
        for k, item in enumerate(items[1:], start=2):
            result = lw.emit(op, (result, single(lw, item, node)), node, hint if k == len(items) else None)
        return result
    lw.read_by_position(items, node)
    position = lw.emit(f"rt.arg{op}_item", (items,), node)
    return lw.emit("[]", (items, position), node, hint)


def _extremum_by_key(lw, node, op, hint, sequence, items=None):
    """``max(xs, key=f)``: the first item whose ``f`` is largest, as Python picks it: the keys
    (``sorting.keys_of``), ``i = rt.argmax_item(keys)`` and ``xs[i]``, which alone carries a gradient."""
    items = lw.as_list(_mapped(lw, sequence)) if items is None else items
    key = next(k.value for k in node.keywords if k.arg == "key")
    keys, items = (list_value(lw, v, node) if isinstance(v, tuple) else v
                   for v in (keys_of(lw, items, key, node), items))
    return lw.emit("[]", (items, lw.emit(f"rt.arg{op}_item", (keys,), node)), node, hint)


def _extremum_or_default(lw, node, op, hint, sequence, keywords):
    """``max(xs, default=d)``: ``d`` (evaluated after ``xs``, as Python does) where ``xs`` is empty,
    else ``max(xs)`` (``key=`` too): decided when compiling for a display, else lowered as
    ``max(items) if len(items) > 0 else default`` over two names bound for it (the sequence is
    read once: a generator expression is spent by its first reading)."""
    items = lw.as_list(sequence)
    default = lw.expr(keywords["default"])
    kept = [k for k in node.keywords if k.arg == "key"]
    if isinstance(items, tuple):
        if not items:
            return default
        return _extremum_by_key(lw, node, op, hint, sequence, items) if kept else _extremum_of(lw, node, op, hint, items)
    items_name, default_name = unused_name(lw.source, "items"), unused_name(lw.source, "default")
    lw.env[items_name], lw.env[default_name] = items, default
    read = lambda name: ast.Name(id=name, ctx=ast.Load())  # noqa: E731
    length = ast.Call(func=ast.Name(id="len", ctx=ast.Load()), args=[read(items_name)], keywords=[])
    chosen = ast.IfExp(test=ast.Compare(left=length, ops=[ast.Gt()], comparators=[ast.Constant(0)]),
                       body=ast.Call(func=node.func, args=[read(items_name)], keywords=kept), orelse=read(default_name))
    try:
        return lw.expr(ast.fix_missing_locations(ast.copy_location(chosen, node)), hint)
    finally:
        del lw.env[items_name], lw.env[default_name]


def call_len(lw, node, hint):
    if getattr(node, "srcdiff_positions", False) and isinstance(node.args[0], ast.Name):  # a comprehension's count
        lw.read_by_position(lw.expr(node.args[0]), node)
    if len(node.args) == 1 and isinstance(lw.env.get(getattr(node.args[0], "id", None)), KeywordValues):
        return Const(len(lw.env[node.args[0].id]))  # len(d) of a dict built here
    if len(node.args) != 1 or node.keywords or not isinstance(node.args[0], (ast.ListComp, ast.List, ast.Tuple)):
        return None  # len(xs) of a value: calls' own len
    items = lw.as_list(node.args[0])
    return Const(len(items)) if isinstance(items, tuple) else lw.emit("len", (items,), node, hint)


def call_list(lw, node, hint):
    """``list(...)``, ``tuple(...)``: the items known when compiling (of a display, an unrolled
    comprehension: a tuple of their own, since ``reversed`` of a display may be spent, ``iterators``),
    or the list a comprehension builds; of any other value, its slice ``xs[:]``, which is the value's
    kind (an array's is an array) where Python makes a list: noted with the starred names
    (``list_values``), so that what a list does otherwise (``* 2`` repeats) is refused."""
    sequence = _one_sequence(lw, node, "list")
    items = lw.as_list(sequence, hint)
    if isinstance(items, tuple):
        return TupleValue(items)
    if isinstance(sequence, COMPREHENSIONS):
        return items
    lw.read_by_position(items, node)
    copied = lw.emit("[]", (items, Const(Slice(None, None, None))), node, hint)
    lw.shared.rests.append(copied)
    return copied


def call_dict(lw, node, hint):
    """``dict(a=a, b=b)``: as the dict display ``{"a": a, "b": b}`` (``displays.dict_display``)."""
    if node.args or any(k.arg is None for k in node.keywords):
        raise lw.error(UnsupportedSyntaxError, node, "dict() is supported with keyword arguments only",
                       "write dict(a=a, b=b) or {'a': a, 'b': b}")
    return KeywordValues((k.arg, lw.operand(k.value)) for k in node.keywords)


def call_array(lw, node, hint):
    """``np.array([f(x) for x in xs])``: the stack of an unrolled one, else ``np.array`` of the list."""
    if len(node.args) != 1 or node.keywords or not isinstance(node.args[0], ast.ListComp):
        return None
    items = lw.as_list(node.args[0])
    if isinstance(items, tuple):
        return lw.joined(list(items), node, True, hint)
    return lw.emit("np.array", (items,), node, hint)


def _joined(op):
    """``np.stack([f(x) for x in xs], axis=...)`` and friends: unrolled, the parts; else ``np.array`` of the list."""
    def call(lw, node, hint):
        if not node.args or not isinstance(node.args[0], COMPREHENSIONS):
            return None
        items = lw.as_list(node.args[0])
        if isinstance(items, tuple):
            keywords = tuple((k.arg, lw.argument(k.value)) for k in node.keywords)
            if len(node.args) > 1:
                raise lw.error(UnsupportedSyntaxError, node, f"pass the axis of {op} as axis=...")
            return lw.emit(op, tuple(lw.joined(v, node, True) if isinstance(v, tuple) else v for v in items),
                           node, hint, keywords)
        axis = next((k.value for k in node.keywords if k.arg == "axis"), node.args[1] if len(node.args) > 1 else None)
        if op != "np.stack" or [k for k in node.keywords if k.arg != "axis"] \
                or axis is not None and not (isinstance(axis, ast.Constant) and axis.value == 0):
            raise lw.error(UnsupportedSyntaxError, node, f"{op} of a comprehension whose length is known only at run "
                           "time is supported in np.array(...) and np.stack(..., axis=0)",
                           "stack along axis 0 and move the axis (np.transpose), or loop over a display")
        return lw.emit("np.array", (items,), node, hint)
    return call


def call_reversed(lw, node, hint):
    """``reversed(xs)`` as a value (``enumerate(reversed(xs))``): ``xs[::-1]``, or the tuple reversed;
    noted as an iterator, which a helper given it must read once (``iterators``)."""
    items = lw.as_list(_one_sequence(lw, node, "reversed"))
    lw.read_by_position(items, node)
    walked = TupleValue(items[::-1]) if isinstance(items, tuple) else lw.emit("[]", (items, Const(Slice(None, None, -1))),
                                                                            node, hint)
    lw.shared.iterators.append(walked)  # spent by its first use: read once (iterators)
    return walked


def _truth_of_all(op, pairwise):
    """``all(...)``, ``any(...)``: a flag, no gradient.  Of a display or an unrolled comprehension,
    the ``bool`` of each item (each computed, as a display's are) joined by ``pairwise`` (``min`` for
    all, ``max`` for any: Python's own arithmetic, so scalar code stays scalar code); of a sequence
    value, ``op`` (``np.all``, ``np.any``) of it."""
    def call(lw, node, hint):
        items = lw.as_list(_one_sequence(lw, node, op[3:]))
        if not isinstance(items, tuple):
            lw.read_by_position(items, node)
            return lw.emit(op, (items,), node, hint)
        if not items:
            return Const(op == "np.all")
        flags = [lw.emit("bool", (single(lw, item, node),), node, hint if len(items) == 1 else None) for item in items]
        flag = flags[0]
        for k, item in enumerate(flags[1:], start=2):
            flag = lw.emit(pairwise, (flag, item), node, hint if k == len(items) else None)
        return flag
    return call


SPECIAL_CALLS = {
    "isinstance": effects.call_isinstance,
    "sum": call_sum, "math.prod": call_prod, **{op: _of_one_list(op) for op in LIST_REDUCTIONS},
    "max": _extremum("max"), "min": _extremum("min"),
    "len": call_len, "list": call_list, "tuple": call_list, "reversed": call_reversed, "dict": call_dict,
    "all": _truth_of_all("np.all", "min"), "any": _truth_of_all("np.any", "max"), "map": call_map,
    "np.array": call_array, "np.asarray": call_array, "sorted": call_sorted, "math.dist": call_dist,
    **{op: _joined(op) for op in ("np.stack", "np.concatenate", "np.hstack", "np.vstack", "np.column_stack")},
}
