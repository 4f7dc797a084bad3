"""Explain mode's forward walk: run a function's SSA statements at given inputs, in order.

The trace records every statement actually executed, with its value: a branch adds the
rows of the side that ran, a loop the rows of every iteration in turn (an unrolled
trace), and the values a branch or a loop hands on (a merge, a loop-carried value, a
loop variable) are rows of their own, so every gradient can be followed step by step.

| statement | rows added to the trace |
| --- | --- |
| ``Assign`` | its value, evaluated on the operands' current values |
| an effect (``ir.EFFECT``) | none: an ``assert`` or a ``raise`` runs (an error at the inputs given is a SrcdiffError at its line); a ``print`` or a logging call does not (explain mode prints its table instead) |
| ``If`` | the taken side's rows, then ``m = a`` for each merge (a copy: local gradient 1) |
| ``Loop`` | ``h = init`` for each carry; per iteration: ``i = range(n)`` (a counter, no gradient) or ``w = ws[k]`` (an item: its gradient goes to position ``k`` of ``ws``), the body's rows, ``h = next`` |

A statement kind is added by giving it a runner in ``RUNNERS``.  A loop that runs more
than ``MAX_STEPS`` iterations is refused: a table of a million rows explains nothing.
"""
import ast
import itertools
from dataclasses import dataclass

from ..errors import SrcdiffError
from ..ir import (CHECK_OPS, EFFECT, Assign, Const, Global, If, Loop, Slice, Undefined, Var, assigns, effect_kind,
                 effect_node, effect_template, operand_node, operation_node)
from ..transforms.items import item_sources

@dataclass
class _Node:
    var: Var
    value: object
    stmt: Assign = None
    operands: tuple = ()  # per argument: the index of the node it reads, or None for a constant


class Trace:
    """The statements actually executed, in order, with their values."""

    def __init__(self, function, names, namespace):
        self.function = function
        self.names = names
        self.namespace = namespace
        self.nodes = []
        self.latest = {}  # Var -> index of the node that last assigned it

    def add(self, var, value, stmt=None, operands=()):
        self.latest[var] = len(self.nodes)
        self.nodes.append(_Node(var, value, stmt, operands))

    def operand_value(self, operand, stmt):
        if isinstance(operand, Var):
            return self.nodes[self.latest[operand]].value
        if isinstance(operand, Global):
            return self.evaluate(operand.name, {}, stmt)
        if isinstance(operand.value, Slice):
            return slice(operand.value.lo, operand.value.hi, operand.value.step)
        return operand.value

    def evaluate(self, text, local_values, stmt):
        """Evaluate expression ``text``; an exception becomes a SrcdiffError at ``stmt``."""
        try:
            return eval(_compiled(text), self.namespace, local_values)
        except Exception as err:  # the user's arithmetic failed: say where
            loc = stmt.loc
            target = self.names.get(stmt.target, "?")
            raise SrcdiffError(
                f"{type(err).__name__} while computing {target} = {self.source_text(stmt)}: {err}",
                loc.filename, loc.lineno, loc.col, loc.line_text,
                "check the input values passed to explain") from None

    def source_text(self, stmt):
        """The statement's right-hand side in SSA names."""
        return ast.unparse(operation_node(stmt.op, [operand_node(a, self.names) for a in stmt.args],
                                          [(k, operand_node(v, self.names)) for k, v in stmt.kwargs]))


_CODE = {}


def _compiled(text):
    if text not in _CODE:
        _CODE[text] = compile(text, "<srcdiff explain>", "eval")
    return _CODE[text]


def walk(statements, trace):
    """Run ``statements`` in order, recording each executed one in ``trace``."""
    for stmt in statements:
        runner = RUNNERS.get(type(stmt))
        if runner is None:
            loc = stmt.loc
            raise SrcdiffError(f"explain mode does not handle {type(stmt).__name__} statements yet",
                               loc.filename, loc.lineno, loc.col, loc.line_text)
        runner(stmt, trace)


def run_assign(stmt, trace):
    """``target = op(args)``: evaluate the operation on the operands' current values."""
    if stmt.op == EFFECT:
        return run_effect(stmt, trace)
    values = {f"_a{i}": trace.operand_value(a, stmt) for i, a in enumerate(stmt.args)}
    values.update({f"_k{j}": trace.operand_value(v, stmt) for j, (_, v) in enumerate(stmt.kwargs)})
    expr = operation_node(stmt.op, [ast.Name(id=f"_a{i}", ctx=ast.Load()) for i in range(len(stmt.args))],
                          [(k, ast.Name(id=f"_k{j}", ctx=ast.Load())) for j, (k, _) in enumerate(stmt.kwargs)])
    value = trace.evaluate(ast.unparse(expr), values, stmt)
    if stmt.op in CHECK_OPS:
        return  # a check of generated code read back refuses or passes: it is not a row
    operands = tuple(trace.latest[a] if isinstance(a, Var) else None for a in stmt.args)
    trace.add(stmt.target, value, stmt, operands)


