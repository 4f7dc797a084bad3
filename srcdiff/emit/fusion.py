"""Temporaries written into the expression that reads them, in specialized code's forward section.

Three-address code names every intermediate value (``s1 = w * h; s2 = xs[i]; s3 = u * s2;
s4 = s1 + s3; h_1 = math.tanh(s4)``); each name costs a store and a load per iteration
of a loop.  Specialized code prints the same computation as ``h_1 = math.tanh(w * h + u
* xs[i])``.  A temporary is written into its reader when:

| condition | why |
| --- | --- |
| it is a temporary (not a name of the user's, but for the text that runs, ``across_lines``, which need not keep them), read once in the whole function, and neither the backward section nor the result reads it (``fusable``) | its name is needed nowhere else |
| its operation and its reader's are operators, ``xs[i]`` or ``math`` calls (``ORDERED``) | Python evaluates their operands left to right, as written |
| the temporaries a statement reads, in the order it reads them, are the last ones held back in its block | every operation still runs in the order of the three-address code: the same value, the same error first |
| both come from the same line of the user's source, or (the text that runs, ``across_lines``) the temporary is made by ``NEVER_RAISING`` operations alone | an error still points at its line: such operations raise nothing on numbers |
| the expression holds at most ``MOST_FUSED`` operations | a long line of the user's is written in parts, never as one deep expression |

Anything else first writes out what is held back, in order.
"""
import ast

from ..ir import BINARY_OPS, COMPARE_OPS, UNARY_OPS, Assign, If, Var, operand_node, operation_node, reads, walk
from .naming import with_aliases
from .printer import indented, squared
from .patterns import operation_text
from .text import ASTOR_MAX_LINE, quick_assignment, statement_source

ORDERED = frozenset(BINARY_OPS) | frozenset(UNARY_OPS) | frozenset(COMPARE_OPS) | {"[]"}


# operations that never raise on numbers (floats, ints, bools): a value made by them alone may
# be written into a reader on another line of the user's, which still raises every error it raised
NEVER_RAISING = frozenset({"+", "-", "*", "neg", "pos"})  # and x ** 2, printed x * x (``squared``)


def fusable(function, backward_reads, reread, across_lines=False):
    """The temporaries of ``function`` that may be written into their reader (see the module
    table): ``backward_reads`` are the values the backward section reads, ``reread`` those it
    reads again by itself (``tape``); ``across_lines`` adds the user's names made by
    ``NEVER_RAISING`` operations (the text that runs, whose ``Held`` writes them across lines)."""
    count, candidates = {}, []
    for stmt in walk(function.body):
        if isinstance(stmt, Assign):
            printed = squared(stmt) if stmt.op == "**" else stmt
            operands = printed.args
            if stmt.kwargs:
                operands = operands + tuple(v for _, v in stmt.kwargs)
            if _ordered(stmt) and (not stmt.target.user_named or across_lines and printed.op in NEVER_RAISING):
                candidates.append(stmt.target)
        else:
            operands = reads(stmt)
            if isinstance(stmt, If):
                operands = operands + [v for m in stmt.merges for v in (m.then, m.orelse)]
        for v in operands:
            if isinstance(v, Var):
                count[v] = count.get(v, 0) + 1
    return frozenset(v for v in candidates if count.get(v) == 1 and v != function.result
                     and (v not in backward_reads or v in reread))


def _ordered(stmt):
    return (stmt.op in ORDERED or stmt.op.startswith("math.")) and not stmt.kwargs \
        and (stmt.op != "[]" or len(stmt.args) == 2)


MOST_FUSED = 24  # operations written into one expression at most


def _same_line(a, b):
    return a is not None and b is not None and a.lineno == b.lineno and a.filename == b.filename


