"""Lower ``for`` and ``while`` loops (after ``tails``) to ``flow.Loop`` statements.

Every variable the body assigns becomes a ``Carry``: a header Var the body reads, its
value on entry, and its value at the end of an iteration (a Var of the body itself: a
``copy`` is added where needed).  ``break`` sets the pseudo-variable ``<break>`` (see
``branches``), which becomes the loop's exit flag, tested after each iteration.

| construct | lowered to |
| --- | --- |
| ``for t in range(..)`` / ``reversed(range(..))`` | ``Loop`` with a ``ForIter`` over ints (no gradient) |
| ``for t in xs`` / ``enumerate(xs)`` / ``zip(xs, ys)`` / ``reversed(xs)`` | ``Loop`` with a ``ForIter`` over items |
| ``for i, t in enumerate(xs, start)`` | ``for i0, t in enumerate(xs): i = i0 + start; ...``, ``start`` evaluated once, before |
| ``for t in (a, b, c)`` (a display, or a tuple such as ``*args``), ``for k in d`` (a dict built here) | unrolled: its trip count is known when compiling |
| ``while c:`` | ``Loop`` whose ``test_body`` computes ``c`` from the carries |
| ``for``/``while`` ... ``else`` | by then a flag and an ``if`` after the loop (``tails``) |
"""
import ast

from ..errors import UnsupportedSyntaxError
from ..ir import Assign, Carry, Const, ForIter, Loop, Undefined, Var, defined_in_block
from .branches import BREAK, FALSE, RETURNED, UNDEF, VALUE, in_block, lower_if, pseudo_var, statements
from .binding import KeywordValues
from .callables import NOT_OPERANDS, FunctionValue, Unusable, defined_in_loop
from .consumers import list_value
from .grown import grown_name
from .dict_views import keyed_loop, own_keys_loop
from .loop_forms import counted_from_zero, items_unpacked_in_body
from .loop_locals import after_the_loop, uncarried_displays
from .scopes import SCOPES, walk_scope


def statement_for(lw, stmt):
    stmt = own_keys_loop(lw, keyed_loop(lw, counted_from_zero(lw, items_unpacked_in_body(lw, stmt))))  # a dict's keys
    values = _known_items(lw, stmt.iter)
    if values is not None:
        return _unrolled(lw, stmt, values)
    kind, args, names = _iteration(lw, stmt)
    targets = tuple(Var(n, user_named=True) for n in names)
    for sequence, item in _items_of(kind, args, targets):
        lw.note_items(sequence, (item,))  # an argument's items: of types the caller chose (positions)
    _loop(lw, stmt, names, lambda: (ForIter(kind, args, targets), (), None), _items_read_outside(lw, stmt, kind, names))


def _items_of(kind, args, targets):
    """``(sequence, target)`` of each loop target that holds an item of a sequence, or a part of one
    (``for a, b in pairs``: both ``a`` and ``b``)."""
    if kind in ("range", "reversed_range"):
        return []
    if kind == "zip":
        return list(zip(args, targets))
    return [(args[0], target) for target in (targets[1:] if kind == "enumerate" else targets)]


def _items_read_outside(lw, stmt, kind, names):
    """The names of the loop's items that the function reads outside the loop: after it such a
    name is still bound, to the last item (or to what the body last assigned it), so it is
    carried like a name the body assigns, and its gradient goes to that item alone."""
    if kind in ("range", "reversed_range") or getattr(stmt, "srcdiff_locals", ()):
        return ()
    items = set(names[1:] if kind == "enumerate" else names)  # (enumerate's counter is an int)
    last = stmt.body[-1]  # (an ``else:`` clause runs after the loop)
    start, end = (stmt.lineno, stmt.col_offset), (last.end_lineno, last.end_col_offset)
    read = {node.id for node in lw.source.nodes(ast.Name) if node.id in items and isinstance(node.ctx, ast.Load)
            and not start <= (node.lineno, node.col_offset) <= end}
    return tuple(n for n in names if n in read)


def statement_while(lw, stmt):
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
                           {"range": "write 'for i in range(n)'", "enumerate": "write 'for i, x in enumerate(xs)' or 'for i, x in enumerate(xs, start)'",
                            "zip": "unpack one name per zipped sequence"}[kind])
        walk = _plain if kind == "range" else _sequence
        args = tuple(walk(lw, lw.expr(a), a) for a in it.args)
        return kind, args, _target_names(lw, target)
    # for a, b in pairs: each item unpacked (its gradient is not taken item by item: items.py refuses)
    return "iter", (_sequence(lw, lw.expr(it), it),), _target_names(lw, target)


def _reversed(lw, it, target):
    """``reversed(range(...))`` (kind ``reversed_range``, the range's operands) or ``reversed(xs)``."""
    if len(it.args) != 1 or isinstance(target, ast.Tuple):
        raise lw.error(UnsupportedSyntaxError, it, f"'{ast.unparse(it)}' in a for loop is not supported",
                       "write 'for i in reversed(range(n))' or 'for x in reversed(xs)'")
    inner = it.args[0]
    if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "range" \
            and lw.source.scope.resolve("range") is not None and not inner.keywords and 1 <= len(inner.args) <= 3:
        return "reversed_range", tuple(_plain(lw, lw.expr(a), a) for a in inner.args), _target_names(lw, target)
    return "reversed", (_sequence(lw, lw.expr(inner), inner),), _target_names(lw, target)


