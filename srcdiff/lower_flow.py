"""Lower control flow (after ``tails``) to ``flow.If`` and ``flow.Loop`` statements.

Called by ``lower._Lowerer`` for the statements and expressions below; each function
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
| ``for t in range(..)/xs/enumerate(xs)/zip(xs, ys)/reversed(...)`` | ``Loop`` with a ``ForIter`` |
| ``for t in (a, b, c)`` (a display) | unrolled: its trip count is known when compiling |
| ``while c:`` | ``Loop`` whose ``test_body`` computes ``c`` from the carries |
"""
import ast

from .errors import UnsupportedSyntaxError
from .flow import Carry, ForIter, If, Loop, Merge, Undefined, defined_in_block
from .ir import Assign, Const, Var

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
    """Run ``fn`` with a fresh current block; return the statements it appended."""
    saved, lw.shared.body = lw.shared.body, []
    try:
        fn()
        return tuple(lw.shared.body)
    finally:
        lw.shared.body = saved


def pseudo_var(name, hint=None):
    """A Var for variable ``name`` of env; pseudo-variables get readable non-user names."""
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
        value = _merge(lw, name, then_env.get(name, UNDEF), else_env.get(name, UNDEF), merges, node, hints or {})
        if value is not None:
            lw.env[name] = value
    lw.shared.body.append(If(cond, then_block, else_block, tuple(merges), lw.source.loc(node)))


def _merge(lw, name, then, orelse, merges, node, hints):
    if same(then, orelse):
        return None if isinstance(then, Undefined) else then
    if isinstance(then, tuple) or isinstance(orelse, tuple):
        if not (isinstance(then, tuple) and isinstance(orelse, tuple) and len(then) == len(orelse)):
            raise lw.error(UnsupportedSyntaxError, node, f"'{name}' is a tuple on one path and not on the other",
                           "give the variable the same kind of value on every path")
        return type(then)(_merge(lw, name, a, b, merges, node, hints) or a for a, b in zip(then, orelse))
    target = pseudo_var(name, hints.get(name))
    merges.append(Merge(target, then, orelse))
    return target


def statement_if(lw, stmt):
    cond = lw.expr(stmt.test)
    lower_if(lw, cond, lambda: _statements(lw, stmt.body), lambda: _statements(lw, stmt.orelse), stmt)


def _statements(lw, body):
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
    lw.env[VALUE] = lw.expr(stmt.value, hint=lw.result_hint)
    if lw.loop_depth:
        lw.env[RETURNED] = TRUE
        lw.env[BREAK] = TRUE


def statement_break(lw, stmt):
    lw.env[BREAK] = TRUE


# ---------------------------------------------------------------- loops

def statement_for(lw, stmt):
    if stmt.orelse:
        raise lw.error(UnsupportedSyntaxError, stmt.orelse[0], "'else' after a loop is not supported",
                       "use a flag variable set before 'break'")
    if isinstance(stmt.iter, (ast.Tuple, ast.List)):
        return _unrolled(lw, stmt)
    kind, args, names = _iteration(lw, stmt)
    _loop(lw, stmt, names, lambda: (ForIter(kind, args, tuple(Var(n, user_named=True) for n in names)), (), None))


def statement_while(lw, stmt):
    if stmt.orelse:
        raise lw.error(UnsupportedSyntaxError, stmt.orelse[0], "'else' after a loop is not supported",
                       "use a flag variable set before 'break'")

    def header():
        test = []
        block = in_block(lw, lambda: test.append(lw.expr(stmt.test)))
        return None, block, test[0]

    _loop(lw, stmt, [], header)


def _iteration(lw, stmt):
    """``(kind, operands, target names)`` of a for loop's header."""
    it, target = stmt.iter, stmt.target
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id in ("range", "enumerate", "zip", "reversed") \
            and lw.source.scope.resolve(it.func.id) is not None and not it.keywords:
        kind = it.func.id
        if kind == "reversed":
            return _reversed(lw, it, target)
        count = len(target.elts) if isinstance(target, ast.Tuple) else 1
        wanted = {"range": 1, "enumerate": 2, "zip": len(it.args)}[kind]
        if count != wanted or (kind == "range" and not 1 <= len(it.args) <= 3) or (kind == "enumerate" and len(it.args) != 1):
            raise lw.error(UnsupportedSyntaxError, target, f"the loop target '{ast.unparse(target)}' does not match {kind}(...)",
                           {"range": "write 'for i in range(n)'", "enumerate": "write 'for i, x in enumerate(xs)'",
                            "zip": "unpack one name per zipped sequence"}[kind])
        args = tuple(_plain(lw, lw.expr(a), a) for a in it.args)
        return kind, args, _target_names(lw, target)
    if isinstance(target, ast.Tuple):
        raise lw.error(UnsupportedSyntaxError, target, "unpacking the items of a sequence in a for loop is not supported",
                       "loop over zip(...) or enumerate(...), or index the items")
    return "iter", (_plain(lw, lw.expr(it), it),), _target_names(lw, target)


