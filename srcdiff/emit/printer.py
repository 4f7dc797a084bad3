"""The one printer of generated functions: forward statements, branches and loops, tangents,
tape pushes, backward records, ``if`` lines and checks (the ``def`` and ``return`` lines: ``frame``).

``Printer`` prints the forward part of every generated function from the SSA body
itself: a live ``Assign`` as one statement; an ``If`` as ``if c:`` with each side's
statements and merged values (``m = a``); a ``Loop`` as its ``for`` or ``while True``
header, its body, its carried values (``h = next``) and its exit test.  What else a
sweep adds is data given to the printer, never a printer of its own:

| given | printed |
| --- | --- |
| ``tangents`` (forward mode: ``jvp``, forward-over-reverse ``hvp``) | each tangent ``dot_y = ...`` right after its statement; tangents of merged and carried values beside the values |
| ``tape`` (a gradient with loops, ``backward``) | the values a reversed block reads, pushed where a loop overwrites them; the trip counter |

``backward.BackwardPrinter`` adds the backward records of a gradient.  The same IR and
the same data always give the same text.

Each printed statement remembers the user's line it comes from (``located``: a mark at
the end of each of its lines, taken off by ``finish``), so that an error raised while
the compiled text runs can point there (``errors.GeneratedCodeError``).
"""
import ast
import dataclasses

from ..ir import (CHECK_OPS, EFFECT, Assign, Const, If, Loop, Undefined, Var, assign_node, copy_expr, defined_at,
                  effect_kind, effect_node, has_flow, walk)
from ..ir.printing import iter_header, loop_end_lines, operand_text
from .masks import aliased_expr
from .naming import alias_modules, aliased, with_aliases
from .marks import MARK, MARKS, GeneratedText, mark_of, unmarked  # noqa: F401 (GeneratedText: the tests read it here)
from .patterns import assignment_source
from .text import statement_source



def pad(depth):
    return "    " * depth


def indented(text, depth=1):
    """``text`` (one statement, maybe wrapped over several lines) at ``depth``."""
    if "\n" not in text:  # the usual statement: one line
        return pad(depth) + text if text else text
    return "\n".join(pad(depth) + line if line else line for line in text.split("\n"))


