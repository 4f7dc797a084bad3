"""Move early exits to the ends of blocks: the statements after a branch that may
``return``, ``break`` or ``continue`` go into the paths that fall through.

Input: a checked function body (a list of AST statements).  Output: a new list of
statements (the user's tree is never mutated) in which every ``return``, ``break`` and
``continue`` is the last statement of its block, so that lowering can treat each as
"set the result (or the break flag) and fall off the end of the block".  A ``raise`` is
last in its block too, but what follows its branch stays after the branch: it sets
nothing, and the path through it never gets there (its values merge as undefined).

| rule | before | after |
| --- | --- | --- |
| exit, then more | ``return a; b = 1`` | ``return a`` (the rest is dead) |
| branch that may exit | ``if c: return a`` then ``rest`` | ``if c: return a`` ``else: rest`` (``rest`` copied into every path that falls through) |
| loop that may return | ``for ...: return a`` then ``rest`` | the loop, then ``if <returned>: (already returned) else: rest`` |
| ``while True:`` without ``break`` | ``while True: ...`` then ``rest`` | the loop (only a ``return`` ends it; ``rest`` is dead) |
| loop ``else`` without ``break`` | ``for ...: A`` ``else: E`` | ``for ...: A`` then ``E`` |
| loop ``else`` with ``break`` | ``for ...: if c: break`` ``else: E`` | ``<no break> = True``, ``for ...: if c: <no break> = False; break``, then ``if <no break>: E`` |

``<no break 3:4>`` (the loop's line and column) is a pseudo-variable too, one per loop with an
``else``; a ``break`` in the ``else`` of a loop nested in the body breaks the outer loop, as
in Python.  A loop containing a ``return`` is followed by a test of the pseudo-variable
``<returned>`` (not an identifier, so it never collides with the user's names); its
then-branch holds a ``Return`` marked ``srcdiff_returned``: the value is already set.
"""
import ast
import copy

from .scopes import walk_scope

RETURNED = "<returned>"
NO_BREAK = "<no break"  # the start of a loop-else flag's name
EXITS = (ast.Return, ast.Break, ast.Continue)
ENDS = EXITS + (ast.Raise,)  # a raise ends its path too, but sets nothing: what follows its branch stays there


def tails(body):
    """The function body with every exit at the end of its block."""
    return _block(list(body))


def _block(stmts):
    out = []
    for k, stmt in enumerate(stmts):
        if isinstance(stmt, ENDS):
            out.append(stmt)
            return out  # anything after it never runs
        if isinstance(stmt, ast.If):
            new = _copy(stmt, body=_block(stmt.body), orelse=_block(stmt.orelse))
            out.append(new)
            if may_exit([new]):
                rest = _block(stmts[k + 1:])
                if rest:
                    _append_to_fallthrough(new, rest)
                return out
        elif isinstance(stmt, (ast.For, ast.While)) and stmt.orelse:
            return out + _block(_without_else(stmt) + stmts[k + 1:])
        elif isinstance(stmt, (ast.For, ast.While)):
            new = _copy(stmt, body=_block(stmt.body))
            out.append(new)
            if endless(new):
                return out  # only a return leaves it: what follows never runs
            if _contains_return(new.body):
                rest = _block(stmts[k + 1:])
                marker = ast.Return(value=None)
                marker.srcdiff_returned = True
                ast.copy_location(marker, stmt)
                test = ast.copy_location(ast.Name(id=RETURNED, ctx=ast.Load()), stmt)
                out.append(ast.copy_location(ast.If(test=test, body=[marker], orelse=rest), stmt))
                return out
        else:
            out.append(stmt)
    return out


def _without_else(loop):
    """``loop`` with an ``else`` as statements without one: the ``else`` runs after the loop
    when no ``break`` of its own left it (a ``return`` in it skips what follows anyway)."""
    if not _own_breaks(loop.body):
        return [_copy(loop, orelse=[])] + list(loop.orelse)
    flag = f"{NO_BREAK} {loop.lineno}:{loop.col_offset}>"
    start = _set_flag(flag, True, loop)
    test = ast.copy_location(ast.Name(id=flag, ctx=ast.Load()), loop)
    after = ast.copy_location(ast.If(test=test, body=list(loop.orelse), orelse=[]), loop.orelse[0])
    return [start, _copy(loop, body=_flag_breaks(loop.body, flag), orelse=[]), after]


