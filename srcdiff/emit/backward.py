"""The backward section of a gradient: its records printed, in execution order.

| record | printed as |
| --- | --- |
| ``Accumulate`` | ``grad_v = e`` (first write), ``grad_v += e`` (a fork), or ``grad_v = grad_v + e`` where the adjoint may still be another array (adding in place would change that one); ``rt.index_grads`` of a float array parameter (``float_arrays``) written in place (``reads_in_place``) |
| any expression | ``v ** 2`` written ``v * v`` (``squares_multiplied``): one multiplication where ``**`` calls ``pow`` |
| ``ItemAccumulate`` | ``grad_ws[k] += e`` (``[-1 - k]`` for ``reversed``) |
| ``Unpack`` | ``grad_a, grad_b = Cls.backward(ctx, grad_z)`` |
| ``BIf`` | ``if c:`` / ``else:``, each side first popping what its forward side pushed (inside a loop); nothing for a side whose forward side raised |
| ``BLoop`` | ``for i in reversed(range(...)):`` for a range that never breaks, else ``for _ in range(iterations):`` (``for k in reversed(range(iterations)):`` when items need their position), first popping what an iteration pushed |

Specialized array code writes ``grad_v += e`` for ``grad_v += rt.sum_grad(e, v, axis=a,
keepdims=True)`` (or without an axis) into an owned adjoint of a Var of ``spread_in_place``
(an array whose adjoint has its shape: never a number standing for one): NumPy
broadcasts ``e`` in the addition as ``sum_grad`` would have.

Whether ``+=`` is safe is decided along the paths the code runs: an adjoint is *owned*
once it was written as a new value (an arithmetic expression, a constant) or rebound by
``grad_v = grad_v + e``; a first write that is another name (``grad_a = grad_b``) may
share an array.  After a branch an adjoint is owned if both sides own it; a loop body
starts from what holds both before the loop and at the end of an iteration.
"""
import ast

from ..ir import copy_expr, replays_range
from ..ir.printing import iter_source
from ..transforms import Accumulate, BIf, BLoop, ItemAccumulate, Unpack
from .masks import aliased_expr
from .naming import FinalNames
from .marks import MARKS, mark_of
from .printer import Printer, if_lines, indented, pad, raises
from .reads_in_place import reads_in_place, reads_in_place_lines
from .text import is_square_of_name, quick_assignment, statement_source