def _plain(lw, operand, node):
    if isinstance(operand, tuple):
        raise lw.error(UnsupportedSyntaxError, node, "a tuple here is not supported", "pass a sequence variable")
    return operand


def _sequence(lw, operand, node):
    """A sequence a loop walks item by item: a display or a tuple of known length
    (``zip(xs, [1.0, 2.0])``, a helper's result) becomes a list value of its operands."""
    if isinstance(operand, tuple):
        return list_value(lw, operand, node)
    return operand


def _target_names(lw, target):
    elements = target.elts if isinstance(target, ast.Tuple) else [target]
    for element in elements:
        if not isinstance(element, ast.Name):
            raise lw.error(UnsupportedSyntaxError, element, f"the loop target '{ast.unparse(element)}' is not supported",
                           "loop into plain names")
    return [e.id for e in elements]


def _loop(lw, stmt, target_names, header, kept=()):
    """Lower a loop: carries for every variable the body assigns and for the items ``kept``
    (read after the loop: ``_items_read_outside``), then the body."""
    local = getattr(stmt, "srcdiff_locals", ())  # a comprehension's names, not seen after it (sequences)
    carried = [n for n in assigned_names(stmt.body) if n not in target_names and n not in local] + list(kept)
    carries = {}
    for name in carried:
        init = lw.env.get(name, UNDEF)
        if isinstance(init, tuple):
            raise lw.error(UnsupportedSyntaxError, stmt, f"the tuple or list display '{name}' is changed in a loop; this "
                           "is not supported", "keep its items in separate variables (s0 = 0.0; s1 = 0.0)")
        if isinstance(init, NOT_OPERANDS):
            what = "dict" if isinstance(init, KeywordValues) else "function" if isinstance(init, FunctionValue) else "string"
            raise lw.error(UnsupportedSyntaxError, stmt, f"the {what} '{name}' is reassigned in a loop; this is not "
                           "supported", f"give each {what} its own name")
        carries[name] = (pseudo_var(name, lw.result_hint), init)
        lw.env[name] = carries[name][0]
    saved_break = lw.env.get(BREAK)
    iterator, test_block, test = header()
    targets = iterator.targets if iterator is not None else ()

    uncarried = []

    def body():
        lw.env.update(zip(target_names, targets))
        lw.env[BREAK] = FALSE
        lw.loop_depth += 1
        try:
            statements(lw, stmt.body)
        finally:
            lw.loop_depth -= 1
        uncarried.extend(uncarried_displays(lw, stmt, carried, carries, test_block, test))  # pair = [x, x * x]
        _carry_copies(lw, stmt, carried, carries)

    before = dict(lw.env)
    body_block = in_block(lw, body)
    exit_flag = lw.env[BREAK]
    carried = [n for n in carried if not isinstance(lw.env[n], NOT_OPERANDS)]  # functions the body defines
    nexts = [lw.env[name] for name in carried]
    lw.env.update((name, carries[name][0]) for name in carried)
    lw.env.update((name, target) for name, target in zip(target_names, targets) if name not in kept)
    if saved_break is None:
        lw.env.pop(BREAK, None)
    else:
        lw.env[BREAK] = saved_break
    for name, value in list(lw.env.items()):
        if isinstance(value, NOT_OPERANDS) and before.get(name) is not value and not isinstance(value, Unusable):
            lw.env[name] = defined_in_loop(name, stmt.lineno)
    lw.env.update((name, after_the_loop(name, stmt.lineno)) for name in uncarried)
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
        if isinstance(value, (Undefined,) + NOT_OPERANDS):
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
        for node in walk_scope(stmt, SCOPES):  # not into a nested def, lambda or comprehension
            if grown_name(node) is not None:
                names.append(grown_name(node))  # out.append(v) rebinds out (appends)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.append(node.id)
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name):
                names.append(node.value.id)  # x[i] = v rebinds x to a copy with the item set (lower_numpy)
            elif isinstance(node, ast.Return):
                names += [VALUE, RETURNED]
    return list(dict.fromkeys(names))


def _known_items(lw, it):
    """The operands a ``for`` walks when their number is known when compiling: of a display, a
    tuple such as a helper's ``*args``, a dict built here (its keys) or its ``.values()``,
    ``.keys()``, ``.items()``; else None."""
    if isinstance(it, (ast.Tuple, ast.List)):
        return [lw.expr(e) for e in it.elts]
    value = lw.env.get(getattr(it, "id", None))
    if isinstance(value, KeywordValues):
        return [Const(key) for key in value]
    if isinstance(value, tuple):
        return list(value)
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and \
            isinstance(lw.env.get(getattr(it.func.value, "id", None)), KeywordValues):
        view = lw.expr(it)
        return list(view) if isinstance(view, tuple) else []
    return None


def _unrolled(lw, stmt, values):
    """A loop over operands known when compiling (``_known_items``): one copy of the body per item."""
    saved_break = lw.env.get(BREAK)

    def iteration(k):
        lw.bind(stmt.target, values[k])
        lw.env[BREAK] = FALSE
        lw.loop_depth += 1
        try:
            statements(lw, stmt.body)
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