def _reversed(lw, it, target):
    """``reversed(range(...))`` (kind ``reversed_range``, the range's operands) or ``reversed(xs)``."""
    if len(it.args) != 1 or isinstance(target, ast.Tuple):
        raise lw.error(UnsupportedSyntaxError, it, f"'{ast.unparse(it)}' in a for loop is not supported",
                       "write 'for i in reversed(range(n))' or 'for x in reversed(xs)'")
    inner = it.args[0]
    if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "range" \
            and lw.source.scope.resolve("range") is not None and not inner.keywords and 1 <= len(inner.args) <= 3:
        return "reversed_range", tuple(_plain(lw, lw.expr(a), a) for a in inner.args), _target_names(lw, target)
    return "reversed", (_plain(lw, lw.expr(inner), inner),), _target_names(lw, target)


def _plain(lw, operand, node):
    if isinstance(operand, tuple):
        raise lw.error(UnsupportedSyntaxError, node, "a tuple here is not supported", "pass a sequence variable")
    return operand


def _target_names(lw, target):
    elements = target.elts if isinstance(target, ast.Tuple) else [target]
    for element in elements:
        if not isinstance(element, ast.Name):
            raise lw.error(UnsupportedSyntaxError, element, f"the loop target '{ast.unparse(element)}' is not supported",
                           "loop into plain names")
    return [e.id for e in elements]


def _loop(lw, stmt, target_names, header):
    """Lower a loop: carries for every variable the body assigns, then the body."""
    carried = [n for n in assigned_names(stmt.body) if n not in target_names]
    carries = {}
    for name in carried:
        init = lw.env.get(name, UNDEF)
        if isinstance(init, tuple):
            raise lw.error(UnsupportedSyntaxError, stmt, f"the tuple '{name}' is reassigned in a loop; this is not supported",
                           "reassign its items as separate variables")
        carries[name] = (pseudo_var(name, lw.result_hint), init)
        lw.env[name] = carries[name][0]
    saved_break = lw.env.get(BREAK)
    iterator, test_block, test = header()
    targets = iterator.targets if iterator is not None else ()

    def body():
        lw.env.update(zip(target_names, targets))
        lw.env[BREAK] = FALSE
        lw.loop_depth += 1
        try:
            _statements(lw, stmt.body)
        finally:
            lw.loop_depth -= 1
        _carry_copies(lw, stmt, carried, carries)

    body_block = in_block(lw, body)
    exit_flag = lw.env[BREAK]
    nexts = [lw.env[name] for name in carried]
    lw.env.update((name, carries[name][0]) for name in carried)
    lw.env.update(zip(target_names, targets))
    if saved_break is None:
        lw.env.pop(BREAK, None)
    else:
        lw.env[BREAK] = saved_break
    final = tuple(Carry(carries[n][0], carries[n][1], nxt) for n, nxt in zip(carried, nexts))
    lw.shared.body.append(Loop(final, iterator, test_block, test, body_block, exit_flag,
                               Var("iterations"), lw.source.loc(stmt)))


def _carry_copies(lw, stmt, carried, carries):
    """Make every carry's next value a distinct Var defined by the body itself."""
    own = set(defined_in_block(lw.shared.body))
    used = set()
    for name in carried:
        value = lw.env[name]
        if isinstance(value, tuple):
            raise lw.error(UnsupportedSyntaxError, stmt, f"'{name}' becomes a tuple in the loop; this is not supported",
                           "keep loop variables numbers or arrays")
        if isinstance(value, Undefined):
            continue
        if not (isinstance(value, Var) and value in own and value not in used):
            copy = pseudo_var(name, lw.result_hint)
            lw.shared.body.append(Assign(copy, "copy", (value,), (), lw.source.loc(stmt)))
            value = lw.env[name] = copy
        used.add(value)


def assigned_names(body):
    """Every variable (and pseudo-variable) a loop body may assign, in order of appearance."""
    names = []
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.append(node.id)
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name):
                names.append(node.value.id)  # x[i] = v rebinds x to a copy with the item set (lower_numpy)
            elif isinstance(node, ast.Return):
                names += [VALUE, RETURNED]
    return list(dict.fromkeys(names))


def _unrolled(lw, stmt):
    """A loop over a tuple or list display: one copy of the body per element."""
    values = [lw.expr(e) for e in stmt.iter.elts]
    saved_break = lw.env.get(BREAK)

    def iteration(k):
        lw.bind(stmt.target, values[k])
        lw.env[BREAK] = FALSE
        lw.loop_depth += 1
        try:
            _statements(lw, stmt.body)
        finally:
            lw.loop_depth -= 1
        if k + 1 < len(values):
            lower_if(lw, lw.env[BREAK], lambda: None, lambda: iteration(k + 1), stmt)

    if values:
        iteration(0)
    if saved_break is None:
        lw.env.pop(BREAK, None)
    else:
        lw.env[BREAK] = saved_break