class BackwardPrinter(Printer):
    """A ``Printer`` of gradients: the forward part (``Printer``) and the backward records.

    Besides a Printer's data it takes ``grad_names`` (the adjoint of each Var), ``namer``
    (fresh names for loop positions), ``comments`` (a ``# grad of:`` line before the
    records of each source line) and a ``Tape``.
    """

    def __init__(self, names, final_names, live, aliases, grad_names, namer, comments, tape, merge_read=frozenset(),
                 spread_in_place=frozenset()):
        super().__init__(names, final_names, live, aliases, tape=tape, merge_read=merge_read)
        self.spread_in_place = spread_in_place
        self.grad_names, self.namer, self.comments = grad_names, namer, comments
        self.dummy = namer.fresh("_")
        self.index = None  # the name of the position of a reversed loop's items
        self.renamed = None  # token -> final name, where no module is renamed (else empty); made when first needed
        self.last_line = None
        self.float_arrays = frozenset()  # float array parameters' names: their basic reads' gradients in place

    def backward(self, statements, depth, owned):
        """The lines of ``statements``; ``owned`` (a set of Vars, updated) holds the adjoints
        that are arrays of their own on every path reaching this point."""
        lines = []
        plain = not self.comments and not self.float_arrays  # an Accumulate is then printed as it is
        prefix, origins = pad(depth), self.origins
        for stmt in statements:
            if plain and type(stmt) is Accumulate:  # the usual record, first
                text, loc = self.accumulate_source(stmt, owned), stmt.loc
                if loc is None or "\n" in text:
                    lines.append(self.located(indented(text, depth), loc))
                else:  # ``located`` of one line, spelled out: every record passes here
                    origins.append(loc.origin if loc.origin is not None else loc)
                    number = len(origins) - 1
                    lines.append(prefix + text + (MARKS[number] if number < len(MARKS) else mark_of(number)))
                continue
            loc = getattr(stmt, "loc", None)  # one comment per run of records from one source line
            if self.comments and loc is not None and (loc.filename, loc.lineno) != self.last_line:
                lines.append(pad(depth) + "# grad of: " + loc.line_text.strip())
                self.last_line = (loc.filename, loc.lineno)
            if isinstance(stmt, Unpack):  # grad_a, grad_b = Cls.backward(ctx, grad_z)
                lines.append(self.located(pad(depth) + self.unpack(stmt), loc))
                owned.difference_update(stmt.parts)
            elif isinstance(stmt, ItemAccumulate):  # grad_ws[k] += grad_w
                lines.append(self.located(pad(depth) + self.item(stmt), loc))
            elif isinstance(stmt, Accumulate) and self.float_arrays \
                    and reads_in_place(stmt, self.final_names, self.float_arrays):
                lines.append(self.located(reads_in_place_lines(stmt, self.grad_names[stmt.var], self.final_names,
                                                               self.aliases, depth), loc))
                owned.add(stmt.var)
            elif isinstance(stmt, Accumulate):
                lines.append(self.located(indented(self.accumulate_source(stmt, owned), depth), loc))
            elif isinstance(stmt, BIf):
                lines += self.backward_if(stmt, depth, owned)
            elif isinstance(stmt, BLoop):
                lines += self.backward_loop(stmt, depth, owned)
        return lines

    def backward_if(self, stmt, depth, owned):
        fwd = stmt.forward
        sides, after = [], []
        for side, back_side in enumerate((stmt.then, stmt.orelse)):
            if raises((fwd.body, fwd.orelse)[side]):  # the forward side raised: this one never runs
                sides.append([])
                continue
            lines = self.tape.pop_branch(fwd, side, back_side, depth + 1)
            mine = set(owned)
            sides.append(lines + self.backward(back_side, depth + 1, mine))
            after.append(mine)
        owned.clear()
        owned.update(set.intersection(*after) if after else set())
        return self.located_if(if_lines(self.operand(stmt.cond), *sides, depth), fwd.loc)

    def backward_loop(self, stmt, depth, owned):
        loop = stmt.forward
        outer_index = self.index  # a nested loop has its own position
        if replays_range(loop):
            targets = ", ".join(self.names[t] for t in loop.iter.targets)
            args = ", ".join(self.operand(a) for a in loop.iter.args)
            header = f"for {targets} in {iter_source(loop.iter.kind, args, backwards=True)}"
        elif any(isinstance(s, ItemAccumulate) and s.index is None for s in stmt.body) \
                or self.tape.needs_position(loop):  # the item's position
            self.index = self.namer.fresh("k")
            header = f"for {self.index} in reversed(range({self.names[loop.count]}))"
        else:
            header = f"for {self.dummy} in range({self.names[loop.count]})"
        entry = _owned_at_loop_entry(stmt.body, owned)
        lines = [pad(depth) + header + ":"]
        lines += self.tape.pop_iteration(loop, depth + 1, self.index)
        lines += self.backward(stmt.body, depth + 1, set(entry))
        owned.intersection_update(entry)  # the loop may run no iteration at all
        self.index = outer_index
        return lines

    def accumulate_source(self, acc, owned):
        """The text of an ``Accumulate``: printed straight from its tokens where no module is
        renamed (``renamed``), else (or where astor must print it) from a copy with final names."""
        if self.renamed is None:  # token -> final name (a plain dict: read at every name), or Name nodes' ids
            names = dict(self.final_names) if isinstance(self.final_names, FinalNames) else \
                {token: name.id for token, name in self.final_names.items()}
            self.renamed = names if all(alias == module for module, alias in self.aliases.items()) else {}
        if not self.renamed:
            return statement_source(self.accumulate(acc, owned))
        target = self.grad_names[acc.var]
        if acc.first:  # the usual record (``written_as``'s first form), without a call more
            (owned.add if _makes_new_value(acc.expr) else owned.discard)(acc.var)
            form, op, expr = "first", None, acc.expr
        else:
            form, op, expr = self.written_as(acc, owned, acc.expr)
        text = None if form == "rebound" else quick_assignment(target, op, expr, self.renamed)
        if text is None:  # the rare rebinding, or for astor: the statement with its final names
            text = statement_source(_statement(form, op, squares_multiplied(copy_expr(expr, self.final_names)), target))
        return text

    def accumulate(self, acc, owned):
        """The statement of an ``Accumulate`` (``owned`` updated), its expression a copy with
        final names and aliased modules."""
        expr = squares_multiplied(aliased_expr(copy_expr(acc.expr, self.final_names), self.aliases))
        return _statement(*self.written_as(acc, owned, expr), target=self.grad_names[acc.var])

    def written_as(self, acc, owned, expr):
        """``(form, op, expr)`` of an ``Accumulate`` whose expression is ``expr`` (``owned`` updated):
        ``first`` (``grad_v = e``), ``augmented`` (``grad_v op= e``) or ``rebound`` (``grad_v = grad_v op e``)."""
        if acc.first:
            (owned.add if _makes_new_value(expr) else owned.discard)(acc.var)
            return "first", None, expr
        op, expr = accumulation(expr)
        if acc.var in owned:
            if acc.var in self.spread_in_place:
                expr = _spread_operand(expr, self.aliases["rt"])
            return "augmented", op, expr
        owned.add(acc.var)  # the adjoint may alias another array: rebind instead of adding in place
        return "rebound", op, expr

    def item(self, stmt):
        if stmt.index is not None:  # the loop's own counter (enumerate)
            index = ast.unparse(copy_expr(stmt.index, self.final_names))
        else:
            index = f"-1 - {self.index}" if stmt.backwards else self.index
        expr = squares_multiplied(aliased_expr(copy_expr(stmt.expr, self.final_names), self.aliases))
        return f"{self.grad_names[stmt.var]}[{index}] += {ast.unparse(expr)}"

    def unpack(self, record):
        """``grad_a, _ = Cls.backward(ctx, grad_z)`` (a bare target when forward has one argument)."""
        targets = [self.grad_names[p] if p is not None else "_" for p in record.parts]
        left = targets[0] if len(targets) == 1 else ", ".join(targets)
        return f"{left} = {ast.unparse(copy_expr(record.expr, self.final_names))}"