class Printer:
    """Prints the forward part of a generated function (see the module docstring).

    ``names`` maps each Var to its name, ``final_names`` each token of an expression
    (``transforms.Tokens``) to a Name node of its final name, ``live`` is the set of values
    the function must compute.  ``tangents`` is None or a ``TangentData``; ``tape`` is None
    or a ``Tape``.  A merged value a side of a branch leaves undefined is never read after
    it, so it is not written there, except inside a loop (the tape may push it), where an
    outer merge passes it on (``merge_read``), or everywhere with ``every_merge`` (forward
    mode: each side sets every merged value and its tangent, ``0.0`` where undefined).
    """

    def __init__(self, names, final_names, live, aliases, tangents=None, tape=None, merge_read=frozenset(),
                 every_merge=False):
        self.names, self.final_names, self.live, self.aliases = names, final_names, live, aliases
        self.tangents, self.tape = tangents, tape
        self.merge_read = merge_read
        self.every_merge = every_merge
        self.origins = []  # the user's Loc of each mark (see ``located``)
        self.renaming = any(alias != module for module, alias in aliases.items())  # a module under another name
        # holding(printer, in_loop): a block's ``fusion.Held`` where temporaries are written into their readers, or None
        self.holding = None
        # id(stmt) -> its printed line, where each forward statement is printed once and its line
        # given again (straight-line code printed as two texts: ``emit.runs``), or None
        self.remembered = None
        self.grown_in_place = frozenset()  # ids of the rt.appended statements printed as rt.grown (growth)

    # ------------------------------------------------------------ pieces

    def expr(self, expr):
        """The text of an expression of tokens (owned by the caller or not)."""
        return ast.unparse(aliased_expr(copy_expr(expr, self.final_names), self.aliases))

    def assignment(self, target, expr, depth):
        """``target = expr`` for an expression of tokens."""
        value = aliased_expr(copy_expr(expr, self.final_names), self.aliases)
        return indented(statement_source(ast.Assign(targets=[ast.Name(id=target, ctx=ast.Store())], value=value,
                                                    lineno=0)), depth)

    def operand(self, operand, placeholder=False):
        """An operand's text; ``placeholder`` writes an undefined value as ``0.0`` (a number,
        so that generated code stays differentiable), never read on its path."""
        if placeholder and isinstance(operand, Undefined):
            return "0.0"
        return operand_text(operand, self.names)

    def located(self, text, loc):
        """``text`` (printed lines) marked as coming from ``loc``: each line ends with ``MARK``
        and the mark's number, which ``finish`` turns into the text's ``origins``."""
        if loc is None:
            return text
        origins = self.origins
        origins.append(loc if loc.origin is None else loc.origin)
        number = len(origins) - 1
        mark = MARKS[number] if number < len(MARKS) else mark_of(number)
        if "\n" not in text:
            return text + mark
        return "\n".join(line + mark for line in text.split("\n"))

    def finish(self, lines, function):
        """The text of the printed ``lines``, marks taken off: a ``GeneratedText`` whose
        ``origins`` give each line's Loc (the ``def``'s where a line has none)."""
        default = function.loc.origin if function.loc is not None and function.loc.origin is not None else function.loc
        return unmarked(lines, self.origins, default)

    def kept(self, stmt):
        """Whether a branch or a loop computes anything the function needs."""
        return any(v in self.live for s in walk([stmt]) for v in defined_at(s)) or \
            self.tangents is not None and self.tangents.inside(stmt)

    # ------------------------------------------------------------ forward

    def forward(self, stmts, depth, in_loop=False):
        lines = []
        held = self.holding(self, in_loop) if self.holding is not None else None  # fusion (``fusion.Held``)
        for stmt in stmts:
            if held is not None and isinstance(stmt, Assign) and stmt.op not in CHECK_OPS and stmt.op != EFFECT:
                if stmt.target in self.live:
                    lines += held.assign(stmt, depth)
                continue
            if held is not None:
                lines += held.flush(depth)
            if isinstance(stmt, Assign) and stmt.op == EFFECT:  # a print, an assert: where the user had it
                text = ast.unparse(effect_node(stmt, self.names, self.aliases))  # as the user wrote it: unwrapped
                lines.append(self.located(indented(text, depth), stmt.loc))
            elif isinstance(stmt, Assign) and stmt.op in CHECK_OPS:
                lines.append(self.located("\n".join(check_lines(self.operand(stmt.args[0]), stmt.op, self.aliases,
                                                                   depth, [self.operand(a) for a in stmt.args[1:]])),
                                          stmt.loc))
            elif isinstance(stmt, Assign):
                if stmt.target in self.live:
                    lines.append(self.assign_line(stmt, depth))
                if self.tangents is not None:
                    lines += self.tangents.after(stmt, self, depth)
            elif not self.kept(stmt):
                continue
            elif isinstance(stmt, If):
                lines += self.forward_if(stmt, depth, in_loop)
            elif isinstance(stmt, Loop):
                lines += self.forward_loop(stmt, depth)
        return lines + (held.flush(depth) if held is not None else [])

    def assign_line(self, stmt, depth):
        """A live forward ``Assign`` printed as it is, at ``depth``, marked with its line (printed
        once where ``remembered`` keeps the lines)."""
        if self.remembered is None:
            return self.printed_assign(stmt, depth)
        line = self.remembered.get(id(stmt))
        if line is None:
            line = self.remembered[id(stmt)] = self.printed_assign(stmt, depth)
        return line

    def printed_assign(self, stmt, depth):
        """``assign_line``'s line, printed."""
        if self.grown_in_place and id(stmt) in self.grown_in_place:
            stmt = Assign(stmt.target, "rt.grown", stmt.args, stmt.kwargs, stmt.loc)
        printed = squared(stmt) if stmt.op == "**" else stmt  # (a power alone is squared: no call for the others)
        printed = with_aliases(printed, self.aliases) if self.renaming else printed
        if printed.op == "rt.setitem" and self.renaming:  # its index np.s_[...] takes the namespace's name
            text = statement_source(alias_modules(assign_node(printed, self.names), self.aliases))
        else:
            text = assignment_source(printed, self.names)
        return self.located("    " * depth + text if "\n" not in text else indented(text, depth), stmt.loc)

    def forward_if(self, stmt, depth, in_loop):
        merges = [m for m in stmt.merges if m.target in self.live]
        sides = []
        for side, (body, pick) in enumerate(((stmt.body, lambda m: m.then), (stmt.orelse, lambda m: m.orelse))):
            lines = self.forward(body, depth + 1, in_loop)
            if raises(body):  # nothing after a raise runs: no merged values, tangents or tape there
                sides.append(lines)
                continue
            for m in merges:
                written = self.every_merge or in_loop or m.target in self.merge_read
                if written or not isinstance(pick(m), Undefined):
                    lines.append(pad(depth + 1) + f"{self.names[m.target]} = {self.operand(pick(m), placeholder=written)}")
            if self.tangents is not None:
                lines += self.tangents.joined(stmt, side, self, depth + 1)
            if in_loop and self.tape is not None:
                lines += self.tape.push_branch(stmt, side, body, depth + 1)
            sides.append(lines)
        return self.located_if(if_lines(self.operand(stmt.cond), *sides, depth), stmt.loc)

    def located_if(self, lines, loc):
        """The lines of an ``if`` statement, its ``if`` line marked as coming from ``loc`` (the
        user's ``if``: a condition Python cannot test, such as a Dask array's, is refused there)."""
        if lines:
            lines[0] = self.located(lines[0], loc)
        return lines

    def forward_loop(self, stmt, depth):
        carries = [c for c in stmt.carries if c.target in self.live]
        lines = [pad(depth) + f"{self.names[c.target]} = {self.operand(c.init, placeholder=True)}" for c in carries]
        if self.tangents is not None:
            lines += self.tangents.joined(stmt, 0, self, depth)
        count = self.tape.counter(stmt) if self.tape is not None else None
        if count is not None:
            lines.append(pad(depth) + f"{count} = 0")
        inner = pad(depth + 1)
        if stmt.iter is not None:
            paired = self.tangents.header(stmt, self) if self.tangents is not None else None
            header, first = paired or (iter_header(stmt, self.names), [])
            # the header marked as the user's loop (a second derivative refuses it there)
            lines.append(self.located(pad(depth) + header + ":", stmt.loc))
            lines += [inner + line for line in first]
        else:
            lines.append(self.located(pad(depth) + "while True:", stmt.loc))
            lines += self.forward(stmt.test_body, depth + 1, in_loop=True)
            if not (isinstance(stmt.test, Const) and stmt.test.value is True):  # while True: no test
                lines += [inner + f"if not {self.operand(stmt.test)}:", inner + "    break"]
        lines += self.forward(stmt.body, depth + 1, in_loop=True)
        if self.tape is not None:
            lines += self.tape.push_iteration(stmt, depth + 1)
        if count is not None:
            lines.append(inner + f"{count} += 1")
        lines += [inner + f"{self.names[c.target]} = {self.operand(c.next)}" for c in carries]
        if self.tangents is not None:
            lines += self.tangents.joined(stmt, 1, self, depth + 1)
        lines += loop_end_lines(stmt, self.names, inner)
        if lines[-1].partition(MARK)[0].endswith(":"):
            lines.append(inner + "pass")
        return lines