class Held:
    """The statements of one block held back to be written into their readers: the Vars of
    ``fusable`` (what ``fusable`` found: each made by an ``ORDERED`` operation); ``names``
    gives each Var its name, ``printer`` (a ``Printer``) prints and marks the lines."""

    def __init__(self, fusable, names, printer, across_lines=False):
        self.fusable, self.names, self.printer = fusable, names, printer
        self.located = printer.located
        self.held = []  # (Var, its ``Fused`` expression, its statement), in order
        self.sizes = {}  # Var held -> how many operations its expression holds
        self.across_lines = across_lines  # whether a value never raising is written into a reader on another line
        self.never_raising = set()  # Vars held whose expressions hold NEVER_RAISING operations alone

    def assign(self, stmt, depth):
        """The lines to print for ``stmt``, a live ``Assign``: none when it is held."""
        holds = stmt.target in self.fusable
        if not self.held and not holds:  # the usual statement: printed as it is
            return [self.printer.assign_line(stmt, depth)]
        ordered = holds or _ordered(stmt)
        taken = self._taken(stmt)
        lines = []
        if taken and not (ordered and self._last(taken, stmt)):
            lines, taken = self.flush(depth), []
        size = 1
        for v in taken:
            size += self.sizes[v]
        if size > MOST_FUSED:  # a long line of the user's is written in parts: no deep expression
            lines, taken, size = self.flush(depth), [], 1
        if not taken and not holds:  # printed as it is; what is still held ran before it
            return lines + self.flush(depth, passed=True) + [self.printer.assign_line(stmt, depth)]
        inner = {}
        if taken:
            for v, fused, _ in self.held[-len(taken):]:
                inner[v] = fused
            del self.held[-len(taken):]
        self.sizes[stmt.target] = size
        printed = squared(stmt) if stmt.op == "**" else stmt
        if printed.op in NEVER_RAISING and self.never_raising.issuperset(taken):
            self.never_raising.add(stmt.target)
        if self.printer.renaming:
            printed = with_aliases(printed, self.printer.aliases)
        value = Fused(printed, inner, self.names)
        if holds:
            self.held.append((stmt.target, value, stmt))
            return lines
        if self.held:  # (before the line: marks are numbered in order)
            lines += self.flush(depth, passed=True)
        lines.append(self._line(stmt.target, value, stmt, depth))
        return lines

    def _taken(self, stmt):
        """The operands of ``stmt`` held back, in the order it reads them."""
        if not self.held:
            return []
        if len(self.held) == 1:  # the usual case: one temporary held, read by the next statement
            var = self.held[0][0]
            return [var] * stmt.args.count(var)  # (a Var equals itself alone)
        held = [v for v, _, _ in self.held]
        return [a for a in stmt.args if isinstance(a, Var) and a in held]

    def _last(self, taken, stmt):
        """Whether ``taken`` (read in this order) are the last held, all from ``stmt``'s line
        (or, ``across_lines``, never raising)."""
        if len(taken) > len(self.held):
            return False
        loc = stmt.loc
        for var, (held, _, source) in zip(taken, self.held[-len(taken):]):
            if var is not held or not (_same_line(source.loc, loc) or self.across_lines and held in self.never_raising):
                return False
        return True

    def flush(self, depth, passed=False):
        """The held statements written out, in order; where a statement printed next ``passed``
        them (it reads none), ``across_lines`` keeps the never raising ones held: straight-line
        code binds each name once, so their operands still hold the same values later."""
        if not self.held:
            return []
        keeps = passed and self.across_lines
        lines = [self._line(var, expr, stmt, depth) for var, expr, stmt in self.held
                 if not (keeps and var in self.never_raising)]
        self.held = [h for h in self.held if h[0] in self.never_raising] if keeps else []
        return lines

    def _line(self, var, fused, stmt, depth):
        """``var = expr`` of a ``Fused`` expression, printed for ``stmt`` at ``depth``: from its
        text where it has one and the line stays short, else from its tree."""
        name = self.names[var]
        text = None
        if fused.printed is not None:
            text = f"{name} = {fused.printed[0]}"
            if len(text) > ASTOR_MAX_LINE:
                text = None
        if text is None:
            expr = fused.node()
            text = quick_assignment(name, None, expr, _NONE_RENAMED)
            if text is None:  # not plain arithmetic, or long enough for astor to wrap
                text = statement_source(ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=expr, lineno=0))
        return self.located("    " * depth + text if "\n" not in text else indented(text, depth), stmt.loc)


class Fused:
    """The expression of a statement ``stmt`` (as printed: ``squared``, modules aliased) whose
    held operands are written into it: ``inner`` maps each such Var to its own ``Fused``.
    ``printed`` is its ``(text, precedence)`` (``patterns.operation_text``), None where that
    declines; ``node()`` builds its tree, for the lines the text cannot print."""

    __slots__ = ("stmt", "inner", "names", "printed")

    def __init__(self, stmt, inner, names):
        self.stmt, self.inner, self.names = stmt, inner, names
        printed = {}
        for var, fused in inner.items():
            if fused.printed is None:  # an operand only its tree prints: so is this
                self.printed = None
                return
            printed[var] = fused.printed
        self.printed = None if stmt.kwargs else operation_text(stmt.op, stmt.args, names, printed)

    def node(self):
        """The tree of the expression (``ir.operation_node`` of the operands' nodes)."""
        stmt, inner, names = self.stmt, self.inner, self.names
        return operation_node(stmt.op, [inner[a].node() if a in inner else operand_node(a, names) for a in stmt.args],
                              [(k, operand_node(v, names)) for k, v in stmt.kwargs])


_NONE_RENAMED = {}  # quick_assignment's names to print as others: none (the expressions hold final names)
