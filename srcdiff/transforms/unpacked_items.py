"""Loops that unpack the items of a sequence they differentiate: ``for W, b in params``.

The reverse sweep adds a sequence's gradient item by item where a loop names each item
(``items``); a loop unpacking the items names their parts instead, and has no item to add.
``items_unpacked`` writes such a loop as the loop over the items followed by the unpacking,

    for item in params:
        s = rt.unpacked(item, 2)
        W = s[0]
        b = s[1]

whose item gets the adjoints of its parts through the item reads' rule (``rt.index_grad``:
one adjoint per part where the parts differ in shape, ``runtime.item_adjoints``).  Only
the loops over a sequence the ``wrt`` parameters vary are written so; the others print as
the user wrote them.  Run before the rules are made: they see the statements it adds.
"""
import dataclasses

from ..ir import Assign, Const, ForIter, Loop, Var, walk, with_blocks
from .activity import edges_of, varied_by


def items_unpacked(function, wrt):
    """``function`` with each loop unpacking the items of a sequence varied by the Vars
    ``wrt`` written as a loop over the items, unpacking each (see the module doc); itself
    where there is none."""
    if not any(_unpacks_items(s) for s in walk(function.body)):
        return function
    varied = _varied(function.body, wrt)
    if not any(_unpacks_items(s) and s.iter.args[0] in varied for s in walk(function.body)):
        return function
    return dataclasses.replace(function, body=_rewritten(function.body, varied))


def _unpacks_items(stmt):
    """Whether ``stmt`` is a ``for a, b in xs`` loop over a sequence Var (not zip or enumerate)."""
    return isinstance(stmt, Loop) and stmt.iter is not None and stmt.iter.kind == "iter" \
        and len(stmt.iter.targets) > 1 and isinstance(stmt.iter.args[0], Var)


def _varied(body, wrt):
    """The Vars the ``wrt`` Vars vary, through every statement (each read taken to flow)."""
    return varied_by([e for e in edges_of(body, lambda stmt: None) if isinstance(e[0], Var)], wrt)


def _rewritten(body, varied):
    out = []
    for stmt in body:
        stmt = with_blocks(stmt, lambda block: _rewritten(block, varied))
        if _unpacks_items(stmt) and stmt.iter.args[0] in varied:
            stmt = _over_items(stmt)
        out.append(stmt)
    return tuple(out)


def _over_items(loop):
    """``for a, b in xs: body`` as ``for item in xs: s = rt.unpacked(item, 2); a = s[0]; b = s[1]; body``."""
    targets = loop.iter.targets
    item, parts = Var("item"), Var("s")
    unpacking = (Assign(parts, "rt.unpacked", (item, Const(len(targets))), (), loop.loc),) + tuple(
        Assign(target, "[]", (parts, Const(k)), (), loop.loc) for k, target in enumerate(targets))
    return dataclasses.replace(loop, iter=ForIter("iter", loop.iter.args, (item,)), body=unpacking + loop.body)
