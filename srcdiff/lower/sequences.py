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
| ``max(xs, key=f)``, ``min(xs, key=f)`` | ``i = rt.argmax_item([f(v) for v in xs])`` and ``xs[i]`` |
| ``len(...)`` of a comprehension | ``len`` of the list; of a display: a constant |
| ``reversed(xs)`` as a value | ``xs[::-1]`` (a ``for`` over it reads it backwards instead) |
| ``np.stack(...)`` of a comprehension | of an unrolled one: its parts; else ``np.array`` of the list (axis 0 only) |
| ``isinstance(x, T)`` | see ``effects`` |

A comprehension's ``for`` over ``range(n)``, a parameter or an array stays a loop (its
length is known only at run time); over a display it is unrolled, as a ``for`` is.
"""
import ast

from ..errors import UnsupportedSyntaxError
from ..ir import Const, Var
from .calls import TupleValue
from .comprehensions import loop_statements
from .consumers import COMPREHENSIONS, SPECIAL_CALLS, TAKING_A_GENERATOR, list_value, single, values
from .iterators import check_iterator_binding, is_iterator

_START = {"sum": Const(0), "prod": Const(1)}
_STEP = {"sum": "+", "prod": "*"}
_MISSING = object()


class Accumulated(ast.expr):
    """One step of an accumulator: ``acc + elt`` (``kind`` ``sum``), ``acc * elt`` (``prod``) or
    ``acc`` with ``elt`` appended (``list``); ``acc`` is the accumulator's name in ``env``."""

    _fields = ("elt",)


class SequenceLowering:
    """Comprehensions and their consumers; relies on ``expr``, ``emit``, ``env``, ``error``, ``statement``."""

    def assigned(self, stmt, value):
        """``value``, the operand the assignment ``stmt`` binds; an iterator (``reversed(...)``, from
        the statement itself or a helper's return) bound to a name checked first (``iterators``)."""
        if is_iterator(self, value):
            check_iterator_binding(self, stmt)
        return value

    def special_call(self, op, node, hint):
        """The operand of a call lowered here (``SPECIAL_CALLS``), or None for any other call."""
        if op.startswith("rt.") and any(isinstance(a, (ast.List, ast.Tuple))
                                        or isinstance(a, ast.Name) and values(self.env.get(a.id)) for a in node.args):
            return self._runtime_call_of_lists(op, node, hint)
        lowering = SPECIAL_CALLS.get(op)
        return None if lowering is None else lowering(self, node, hint)

    def has_special_call(self, op):
        """Whether calls of ``op`` may be lowered here (``SPECIAL_CALLS``)."""
        return op in SPECIAL_CALLS

    def _runtime_call_of_lists(self, op, node, hint):
        """A runtime helper of generated code read back, given a list or tuple of values
        (``rt.sum_grad(g, [a, b])``, ``math.fsum``'s gradient; ``rt.vstack_grad(g, 0, (a, b))``): it is
        a ``list`` value, not a tuple known when compiling."""
        args = [self.argument(a) for a in node.args]
        args = [list_value(self, a, node) if isinstance(a, tuple) else a
                for a in args]
        return self.emit(op, tuple(args), node, hint, tuple((k.arg, self.argument(k.value)) for k in node.keywords))

    def sequence_expr(self, node, hint=None):
        """A comprehension or a generator expression as a value (a list), or one accumulator step."""
        if isinstance(node, Accumulated):
            return self._step(node)
        if isinstance(node, ast.GeneratorExp):  # one pass over it: as a value (twice summed, given to NumPy) it differs
            raise self.error(UnsupportedSyntaxError, node, f"a generator expression is supported as the argument of "
                             f"{TAKING_A_GENERATOR}", "write a list comprehension [...]")
        items = self.fold(node, "list", None, None)
        if isinstance(items, Var):  # the list a loop made, as a value of its own (the carried value is read in
            return self.emit("copy", (items,), node, hint)  # its loop; a later loop may walk this one item by item)
        return items

    # ------------------------------------------------------------ folding

    def fold(self, node, kind, start, hint=None):
        """The accumulator ``kind`` (``sum``, ``prod``, ``list``) of the items of ``node``:
        a comprehension, a display, or an expression whose value is a sequence."""
        if isinstance(node, COMPREHENSIONS):
            return self._fold_comprehension(node, kind, start, hint)
        items = self.expr(node)
        if isinstance(items, tuple):
            return self._fold_known(items, kind, start, node, hint)
        return self.fold_items(items, node, start, hint, kind)

    def fold_items(self, items, node, start, hint=None, kind="list"):
        """The accumulator ``kind`` of the items of the operand ``items`` (lowered from ``node``)."""
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
            total = self.emit(_STEP[kind], (total, single(self, item, node)), node, hint if k == len(items) - 1 else None)
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
            if kind == "list" and start is None:  # a start given: the list extend grows (appends)
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
        value = single(self, value, node.elt)
        if node.kind == "list":
            return self.emit("rt.appended", (acc, value), node)
        return self.emit(_STEP[node.kind], (acc, value), node)

    def as_list(self, node, hint=None):
        """The sequence ``node`` holds: a tuple of operands (a display, an unrolled comprehension),
        or the operand of a list or other sequence known at run time."""
        if isinstance(node, COMPREHENSIONS):
            return self.fold(node, "list", None, hint)
        return self.expr(node)


def _accumulated(elt, kind, acc):
    step = ast.copy_location(Accumulated(elt=elt), elt)
    step.kind, step.acc = kind, acc
    return step


def _assign(name, value):
    return ast.copy_location(ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=value), value)
