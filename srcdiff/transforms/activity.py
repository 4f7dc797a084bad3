"""Activity of structured code: which values carry adjoints (``reverse_flow``'s first step).

``edges_of(body, rules)`` yields ``(source, target, gradient_flows)`` for every value
flowing into another, through statements, merges, loop carries and items walked over;
``activity`` closes them: varied from the ``wrt`` parameters forwards, useful from the
result backwards.
"""
from ..ir import Assign, If, Loop, Var, walk
from ..rules import ZERO
from .contributions import refuse_varied_keywords
from .items import item_sources


def edges_of(body, rules):
    """``(source, target, gradient_flows)`` for every value flowing into another."""
    for stmt in walk(body):
        if isinstance(stmt, Assign):
            rule = rules(stmt)
            if rule is ZERO:
                continue
            for i, arg in enumerate(stmt.args):
                yield arg, stmt.target, rule is None or rule[i] is not None
            for _, value in stmt.kwargs:  # varies the result; needing a gradient, refused (activity)
                yield value, stmt.target, rule is None
        elif isinstance(stmt, If):
            for m in stmt.merges:
                yield m.then, m.target, True
                yield m.orelse, m.target, True
        elif isinstance(stmt, Loop):
            for c in stmt.carries:
                yield c.init, c.target, True
                yield c.next, c.target, True
            for seq, item, _ in item_sources(stmt):  # gradient goes back item by item (items)
                yield seq, item, True
            if stmt.iter is not None and stmt.iter.kind == "iter" and len(stmt.iter.targets) > 1:
                yield from ((stmt.iter.args[0], t, True) for t in stmt.iter.targets)  # refused if active


def varied_by(edges, wrt):
    """The Vars the Vars ``wrt`` vary through the ``(source, target, flows)`` ``edges``: every
    target reached from them (forwards, whether or not a gradient flows back that way)."""
    varied = set(wrt)
    changed = True
    while changed:
        changed = False
        for source, target, _ in edges:
            if source in varied and target not in varied:
                varied.add(target)
                changed = True
    return varied


def activity(body, wrt, result, rules):
    """The active Vars: varied by a ``wrt`` parameter and useful to the result."""
    edges = [(s, t, flows) for s, t, flows in edges_of(body, rules) if isinstance(s, Var)]
    varied = varied_by(edges, wrt)
    useful = {result} if isinstance(result, Var) else set()
    changed = True
    while changed:
        changed = False
        for source, target, flows in reversed(edges):  # backwards: one pass carries usefulness up a chain
            if flows and target in useful and source not in useful:
                useful.add(source)
                changed = True
    for stmt in walk(body):  # no rule differentiates a keyword argument: refused, never a silent zero
        if isinstance(stmt, Assign) and stmt.kwargs and stmt.target in useful and rules(stmt) is not ZERO:
            refuse_varied_keywords(stmt, varied)
    return varied & useful, varied