def raises(body):
    """Whether a block ends in a ``raise`` (an effect, ``ir.EFFECT``): the path ends there."""
    return bool(body) and isinstance(body[-1], Assign) and body[-1].op == EFFECT and effect_kind(body[-1]) == "raise"


def merged_operands(body, live):
    """The Vars a live merge reads (a Printer's ``merge_read``): an inner branch's value an
    outer merge passes on must exist on every path of the inner branch."""
    if not has_flow(body):  # straight code: no merge
        return set()
    return {operand for stmt in walk(body) if isinstance(stmt, If) for m in stmt.merges if m.target in live
            for operand in (m.then, m.orelse) if isinstance(operand, Var)}


# ---------------------------------------------------------------- if statements and checks

def if_lines(cond, then, orelse, depth):
    """``if c:`` / ``else:`` lines; an empty then-side becomes ``if not c:``."""
    if not then and not orelse:
        return []
    if not then:
        return [pad(depth) + f"if not {cond}:"] + orelse
    if _one_if(orelse, depth + 1):  # else: if d: ... -> elif d: ...
        return [pad(depth) + f"if {cond}:"] + then + [pad(depth) + "el" + orelse[0].lstrip()] + \
            [line[4:] for line in orelse[1:]]  # one level less deep
    return [pad(depth) + f"if {cond}:"] + then + ([pad(depth) + "else:"] + orelse if orelse else [])


def _one_if(lines, depth):
    """Whether ``lines`` are one ``if`` statement at ``depth`` (its ``elif``/``else`` included)."""
    if not lines or not lines[0].startswith(pad(depth) + "if "):
        return False
    top = [line for line in lines if not line.startswith(pad(depth + 1))]
    return all(line.strip().startswith(("elif ", "else:")) for line in top[1:])


def result_check_lines(result, aliases):
    """The check that the result is one number: a float passes at the cost of an attribute
    read; anything else goes to ``rt.check_scalar``, which refuses arrays."""
    return check_lines(result, "rt.check_scalar", aliases)


# the class a check (``ir.CHECK_OPS``) passes without a call: the common case of the value it checks
_PASSES = {"rt.check_sequence": "list", "rt.check_mapping": "dict"}


def check_lines(value, op, aliases, depth=1, expected=()):
    """``if v.__class__ is not float: rt.check_...(v)``: a check (``ir.CHECK_OPS``) of ``value``, a list passing
    ``rt.check_sequence`` without a call; ``rt.check_class(self, Model)`` (``expected``: ``[Model]``) runs for
    another class or an own attribute hiding a method (``rt.shadows_method``)."""
    cls, call = (expected[0] if expected else _PASSES.get(op, "float")), ", ".join([value, *expected])
    shadow = f" or {aliased('rt.shadows_method', aliases)}({value})" if op == "rt.check_class" else ""
    return [pad(depth) + f"if {value}.__class__ is not {cls}{shadow}:", pad(depth + 1) + f"{aliased(op, aliases)}({call})"]


def squared(stmt):
    """``x * x`` for ``x ** 2`` (an int exponent 2 and a Var base): the same value for floats,
    ints and arrays, and one multiplication where ``**`` is a call of ``pow``."""
    if stmt.op == "**" and isinstance(stmt.args[0], Var) and isinstance(stmt.args[1], Const) \
            and type(stmt.args[1].value) is int and stmt.args[1].value == 2:
        return dataclasses.replace(stmt, op="*", args=(stmt.args[0], stmt.args[0]))
    return stmt

