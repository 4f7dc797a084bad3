"""Lower control flow (after ``tails``) to ``flow.If`` and ``flow.Loop`` statements.

Called by ``function._Lowerer`` for the statements and expressions below; each function
takes the lowerer ``lw`` and appends to its current block.  Variables live in
``lw.env`` (name -> operand); a branch or a loop body is lowered with a copy of it and
the differences become ``Merge`` and ``Carry`` values.  Exits are pseudo-variables of
``env`` (never identifiers, so never the user's): ``<value>`` the returned value,
``<returned>`` whether a loop returned, ``<break>`` whether this iteration breaks.

| construct | lowered to |
| --- | --- |
| ``if c: A else: B`` | ``If(c, A, B, merges)``; a constant ``c`` keeps only the taken branch |
| ``a if c else b``, ``a and b``, ``a or b``, ``a < b < c`` | an ``If`` whose merge is the value (short-circuit kept) |
| ``return e`` | ``<value> = e``; inside a loop also ``<returned> = <break> = True`` |
| ``break`` / ``continue`` | ``<break> = True`` / nothing (``tails`` put them last in their block) |

Loops are lowered by ``loops``, with the helpers here (``in_block``, ``lower_if``).
"""
import ast

from ..errors import UnsupportedSyntaxError
from ..ir import Const, If, Merge, Undefined, Var
from .binding import KeywordValues
from .callables import NOT_OPERANDS, Unusable, unmerged
from .effects import KeptText
from .tails import NO_BREAK
from .texts import merged_text

VALUE, RETURNED, BREAK = "<value>", "<returned>", "<break>"
TRUE, FALSE = Const(True), Const(False)
UNDEF = Undefined()


def same(a, b):
    """Whether two operands are the same value (constants compared with their type)."""
    if isinstance(a, Const) and isinstance(b, Const):
        return type(a.value) is type(b.value) and a.value == b.value
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a is b or (isinstance(a, Undefined) and isinstance(b, Undefined))


def in_block(lw, fn):
    """Run ``fn`` with a fresh current block; return the statements it appended.
    ``lw.shared.blocks`` counts the blocks open (0: the function's own, run on every call)."""
    saved, lw.shared.body = lw.shared.body, []
    lw.shared.blocks += 1
    try:
        fn()
        return tuple(lw.shared.body)
    finally:
        lw.shared.body = saved
        lw.shared.blocks -= 1


def pseudo_var(name, hint=None):
    """A Var for variable ``name`` of env; pseudo-variables get readable non-user names."""
    if name.startswith(NO_BREAK):  # a loop-else flag (tails)
        return Var("no_break")
    if name.startswith("<"):
        readable = {VALUE: hint or "s", RETURNED: "returned", BREAK: "stop"}.get(name, hint or "s")
        return Var(readable, user_named=bool(hint) and name not in (RETURNED, BREAK))
    return Var(name, user_named=True)


# ---------------------------------------------------------------- if

def lower_if(lw, cond, then_fn, else_fn, node, hints=None):
    """Lower a two-way branch on operand ``cond``; ``then_fn``/``else_fn`` lower each side."""
    before = dict(lw.env)
    if isinstance(cond, Const):  # decided when compiling: keep the taken side only
        (then_fn if cond.value else else_fn)()
        return
    then_block = in_block(lw, then_fn)
    then_env, lw.env = lw.env, dict(before)
    else_block = in_block(lw, else_fn)
    else_env, lw.env = lw.env, dict(before)
    merges = []
    for name in dict.fromkeys(list(then_env) + list(else_env)):
        value = _merge(lw, name, then_env.get(name, UNDEF), else_env.get(name, UNDEF), merges, node, hints or {}, cond)
        if value is not None:
            lw.env[name] = value
    lw.shared.body.append(If(cond, then_block, else_block, tuple(merges), lw.source.loc(node)))