def run_effect(stmt, trace):
    """An ``assert`` or a ``raise`` of the user's code runs on the current values (the inputs may
    be ones the function refuses); a ``print`` or a logging call is left out: not a row either."""
    if effect_kind(stmt) == "output":
        return
    if any(isinstance(n, ast.Name) and n.id in trace.function.globals and trace.function.globals[n.id] is None
           for n in ast.walk(effect_template(stmt.args[0].value))):
        return  # it reads a name known only from the file's text (the command line): it cannot run
    operands = [a for a in stmt.args[1:] if isinstance(a, Var)]
    values = {f"_a{i}": trace.nodes[trace.latest[a]].value for i, a in enumerate(operands)}
    node = effect_node(stmt, {a: f"_a{i}" for i, a in enumerate(operands)})
    try:
        exec(compile(ast.fix_missing_locations(ast.Module(body=[node], type_ignores=[])), "<srcdiff explain>", "exec"),
             trace.namespace, values)
    except Exception as err:  # the user's own check refuses these inputs: say where
        loc = stmt.loc
        message = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
        raise SrcdiffError(f"the function stops here at these inputs ({message})", loc.filename, loc.lineno,
                           loc.col, loc.line_text, "explain it at inputs the function accepts") from None


def effect_only_globals(function):
    """The module-level names only effects (``ir.EFFECT``) read, never an operation's operand."""
    read = {n.id for s in assigns(function.body) if s.op == EFFECT
            for n in ast.walk(effect_template(s.args[0].value)) if isinstance(n, ast.Name)}
    operands = {a.name for s in assigns(function.body) if s.op != EFFECT
                for a in list(s.args) + [v for _, v in s.kwargs] if isinstance(a, Global)}
    return read - operands


MAX_STEPS = 10000


def run_if(stmt, trace):
    """Run the side the condition picks, then bind the merged values."""
    taken = bool(trace.operand_value(stmt.cond, stmt))
    walk(stmt.body if taken else stmt.orelse, trace)
    for merge in stmt.merges:
        _copy(trace, merge.target, merge.then if taken else merge.orelse, stmt)


def run_loop(stmt, trace):
    """Run every iteration; each iteration's rows follow the previous one's."""
    for carry in stmt.carries:
        _copy(trace, carry.target, carry.init, stmt)
    items = _items(stmt, trace) if stmt.iter is not None else None
    for step in range(MAX_STEPS + 1):
        if step == MAX_STEPS:
            loc = stmt.loc
            raise SrcdiffError(f"the loop ran more than {MAX_STEPS} iterations: too many to explain step by step",
                               loc.filename, loc.lineno, loc.col, loc.line_text,
                               "explain it at inputs that need fewer iterations")
        if items is not None:
            item = next(items, None)
            if item is None:
                break
            _add_items(stmt, trace, step, item)
        else:
            walk(stmt.test_body, trace)
            if not trace.operand_value(stmt.test, stmt):
                break
        walk(stmt.body, trace)
        for carry in stmt.carries:  # each next value is the body's own: copying in turn is safe
            _copy(trace, carry.target, carry.next, stmt)
        if stmt.exit is not None and trace.operand_value(stmt.exit, stmt):
            break


class ItemAssign(Assign):
    """A row ``w = ws[k]``: an item a loop reads; its gradient goes to position ``k`` of ``ws``."""


ITEM_RULE = ("rt.item_grad(g, x0, x1)", None)


def _add_items(stmt, trace, step, values):
    """The rows of one iteration's loop variables: items as ``ws[k]``, counters as ``range(n)``."""
    sources = {target: (seq, backwards) for seq, target, backwards in item_sources(stmt)}
    for target, value in zip(stmt.iter.targets, values):
        if target in sources:
            seq, backwards = sources[target]
            source = ItemAssign(target, "[]", (seq, Const(-1 - step if backwards is True else step)), (), stmt.loc)
            trace.add(target, value, source, (trace.latest.get(seq) if isinstance(seq, Var) else None, None))
        else:
            trace.add(target, value, Assign(target, stmt.iter.kind, stmt.iter.args, (), stmt.loc),
                      tuple(None for _ in stmt.iter.args))


def _items(stmt, trace):
    """The loop's items, each a tuple of values for its targets; a sequence Python cannot
    loop over (``range(2.5)``) is an error at the loop."""
    args = [trace.operand_value(a, stmt) for a in stmt.iter.args]
    try:
        return iter(list(itertools.islice(_iterate(stmt.iter, args), MAX_STEPS + 1)))
    except Exception as err:  # the user's loop header failed: say where
        loc = stmt.loc
        raise SrcdiffError(f"{type(err).__name__} while starting the loop: {err}", loc.filename, loc.lineno,
                           loc.col, loc.line_text, "check the input values passed to explain") from None


def _iterate(it, args):
    """The items of ``for ... in kind(*args)``, lazily."""
    if it.kind in ("range", "reversed_range"):  # --at n=3 passes 3.0: a whole float counts as an int here
        args = [int(a) if isinstance(a, float) and a.is_integer() else a for a in args]
        indices = range(*args)
        return ((i,) for i in (indices if it.kind == "range" else reversed(indices)))
    if it.kind == "reversed":
        return ((v,) for v in reversed(args[0]))
    if it.kind == "enumerate":
        return iter(enumerate(args[0]))
    if it.kind == "zip":
        return iter(zip(*args))
    if len(it.targets) > 1:  # for a, b in pairs
        return (tuple(v) for v in args[0])
    return ((v,) for v in args[0])


def _copy(trace, target, operand, stmt):
    """A row ``target = operand`` (nothing for a value the path taken never defined)."""
    if isinstance(operand, Undefined) or isinstance(operand, Var) and operand not in trace.latest:
        return
    if isinstance(operand, Var):
        index = trace.latest[operand]
        trace.add(target, trace.nodes[index].value, Assign(target, "copy", (operand,), (), stmt.loc), (index,))
    else:
        trace.add(target, trace.operand_value(operand, stmt), Assign(target, "copy", (operand,), (), stmt.loc), (None,))


RUNNERS = {Assign: run_assign, If: run_if, Loop: run_loop}
