"""Sequences in lowering: comprehensions, generator expressions and the builtins that consume them.

``SequenceLowering`` is mixed into ``function._Lowerer``.  A comprehension is lowered as the
loop it stands for, which the existing ``for`` lowering (``loops``) handles: each item goes
into an *accumulator*, a pseudo-variable of ``env`` the loop carries.  Its target names are
the comprehension's own (saved and restored around it, as Python scopes them).

| source | lowered to |
| --- | --- |
| ``sum(e for t in xs if c)``, ``sum(xs, start)`` | ``acc = start`` (0), then ``acc = acc + e`` in the loop |
| ``math.prod(e for ...)``, ``math.prod(xs, start=s)`` | the same with ``*`` (start 1) |
| ``[e for t in xs]`` as a value (``np.array(...)``, ``ys = ...``), ``list(...)``, ``tuple(...)`` | a list: ``acc = ()``, then ``acc = rt.appended(acc, e)`` (a new list; gradient ``g[:-1]``, ``g[-1]``) |
| the same over a display (``for t in (a, b)``), no ``if`` | unrolled: a tuple of operands known when compiling, which NumPy calls stack (``lower.displays``) |
| ``math.fsum(...)`` | ``math.fsum`` of the list (every item's gradient is ``g``) |
| ``max(...)``, ``min(...)`` of one sequence | of a display: ``max(a, b)`` pairwise; else ``i = rt.argmax_item(xs)`` (the position ``max`` returns, first on a tie) and ``xs[i]`` |
| ``len(...)`` of a comprehension | ``len`` of the list; of a display: a constant |
| ``reversed(xs)`` as a value | ``xs[::-1]`` (a ``for`` over it reads it backwards instead) |
| ``np.stack(...)`` of a comprehension | of an unrolled one: its parts; else ``np.array`` of the list (axis 0 only) |
| ``isinstance(x, T)`` | see ``effects`` |

A comprehension's ``for`` over ``range(n)``, a parameter or an array stays a loop (its
length is known only at run time); over a display it is unrolled, as a ``for`` is.
"""
import ast

from ..errors import UnsupportedSyntaxError
from ..ir import Const, Slice, Var
from . import effects
from .calls import TupleValue
from .comprehensions import loop_statements

_START = {"sum": Const(0), "prod": Const(1)}
_STEP = {"sum": "+", "prod": "*"}
_COMPREHENSIONS = (ast.ListComp, ast.GeneratorExp)
_MISSING = object()


class Accumulated(ast.expr):
    """One step of an accumulator: ``acc + elt`` (``kind`` ``sum``), ``acc * elt`` (``prod``) or
    ``acc`` with ``elt`` appended (``list``); ``acc`` is the accumulator's name in ``env``."""

    _fields = ("elt",)


