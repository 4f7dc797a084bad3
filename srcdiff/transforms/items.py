"""Gradients with respect to the items of a sequence a loop walks over (``for w in ws``).

The reverse sweep (``reverse_flow``) asks this module what each ``for`` loop reads item by
item, and records, at the end of each reversed iteration, one ``ItemAccumulate``: the
adjoint of the item added into the adjoint of the sequence at the iteration's position.
The emitter prints it as ``grad_ws[k] += grad_w`` inside ``for k in
reversed(range(iterations)):``; the sequence's adjoint starts as ``rt.items_zeros(ws)``
(zeros of the same length: a list for a list or tuple, an array for an array).

| loop | item of iteration ``k`` |
| --- | --- |
| ``for w in ws`` | ``ws[k]`` |
| ``for w in reversed(ws)`` | ``ws[-1 - k]`` |
| ``for i, w in enumerate(ws)`` | ``ws[k]`` |
| ``for a, b in zip(xs, ys)`` | ``xs[k]``, ``ys[k]`` |

In specialized code the rules may also name ``xs[i]`` reads of a sequence parameter
(``ArrayRules.item_reads``): the sweep records ``grad_xs[i] += g`` for them, after
``grad_xs = rt.items_zeros(xs)`` at the start of the backward section
(``read_item_by_item``).

A sequence whose gradient is taken item by item and that is also used whole in a way that
needs its gradient (``np.sum(ws)`` beside the loop) gathers both in one float array of its
shape (``whole_sequences``): it starts as ``rt.whole_zeros(ws)``, or as ``rt.owned_whole(g,
ws)`` where a whole use's gradient comes first, a new array the items add into in place;
given back in the sequence's type and dtype (``rt.like``).
"""
import ast

from ..errors import UnsupportedSyntaxError
from ..ir import RANGES, Assign, Loop, defined_at, dotted, walk


def item_sources(loop):
    """``(sequence, item Var, position)`` for each sequence ``loop`` walks over item by item;
    ``position`` is True for ``reversed`` (the item of iteration ``k`` is ``ws[-1 - k]``), the
    counter Var for ``enumerate``, else False (``ws[k]``)."""
    it = loop.iter
    if it is None or it.kind in RANGES:
        return []
    if it.kind == "enumerate":  # the position is the loop's own counter
        return [(it.args[0], it.targets[1], it.targets[0])]
    if it.kind == "zip":
        return [(seq, target, False) for seq, target in zip(it.args, it.targets)]
    if len(it.targets) > 1:  # for a, b in pairs: checked by check_item_sequences
        return []
    return [(it.args[0], it.targets[0], it.kind == "reversed")]


def zeros_for_items(sequence_token, numbers=False, whole=False):
    """``rt.items_zeros(<the sequence>)``: the adjoint of a sequence before its items add in;
    ``[0.0] * len(<the sequence>)`` where its items are known to be numbers (specialized code);
    ``rt.whole_zeros(<the sequence>)`` for one also used whole (``whole``)."""
    sequence = ast.Name(id=sequence_token, ctx=ast.Load())
    if whole:
        return ast.Call(func=dotted("rt.whole_zeros"), args=[sequence], keywords=[])
    if numbers:
        length = ast.Call(func=ast.Name(id="len", ctx=ast.Load()), args=[sequence], keywords=[])
        return ast.BinOp(left=ast.List(elts=[ast.Constant(0.0)], ctx=ast.Load()), op=ast.Mult(), right=length)
    call = ast.Attribute(value=ast.Name(id="rt", ctx=ast.Load()), attr="items_zeros", ctx=ast.Load())
    return ast.Call(func=call, args=[sequence], keywords=[])


def whole_sequences(body, active, edges, item_reads=frozenset(), params=()):
    """The sequences differentiated item by item that also need a gradient as a whole (see
    the module doc); a loop unpacking the items of a sequence it differentiates is refused.
    ``item_reads``: the ids of the ``xs[i]`` reads whose gradients add in item by item
    (``analysis.item_reads``); those of a list the function grows are no use of it whole."""
    item_edges = {(s.args[0], s.target) for s in walk(body)
                  if isinstance(s, Assign) and id(s) in item_reads and s.args[0] not in params}
    loops = {}
    for stmt in walk(body):
        if isinstance(stmt, Loop):
            for seq, target, _ in item_sources(stmt):
                item_edges.add((seq, target))
                loops.setdefault(seq, stmt)
    for stmt in walk(body):
        if isinstance(stmt, Loop) and stmt.iter is not None and stmt.iter.kind == "iter" and len(stmt.iter.targets) > 1:
            seq = stmt.iter.args[0]
            if seq in active and any(t in active for t in stmt.iter.targets):
                loc = stmt.loc.user()
                raise UnsupportedSyntaxError(
                    f"the gradient with respect to '{seq.hint}', whose items this loop unpacks, is not supported",
                    loc.filename, loc.lineno, loc.col, loc.line_text,
                    "leave it out of wrt, or loop over zip(...) of separate sequences")
    carried_round = _carried_round(body)  # a carried value's next one: its adjoint flows back round
    return {source for source, target, flows in edges
            if source in loops and source in active and flows and target in active and (source, target) not in item_edges
            and (source, target) not in carried_round}


def _carried_round(body):
    """``(carried value, value of its loop)`` pairs: a loop reading the value it carries (a list
    a comprehension appends to, ``ws = ws * 2``).  Walking that value item by item after the loop
    is walking the loop's result: the loop's backward takes the sequence's whole adjoint."""
    pairs = set()
    for stmt in walk(body):
        if isinstance(stmt, Loop):
            inside = {v for s in walk(stmt.test_body + stmt.body) for v in defined_at(s)}
            pairs.update((c.target, v) for c in stmt.carries for v in inside)
    return pairs


def read_item_by_item(function, rules, active):
    """The active sequences whose ``xs[i]`` reads the rules add to entry by entry, and whose
    adjoint starts as zeros item by item at the start of the backward sweep: parameters
    (specialized code) and lists grown by a loop of the function's body, as the loop leaves them.
    The values such a list has inside its loop get their adjoints from it (``rt.but_last``)."""
    ids = getattr(rules, "item_reads", ())
    found = [s.args[0] for s in walk(function.body) if isinstance(s, Assign) and id(s) in ids]
    outside = set(function.params) | {c.target for s in function.body if isinstance(s, Loop) for c in s.carries}
    return [seq for seq in dict.fromkeys(found) if seq in active and seq in outside]
