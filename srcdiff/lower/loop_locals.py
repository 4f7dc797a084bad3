"""Names a loop body binds afresh in each round: ``pair = [x, x * x]``, ``row = [0.0, x]; row[0] += w``.

A loop carries every name its body assigns (``loops``), but a tuple or list display (a tuple
of operands known when compiling) cannot be carried; and a list the function writes into,
carried, looks to ``writes`` as if the next round could read it through the carry.  Where
nothing in the loop reads the carried value (each round reads only what it bound itself),
such a name needs no carry: it is left out of the carries, and after the loop it is
``Unusable`` (a read there is refused at its line, saying why: Python would read the last
round's value, or the one from before the loop when no round ran).  A list written into is
left out only where the function reads it nowhere outside the loop.
"""
import ast

from ..ir import If, Loop, reads, walk
from .callables import Unusable


def uncarried_displays(lw, stmt, carried, carries, test_block, test):
    """Take out of ``carried`` (in place) the names whose value at the end of the body is a tuple
    (or a list written into and read only in the loop ``stmt``) and whose carried Var
    (``carries[name][0]``) nothing in the loop reads; return them."""
    displays = [name for name in carried if isinstance(lw.env[name], tuple)
                or name in lw.written_lists and not _read_outside(lw, stmt, name)]
    if not displays:
        return ()
    read = _read(lw.shared.body, test_block, test) | {id(v) for v in lw.env.values()}
    dropped = tuple(name for name in displays if id(carries[name][0]) not in read)
    for name in dropped:
        carried.remove(name)
    return dropped


def after_the_loop(name, line):
    """What a name left uncarried holds after the loop on ``line``."""
    return Unusable(f"'{name}' is a tuple or list bound in each round of the loop on line {line}, and read after it",
                    f"bind '{name}' after the loop again, or keep its items in variables of their own")


def _read(body, test_block, test):
    """The ids of the operands the statements read (a branch's merges and a loop's carries too)."""
    found = {id(test)}
    for stmt in walk(tuple(body) + tuple(test_block)):
        found.update(id(v) for v in reads(stmt))
        if isinstance(stmt, If):
            found.update(id(v) for m in stmt.merges for v in (m.then, m.orelse))
        elif isinstance(stmt, Loop):
            found.update(id(v) for c in stmt.carries for v in (c.init, c.next))
    return found


def _read_outside(lw, loop, name):
    """Whether the function reads ``name`` outside the text of ``loop`` (always, for a loop made
    while lowering, which has no place in the text)."""
    if not hasattr(loop, "end_lineno"):
        return True
    start, end = (loop.lineno, loop.col_offset), (loop.end_lineno, loop.end_col_offset)
    return any(node.id == name and isinstance(node.ctx, ast.Load) and not start <= (node.lineno, node.col_offset) <= end
               for node in lw.source.nodes(ast.Name))