class SequenceLowering:
    """Comprehensions and their consumers; relies on ``expr``, ``emit``, ``env``, ``error``, ``statement``."""

    def special_call(self, op, node, hint):
        """The operand of a call lowered here (``SPECIAL_CALLS``), or None for any other call."""
        if op.startswith("rt.") and any(isinstance(a, ast.List) or isinstance(a, ast.Name) and _values(self.env.get(a.id))
                                        for a in node.args):
            return self._runtime_call_of_lists(op, node, hint)
        lowering = SPECIAL_CALLS.get(op)
        return None if lowering is None else lowering(self, node, hint)

    def _runtime_call_of_lists(self, op, node, hint):
        """A runtime helper of generated code read back, given a list of values (``rt.sum_grad(g, [a, b])``,
        ``math.fsum``'s gradient): the list is a ``list`` value, not a tuple known when compiling."""
        args = [self.argument(a) for a in node.args]
        args = [self.emit("list", tuple(_single(self, v, node) for v in a), node) if isinstance(a, tuple) else a
                for a in args]
        return self.emit(op, tuple(args), node, hint, tuple((k.arg, self.argument(k.value)) for k in node.keywords))

    def sequence_expr(self, node, hint=None):
        """A comprehension or a generator expression as a value (a list), or one accumulator step."""
        if isinstance(node, Accumulated):
            return self._step(node)
        if isinstance(node, ast.GeneratorExp):  # one pass over it: as a value (twice summed, given to NumPy) it differs
            raise self.error(UnsupportedSyntaxError, node, "a generator expression is supported as the argument of sum, "
                             "min, max, math.fsum, math.prod, list or tuple", "write a list comprehension [...]")
        items = self.fold(node, "list", None, None)
        if isinstance(items, Var):  # the list a loop made, as a value of its own (the carried value is read in
            return self.emit("copy", (items,), node, hint)  # its loop; a later loop may walk this one item by item)
        return items

    # ------------------------------------------------------------ folding

    def fold(self, node, kind, start, hint=None):
        """The accumulator ``kind`` (``sum``, ``prod``, ``list``) of the items of ``node``:
        a comprehension, a display, or an expression whose value is a sequence."""
        if isinstance(node, _COMPREHENSIONS):
            return self._fold_comprehension(node, kind, start, hint)
        items = self.expr(node)
        if isinstance(items, tuple):
            return self._fold_known(items, kind, start, node, hint)
        generator = self._each_item(items, node)
        try:
            return self._fold_comprehension(generator, kind, start, hint)
        finally:
            self.env.pop(generator.generators[0].iter.id)

    def _fold_known(self, items, kind, start, node, hint):
        """Fold a tuple of operands, known when compiling: ``start + a + b``, or the tuple itself."""
        if kind == "list":
            return TupleValue(items)
        total = start if start is not None else _START[kind]
        for k, item in enumerate(items):
            total = self.emit(_STEP[kind], (total, _single(self, item, node)), node, hint if k == len(items) - 1 else None)
        return total

    def _each_item(self, sequence, node):
        """``(item for item in <sequence>)``: the generator of a sequence's items (its operand
        bound to a pseudo-variable, so the loop reads it without lowering ``node`` again)."""
        name = f"<sequence {id(node)}>"
        self.env[name] = sequence
        item = "item"
        generator = ast.comprehension(target=ast.Name(id=item, ctx=ast.Store()),
                                      iter=ast.Name(id=name, ctx=ast.Load()), ifs=[], is_async=0)
        made = ast.GeneratorExp(elt=ast.Name(id=item, ctx=ast.Load()), generators=[generator])
        return ast.fix_missing_locations(ast.copy_location(made, node))

    def _fold_comprehension(self, comp, kind, start, hint):
        for generator in comp.generators:
            if generator.is_async:
                raise self.error(UnsupportedSyntaxError, generator.iter, "'async for' is not supported", "use 'for'")
        acc = f"<{kind} {id(comp)}>"  # not an identifier: never the user's
        saved = {}
        pseudo_names = []

        def pseudo(operand):
            pseudo_names.append(f"<sequence {id(comp)} {len(pseudo_names)}>")
            if operand is not None:
                self.env[pseudo_names[-1]] = operand
            return pseudo_names[-1]

        listed = kind == "list"
        outer_hint, self.result_hint = self.result_hint, None if listed else hint  # the carried accumulator's name
        try:
            statements = loop_statements(self, comp, _assign(acc, _accumulated(comp.elt, kind, acc)),
                                         lambda expr: _accumulated(expr, "value", None), pseudo)
            bound = [n.id for stmt in statements for n in ast.walk(stmt) if isinstance(n, ast.Name)
                     and isinstance(n.ctx, ast.Store)]  # the comprehension's names, and its positions' (``k``)
            saved.update((name, self.env.get(name, _MISSING)) for name in bound + [acc])
            loops = [n for stmt in statements for n in ast.walk(stmt) if isinstance(n, (ast.For, ast.If))]
            for loop in loops:
                loop.srcdiff_locals = frozenset(bound) - {acc}  # not carried: unseen after the comprehension
            unrolled = all(isinstance(n, ast.For) and isinstance(n.iter, (ast.Tuple, ast.List)) for n in loops)
            if kind == "list":
                start = TupleValue() if unrolled and len(statements) == 1 else Const(())
            self.env[acc] = _START[kind] if start is None else start
            for stmt in statements:
                self.statement(stmt)
            return self.env[acc]
        finally:
            self.result_hint = outer_hint
            for name in pseudo_names:
                self.env.pop(name, None)
            for name, value in saved.items():
                if value is _MISSING:
                    self.env.pop(name, None)
                else:
                    self.env[name] = value

    def _step(self, node):
        value = self.expr(node.elt)
        if node.kind == "value":
            return value
        acc = self.env[node.acc]
        if node.kind == "list" and isinstance(acc, TupleValue):
            return TupleValue(acc + (value,))
        value = _single(self, value, node.elt)
        if node.kind == "list":
            return self.emit("rt.appended", (acc, value), node)
        return self.emit(_STEP[node.kind], (acc, value), node)

    def as_list(self, node, hint=None):
        """The sequence ``node`` holds: a tuple of operands (a display, an unrolled comprehension),
        or the operand of a list or other sequence known at run time."""
        if isinstance(node, _COMPREHENSIONS):
            return self.fold(node, "list", None, hint)
        return self.expr(node)