def _merge(lw, name, then, orelse, merges, node, hints, cond=None):
    if same(then, orelse):
        return None if isinstance(then, Undefined) else then
    if cond is not None and KeptText in (type(then), type(orelse)) and all(_message(v) for v in (then, orelse)):
        return merged_text(*(v if type(v) is KeptText else KeptText(ast.Constant(v.value), ()) for v in (then, orelse)), cond)
    if type(then) is KeywordValues and type(orelse) is KeywordValues and list(then) == list(orelse):  # written on a path
        return KeywordValues({k: _merge(lw, name, then[k], orelse[k], merges, node, hints) or then[k] for k in then})
    if isinstance(then, NOT_OPERANDS) or isinstance(orelse, NOT_OPERANDS):  # a function: never merged
        kinds = (type(then), type(orelse))
        return unmerged(name, node.lineno, "string" if KeptText in kinds else "dict" if KeywordValues in kinds else "function")
    if isinstance(then, tuple) or isinstance(orelse, tuple):
        if not (isinstance(then, tuple) and isinstance(orelse, tuple) and len(then) == len(orelse)):  # read after: refused
            return Unusable(f"'{name}' is a tuple on one path through the branch on line {node.lineno} and not on the "
                            "other", "give the variable the same kind of value on every path")
        return type(then)(_merge(lw, name, a, b, merges, node, hints) or a for a, b in zip(then, orelse))
    target = pseudo_var(name, hints.get(name))
    merges.append(Merge(target, then, orelse))
    return target


def _message(value):
    """Whether ``value`` is a message string: one built (``KeptText``) or a literal (a text ``Const``)."""
    return type(value) is KeptText or type(value) is Const and type(value.value) is str


def statement_if(lw, stmt):
    cond = lw.expr(stmt.test)
    lower_if(lw, cond, lambda: statements(lw, stmt.body), lambda: statements(lw, stmt.orelse), stmt)


def statements(lw, body):
    for s in body:
        lw.statement(s)


def _value_if(lw, node, cond, then_fn, else_fn, hint):
    """Lower a branch computing a value: each side stores into a pseudo-variable."""
    key = f"<expr {id(node)}>"

    def side(fn):
        def lower_side():
            value = fn()  # first: lowering it may replace lw.env
            lw.env[key] = value
        return lower_side

    lw.env[key] = None
    lower_if(lw, cond, side(then_fn), side(else_fn), node, {key: hint})
    return lw.env.pop(key)


def expr_ifexp(lw, node, hint):
    cond = lw.expr(node.test)
    return _value_if(lw, node, cond, lambda: lw.expr(node.body), lambda: lw.expr(node.orelse), hint)


def expr_boolop(lw, node, hint):
    """``a and b``: b if a else a; ``a or b``: a if a else b (b evaluated only when needed)."""
    value = lw.expr(node.values[0])
    for k, operand in enumerate(node.values[1:], start=1):
        name = hint if k == len(node.values) - 1 else None
        current = value

        def right(operand=operand, name=name):
            return lw.expr(operand, hint=name)

        if isinstance(node.op, ast.And):
            value = _value_if(lw, operand, current, right, lambda c=current: c, name)
        else:
            value = _value_if(lw, operand, current, lambda c=current: c, right, name)
    return value


def expr_chained_compare(lw, node, hint, symbol_of):
    """``a < b < c``: ``a < b and b < c`` with ``b`` evaluated once."""
    left = lw.expr(node.left)

    def chain(k, left):
        right = lw.expr(node.comparators[k])
        result = lw.emit(symbol_of(node.ops[k], node), (left, right), node, hint if k == len(node.ops) - 1 else None)
        if k == len(node.ops) - 1:
            return result
        return _value_if(lw, node.comparators[k + 1], result, lambda: chain(k + 1, right), lambda: result, hint)

    return chain(0, left)


# ---------------------------------------------------------------- exits

def statement_return(lw, stmt):
    if getattr(stmt, "srcdiff_returned", False):  # a loop above already returned
        if lw.loop_depth:
            lw.env[BREAK] = TRUE
        return
    if stmt.value is None:
        raise lw.error(UnsupportedSyntaxError, stmt, "'return' without a value", "return the value to differentiate")
    lw.env[VALUE] = lw.operand(stmt.value, hint=lw.result_hint)
    if lw.loop_depth:
        lw.env[RETURNED] = TRUE
        lw.env[BREAK] = TRUE


def statement_break(lw, stmt):
    lw.env[BREAK] = TRUE
