"""A comprehension as the statements of the loops it stands for, which ``loops`` lowers.

``loop_statements(lw, comp, step)`` returns synthetic ``ast`` statements (never the user's
nodes changed): one ``for`` per generator, nested, its ``if`` clauses as ``if`` statements
around ``step`` (the accumulator's update, ``sequences.Accumulated``).  A sequence the loop
reads is read by position, so that second derivatives go through it and the sequence may
be used elsewhere too (a loop over the values themselves may not be):

| generator | loop |
| --- | --- |
| ``for t in (a, b)``, ``for i in range(n)`` | itself (a display is unrolled by ``loops``) |
| ``for t in xs`` (a name bound to a tuple of operands) | a display of them: unrolled |
| ``for t in xs`` (any other sequence, an array) | ``for k in range(len(xs)): t = xs[k]`` |
| ``for a, b in zip(xs, ys)`` | ``for k in range(min(len(xs), len(ys))): a = xs[k]; b = ys[k]`` |
| ``for i, t in enumerate(xs)`` | ``for i in range(len(xs)): t = xs[i]`` |
| ``for i, t in enumerate(xs, start)`` | ``for k in range(len(xs)): i = k + start; t = xs[k]`` (``start`` evaluated once) |
| ``for t in reversed(xs)`` | ``for k in reversed(range(len(xs))): t = xs[k]`` |

The first generator's sequences are lowered once, before the loop (as Python evaluates them),
and bound to pseudo-variables of ``env``; an inner generator's are evaluated in the loop.
The names the statements bind (targets, positions) are the comprehension's own: the caller
saves and restores them.
"""
import ast
import itertools

from .dict_views import reads_at_own_keys, view_call

_CALLS = ("zip", "enumerate", "reversed")


def loop_statements(lw, comp, step, value_step, pseudo):
    """The statements of ``comp``'s loops around ``step`` (see the module doc).

    ``value_step(expr)`` wraps an expression assigned to a pseudo-variable (an inner generator's
    sequence); ``pseudo(operand)`` binds an operand to a new pseudo-variable of ``env`` and
    returns its name."""
    taken = {n.id for n in ast.walk(comp) if isinstance(n, ast.Name)}
    body = [step]
    for depth, generator in reversed(list(enumerate(comp.generators))):
        for condition in reversed(generator.ifs):
            body = [_at(ast.If(test=condition, body=body, orelse=[]), condition)]
        body = _generator_loop(lw, generator, body, depth == 0, taken, value_step, pseudo)
    return body