def _own_breaks(body):
    """Whether ``body`` may break out of its own loop (also from a nested loop's ``else``)."""
    return any(True for _ in _break_sites(body))


def _break_sites(body):
    for stmt in body:
        if isinstance(stmt, ast.Break):
            yield stmt
        elif isinstance(stmt, (ast.If, ast.With, ast.Try)):
            yield from _break_sites(getattr(stmt, "body", []) + getattr(stmt, "orelse", []))
        elif isinstance(stmt, (ast.For, ast.While)):
            yield from _break_sites(stmt.orelse)


def _flag_breaks(body, flag):
    """``body`` (copied where changed) with ``flag = False`` before each ``break`` of its loop."""
    out = []
    for stmt in body:
        if isinstance(stmt, ast.Break):
            out += [_set_flag(flag, False, stmt), stmt]
        elif isinstance(stmt, ast.If):
            out.append(_copy(stmt, body=_flag_breaks(stmt.body, flag), orelse=_flag_breaks(stmt.orelse, flag)))
        elif isinstance(stmt, ast.With):
            out.append(_copy(stmt, body=_flag_breaks(stmt.body, flag)))
        elif isinstance(stmt, (ast.For, ast.While)) and stmt.orelse:
            out.append(_copy(stmt, orelse=_flag_breaks(stmt.orelse, flag)))
        else:
            out.append(stmt)
    return out


def _set_flag(flag, value, node):
    target = ast.copy_location(ast.Name(id=flag, ctx=ast.Store()), node)
    return ast.copy_location(ast.Assign(targets=[target], value=ast.Constant(value=value)), node)


def endless(loop):
    """Whether ``loop`` is ``while True:`` with no ``break`` of its own: it ends by ``return`` only."""
    test = getattr(loop, "test", None)
    return isinstance(loop, ast.While) and isinstance(test, ast.Constant) and test.value is True \
        and not _breaks(loop.body)


def _breaks(body):
    """Whether ``body`` breaks out of its own loop (a ``break`` not inside a nested loop)."""
    for stmt in body:
        if isinstance(stmt, ast.Break):
            return True
        if isinstance(stmt, (ast.If, ast.With, ast.Try)) and _breaks(getattr(stmt, "body", []) + getattr(stmt, "orelse", [])):
            return True
    return False


def may_exit(block):
    """Whether some path through ``block`` (already transformed) ends in an exit."""
    if not block:
        return False
    last = block[-1]
    if isinstance(last, EXITS):
        return True
    return isinstance(last, ast.If) and (may_exit(last.body) or may_exit(last.orelse))


def always_exits(block, kinds=EXITS):
    """Whether every path through ``block`` (already transformed) ends in one of ``kinds``."""
    if not block:
        return False
    last = block[-1]
    if isinstance(last, kinds) or ast.Return in kinds and endless(last):
        return True
    return isinstance(last, ast.If) and always_exits(last.body, kinds) and always_exits(last.orelse, kinds)


def _append_to_fallthrough(if_node, rest):
    """Append a copy of ``rest`` to every path of ``if_node`` that does not exit."""
    for block in (if_node.body, if_node.orelse):
        if block and isinstance(block[-1], ENDS):
            continue
        if block and isinstance(block[-1], ast.If) and may_exit(block):
            _append_to_fallthrough(block[-1], rest)
        else:
            block.extend(copy.deepcopy(rest))  # each path gets its own nodes


def _contains_return(body):
    return any(isinstance(n, ast.Return) for stmt in body for n in walk_scope(stmt))  # a nested def's are its own


def _copy(node, **fields):
    """A shallow copy of ``node`` with some fields replaced (lists are fresh lists)."""
    values = {name: getattr(node, name, None) for name in node._fields}
    values.update(fields)
    if isinstance(node, ast.If):
        values["orelse"] = list(values["orelse"])
        values["body"] = list(values["body"])
    new = type(node)(**values)
    return ast.copy_location(new, node)
