"""Values released after their last read: straight-line forward-mode code frees its arrays.

A generated function keeps every value it names until it returns, so a Hessian-vector
product of array code held every temporary at once (the Rosenbrock function's, 23 arrays
of n where hand-written NumPy holds 5), and each call had the operating system map that
memory again.  ``released(lines, kept)`` adds ``del a, b`` after the statement that reads
``a`` and ``b`` for the last time, so NumPy gives their memory back to the allocator, and
the next array reuses it.  Values are never changed, only names dropped: what a later
statement reads is never released.
"""
import ast

from .marks import MARK
from .printer import pad


def released(lines, kept):
    """``lines`` (printed top-level statements of straight-line code, one each) with a ``del``
    after the last read of each name they assign, but the names in ``kept`` (parameters,
    what the return reads); ``lines`` as they are when one of them cannot be read back."""
    reads, first_written = [], {}
    for position, text in enumerate(lines):
        try:
            tree = ast.parse("\n".join(line.partition(MARK)[0] for line in text.split("\n")).strip())
        except SyntaxError:
            return lines
        names = [node for node in ast.walk(tree) if isinstance(node, ast.Name)]
        reads.append({node.id for node in names if isinstance(node.ctx, ast.Load)})
        for node in names:
            if isinstance(node.ctx, ast.Store):
                first_written.setdefault(node.id, position)
    last_read = {}
    for position, names in enumerate(reads):
        for name in names:
            if name in first_written and name not in kept:
                last_read[name] = position
    ending = {}
    for name in sorted(last_read, key=first_written.get):
        ending.setdefault(last_read[name], []).append(name)
    out = []
    for position, text in enumerate(lines):
        out.append(text)
        if position in ending:
            out.append(pad(1) + "del " + ", ".join(ending[position]))
    return out