def _statement(form, op, expr, target):
    """The statement ``written_as`` describes, writing the adjoint named ``target``."""
    if form == "first":
        return ast.Assign(targets=[ast.Name(id=target, ctx=ast.Store())], value=expr, lineno=0)
    if form == "augmented":
        return ast.AugAssign(target=ast.Name(id=target, ctx=ast.Store()), op=op, value=expr)
    total = ast.BinOp(left=ast.Name(id=target, ctx=ast.Load()), op=op, right=expr)
    return ast.Assign(targets=[ast.Name(id=target, ctx=ast.Store())], value=total, lineno=0)


def accumulation(expr):
    """``(+, expr)``, or ``(-, e)`` when the contribution is ``-e``: ``g -= e`` reads better."""
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
        return _SUB, expr.operand
    return _ADD, expr


_ADD, _SUB = ast.Add(), ast.Sub()  # operator nodes hold nothing: one of each serves every statement


def _spread_operand(expr, rt):
    """``e`` of ``rt.sum_grad(e, x, axis=a, keepdims=True)`` or ``rt.sum_grad(e, x)``; else ``expr``."""
    if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "sum_grad"
            and isinstance(expr.func.value, ast.Name) and expr.func.value.id == rt and len(expr.args) == 2):
        return expr
    keywords = {k.arg: k.value for k in expr.keywords}
    kept = isinstance(keywords.get("keepdims"), ast.Constant) and keywords["keepdims"].value is True
    return expr.args[0] if kept or not keywords else expr


def _makes_new_value(expr):
    """Whether a first write makes a new value (arithmetic, a constant), not another name's."""
    return isinstance(expr, (ast.BinOp, ast.UnaryOp, ast.Constant))


def _owned_after(statements, owned):
    """``owned`` after ``statements`` run, without printing them (for loops: see below)."""
    owned = set(owned)
    for stmt in statements:
        if isinstance(stmt, Unpack):
            owned.difference_update(stmt.parts)
        elif isinstance(stmt, Accumulate):
            if not stmt.first or _makes_new_value(stmt.expr):
                owned.add(stmt.var)
            else:
                owned.discard(stmt.var)
        elif isinstance(stmt, BIf):
            owned = _owned_after(stmt.then, owned) & _owned_after(stmt.orelse, owned)
        elif isinstance(stmt, BLoop):
            owned &= _owned_at_loop_entry(stmt.body, owned)
    return owned


def _owned_at_loop_entry(body, before):
    """What is owned at the start of every iteration: before the loop and after each round."""
    entry = set(before)
    while True:
        nxt = entry & _owned_after(body, entry)
        if nxt == entry:
            return entry
        entry = nxt


def squares_multiplied(expr):
    """``expr`` (an ``ast`` expression, changed in place) with each ``v ** 2`` of a name
    written ``v * v``, as ``squared`` does for forward statements: ``1 - y * y`` in the
    adjoint of ``tanh``."""
    return _SquaresMultiplied().visit(expr)


class _SquaresMultiplied(ast.NodeTransformer):
    def visit_BinOp(self, node):
        self.generic_visit(node)
        if is_square_of_name(node):
            return ast.BinOp(left=node.left, op=ast.Mult(), right=ast.Name(id=node.left.id, ctx=ast.Load()))
        return node