def _accumulated(elt, kind, acc):
    step = ast.copy_location(Accumulated(elt=elt), elt)
    step.kind, step.acc = kind, acc
    return step


def _assign(name, value):
    return ast.copy_location(ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=value), value)


def _values(operand):
    """Whether ``operand`` is a tuple of operands not all constants (a list of values, read back)."""
    return isinstance(operand, tuple) and not all(isinstance(v, Const) for v in operand)


def _single(lw, value, node):
    if isinstance(value, tuple):
        raise lw.error(UnsupportedSyntaxError, node, "a sequence of tuples is not supported here",
                       "make each item one number or array (np.array((a, b)))")
    return value


# ---------------------------------------------------------------- the consumers

def _one_sequence(lw, node, name, keywords=()):
    """The sequence argument of a call taking one (and the ``keywords`` it allows)."""
    given = {k.arg for k in node.keywords}
    if len(node.args) != 1 or not given <= set(keywords):
        raise lw.error(UnsupportedSyntaxError, node, f"{name}() is supported with one sequence"
                       + (f" and {', '.join(keywords)}=" if keywords else ""),
                       f"write {name}(xs)" + (f" or {name}(xs, {keywords[0]}=...)" if keywords else ""))
    return node.args[0]


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


def call_fsum(lw, node, hint):
    items = lw.as_list(_one_sequence(lw, node, "math.fsum"))
    if isinstance(items, tuple):
        items = lw.emit("list", tuple(_single(lw, v, node) for v in items), node)
    return lw.emit("math.fsum", (items,), node, hint)


def _extremum(op):
    def call(lw, node, hint):
        if len(node.args) > 1 and not node.keywords:
            return None  # max(a, b, ...): calls' pairwise chain
        items = lw.as_list(_one_sequence(lw, node, op))
        if isinstance(items, tuple):
            if not items:
                raise lw.error(UnsupportedSyntaxError, node, f"{op}() of an empty sequence", "give it items")
            result = _single(lw, items[0], node)
            for k, item in enumerate(items[1:], start=2):
                result = lw.emit(op, (result, _single(lw, item, node)), node, hint if k == len(items) else None)
            return result
        position = lw.emit(f"rt.arg{op}_item", (items,), node)
        return lw.emit("[]", (items, position), node, hint)
    return call


def call_len(lw, node, hint):
    if len(node.args) != 1 or node.keywords or not isinstance(node.args[0], (ast.ListComp, ast.List, ast.Tuple)):
        return None  # len(xs) of a value: calls' own len
    items = lw.as_list(node.args[0])
    return Const(len(items)) if isinstance(items, tuple) else lw.emit("len", (items,), node, hint)


def call_list(lw, node, hint):
    """``list(...)``, ``tuple(...)``: the sequence itself (srcdiff's values never change in place)."""
    return lw.as_list(_one_sequence(lw, node, "list"), hint)


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
        if not node.args or not isinstance(node.args[0], _COMPREHENSIONS):
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
    """``reversed(xs)`` as a value (``enumerate(reversed(xs))``): ``xs[::-1]``, or the tuple reversed."""
    items = lw.as_list(_one_sequence(lw, node, "reversed"))
    if isinstance(items, tuple):
        return TupleValue(items[::-1])
    return lw.emit("[]", (items, Const(Slice(None, None, -1))), node, hint)


SPECIAL_CALLS = {
    "isinstance": effects.call_isinstance,
    "sum": call_sum, "math.prod": call_prod, "math.fsum": call_fsum,
    "max": _extremum("max"), "min": _extremum("min"),
    "len": call_len, "list": call_list, "tuple": call_list, "reversed": call_reversed,
    "np.array": call_array, "np.asarray": call_array,
    **{op: _joined(op) for op in ("np.stack", "np.concatenate", "np.hstack", "np.vstack", "np.column_stack")},
}
