"""Iterators read twice: ``r = reversed(xs)`` then ``sum(r) + sum(r)``, or ``helper(reversed(xs))``
where ``helper`` walks its parameter twice.

Lowering reads ``reversed(xs)`` as the sequence it walks (``xs[::-1]``, or a display's items
reversed), which stays whole however often it is read; Python's iterator is spent by its first
use, so ``sum(r) + sum(r)`` is ``sum(xs) + 0`` in Python and ``2 * sum(xs)`` as a sequence.  So
a name bound to it (a helper's parameter too) must be read once, where that read runs once: not
inside a loop, a comprehension's body or a nested function that the binding is outside of (a
``for``'s iterable and a comprehension's first one are evaluated once).  Anything else is
refused, never differentiated as another function.  (``zip``, ``enumerate`` and the like are
not read as sequences: generated code runs Python's own iterators, spent as they are.)
"""
import ast

from ..errors import UnsupportedSyntaxError

_LOOPS = (ast.For, ast.While, ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp, ast.Lambda, ast.FunctionDef)


def is_iterator(lw, value):
    """Whether the operand ``value`` is the value of a ``reversed(...)`` call (``consumers.call_reversed``
    notes each in ``lw.shared.iterators``)."""
    iterators = lw.shared.iterators  # every assignment asks; most functions have none
    return bool(iterators) and any(value is iterator for iterator in iterators)


def check_iterator_binding(lw, stmt):
    """Refuse ``stmt``, an assignment of an iterator (``reversed(...)``) to names, unless the
    function reads the name once, in a place run once per binding."""
    targets = stmt.targets
    if len(targets) == 1 and isinstance(targets[0], ast.Name) and _read_once(lw.source, targets[0].id, stmt):
        return
    name = ast.unparse(targets[0])
    raise lw.error(UnsupportedSyntaxError, stmt, f"'{name}' holds an iterator (reversed(...)), which its first use "
                   "spends; srcdiff reads such a name once, where it runs once",
                   f"make a list to read it again: {name} = list({ast.unparse(stmt.value)})")


def check_iterator_argument(lw, callee, param, node):
    """Refuse the call ``node`` of the helper ``callee`` (a Source) that passes an iterator
    (``reversed(...)``) for ``param``, unless the helper reads ``param`` once, where it runs once."""
    if not _read_once(callee, param, None):
        raise lw.error(UnsupportedSyntaxError, node, f"the argument for '{param}' of '{callee.node.name}' is an "
                       f"iterator (reversed(...)), which its first use spends, and '{callee.node.name}' reads "
                       f"'{param}' more than once", "pass a list: list(reversed(...))")


def _read_once(source, name, binding):
    """Whether the function of ``source`` reads ``name`` once, where that read runs once per run
    of ``binding`` (a statement; None: the function's start)."""
    reads = [n for n in source.nodes(ast.Name) if n.id == name and isinstance(n.ctx, ast.Load)]
    return len(reads) == 1 and not _repeated(source.node, reads[0], binding)


def _repeated(function, read, binding):
    """Whether ``read`` (a node of ``function``) may run more than once per run of ``binding``: it
    lies in a loop, a comprehension's body or a nested function that ``binding`` (None: nothing
    in the function) is outside of."""
    for node in ast.walk(function):
        if node is function or not isinstance(node, _LOOPS) or not _holds(node, read) or _holds(node, binding):
            continue
        if _holds(_evaluated_once(node), read):
            continue
        return True
    return False


def _evaluated_once(node):
    """The part of a loop or comprehension evaluated once, before it runs: a ``for``'s iterable,
    a comprehension's first iterable (None for the others)."""
    if isinstance(node, ast.For):
        return node.iter
    if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)):
        return node.generators[0].iter
    return None


def _holds(node, target):
    return node is not None and any(child is target for child in ast.walk(node))