def _generator_loop(lw, generator, body, first, taken, value_step, pseudo):
    """The statements running ``body`` once per item of ``generator``."""
    it, target = generator.iter, generator.target
    kind = _call_kind(lw, it)
    start = enumerate_start(it) if kind == "enumerate" else None
    if isinstance(it, (ast.Tuple, ast.List)) or kind == "range" or kind in _CALLS and it.keywords and start is None \
            or view_call(it) is not None or reads_at_own_keys(body, it, target):  # a dict's keys (``dict_views``)
        return [_at(ast.For(target=target, iter=it, body=body, orelse=[]), it)]
    sequences = (list(it.args) if start is None else it.args[:1]) if kind in _CALLS else [it]
    if kind == "zip" and not (isinstance(target, ast.Tuple) and len(target.elts) == len(sequences)) \
            or kind == "enumerate" and not (len(sequences) == 1 and isinstance(target, ast.Tuple)
                                            and len(target.elts) == 2 and isinstance(target.elts[0], ast.Name)) \
            or kind == "reversed" and len(sequences) != 1:
        return [_at(ast.For(target=target, iter=it, body=body, orelse=[]), it)]  # loops refuses it by name
    before, names = [], []
    for sequence in sequences:
        if isinstance(sequence, ast.Name) and not first:
            names.append(sequence)
        elif first:
            names.append(lw.expr(sequence))
        else:
            name = pseudo(None)
            before.append(_at(ast.Assign(targets=[_name(name, sequence, ast.Store())], value=value_step(sequence)),
                              sequence))
            names.append(_name(name, sequence))
    counted = []  # enumerate(xs, start): the index the user named, counted from start
    if start is not None:
        if first:
            start_name = pseudo(lw.expr(start))
        else:
            start_name = pseudo(None)
            before.append(_at(ast.Assign(targets=[_name(start_name, start, ast.Store())], value=value_step(start)), start))
    if first and all(isinstance(operand, tuple) for operand in names):  # tuples of operands: unrolled
        items = _items(kind, names)
        if start is not None:  # each position plus start
            items = [(_at(ast.BinOp(left=ast.Constant(k), op=ast.Add(), right=_name(start_name, it)), it), item)
                     for k, item in items]
        display = _at(ast.Tuple(elts=[_known(item, pseudo, it) for item in items], ctx=ast.Load()), it)
        return [_at(ast.For(target=target, iter=display, body=body, orelse=[]), it)]
    if first:
        names = [_name(pseudo(operand), sequence) for operand, sequence in zip(names, sequences)]
    if kind == "enumerate" and start is None:
        index, items = target.elts[0].id, [target.elts[1]]
    elif kind == "enumerate":
        index, items = next(n for n in _fresh() if n not in taken), [target.elts[1]]
        taken.add(index)
        counted = [_at(ast.Assign(targets=[target.elts[0]], value=_at(
            ast.BinOp(left=_name(index, it), op=ast.Add(), right=_name(start_name, it)), it)), it)]
    else:
        index = next(n for n in _fresh() if n not in taken)
        taken.add(index)
        items = target.elts if kind == "zip" else [target]
    reads = [_at(ast.Assign(targets=[item], value=ast.Subscript(value=name, slice=_name(index, it), ctx=ast.Load())),
                 item) for item, name in zip(items, names)]
    lengths = [_call("len", [name], it) for name in names]
    for length in lengths:  # counts the items read by position: their sequence is checked first (positions)
        length.srcdiff_positions = True
    count = lengths[0] if len(lengths) == 1 else _call("min", lengths, it)
    indices = _call("range", [count], it)
    if kind == "reversed":
        indices = _call("reversed", [indices], it)
    loop = ast.For(target=_name(index, it, ast.Store()), iter=indices, body=counted + reads + body, orelse=[])
    return before + [ast.fix_missing_locations(_at(loop, it))]


def _items(kind, tuples):
    """The items a loop over tuples of operands takes, known when compiling."""
    if kind == "zip":
        return list(zip(*tuples))
    if kind == "enumerate":
        return [(k, item) for k, item in enumerate(tuples[0])]
    return list(reversed(tuples[0])) if kind == "reversed" else list(tuples[0])


def enumerate_start(call):
    """The ``start`` of ``enumerate(xs, start)`` or ``enumerate(xs, start=...)``, an ast node;
    None for ``enumerate(xs)`` and any other call (``loops`` refuses those it cannot take)."""
    if len(call.args) == 2 and not call.keywords:
        return call.args[1]
    if len(call.args) == 1 and len(call.keywords) == 1 and call.keywords[0].arg == "start":
        return call.keywords[0].value
    return None


def _known(item, pseudo, where):
    """The expression of one item known when compiling: a pseudo-variable, or a tuple of them
    (an expression already, ``k + start``, as it is)."""
    if isinstance(item, ast.expr):
        return item
    if isinstance(item, int):
        return _at(ast.Constant(item), where)
    if isinstance(item, tuple):
        return _at(ast.Tuple(elts=[_known(v, pseudo, where) for v in item], ctx=ast.Load()), where)
    return _name(pseudo(item), where)


def _call_kind(lw, node):
    """``range``, ``zip``, ``enumerate`` or ``reversed`` for a call of that builtin, else None."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _CALLS + ("range",) \
            and node.func.id not in lw.env and lw.source.scope.resolve(node.func.id) is not None:
        if node.func.id == "reversed" and node.args and _call_kind(lw, node.args[0]) == "range":
            return "range"  # reversed(range(n)): loops' own
        return node.func.id
    return None


def _fresh():
    yield from ("k", "i", "j", "index")
    for n in itertools.count(1):
        yield f"k_{n}"


def _name(name, where, ctx=None):
    return _at(ast.Name(id=name, ctx=ctx or ast.Load()), where)


def _call(function, args, where):
    return _at(ast.Call(func=_name(function, where), args=args, keywords=[]), where)


def _at(node, where):
    return ast.fix_missing_locations(ast.copy_location(node, where))

